"""The coordinator's (and leaders') overview: the matrix of departments × periods and the review
queue."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils.translation import pgettext_lazy

from luoshi.lib import clock
from luoshi.orgs.models import User
from luoshi.plans.access import require_plan_coordinator
from luoshi.plans.models import Plan
from luoshi.reporting.access import reports_for_user
from luoshi.reporting.models import Period, Report


class ReportState:
    """What the matrix shows in a cell (a report's status, with lateness and missing)."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    AWAITING_SIGNOFF = "awaiting_signoff"
    ON_TIME = "submitted_on_time"
    LATE = "submitted_late"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    MISSING = "missing"

    LABELS = {
        NOT_STARTED: pgettext_lazy("report state", "Not started"),
        DRAFT: pgettext_lazy("report state", "Draft"),
        AWAITING_SIGNOFF: pgettext_lazy("report state", "Awaiting sign-off"),
        ON_TIME: pgettext_lazy("report state", "Submitted on time"),
        LATE: pgettext_lazy("report state", "Submitted late"),
        RETURNED: pgettext_lazy("report state", "Returned"),
        ACCEPTED: pgettext_lazy("report state", "Accepted"),
        MISSING: pgettext_lazy("report state", "Missing"),
    }


def report_state(status: str, late: bool, due_date: datetime.date, today: datetime.date) -> str:
    if status in Report.UNSUBMITTED and today > due_date:
        return ReportState.MISSING
    if status == Report.Status.SUBMITTED:
        return ReportState.LATE if late else ReportState.ON_TIME
    return status


@dataclass
class Matrix:
    """Departments × periods: `cells[(department id, period id)]` = (report id, state)."""

    periods: list[Period]
    departments: list[tuple[int, str]]
    cells: dict[tuple[int, int], tuple[int, str]] = field(default_factory=dict)
    # The report ids submitted late whose state no longer says so (accepted, returned).
    late: set[int] = field(default_factory=set)

    def row(self, department_id: int) -> list[tuple[int, str] | None]:
        return [self.cells.get((department_id, p.pk)) for p in self.periods]


def report_matrix(
    user: User,
    plan: Plan,
    today: datetime.date | None = None,
    periods: list[Period] | None = None,
) -> Matrix:
    """The coordinator's (or a leader's) matrix of a plan in two queries, whatever its size;
    of some of its periods only (in one query) if `periods` are given."""
    require_plan_coordinator(user, plan, leaders_too=True)
    today = today or clock.today()
    if periods is None:
        periods = list(Period.objects.filter(plan=plan).order_by("start"))
        reports = Report.objects.filter(period__plan=plan)
    else:
        reports = Report.objects.filter(period__in=[p.pk for p in periods])
    # No ORDER BY: the cells go into a dict and departments are sorted below. Report's default
    # ordering (period, organization name) made the database sort every report of the plan
    # (bench/results: matrix at province scale, 14,000 reports per plan).
    rows = reports.order_by().values_list(
        "pk",
        "period_id",
        "organization_id",
        "organization__name",
        "status",
        "late",
        "period__due_date",
    )
    departments, cells, late_ones = {}, {}, set()
    for pk, period_id, org_id, org_name, status, late, due in rows:
        departments[org_id] = org_name
        state = report_state(status, late, due, today)
        cells[(org_id, period_id)] = (pk, state)
        if late and state != ReportState.LATE:
            late_ones.add(pk)
    return Matrix(
        periods=periods,
        departments=sorted(departments.items(), key=lambda item: item[1]),
        cells=cells,
        late=late_ones,
    )


def review_queue(user: User, plan: Plan | None = None):
    """Submitted reports waiting for the coordinator, oldest submission first."""
    if not user.is_coordinator:
        raise PermissionDenied
    reports = reports_for_user(user).filter(status=Report.Status.SUBMITTED)
    if plan is not None:
        reports = reports.filter(period__plan=plan)
    return reports.order_by("submitted_at", "pk")
