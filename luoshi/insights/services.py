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
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import TruncMonth

from luoshi.orgs.models import Organization, User
from luoshi.plans.models import Measure, Plan, Target
from luoshi.plans.services import plans_for_user
from luoshi.reporting.models import Report, ReportEntry, TargetActual
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
    from luoshi.plans.demo import SAMPLE_MARK

    return ReportEntry.objects.filter(
        report__period__plan=plan, progress__startswith=SAMPLE_MARK
    ).exists()


# --- Progress -----------------------------------------------------------------------------


def _latest_entry_status():
    """A subquery: the status of the measure's latest reported entry, the lead's first."""
    lead_first = Case(
        When(role="lead", then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return Subquery(
        ReportEntry.objects.filter(measure=OuterRef("pk"), report__status__in=REPORTED)
        .order_by("-report__period__start", lead_first, "pk")
        .values("status")[:1]
    )


def progress_state(closed_at, latest: str | None) -> str:
    if closed_at is not None or latest == ReportEntry.Status.DONE:
        return DONE
    if latest == ReportEntry.Status.BEHIND:
        return BEHIND
    if latest == ReportEntry.Status.IN_PROGRESS:
        return IN_PROGRESS
    return NOT_STARTED


def measure_states(plans) -> list[tuple]:
    """[(plan id, key task id, measure id, no, text, state)] in the plans' order (one query)."""
    rows = (
        Measure.objects.filter(key_task__plan__in=plans)
        .annotate(latest=_latest_entry_status())
        .order_by("key_task__plan", "key_task__no", "no")
        .values_list("key_task__plan_id", "key_task_id", "pk", "no", "text", "closed_at", "latest")
    )
    return [
        (plan_id, task_id, pk, no, text, progress_state(closed, latest))
        for plan_id, task_id, pk, no, text, closed, latest in rows
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


def plan_progress(plan: Plan) -> tuple[Counter, list[TaskProgress]]:
    """Overall counts of measures by state, and the same for each key task (two queries)."""
    tasks = {
        pk: TaskProgress(pk, label, title, Counter())
        for pk, label, title in plan.key_tasks.order_by("no").values_list("pk", "label", "title")
    }
    overall = Counter()
    for _plan, task_id, pk, _no, _text, state in measure_states([plan.pk]):
        overall[state] += 1
        tasks[task_id].counts[state] += 1
        tasks[task_id].first_measure = tasks[task_id].first_measure or pk
    return overall, list(tasks.values())


def percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


# --- Report timeliness ------------------------------------------------------------------------


def _timeliness_counts():
    return {
        "expected": Count("pk"),
        "on_time": Count("pk", filter=Q(submitted_at__isnull=False, late=False)),
        "late": Count("pk", filter=Q(submitted_at__isnull=False, late=True)),
        "missing": Count("pk", filter=Q(status__in=Report.UNSUBMITTED)),
    }


def timeliness_by_month(plans, today: datetime.date) -> list[dict]:
    """For every month with a due day already over: reports expected, on time, late, missing
    (by due month, so plans with different frequencies add up). One query."""
    rows = (
        Report.objects.filter(period__plan__in=plans, period__due_date__lt=today)
        .annotate(month=TruncMonth("period__due_date"))
        .values("month")
        .annotate(**_timeliness_counts())
        .order_by("month")
    )
    return [dict(row, rate=percent(row["on_time"], row["expected"])) for row in rows]


def timeliness_by_plan(plans, today: datetime.date) -> dict[int, dict]:
    """{plan id: counts} over every period already due (one query)."""
    rows = (
        Report.objects.filter(period__plan__in=plans, period__due_date__lt=today)
        .values("period__plan")
        .annotate(**_timeliness_counts())
    )
    return {row.pop("period__plan"): row for row in rows}


def awaiting_review_by_plan(plans) -> dict[int, int]:
    rows = (
        Report.objects.filter(period__plan__in=plans, status=Report.Status.SUBMITTED)
        .values("period__plan")
        .annotate(n=Count("pk"))
    )
    return {row["period__plan"]: row["n"] for row in rows}


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
    measures = supervision.measure_lights(plan, today)
    departments = supervision.department_lights(plan, today)
    flagged_measures = {pk for pk, light in measures.items() if light.colour in ("red", "yellow")}
    flagged_orgs = {pk for pk, light in departments.items() if light.colour in ("red", "yellow")}
    measure_rows = (
        Measure.objects.filter(pk__in=flagged_measures)
        .select_related("key_task")
        .order_by("key_task__no", "no")
    )
    org_names = dict(
        Organization.objects.filter(pk__in=flagged_orgs).values_list("pk", "name").order_by("name")
    )
    result = {"measures": [], "departments": []}
    for measure in measure_rows:
        light = measures[measure.pk]
        result["measures"].append({"measure": measure, "light": light})
    for pk, name in org_names.items():
        result["departments"].append({"pk": pk, "name": name, "light": departments[pk]})
    rank = {"red": 0, "yellow": 1}
    for rows in result.values():
        rows.sort(key=lambda row: rank[row["light"].colour])
    return result


def light_counts(lights: dict) -> Counter:
    return Counter(light.colour for light in lights.values())


# --- The department's home ----------------------------------------------------------------------


@dataclass
class DepartmentHome:
    reports: list  # the department's reports of begun periods, newest first (with .state)
    current: list  # reports still to submit whose due day has not passed, soonest first
    next_due: datetime.date | None
    workdays_left: int | None
    returned: list  # returned reports, with the coordinator's comment
    measures: list  # (plan title, measure code, measure text, role, measure id)
    notices: list  # supervision notices (督办单) not acknowledged yet


def department_home(user: User, reports: list, today: datetime.date) -> DepartmentHome:
    """What a department needs on landing: its measures, the next due day with the working
    days left, its reports' states, the returned comments and the notices to acknowledge.
    `reports` are reporting.queries.department_reports(user, today). Three queries."""
    from luoshi.plans.models import Assignment
    from luoshi.supervision.models import Notice
    from luoshi.supervision.workdays import Workdays

    open_reports = [
        r
        for r in reports
        if r.period.due_date >= today and r.status in (*Report.UNSUBMITTED, Report.Status.RETURNED)
    ]
    current = sorted(open_reports, key=lambda r: r.period.due_date)
    next_due = current[0].period.due_date if current else None
    workdays_left = Workdays.load(today, next_due).between(today, next_due) if next_due else None
    measures = list(
        Assignment.objects.filter(
            organization=user.organization_id, measure__closed_at__isnull=True
        )
        .order_by("-measure__key_task__plan__issue_date", "measure__key_task__no", "measure__no")
        .values_list(
            "measure__key_task__plan__title",
            "measure__key_task__label",
            "measure__no",
            "measure__text",
            "role",
            "measure_id",
        )
    )
    notices = list(
        Notice.objects.filter(organization=user.organization_id, acknowledged_at__isnull=True)
        .select_related("plan")
        .order_by("reply_by", "pk")
    )
    return DepartmentHome(
        reports=reports,
        current=current,
        next_due=next_due,
        workdays_left=workdays_left,
        returned=[r for r in reports if r.status == Report.Status.RETURNED],
        measures=[
            (plan, f"{label.strip('、.．，, （）()')}.{no}", text, role, pk)
            for plan, label, no, text, role, pk in measures
        ],
        notices=notices,
    )
