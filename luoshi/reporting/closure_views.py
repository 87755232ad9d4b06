"""The pages of closing a measure (销号) and of late-entry exceptions.

销号: the lead department asks on the measure's closure page (linked from its home's measures),
the coordinator decides on the plan's list of requests (linked from the matrix, the review queue
and the plans' list), and both see the outcome on the measure's closure page. Late entry: the
coordinator grants it on the report's page and lists or withdraws a period's exceptions here.
Every object comes through a permission-checked helper, every change through a service.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from luoshi.lib import clock
from luoshi.lib.text import attachment_disposition
from luoshi.plans.access import get_plan_for_coordinator, require_plan_coordinator
from luoshi.plans.services import can_edit_plan
from luoshi.reporting import queries
from luoshi.reporting import services as reporting
from luoshi.reporting.forms import ClosureDecisionForm, ClosureRequestForm
from luoshi.reporting.views import _error_text, _go, htmx_login_required


def _closure_url(measure_pk: int) -> str:
    return reverse("reporting:closure", args=[measure_pk])


@require_http_methods(["GET", "POST"])
@login_required
def measure_closure(request, pk):
    """A measure's closure (销号): its state, the requests the user may read, and for the lead
    department the form to ask for it."""
    measure = reporting.get_measure_for_closure(request.user, pk)
    form = ClosureRequestForm()
    if request.method == "POST":
        form = ClosureRequestForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                reporting.request_closure(
                    request.user,
                    measure,
                    form.cleaned_data["evidence"],
                    form.cleaned_data["evidence_file"],
                )
            except (reporting.WorkflowError, ValidationError) as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(
                    request, _("The closure request is sent to the coordinating office.")
                )
                return _go(request, _closure_url(measure.pk))
    context = queries.closure_page(request.user, measure) | {"form": form}
    return render(request, "reporting/closure.html", context)


# Closure requests per page of a plan's list.
CLOSURES_PAGE_SIZE = 30


@require_GET
@login_required
def closures(request, pk):
    """A plan's closure requests: those waiting for a decision, oldest first, then the last
    decided ones."""
    plan = get_plan_for_coordinator(request.user, pk, leaders_too=True)
    pending = queries.pending_closures(plan)
    page = Paginator(pending, CLOSURES_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "plan": plan,
        "page": page,
        "decided": queries.decided_closures(plan),
        "can_decide": can_edit_plan(request.user, plan),
    }
    return render(request, "reporting/closures.html", context)


@require_POST
@htmx_login_required
def closure_decide(request, pk, decision):
    """The coordinator approves (the measure is closed) or rejects (with a reason) a request."""
    closure = reporting.get_closure_request(request.user, pk)
    require_plan_coordinator(request.user, closure.measure.key_task.plan)
    if decision not in ("approve", "reject"):
        return HttpResponseBadRequest("unknown decision")
    if request.POST.get("next") == "measure":
        back = _closure_url(closure.measure_id)
    else:
        back = reverse("reporting:closures", args=[closure.measure.key_task.plan_id])
    form = ClosureDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The comment is too long (at most 4000 characters)."))
        return _go(request, back)
    comment, code = form.cleaned_data["comment"], closure.measure.code
    try:
        if decision == "approve":
            reporting.close_measure(request.user, closure, comment)
            messages.success(request, _("Measure %(code)s is closed.") % {"code": code})
        else:
            reporting.reject_closure(request.user, closure, comment)
            messages.success(
                request, _("The request to close %(code)s is rejected.") % {"code": code}
            )
    except (reporting.WorkflowError, ValidationError) as error:
        messages.error(request, _error_text(error))
    return _go(request, back)


@require_GET
@login_required
def closure_evidence(request, pk):
    """The evidence file of a closure request: for the requesting department and the plan's
    coordinators and leaders (closure_requests_for_user), named safely."""
    closure = reporting.get_closure_request(request.user, pk)
    if not closure.evidence_file:
        raise Http404("no evidence file")
    try:
        stream = closure.evidence_file.open("rb")
    except FileNotFoundError:
        raise Http404("the evidence file is missing") from None
    response = FileResponse(stream, content_type=closure.evidence_content_type)
    response["Content-Disposition"] = attachment_disposition(closure.evidence_download_name)
    return response


# --- Late-entry exceptions --------------------------------------------------------------------


@require_GET
@login_required
def late_entries(request, pk):
    """The late-entry exceptions of a period: department, reason, deadline, granted by, state."""
    period = reporting.get_period(request.user, pk)
    require_plan_coordinator(request.user, period.plan)
    now = clock.now()
    rows = queries.late_entries_of(period)
    for exception in rows:
        exception.state = exception.status(now)
    context = {"period": period, "plan": period.plan, "exceptions": rows}
    return render(request, "reporting/late_entries.html", context)


@require_POST
@htmx_login_required
def late_entry_withdraw(request, pk):
    """End a late-entry exception now."""
    exception = reporting.get_late_entry(request.user, pk)
    if not can_edit_plan(request.user, exception.period.plan):
        raise PermissionDenied
    try:
        reporting.withdraw_late_entry(request.user, exception)
    except reporting.WorkflowError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("The late entry of %(department)s is withdrawn.")
            % {"department": exception.organization.name},
        )
    return _go(request, reverse("reporting:late_entries", args=[exception.period_id]))
