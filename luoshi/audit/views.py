import csv
import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from luoshi.audit.actions import ACTIONS, actions_labelled
from luoshi.audit.models import AuditRecord, AuditSeal
from luoshi.audit.services import record_event, verify_chain
from luoshi.audit.wording import object_types_named
from luoshi.lib import clock
from luoshi.lib.auth import role_required
from luoshi.lib.text import attachment_disposition, spreadsheet_safe, strip_control

# The audit log imports no app (docs/architecture.md): the account model is whichever
# AUTH_USER_MODEL names.
User = get_user_model()


def _date(value: str, errors: list[str]) -> dt.date | None:
    """The ISO date `value`, or None (nothing asked, or a malformed date: then a message)."""
    if not value:
        return None
    try:
        return clock.parse_day(value)
    except ValueError:
        errors.append(
            _("Enter a date as YYYY-MM-DD between %(first)s and %(last)s; “%(value)s” was ignored.")
            % {"first": clock.FIRST_YEAR, "last": clock.LAST_YEAR, "value": value[:40]}
        )
        return None


def _filtered(request):
    """The records the audit administrator asked for, the filter values to show again and the
    messages about malformed filter values (which are then ignored)."""
    records = AuditRecord.objects.all()
    # No NUL or other control character reaches the database (PostgreSQL refuses a NUL).
    query = strip_control(request.GET.get("q", "")).strip()
    errors: list[str] = []
    start = _date(request.GET.get("start", ""), errors)
    end = _date(request.GET.get("end", ""), errors)
    if query:
        records = records.filter(
            Q(username__icontains=query)
            | Q(object_repr__icontains=query)
            | Q(action__icontains=query)
            | Q(action__in=actions_labelled(query))
            | Q(object_type__in=object_types_named(query))
            | Q(organization__icontains=query)
        )
    if start:
        records = records.filter(
            at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time.min))
        )
    if end:
        records = records.filter(
            at__lt=timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
        )
    return records, {"q": query, "start": start, "end": end}, errors


@require_GET
@role_required(User.Role.AUDIT_ADMIN)
def log(request):
    records, filters, errors = _filtered(request)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "errors": errors,
        "query_string": query_string.urlencode(),
    }
    return render(request, "audit/log.html", context, status=400 if errors else 200)


@require_GET
@role_required(User.Role.AUDIT_ADMIN)
def verify(request):
    """What `verify_audit` finds, on a page: every record, every sealed hour, the seal file."""
    context = {
        "problems": verify_chain(),
        "records": AuditRecord.objects.count(),
        "last_seal": AuditSeal.objects.order_by("-start").first(),
        "hours": AuditSeal.objects.count(),
        "seal_file": settings.AUDIT_SEAL_FILE,
    }
    return render(request, "audit/verify.html", context)


class _Echo:
    def write(self, value):
        return value


@require_GET
@role_required(User.Role.AUDIT_ADMIN)
def export(request):
    """The filtered log as CSV (UTF-8 with BOM, so Excel opens the Chinese right)."""
    records, filters, errors = _filtered(request)
    if errors:
        return HttpResponseBadRequest(" ".join(errors), content_type="text/plain; charset=utf-8")
    record_event(
        request.user,
        "export",
        object_type="audit.auditrecord",
        object_repr=_("Audit log"),
        changes={key: {"old": None, "new": str(value or "")} for key, value in filters.items()},
    )
    writer = csv.writer(_Echo())
    # The action's code stays in its column (programs read it), its label comes after the
    # changes in words, and the object's table and id (orgs.user#5) come last.
    header = [
        _("Time"),
        _("User"),
        _("Organization"),
        _("Action"),
        _("Object"),
        _("Changes"),
        _("Action name"),
        _("Object reference"),
    ]
    labels = {code: str(action.label) for code, action in ACTIONS.items()}

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for r in records.iterator(chunk_size=2000):
            yield writer.writerow(
                spreadsheet_safe(cell)
                for cell in [
                    timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M:%S"),
                    r.username,
                    r.organization,
                    r.action,
                    r.object_words,
                    "；".join(r.change_lines),
                    labels.get(r.action, r.action),
                    r.object_reference,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = attachment_disposition(f"audit-{stamp}.csv")
    return response
