"""Read-only queries of the reporting pages (the workflows live in services.py)."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy

from luoshi.lib import clock
from luoshi.orgs.models import User
from luoshi.plans.access import require_plan_coordinator
from luoshi.plans.models import Assignment, Measure, Target
from luoshi.plans.services import can_edit_plan, plans_for_user
from luoshi.reporting.models import (
    Attachment,
    ClosureRequest,
    LateEntryException,
    Period,
    Report,
    ReportEntry,
    TargetActual,
)
from luoshi.reporting.services import (
    ReportState,
    answers_for,
    closure_requests_for_user,
    report_state,
    reports_for_user,
)


def state_of(report: Report, today=None) -> str:
    """The report's state as the matrix shows it (on time / late / missing included)."""
    return report_state(report.status, report.late, report.period.due_date, today or clock.today())


def grouped_by_task(entries) -> list[tuple]:
    """[(key task, [entries])] in the plan's order; entries must be ordered by task."""
    return [(task, list(items)) for task, items in groupby(entries, lambda e: e.measure.key_task)]


def with_actuals(entry: ReportEntry) -> ReportEntry:
    """Set `entry.actual_rows`: [(target, actual value as written or "")], from prefetched rows,
    `entry.report_status_label` and `entry.status_label`."""
    values = {a.target_id: f"{a.value.normalize():f}" for a in entry.actuals.all()}
    entry.actual_rows = [(t, values.get(t.pk, "")) for t in entry.measure.targets.all()]
    entry.report_status_label = STATUS_LABELS[entry.report.status]
    entry.status_label = ENTRY_STATUS_LABELS[entry.status]
    return entry


def report_entries(report: Report) -> list[ReportEntry]:
    """The report's entries for its page, with their measure and key task, and whether the
    measure has targets and the entry evidence (so that with_details() asks only for those).
    One query."""
    return list(
        report.entries.select_related("measure__key_task", "updated_by")
        .annotate(
            has_targets=Exists(Target.objects.filter(measure=OuterRef("measure_id"))),
            has_evidence=Exists(Attachment.objects.filter(entry=OuterRef("pk"))),
        )
        # The plan's order, without the default ordering's joins through report and period
        # (PostgreSQL took longer to plan those than to run the query).
        .order_by("measure__key_task__no", "measure__no")
    )


def with_details(entries: list[ReportEntry]) -> list[ReportEntry]:
    """Set `entry.actual_rows` ([(target, actual value as written or "")], as with_actuals)
    and `entry.evidence` (its attachments) on entries of report_entries(): one query for the
    targets with their actual values, one for the attachments, each skipped when no entry
    needs it (an entry not from report_entries() is taken to need both)."""
    by_measure, evidence = defaultdict(list), defaultdict(list)
    measures = {e.measure_id for e in entries if getattr(e, "has_targets", True)}
    if measures:
        actual = TargetActual.objects.filter(
            target=OuterRef("pk"), entry__in=[e.pk for e in entries]
        ).values("value")[:1]
        for target in Target.objects.filter(measure__in=measures).annotate(actual=Subquery(actual)):
            by_measure[target.measure_id].append(target)
    if any(getattr(e, "has_evidence", True) for e in entries):
        for attachment in Attachment.objects.filter(entry__in=[e.pk for e in entries]):
            evidence[attachment.entry_id].append(attachment)
    statuses = _translated(ENTRY_STATUS_LABELS)
    for entry in entries:
        entry.actual_rows = [
            (t, f"{t.actual.normalize():f}" if t.actual is not None else "")
            for t in by_measure[entry.measure_id]
        ]
        entry.evidence = evidence[entry.pk]
        entry.status_label = statuses[entry.status]
    return entries


def _translated(labels: dict) -> dict[str, str]:
    """The labels translated once, for pages that show them many times (a lazy label is
    translated again wherever it is shown; get_FOO_display() even rebuilds its choices)."""
    return {key: str(label) for key, label in labels.items()}


# What the coordinator's and leaders' pages show instead of the text of a report that was not
# submitted: a draft, or a text the department head has not signed off, is not reported.
WITHHELD_LABELS = {
    Report.Status.NOT_STARTED: gettext_lazy("Not submitted"),
    Report.Status.DRAFT: gettext_lazy("Not submitted"),
    Report.Status.AWAITING_SIGNOFF: gettext_lazy("Not signed off yet"),
}


def withheld_label(user: User, report: Report) -> str:
    """What to show `user` instead of the report's text, or an empty string if the user may
    read it: only the department sees its own text before submitting it (no query)."""
    own = user.is_department_user and user.organization_id == report.organization_id
    return "" if own else str(WITHHELD_LABELS.get(report.status, ""))


def co_entries_by_measure(report: Report, entries, user: User) -> dict[int, list[dict]]:
    """For the measures the report's department leads, the other departments' entries of the
    same period (read-only, beside the lead's own text), as dicts of what the page shows of
    them: department, status_label, report_status_label, progress, problems, next_steps, and
    `withheld` (what the coordinator and leaders see instead of an unsubmitted entry's text;
    the lead department reads its co departments' drafts). One query for the whole report."""
    lead_measures = [e.measure_id for e in entries if e.role == Assignment.Role.LEAD]
    if not lead_measures:
        return {}
    others = (
        ReportEntry.objects.filter(report__period=report.period_id, measure_id__in=lead_measures)
        .exclude(report=report)
        .order_by("report__organization__name")
        .values(
            "measure_id",
            "status",
            "progress",
            "problems",
            "next_steps",
            "report__status",
            department=F("report__organization__name"),
        )
    )
    result = defaultdict(list)
    statuses, report_statuses = _translated(ENTRY_STATUS_LABELS), _translated(STATUS_LABELS)
    department = user.is_department_user
    withheld = _translated(WITHHELD_LABELS)
    for entry in others:
        entry["status_label"] = statuses[entry["status"]]
        entry["report_status_label"] = report_statuses[entry["report__status"]]
        entry["withheld"] = "" if department else withheld.get(entry["report__status"], "")
        if entry["withheld"]:
            entry.update(progress="", problems="", next_steps="")
        result[entry["measure_id"]].append(entry)
    return dict(result)


def department_reports(user: User, today=None):
    """A department's reports of the periods that have begun, newest first (a queryset: the
    home page shows a page of them)."""
    today = today or clock.today()
    return (
        reports_for_user(user)
        .filter(period__start__lte=today)
        .order_by("-period__start", "period__plan__title", "pk")
    )


def reports_to_act_on(user: User, today=None) -> list[Report]:
    """The department's reports that ask for work, however old: those not submitted whose due
    day is still ahead, and the returned ones."""
    today = today or clock.today()
    reports = department_reports(user, today).filter(
        Q(status=Report.Status.RETURNED)
        | Q(status__in=Report.UNSUBMITTED, period__due_date__gte=today)
    )
    return with_states(user, reports, today)


def with_states(user: User, reports, today) -> list[Report]:
    """The reports with what the department's lists show of each: state, label, whether the
    user fills it in or signs it off, days left."""
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


@dataclass
class PeriodWindow:
    """Some consecutive periods of a plan, with the first period of the windows before and
    after it (None at either end)."""

    periods: list[Period]
    earlier: Period | None
    later: Period | None


def period_window(plan, today, start: str | None = None, size: int = 13) -> PeriodWindow:
    """`size` consecutive periods of the plan: from the period starting on or after `start`
    (an ISO date, e.g. from the page's URL) if given and valid, else the last ones begun by
    `today` and the next one. One query."""
    periods = list(Period.objects.filter(plan=plan).order_by("start"))
    try:
        first_day = datetime.date.fromisoformat(start) if start else None
    except ValueError:
        first_day = None
    if first_day is not None:
        index = next((i for i, p in enumerate(periods) if p.start >= first_day), len(periods))
        index = min(index, max(0, len(periods) - size))
    else:
        begun = sum(1 for p in periods if p.start <= today)
        index = max(0, min(begun + 1, len(periods)) - size)
    return PeriodWindow(
        periods=periods[index : index + size],
        earlier=periods[max(0, index - size)] if index > 0 else None,
        later=periods[index + size] if index + size < len(periods) else None,
    )


def coordinated_plans(user: User, today=None):
    """The plans the user may watch, with how many reports await review in each, how many
    are missing (past their due day, never submitted) and how many closure requests wait."""
    today = today or clock.today()
    pending = (
        ClosureRequest.objects.filter(
            measure__key_task__plan=OuterRef("pk"), status=ClosureRequest.Status.PENDING
        )
        .order_by()
        .values("measure__key_task__plan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return plans_for_user(user).annotate(
        # A subquery, not a Count: a second join would multiply the report counts.
        pending_closures=Coalesce(Subquery(pending), 0),
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
    measure.key_task.plan.seen_by = user.pk  # found among the user's plans
    require_plan_coordinator(user, measure.key_task.plan, leaders_too=True)
    return measure


def measure_periods(measure: Measure):
    """The periods in which departments have an entry for the measure, newest first."""
    return Period.objects.filter(reports__entries__measure=measure).distinct().order_by("-start")


def measure_history(measure: Measure, periods) -> list[ReportEntry]:
    """Every department's entries for the measure in these periods, newest period first, with
    their actual values (see with_actuals) and `withheld` (see WITHHELD_LABELS)."""
    entries = (
        ReportEntry.objects.filter(measure=measure, report__period__in=periods)
        .select_related("report__organization", "report__period")
        .prefetch_related("actuals", "attachments")
        .order_by("-report__period__start", "report__organization__name")
    )
    rows = []
    withheld = _translated(WITHHELD_LABELS)
    for entry in entries:
        entry.measure = measure  # one measure, its targets fetched once
        # The page is the coordinator's and leaders': a report not submitted shows no text.
        entry.withheld = withheld.get(entry.report.status, "")
        rows.append(with_actuals(entry))
    return rows


# {state: label}, in the order of the matrix legend; {status: label} for a stored report.
STATE_LABELS = ReportState.LABELS
STATUS_LABELS = dict(Report.Status.choices)
ENTRY_STATUS_LABELS = dict(ReportEntry.Status.choices)


# The matrix counts these cells as "reported" in its totals.
SUBMITTED_STATES = (ReportState.ON_TIME, ReportState.LATE, ReportState.ACCEPTED)
# The cells whose report text the coordinator reads (signed off once): their flags are shown.
READABLE = SUBMITTED_STATES + (ReportState.RETURNED,)


def period_totals(grid) -> list[dict]:
    """For each period of a services.Matrix: the reports expected and those submitted, of
    every department (not only those of the page shown)."""
    done = Counter(
        period for (_org, period), cell in grid.cells.items() if cell[1] in SUBMITTED_STATES
    )
    expected = Counter(period for _org, period in grid.cells)
    return [
        {"period": period, "done": done[period.pk], "expected": expected[period.pk]}
        for period in grid.periods
    ]


def grouped_by_period(entries) -> list[tuple]:
    """[(period, [entries])]; entries must be ordered by period."""
    return [(period, list(items)) for period, items in groupby(entries, lambda e: e.report.period)]


# --- Closing measures (销号) and late entry ---------------------------------------------------


def closure_page(user: User, measure: Measure) -> dict:
    """What a measure's closure page shows `user`: the measure, its departments, the closure
    requests the user may read (newest first, with the evidence), whether the user may ask for
    closure (the lead department, the measure open, no request waiting) or decide. Three
    queries."""
    plan = measure.key_task.plan
    assignments = list(measure.assignments.select_related("organization"))
    requests = list(closure_requests_for_user(user).filter(measure=measure))
    lead = answers_for(user.organization_id, assignments)
    pending = next((r for r in requests if r.status == ClosureRequest.Status.PENDING), None)
    return {
        "measure": measure,
        "plan": plan,
        "assignments": assignments,
        "requests": requests,
        "pending": pending,
        "is_lead": user.is_department_user and lead,
        # Several departments and none named lead: nobody may ask until the office names one.
        "no_lead": len(assignments) > 1
        and not any(a.role == Assignment.Role.LEAD for a in assignments),
        "can_request": user.is_department_user
        and lead
        and measure.closed_at is None
        and pending is None,
        "can_decide": can_edit_plan(user, plan),
    }


def pending_closures(plan):
    """The plan's closure requests waiting for a decision, oldest first (a queryset)."""
    return (
        ClosureRequest.objects.filter(
            measure__key_task__plan=plan, status=ClosureRequest.Status.PENDING
        )
        .select_related("measure__key_task", "organization", "requested_by")
        .order_by("requested_at", "pk")
    )


# The decided requests a plan's closure list shows below those waiting.
DECIDED_SHOWN = 20


def decided_closures(plan) -> list[ClosureRequest]:
    """The plan's last decided closure requests, newest decision first."""
    return list(
        ClosureRequest.objects.filter(measure__key_task__plan=plan)
        .exclude(status=ClosureRequest.Status.PENDING)
        .select_related("measure__key_task", "organization", "decided_by")
        .order_by("-decided_at", "-pk")[:DECIDED_SHOWN]
    )


def pending_closure_count(plan) -> int:
    return ClosureRequest.objects.filter(
        measure__key_task__plan=plan, status=ClosureRequest.Status.PENDING
    ).count()


def late_entries_of(period: Period) -> list[LateEntryException]:
    """The period's late-entry exceptions with their department, who granted and who withdrew
    them, and the department's report; by department. One query."""
    report = Report.objects.filter(period=period, organization=OuterRef("organization_id"))
    return list(
        LateEntryException.objects.filter(period=period)
        .select_related("organization", "granted_by", "withdrawn_by")
        .annotate(
            report_id=Subquery(report.values("pk")[:1]),
            report_status=Subquery(report.values("status")[:1]),
        )
        .order_by("organization__name")
    )


# What each quality flag (luoshi.reporting.quality.FLAGS) says to the reader.
FLAG_LABELS = {
    "same_as_last": gettext_lazy("Same as last period"),
    "names_other_period": gettext_lazy("Names another period"),
    "same_as_other": gettext_lazy("Same as another department's entry"),
    "no_figures": gettext_lazy("No figures or dates"),
    "boilerplate": gettext_lazy("Only stock phrases"),
    "status_mismatch": gettext_lazy("Status and text disagree"),
    "missing_actual": gettext_lazy("Target without an actual value"),
    "too_short": gettext_lazy("Too short"),
}


def with_flag_labels(entries) -> None:
    """Set `entry.flag_labels`: [(code, label)] of its flags, labels translated once."""
    labels = _translated(FLAG_LABELS)
    for entry in entries:
        entry.flag_labels = [(code, labels[code]) for code in entry.flags if code in labels]


def with_last_period(report: Report, entries) -> str:
    """Set `entry.last_text` (the department's text for the measure in its previous report of
    the plan, or "") on each entry; returns that period's label ("" when none). Two queries,
    none without entries."""
    if not entries:
        return ""
    previous = (
        Report.objects.filter(
            period__plan_id=report.period.plan_id,
            period__start__lt=report.period.start,
            organization_id=report.organization_id,
        )
        .select_related("period")
        .order_by("-period__start")
        .first()
    )
    texts = {}
    if previous is not None:
        texts = dict(previous.entries.exclude(progress="").values_list("measure_id", "progress"))
    for entry in entries:
        entry.last_text = texts.get(entry.measure_id, "")
    return previous.period.label if previous is not None else ""


def flag_counts(reports) -> dict[int, tuple[int, int]]:
    """{report id: (entries with a quality flag, entries marked "no new progress")}, for the
    given report ids. One query, none without reports."""
    if not reports:
        return {}
    rows = (
        ReportEntry.objects.filter(report__in=reports)
        .values("report_id")
        .annotate(
            flagged=Count("pk", filter=~Q(flags=[])),
            unchanged=Count("pk", filter=Q(no_new_progress=True)),
        )
        .order_by()
    )
    return {row["report_id"]: (row["flagged"], row["unchanged"]) for row in rows}
