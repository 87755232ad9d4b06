"""Who may see what of the reporting cycle: the permission-checked fetch helpers.

A report, period, entry or attachment the user may not see raises Http404 (it does not exist
for them); an action their role may not take raises PermissionDenied. Plans are checked by
`luoshi.plans.access`.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from luoshi.orgs.models import User
from luoshi.plans.models import Assignment, Measure, Plan
from luoshi.plans.services import can_edit_plan, plan_reach, plans_for_user
from luoshi.reporting.models import (
    Attachment,
    ClosureRequest,
    LateEntryException,
    Period,
    Report,
    ReportEntry,
)


def reports_for_user(user: User):
    """Reports the user may read: their department's; a coordinator's or leader's plans' (their
    own region's and those below, `plan_reach`)."""
    # The plan's source document (tens of kB) is never shown with a report: without the defer
    # a department's report list (20 plans × 36 periods at city scale, bench/results) pulled
    # it once per row.
    reports = Report.objects.select_related("period__plan", "organization").defer(
        "period__plan__source_text"
    )
    if user.is_leader or user.is_coordinator:
        return reports.filter(plan_reach(user, "period__plan"))
    if user.is_department_user and user.organization_id:
        return reports.filter(organization=user.organization_id)
    return reports.none()


def get_report(user: User, pk: int) -> Report:
    """The report `pk` if the user may read it, else Http404."""
    report = reports_for_user(user).filter(pk=pk).order_by().first()  # no ordering joins
    if report is None:
        raise Http404("no such report for this user")
    return report


def periods_for_user(user: User, plan: Plan | None = None):
    periods = Period.objects.select_related("plan").filter(plan__in=plans_for_user(user))
    return periods.filter(plan=plan) if plan is not None else periods


def get_period(user: User, pk: int) -> Period:
    period = periods_for_user(user).filter(pk=pk).first()
    if period is None:
        raise Http404("no such period for this user")
    return period


def get_late_entry(user: User, pk: int) -> LateEntryException:
    """A late-entry exception of a period the user may see, a department's own (else Http404)."""
    exceptions = LateEntryException.objects.select_related("period__plan", "organization")
    if user.is_department_user:  # its own, never another department's
        exceptions = exceptions.filter(organization=user.organization_id)
    exception = exceptions.filter(period__in=periods_for_user(user), pk=pk).first()
    if exception is None:
        raise Http404("no such late entry for this user")
    return exception


def get_measure_for_closure(user: User, pk: int) -> Measure:
    """A measure whose closure (销号) the user may follow: its plan's coordinators and
    leaders, and the departments it is assigned to (another department gets Http404)."""
    measures = Measure.objects.select_related("key_task__plan").filter(
        pk=pk, key_task__plan__in=plans_for_user(user)
    )
    if user.is_department_user:
        measures = measures.filter(assignments__organization=user.organization_id)
    measure = measures.first()
    if measure is None:
        raise Http404("no such measure for this user")
    return measure


def closure_requests_for_user(user: User):
    """Closure requests the user may read, evidence included: those of the plans the user
    reads (`plan_reach`), or the department's own (a co department sees none)."""
    requests = ClosureRequest.objects.select_related(
        "measure__key_task__plan", "organization", "requested_by", "decided_by"
    ).defer("measure__key_task__plan__source_text")
    if user.is_leader or user.is_coordinator:
        return requests.filter(plan_reach(user, "measure__key_task__plan"))
    if user.is_department_user and user.organization_id:
        return requests.filter(organization=user.organization_id)
    return requests.none()


def get_closure_request(user: User, pk: int) -> ClosureRequest:
    request = closure_requests_for_user(user).filter(pk=pk).first()
    if request is None:
        raise Http404("no such closure request for this user")
    return request


def entries_for_report(report: Report):
    """The report's entries with their measure, targets, actuals and attachments."""
    return report.entries.select_related("measure__key_task", "updated_by").prefetch_related(
        "measure__targets", "actuals", "attachments"
    )


def get_entry(user: User, pk: int) -> ReportEntry:
    entry = (
        ReportEntry.objects.select_related("report__period__plan", "report__organization")
        .filter(report__in=reports_for_user(user), pk=pk)
        .first()
    )
    if entry is None:
        raise Http404("no such entry for this user")
    return entry


def get_attachment(user: User, pk: int) -> Attachment:
    """An attachment the user may download (same visibility as its report)."""
    attachment = (
        Attachment.objects.select_related("entry__report")
        .filter(entry__report__in=reports_for_user(user), pk=pk)
        .first()
    )
    if attachment is None:
        raise Http404("no such attachment for this user")
    return attachment


def co_entries(user: User, entry: ReportEntry):
    """The co departments' entries of the same measure and period, for the lead to read.

    Empty unless `entry`'s department leads the measure now (coordinators and leaders see
    them all).
    """
    require_visible(user, entry.report)
    others = (
        ReportEntry.objects.filter(
            measure_id=entry.measure_id, report__period=entry.report.period_id
        )
        .exclude(pk=entry.pk)
        .select_related("report__organization")
        .order_by("report__organization__name")
    )
    is_lead = Assignment.objects.filter(
        measure_id=entry.measure_id,
        organization_id=entry.report.organization_id,
        role=Assignment.Role.LEAD,
    ).exists()
    if user.is_coordinator or user.is_leader or is_lead:
        return others
    return others.none()


# --- Checks on a report the caller already holds ---------------------------------------------


def require_visible(user: User, report: Report) -> None:
    if not reports_for_user(user).filter(pk=report.pk).exists():
        raise Http404("no such report for this user")


def require_department_role(user: User, report: Report, *roles: str) -> None:
    """The user belongs to the report's department (else 404) and has one of `roles`."""
    require_visible(user, report)
    if user.role not in roles or user.organization_id != report.organization_id:
        raise PermissionDenied


def require_report_coordinator(user: User, report: Report) -> None:
    """The user may see the report (else 404) and coordinates its plan (else 403)."""
    require_visible(user, report)
    if not can_edit_plan(user, report.period.plan):
        raise PermissionDenied
