"""The numbers behind the dashboards: progress, report timeliness, targets and lights.

Every function reads a plan (or all of a user's plans) in a constant number of queries,
whatever the number of measures, departments and periods; the views turn the results into the
JSON the charts load. Lights come from `luoshi.supervision.lights`, never computed here.
"""

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When, Window
from django.db.models.functions import RowNumber, TruncMonth

from luoshi.orgs.models import User
from luoshi.plans.models import Assignment, Measure, Plan, Target
from luoshi.plans.services import plans_for_user
from luoshi.reporting import rollup
from luoshi.reporting.builder import SAMPLE_MARK
from luoshi.reporting.models import Period, Report, ReportEntry, TargetActual
from luoshi.reporting.services import ReportState, report_matrix
from luoshi.supervision import lights as supervision

# Reports whose entries count as the department's word on a measure.
REPORTED = (Report.Status.SUBMITTED, Report.Status.ACCEPTED, Report.Status.RETURNED)

# How a measure stands, from its latest reported entry (the lead's first) or its closure.
DONE, IN_PROGRESS, BEHIND, NOT_STARTED = "done", "in_progress", "behind", "not_started"
PROGRESS_STATES = (DONE, IN_PROGRESS, BEHIND, NOT_STARTED)

DASHBOARD_ROLES = (User.Role.COORDINATOR, User.Role.LEADER)


def require_dashboard_user(user: User) -> None:
    """Coordinators and leaders read dashboards; everyone else gets 403."""
    if user.role not in DASHBOARD_ROLES:
        raise PermissionDenied


def dashboard_plans(user: User):
    require_dashboard_user(user)
    return plans_for_user(user)


def has_sample_data(plan: Plan) -> bool:
    """Whether the plan's reports are the demo's samples (their text starts with 【示例数据】)."""
    # Through the measures: their index finds the plan's entries without reading every report.
    return ReportEntry.objects.filter(
        measure__key_task__plan=plan, progress__startswith=SAMPLE_MARK
    ).exists()


# --- Progress -----------------------------------------------------------------------------


def _latest_statuses(entries) -> dict[int, str]:
    """{measure id: the status of its latest entry among `entries`, the lead's first}: a window
    numbering each measure's entries, filtered on its first row (one query)."""
    lead_first = Case(
        When(role=Assignment.Role.LEAD, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    rank = Window(
        RowNumber(),
        partition_by=F("measure_id"),
        order_by=[F("report__period__start").desc(), lead_first.asc(), F("pk").asc()],
    )
    ranked = entries.order_by().annotate(rank=rank).filter(rank=1)
    return dict(ranked.values_list("measure_id", "status"))


def latest_reported_statuses(plans, open_measures, today: datetime.date) -> dict[int, str]:
    """{measure id: the status of its latest reported entry, the lead's first} for
    `open_measures` of `plans` (measures never reported are left out). Three queries, two
    when every open measure was reported in the recent periods.

    Reading every entry of a province's plans would take seconds, so this reads first the
    entries of each plan's periods from the latest one due on (where nearly every measure was
    last reported: they are the latest of all), then all the entries of the measures not
    reported there, only.
    """
    latest_due, periods = {}, []
    for pk, plan_id, start, due in Period.objects.filter(plan__in=plans).values_list(
        "pk", "plan_id", "start", "due_date"
    ):
        periods.append((pk, plan_id, start))
        if due < today and start > latest_due.get(plan_id, datetime.date.min):
            latest_due[plan_id] = start
    recent = [
        pk for pk, plan_id, start in periods if start >= latest_due.get(plan_id, datetime.date.min)
    ]
    reported = ReportEntry.objects.filter(report__status__in=REPORTED)
    statuses = _latest_statuses(reported.filter(report__period__in=recent))
    older = [pk for pk in open_measures if pk not in statuses]
    statuses.update(_latest_statuses(reported.filter(measure__in=older)))
    return statuses


def progress_state(closed_at, latest: str | None) -> str:
    if closed_at is not None or latest == ReportEntry.Status.DONE:
        return DONE
    if latest == ReportEntry.Status.BEHIND:
        return BEHIND
    if latest == ReportEntry.Status.IN_PROGRESS:
        return IN_PROGRESS
    return NOT_STARTED


def measure_states(plans, today: datetime.date) -> list[tuple]:
    """[(plan id, key task id, measure id, state)] in the plans' order (at most four queries:
    the measures, then latest_reported_statuses())."""
    rows = list(
        Measure.objects.filter(key_task__plan__in=plans)
        .order_by("key_task__plan", "key_task__no", "no")
        .values_list("key_task__plan_id", "key_task_id", "pk", "closed_at")
    )
    open_measures = [pk for _plan, _task, pk, closed in rows if closed is None]
    latest = latest_reported_statuses(plans, open_measures, today)
    return [
        (plan_id, task_id, pk, progress_state(closed, latest.get(pk)))
        for plan_id, task_id, pk, closed in rows
    ]


@dataclass
class TaskProgress:
    pk: int
    label: str
    title: str
    counts: Counter
    first_measure: int | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def plan_progress(plan: Plan, today: datetime.date) -> tuple[Counter, list[TaskProgress]]:
    """Overall counts of measures by state, and the same for each key task (at most five
    queries)."""
    tasks = {
        pk: TaskProgress(pk, label, title, Counter())
        for pk, label, title in plan.key_tasks.order_by("no").values_list("pk", "label", "title")
    }
    overall = Counter()
    for _plan, task_id, pk, state in measure_states([plan.pk], today):
        overall[state] += 1
        tasks[task_id].counts[state] += 1
        tasks[task_id].first_measure = tasks[task_id].first_measure or pk
    return overall, list(tasks.values())


def percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


# --- Report timeliness ------------------------------------------------------------------------


TIMELINESS = ("expected", "on_time", "late", "missing")


@dataclass
class ReportCounts:
    by_plan: dict[int, dict]  # plan id -> expected, on_time, late, missing (periods due)
    by_month: list[dict]  # the same by month due, with the on-time rate, oldest first
    awaiting_review: dict[int, int]  # plan id -> reports submitted and not reviewed yet


def report_counts(plans, today: datetime.date) -> ReportCounts:
    """Report timeliness over every period already due (reports expected, on time, late,
    missing), by plan and by month due (so plans with different frequencies add up), and the
    reports awaiting review: one pass over the plans' reports (one query)."""
    due = Q(period__due_date__lt=today)
    submitted = Q(submitted_at__isnull=False)
    rows = (
        Report.objects.filter(period__plan__in=plans)
        .annotate(month=TruncMonth("period__due_date"))
        .values("period__plan", "month")
        .annotate(
            expected=Count("pk", filter=due),
            on_time=Count("pk", filter=due & submitted & Q(late=False)),
            late=Count("pk", filter=due & submitted & Q(late=True)),
            missing=Count("pk", filter=due & Q(status__in=Report.UNSUBMITTED)),
            review=Count("pk", filter=Q(status=Report.Status.SUBMITTED)),
        )
        .order_by()
    )
    by_plan, by_month, review = {}, {}, Counter()
    for row in rows:
        review[row["period__plan"]] += row["review"]
        if not row["expected"]:
            continue
        plan = by_plan.setdefault(row["period__plan"], dict.fromkeys(TIMELINESS, 0))
        month = by_month.setdefault(
            row["month"], {"month": row["month"], **dict.fromkeys(TIMELINESS, 0)}
        )
        for key in TIMELINESS:
            plan[key] += row[key]
            month[key] += row[key]
    return ReportCounts(
        by_plan=by_plan,
        by_month=[
            dict(counts, rate=percent(counts["on_time"], counts["expected"]))
            for _month, counts in sorted(by_month.items())
        ],
        awaiting_review=dict(review),
    )


def timeliness_by_month(plans, today: datetime.date) -> list[dict]:
    """For every month with a due day already over: reports expected, on time, late, missing
    (by due month, so plans with different frequencies add up). One query."""
    return report_counts(plans, today).by_month


# --- The heatmap ------------------------------------------------------------------------------

HEATMAP_STATES = [
    ReportState.ACCEPTED,
    ReportState.ON_TIME,
    ReportState.LATE,
    ReportState.AWAITING_SIGNOFF,
    ReportState.DRAFT,
    ReportState.NOT_STARTED,
    ReportState.RETURNED,
    ReportState.MISSING,
]


def heatmap(user: User, plan: Plan, today: datetime.date):
    """The report matrix (departments × periods begun by today), from reporting's services."""
    matrix = report_matrix(user, plan, today)
    periods = [p for p in matrix.periods if p.start <= today]
    return matrix, periods


# --- Targets ----------------------------------------------------------------------------------


@dataclass
class TargetRow:
    target: Target
    actual: Decimal | None
    schedule: float | None  # the share of the target the time-proportional schedule expects
    attainment: float | None  # actual / target value, in %
    light: supervision.Light


def schedule_share(target: Target, start: datetime.date | None, today: datetime.date):
    """序时进度: the share of a cumulative target due by today, in % (None when undefined).

    The schedule runs from `start` (the plan's issue date, as the lights judge it) to the
    target's deadline; a level or a cap is due in full all along.
    """
    if target.kind != Target.Kind.CUMULATIVE:
        return 100.0
    deadline = target.deadline
    if deadline is None:
        return None
    start = start or datetime.date(deadline.year, 1, 1)
    total = (deadline - start).days
    if total <= 0:
        return 100.0
    elapsed = min(max((today - start).days, 0), total)
    return round(100 * elapsed / total, 1)


def target_rows(plan: Plan, today: datetime.date) -> list[TargetRow]:
    """Every confirmed target of the plan with its owner's latest reported actual (two
    queries), the schedule and the light of supervision.target_light()."""
    targets = list(
        Target.objects.filter(measure__key_task__plan=plan, confirmed=True)
        .select_related("measure__key_task__plan")
        .order_by("measure__key_task__no", "measure__no", "position", "pk")
    )
    latest = {}
    actuals = (
        TargetActual.objects.filter(
            target__measure__key_task__plan=plan,
            entry__report__organization=F("target__owner"),
            entry__report__status__in=REPORTED,
        )
        .order_by("entry__report__period__start")
        .values_list("target_id", "value")
    )
    for target_id, value in actuals:
        latest[target_id] = value
    rows = []
    for target in targets:
        actual = latest.get(target.pk)
        attainment = None
        if actual is not None and target.value:
            attainment = round(float(100 * actual / target.value), 1)
        rows.append(
            TargetRow(
                target=target,
                actual=actual,
                schedule=schedule_share(target, plan.issue_date, today),
                attainment=attainment,
                light=supervision.target_light(target, actual, today, start=plan.issue_date),
            )
        )
    return rows


# --- Lights -----------------------------------------------------------------------------------


def red_and_yellow(plan: Plan, today: datetime.date) -> dict[str, list[dict]]:
    """The measures and departments with a red or yellow light, red first, with reasons."""
    lights = supervision.plan_lights(plan, today)
    flagged = ("red", "yellow")
    measure_rows = (
        Measure.objects.filter(
            pk__in=[pk for pk, light in lights.measures.items() if light.colour in flagged]
        )
        .select_related("key_task")
        .order_by("key_task__no", "no")
    )
    result = {"measures": [], "departments": []}
    for measure in measure_rows:
        result["measures"].append({"measure": measure, "light": lights.measures[measure.pk]})
    departments = sorted(
        (lights.names[pk], pk)
        for pk, light in lights.departments.items()
        if light.colour in flagged
    )
    for name, pk in departments:
        result["departments"].append({"pk": pk, "name": name, "light": lights.departments[pk]})
    rank = {"red": 0, "yellow": 1}
    for rows in result.values():
        rows.sort(key=lambda row: rank[row["light"].colour])
    return result


# --- A dashboard per level (issue 23) ---------------------------------------------------------


def with_regions_below(plans):
    """`plans` annotated with `has_regions_below`: whether a plan's measures are carried out by
    measures of another plan (`Measure.parent`), so it has a dashboard per level. No query more."""
    carried = Measure.objects.filter(parent__key_task__plan=OuterRef("pk"))
    return plans.annotate(has_regions_below=Exists(carried))


def has_regions_below(plan: Plan) -> bool:
    """Whether measures of other plans carry out the plan's (one query)."""
    return Measure.objects.filter(parent__key_task__plan=plan).exists()


@dataclass
class LevelRow:
    measure: Measure
    cells: list[list[rollup.DistrictEntry]]  # per region of the grid: its answers, or none


@dataclass
class LevelGrid:
    period: Period | None  # the plan's month spoken of (rollup.rollup_period)
    regions: list[str]  # the regions below whose measures carry out the plan's
    rows: list[LevelRow]  # every measure of the plan, in order
    further: set[int]  # the regions' measures carried out in their turn further down


def level_grid(plan: Plan, today: datetime.date) -> LevelGrid:
    """Each measure of `plan` with each region below's answers on the measures carrying it out
    (luoshi.reporting.rollup), for the roll-up's month: the province sees its cities, a city
    its districts. Six queries at most, whatever the number of regions."""
    measures = list(
        Measure.objects.filter(key_task__plan=plan)
        .select_related("key_task")
        .order_by("key_task__no", "no")
    )
    below = rollup.measure_rollup(plan, today)
    regions = below.regions()
    rows = []
    for measure in measures:
        found = below.by_region(measure.pk)
        rows.append(LevelRow(measure, [found.get(name, []) for name in regions]))
    theirs = [e.measure.pk for found in below.measures.values() for e in found]
    further = set()
    if theirs:
        further = set(Measure.objects.filter(parent__in=theirs).values_list("parent_id", flat=True))
    return LevelGrid(below.period, regions, rows, further)
