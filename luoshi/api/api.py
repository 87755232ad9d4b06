"""REST API v1 (django-ninja): plans, periods, reports, entries and the workflow actions.

Every endpoint calls the same services as the pages, with the same permission checks: an
object the caller may not see is 404, an action their role may not take is 403, an action the
object's state forbids is 409, and a stale entry version is 409 with both versions.
Integrations authenticate with `Authorization: Bearer <token>` (manage.py create_api_token);
a logged-in browser uses its session (with the CSRF token for changes).

Errors answer `{"detail": "<message>"}`; invalid input answers 422 with
`{"detail": [{"type": ..., "loc": [...], "msg": ...}]}`, one item per invalid value: `type` and
`loc` are pydantic's (`"missing"`, `["body", "data", "version"]`), `msg` is in the user's
language, Chinese unless they chose English, like every other message.
"""

import datetime
import functools
from decimal import Decimal
from typing import Annotated

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as InputError
from ninja.security import HttpBearer, SessionAuth

from luoshi.api.services import user_for_token
from luoshi.plans.services import get_plan_for_user, plans_for_user
from luoshi.reporting import services
from luoshi.reporting.models import Report, ReportEntry
from luoshi.reporting.queries import withheld_label


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        return user_for_token(token)


class BrowserSession(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


def signed_in_only(view):
    """The docs and the OpenAPI schema are for signed-in people and integrations: an anonymous
    browser is sent to the login page, an anonymous client of the schema gets 401."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated or TokenAuth()(request) is not None:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse({"detail": _("Sign in, or send a valid API token.")}, status=401)
        return redirect_to_login(request.get_full_path())

    return wrapper


api = NinjaAPI(
    title="luoshi API",
    version="1",
    urls_namespace="api-v1",
    auth=[TokenAuth(), BrowserSession()],
    description=__doc__,
    docs_decorator=signed_in_only,
)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    detail = str(exc) or _("You are not allowed to do this.")
    return api.create_response(request, {"detail": detail}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found")}, status=404)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    detail = _("Sign in, or send a valid API token.")
    return api.create_response(request, {"detail": detail}, status=401)


@api.exception_handler(HttpError)
def http_error(request, exc):
    if exc.status_code == 400:  # ninja could not parse the body
        return api.create_response(
            request, {"detail": _("The request body is not valid JSON.")}, status=400
        )
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


# Pydantic's messages by error type, for the common cases; the rest get a general one. In their
# own context: Django's form messages share some of these words and keep their translation.
INPUT_MESSAGES = {
    "missing": pgettext_lazy("api input", "This field is required."),
    "int_parsing": pgettext_lazy("api input", "Enter a whole number."),
    "int_type": pgettext_lazy("api input", "Enter a whole number."),
    "int_from_float": pgettext_lazy("api input", "Enter a whole number."),
    "float_parsing": pgettext_lazy("api input", "Enter a number."),
    "float_type": pgettext_lazy("api input", "Enter a number."),
    "decimal_parsing": pgettext_lazy("api input", "Enter a number."),
    "decimal_type": pgettext_lazy("api input", "Enter a number."),
    "finite_number": pgettext_lazy("api input", "Enter a finite number."),
    "string_type": pgettext_lazy("api input", "Enter text."),
    "bool_parsing": pgettext_lazy("api input", "Enter true or false."),
    "bool_type": pgettext_lazy("api input", "Enter true or false."),
    "list_type": pgettext_lazy("api input", "Send a list."),
    "dict_type": pgettext_lazy("api input", "Send an object."),
    "model_attributes_type": pgettext_lazy("api input", "Send an object."),
    "enum": pgettext_lazy("api input", "Choose one of: %(expected)s."),
    "literal_error": pgettext_lazy("api input", "Choose one of: %(expected)s."),
    "greater_than": pgettext_lazy("api input", "Must be greater than %(gt)s."),
    "greater_than_equal": pgettext_lazy("api input", "Must be at least %(ge)s."),
    "less_than": pgettext_lazy("api input", "Must be less than %(lt)s."),
    "less_than_equal": pgettext_lazy("api input", "Must be at most %(le)s."),
    "date_parsing": pgettext_lazy("api input", "Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": pgettext_lazy("api input", "Enter a date as YYYY-MM-DD."),
}


def input_message(error: dict) -> str:
    message = INPUT_MESSAGES.get(error["type"])
    if message is None:
        return pgettext("api input", "This value is not valid.")
    try:
        return message % error.get("ctx", {})
    except (KeyError, TypeError):  # a context without the expected value
        return pgettext("api input", "This value is not valid.")


@api.exception_handler(InputError)
def invalid_input(request, exc):
    """422, pydantic's errors with each message in the user's language."""
    errors = [error | {"msg": input_message(error)} for error in exc.errors]
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(services.WorkflowError)
def workflow_error(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(DjangoValidationError)
def validation_error(request, exc):
    return api.create_response(request, {"detail": exc.messages}, status=422)


@api.exception_handler(services.EditConflict)
def edit_conflict(request, exc):
    return api.create_response(
        request,
        {
            "detail": str(exc),
            "current": EntryOut.from_orm(exc.current).dict(),
            "mine": {k: v for k, v in exc.mine.items() if k != "actuals"},
            "expected_version": exc.expected_version,
        },
        status=409,
    )


# --- Schemas ---------------------------------------------------------------------------------

# An id as the database stores it (a signed 64-bit integer): a larger number is refused with a
# message, not sent to the database to overflow.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class PlanOut(Schema):
    id: int
    title: str
    doc_number: str
    issue_date: datetime.date | None
    report_frequency: str
    report_due_day: int | None
    report_due_offset_months: int


class PeriodOut(Schema):
    id: int
    label: str
    frequency: str
    start: datetime.date
    end: datetime.date
    due_date: datetime.date
    closed_at: datetime.datetime | None


class ReportOut(Schema):
    id: int
    period_id: int
    period: str
    organization_id: int
    organization: str
    status: str
    late: bool
    submitted_at: datetime.datetime | None
    return_comment: str

    @staticmethod
    def resolve_period(obj):
        return obj.period.label

    @staticmethod
    def resolve_organization(obj):
        return obj.organization.name


class ActualOut(Schema):
    target_id: int
    value: Decimal


class AttachmentOut(Schema):
    id: int
    original_name: str
    size: int
    content_type: str


class EntryOut(Schema):
    id: int
    measure_id: int
    measure_code: str
    role: str
    progress: str
    status: str
    behind_reason: str
    problems: str
    next_steps: str
    no_new_progress: bool
    no_new_progress_reason: str
    # Quality flags (luoshi.reporting.quality.FLAGS), computed when the entry is saved.
    flags: list[str]
    version: int
    updated_at: datetime.datetime

    @staticmethod
    def resolve_measure_code(obj):
        return obj.measure.code


class EntryDetailOut(EntryOut):
    actuals: list[ActualOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_actuals(obj):
        return list(obj.actuals.all())

    @staticmethod
    def resolve_attachments(obj):
        return list(obj.attachments.all())


class ReportDetailOut(ReportOut):
    # Instead of the entries of a report its department has not submitted yet, what the
    # coordinator's and leaders' pages say ("Not submitted"); empty when the entries show.
    withheld: str
    entries: list[EntryDetailOut]

    @staticmethod
    def resolve_withheld(obj, context):
        return withheld_label(context["request"].auth, obj)

    @staticmethod
    def resolve_entries(obj, context):
        if withheld_label(context["request"].auth, obj):
            return []
        return list(services.entries_for_report(obj))


class EntryIn(Schema):
    version: int
    progress: str | None = None
    status: ReportEntry.Status | None = None
    behind_reason: str | None = None
    problems: str | None = None
    next_steps: str | None = None
    no_new_progress: bool | None = None
    no_new_progress_reason: str | None = None
    actuals: dict[Id, Decimal | None] | None = None


class CommentIn(Schema):
    comment: str


class ReasonIn(Schema):
    reason: str


class CellOut(Schema):
    organization_id: int
    organization: str
    period_id: int
    report_id: int
    state: str


class Error(Schema):
    detail: str | list


# --- Endpoints -------------------------------------------------------------------------------

ERRORS = {403: Error, 404: Error}


def _user(request):
    return request.auth


@api.get("/plans", response=list[PlanOut], tags=["plans"])
def list_plans(request):
    return list(plans_for_user(_user(request)))


@api.get("/plans/{plan_id}", response={200: PlanOut, **ERRORS}, tags=["plans"])
def plan_detail(request, plan_id: int):
    return get_plan_for_user(_user(request), plan_id)


@api.get("/plans/{plan_id}/periods", response={200: list[PeriodOut], **ERRORS}, tags=["plans"])
def list_periods(request, plan_id: int):
    plan = get_plan_for_user(_user(request), plan_id)
    return list(plan.periods.order_by("start"))


@api.get("/plans/{plan_id}/matrix", response={200: list[CellOut], **ERRORS}, tags=["plans"])
def plan_matrix(request, plan_id: int):
    """Departments × periods with each report's state (coordinator and leaders)."""
    plan = get_plan_for_user(_user(request), plan_id)
    matrix = services.report_matrix(_user(request), plan)
    names = dict(matrix.departments)
    return [
        {
            "organization_id": org,
            "organization": names[org],
            "period_id": period,
            "report_id": report_id,
            "state": state,
        }
        for (org, period), (report_id, state) in sorted(matrix.cells.items())
    ]


@api.get("/reports", response=list[ReportOut], tags=["reports"])
def list_reports(request, period: Id | None = None, status: Report.Status | None = None):
    reports = services.reports_for_user(_user(request)).order_by("period__start", "pk")
    if period is not None:
        reports = reports.filter(period=period)
    if status is not None:
        reports = reports.filter(status=status)
    return list(reports[:1000])


@api.get("/reports/{report_id}", response={200: ReportDetailOut, **ERRORS}, tags=["reports"])
def report_detail(request, report_id: int):
    return services.get_report(_user(request), report_id)


@api.put(
    "/entries/{entry_id}", response={200: EntryDetailOut, 409: dict, **ERRORS}, tags=["reports"]
)
def save_entry(request, entry_id: int, data: EntryIn):
    """Save an entry; send the `version` you read. A stale version answers 409 with both."""
    user = _user(request)
    entry = services.get_entry(user, entry_id)
    fields = data.dict(exclude_unset=True)
    version = fields.pop("version")
    services.save_entry(user, entry, fields, version)
    return services.entries_for_report(entry.report).get(pk=entry.pk)


class CoEntryOut(EntryOut):
    organization: str

    @staticmethod
    def resolve_organization(obj):
        return obj.report.organization.name


@api.get(
    "/entries/{entry_id}/co-entries", response={200: list[CoEntryOut], **ERRORS}, tags=["reports"]
)
def co_entries(request, entry_id: int):
    """The other departments' entries for the same measure and period (for the lead)."""
    user = _user(request)
    return list(
        services.co_entries(user, services.get_entry(user, entry_id)).select_related(
            "measure__key_task"
        )
    )


class BulkIn(Schema):
    report_ids: list[Id]


class BulkOut(Schema):
    accepted: list[int]
    skipped: list[int]


@api.post("/bulk-accept", response={200: BulkOut, **ERRORS}, tags=["workflow"])
def bulk_accept(request, data: BulkIn):
    """Accept many submitted reports; those that cannot be accepted are listed as skipped."""
    accepted, skipped = services.bulk_accept(_user(request), data.report_ids)
    return {"accepted": [r.pk for r in accepted], "skipped": [r.pk for r in skipped]}


@api.get("/attachments/{attachment_id}", response={200: None, **ERRORS}, tags=["reports"])
def download_attachment(request, attachment_id: int):
    user = _user(request)
    attachment = services.get_attachment(user, attachment_id)
    if withheld_label(user, attachment.entry.report):
        raise Http404("the report is not submitted")
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.download_name
    )
    response["Content-Type"] = attachment.content_type
    return response


WORKFLOW = {200: ReportOut, 409: Error, 422: Error, **ERRORS}


@api.post("/reports/{report_id}/start", response=WORKFLOW, tags=["workflow"])
def start_draft(request, report_id: int):
    """Start the draft (reporter or head): empty entries, each with last period's status."""
    user = _user(request)
    return services.start_draft(user, services.get_report(user, report_id))


@api.post("/reports/{report_id}/submit", response=WORKFLOW, tags=["workflow"])
def submit_for_signoff(request, report_id: int):
    """Send the draft to the department head for sign-off (reporter)."""
    user = _user(request)
    return services.submit_for_signoff(user, services.get_report(user, report_id))


@api.post("/reports/{report_id}/sign-off", response=WORKFLOW, tags=["workflow"])
def sign_off(request, report_id: int):
    """Sign the report off: it is submitted to the coordinator (department head)."""
    user = _user(request)
    return services.sign_off(user, services.get_report(user, report_id))


@api.post("/reports/{report_id}/accept", response=WORKFLOW, tags=["workflow"])
def accept(request, report_id: int):
    """Accept a submitted report (coordinator who did not write or sign it)."""
    user = _user(request)
    return services.accept(user, services.get_report(user, report_id))


@api.post(
    "/reports/{report_id}/return",
    response=WORKFLOW,
    tags=["workflow"],
)
def return_report(request, report_id: int, data: CommentIn):
    user = _user(request)
    return services.return_report(user, services.get_report(user, report_id), data.comment)


@api.post(
    "/reports/{report_id}/reopen",
    response=WORKFLOW,
    tags=["workflow"],
)
def reopen_report(request, report_id: int, data: ReasonIn):
    user = _user(request)
    return services.reopen(user, services.get_report(user, report_id), data.reason)
