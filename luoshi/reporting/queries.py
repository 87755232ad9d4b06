"""Read-only queries of the reporting pages (the workflows live in services.py)."""

from collections import defaultdict
from itertools import groupby

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from luoshi.orgs.models import User
from luoshi.plans.models import Assignment, Measure
from luoshi.plans.services import can_edit_plan, plans_for_user
from luoshi.reporting.models import Report, ReportEntry
from luoshi.reporting.services import ReportState, report_state, reports_for_user


def state_of(report: Report, today=None) -> str:
    """The report's state as the matrix shows it (on time / late / missing included)."""
    return report_state(
        report.status, report.late, report.period.due_date, today or timezone.localdate()
    )


def grouped_by_task(entries) -> list[tuple]:
    """[(key task, [entries])] in the plan's order; entries must be ordered by task."""
    return [(task, list(items)) for task, items in groupby(entries, lambda e: e.measure.key_task)]


def with_actuals(entry: ReportEntry) -> ReportEntry:
    """Set `entry.actual_rows`: [(target, actual value as written or "")], from prefetched rows,
    and `entry.report_status_label`."""
    values = {a.target_id: f"{a.value.normalize():f}" for a in entry.actuals.all()}
    entry.actual_rows = [(t, values.get(t.pk, "")) for t in entry.measure.targets.all()]
    entry.report_status_label = STATUS_LABELS[entry.report.status]
    return entry


def co_entries_by_measure(report: Report, entries) -> dict[int, list[ReportEntry]]:
    """For the measures the report's department leads, the other departments' entries of the
    same period (read-only, beside the lead's own text). One query for the whole report."""
    lead_measures = [e.measure_id for e in entries if e.role == Assignment.Role.LEAD]
    if not lead_measures:
        return {}
    others = (
        ReportEntry.objects.filter(report__period=report.period_id, measure_id__in=lead_measures)
        .exclude(report=report)
        .select_related("report__organization")
        .order_by("report__organization__name")
    )
    result = defaultdict(list)
    for entry in others:
        entry.report_status_label = STATUS_LABELS[entry.report.status]
        result[entry.measure_id].append(entry)
    return dict(result)


def department_reports(user: User, today=None):
    """A department's reports of the periods that have begun, newest first."""
    today = today or timezone.localdate()
    reports = (
        reports_for_user(user)
        .filter(period__start__lte=today)
        .order_by("-period__start", "period__plan__title")
    )
    rows = list(reports)
    for report in rows:
        report.state = state_of(report, today)
        report.state_label = STATE_LABELS[report.state]
        report.to_fill = report.status in Report.EDITABLE
        report.to_sign = (
            report.status == Report.Status.AWAITING_SIGNOFF and user.role == User.Role.APPROVER
        )
        report.days_left = (report.period.due_date - today).days
    return rows


def coordinated_plans(user: User, today=None):
    """The plans the user may watch, with how many reports await review in each and how many
    are missing (past their due day, never submitted)."""
    today = today or timezone.localdate()
    return plans_for_user(user).annotate(
        awaiting_review=Count(
            "periods__reports",
            filter=Q(periods__reports__status=Report.Status.SUBMITTED),
        ),
        missing=Count(
            "periods__reports",
            filter=Q(
                periods__reports__status__in=Report.UNSUBMITTED,
                periods__due_date__lt=today,
            ),
        ),
    )


def get_measure_for_review(user: User, pk: int) -> Measure:
    """A measure of a plan the user coordinates or leads (else 404 / 403)."""
    measure = (
        Measure.objects.select_related("key_task__plan")
        .filter(pk=pk, key_task__plan__in=plans_for_user(user))
        .first()
    )
    if measure is None:
        raise Http404("no such measure for this user")
    if not (user.is_leader or can_edit_plan(user, measure.key_task.plan)):
        raise PermissionDenied
    return measure


def measure_history(measure: Measure):
    """Every department's entries for the measure across all periods, newest period first."""
    return (
        ReportEntry.objects.filter(measure=measure)
        .select_related("report__organization", "report__period", "measure")
        .prefetch_related("actuals", "attachments", "measure__targets")
        .order_by("-report__period__start", "report__organization__name")
    )


# {state: label}, in the order of the matrix legend; {status: label} for a stored report.
STATE_LABELS = ReportState.LABELS
STATUS_LABELS = dict(Report.Status.choices)


# The matrix counts these cells as "reported" in its totals.
SUBMITTED_STATES = (ReportState.ON_TIME, ReportState.LATE, ReportState.ACCEPTED)


def grouped_by_period(entries) -> list[tuple]:
    """[(period, [entries])]; entries must be ordered by period."""
    return [(period, list(items)) for period, items in groupby(entries, lambda e: e.report.period)]
