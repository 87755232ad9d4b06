"""Traffic lights (红黄绿灯) per measure and per department, each with the reason shown.

Public API (used by the consolidated report and the dashboards; keep it stable):

    Light(colour, reason)                      colour: "green" | "yellow" | "red" | "none"
    department_lights(plan, today) -> {organization id: Light}  every department assigned
    plan_lights(plan, today) -> PlanLights(measures, departments, names)   every measure
                                               ({measure id: Light}) and department, read once
    target_light(target, actual, today) -> Light               actual: the owner's latest value
    scheduled_value(target, today) -> Decimal | None           the time-proportional schedule

The rules (issue 5):
- red: a report past its due day and never submitted ("逾期未报送（截止 2026-11-27）"); a target
  past its deadline and unmet ("目标“…”已过期限未完成").
- yellow: a report due within 3 working days and not submitted; a report whose entry says
  滞后 (behind schedule); a returned report; a cumulative target behind its time-proportional
  schedule (序时进度); a level target not reached yet.
- A red item that catches up goes to yellow first: a report submitted late stays yellow
  ("逾期补报") until the next period is reported on time; a target met only after its
  deadline had passed unmet stays yellow ("逾期后完成"). Both are read from the history the
  database keeps (`Report.late`, the owner's earlier actuals), so no snapshot is needed.
- green: reported on time and on track. "none": nothing to judge yet (no period due, no
  target value reported).
A light shows its worst colour; the reason joins every finding of that colour with "；".

A whole plan takes a constant number of queries, whatever its size: 7 for department_lights,
8 for plan_lights (pinned in tests/test_lights.py).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from luoshi.orgs.models import Organization
from luoshi.plans.models import Assignment, Measure, Plan, Target
from luoshi.reporting.calendar import Workdays
from luoshi.reporting.models import Period, Report, ReportEntry, TargetActual

GREEN, YELLOW, RED, NONE = "green", "yellow", "red", "none"
RANK = {NONE: 0, GREEN: 1, YELLOW: 2, RED: 3}
# A report due within this many working days and not submitted is yellow.
DUE_SOON_WORKDAYS = 3
# Statuses whose target actuals count as reported.
REPORTED = (Report.Status.SUBMITTED, Report.Status.ACCEPTED, Report.Status.RETURNED)


LABELS = {
    GREEN: pgettext_lazy("light", "Green"),
    YELLOW: pgettext_lazy("light", "Yellow"),
    RED: pgettext_lazy("light", "Red"),
    NONE: gettext_lazy("None yet"),
}


@dataclass(frozen=True)
class Light:
    colour: str  # "green" | "yellow" | "red" | "none" (nothing to judge yet)
    reason: str  # shown to people, in the language of the request

    @property
    def label(self) -> str:
        """The colour as people say it: 红灯, 黄灯, 绿灯, 暂无."""
        return str(LABELS[self.colour])


def worst(lights, empty: Light | None = None) -> Light:
    """The worst colour among `lights`, its reasons joined (duplicates dropped, order kept)."""
    lights = list(lights)
    if not lights:
        return empty or Light(NONE, _("Nothing to judge yet"))
    colour = max((light.colour for light in lights), key=RANK.__getitem__)
    reasons = dict.fromkeys(light.reason for light in lights if light.colour == colour)
    return Light(colour, pgettext("list separator", "; ").join(reasons))


# --- Targets -------------------------------------------------------------------------------


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _met(target: Target, actual: Decimal) -> bool:
    value = target.value
    return {
        ">=": actual >= value,
        ">": actual > value,
        "=": actual == value,
        "<": actual < value,
        "<=": actual <= value,
    }[target.comparator]


def _schedule_start(target: Target) -> datetime.date | None:
    plan = target.measure.key_task.plan
    return plan.issue_date


def scheduled_value(
    target: Target, today: datetime.date, *, start: datetime.date | None = None
) -> Decimal | None:
    """What a cumulative target with a deadline should have reached by `today` on its
    time-proportional schedule (序时进度) from `start` (default: the plan's issue date, else
    1 January of the deadline's year); None for other targets."""
    deadline = target.deadline
    if target.kind != Target.Kind.CUMULATIVE or deadline is None:
        return None
    if start is None:
        start = _schedule_start(target) or datetime.date(deadline.year, 1, 1)
    total = (deadline - start).days
    elapsed = min(max((today - start).days, 0), total)
    return target.value * elapsed / total if total > 0 else target.value


def target_light(
    target: Target,
    actual: Decimal | None,
    today: datetime.date,
    *,
    start: datetime.date | None = None,
    was_red: bool = False,
) -> Light:
    """The light of one target given the owner's latest actual value.

    `start` is where the time-proportional schedule begins (default: the plan's issue date,
    else 1 January of the deadline's year); `was_red` says the target was already past its
    deadline unmet in an earlier report, so meeting it now gives yellow, not green.
    """
    name = target.text
    deadline = target.deadline
    past_deadline = deadline is not None and today > deadline
    if actual is None:
        if past_deadline:
            return Light(
                RED,
                _("Target “%(name)s” is past its deadline and unmet (no actual value reported)")
                % {"name": name},
            )
        return Light(NONE, _("Target “%(name)s”: no actual value reported yet") % {"name": name})
    shown = {
        "name": name,
        "figures": _("actual %(actual)s%(unit)s, target %(target)s%(unit)s")
        % {"actual": _number(actual), "target": _number(target.value), "unit": target.unit},
    }
    if _met(target, actual):
        if was_red:
            return Light(
                YELLOW, _("Target “%(name)s” met after its deadline (%(figures)s)") % shown
            )
        return Light(GREEN, _("Target “%(name)s” met (%(figures)s)") % shown)
    if past_deadline:
        return Light(
            RED, _("Target “%(name)s” is past its deadline and unmet (%(figures)s)") % shown
        )
    if target.kind == Target.Kind.CAP:
        return Light(YELLOW, _("Target “%(name)s” is over its cap (%(figures)s)") % shown)
    expected = scheduled_value(target, today, start=start)
    if expected is not None:
        if actual < expected:
            return Light(
                YELLOW,
                _(
                    "Target “%(name)s” is behind its time-proportional schedule "
                    "(%(expected)s%(unit)s expected, %(figures)s)"
                )
                % {
                    **shown,
                    "expected": _number(expected.quantize(Decimal("0.01"))),
                    "unit": target.unit,
                },
            )
        return Light(
            GREEN, _("Target “%(name)s” is on its time-proportional schedule (%(figures)s)") % shown
        )
    return Light(YELLOW, _("Target “%(name)s” not reached yet (%(figures)s)") % shown)


# --- Reports -------------------------------------------------------------------------------


@dataclass
class _PlanFacts:
    """Everything the lights of a plan need, read in a constant number of queries."""

    today: datetime.date
    workdays: Workdays
    last_due: Period | None  # the latest period whose due day is over
    next_due: Period | None  # the earliest period due today or later
    # (department id, period id) -> (status, late) of the relevant reports
    reports: dict[tuple[int, int], tuple[str, bool]]
    # department id -> due dates of its past periods never submitted
    missing: dict[int, list[datetime.date]]
    # (department id, measure id) of entries marked 滞后 in the last due period's reports
    behind: set[tuple[int, int]]
    behind_orgs: set[int]  # the departments of those entries
    names: dict[int, str]


def _facts(plan: Plan, today: datetime.date) -> _PlanFacts:
    periods = list(Period.objects.filter(plan=plan).order_by("start"))
    past = [p for p in periods if p.due_date < today]
    coming = [p for p in periods if p.due_date >= today]
    last_due = max(past, key=lambda p: p.due_date) if past else None
    next_due = min(coming, key=lambda p: p.due_date) if coming else None
    relevant = [p.pk for p in (last_due, next_due) if p is not None]
    rows = (
        Report.objects.filter(period__in=[p.pk for p in periods])
        .filter(
            Q(period__in=relevant) | Q(period__due_date__lt=today, status__in=Report.UNSUBMITTED)
        )
        .order_by()
        .values_list(
            "organization_id",
            "organization__name",
            "period_id",
            "period__due_date",
            "status",
            "late",
        )
    )
    reports, missing, names = {}, defaultdict(list), {}
    for org, org_name, period_id, due, status, late in rows:
        names[org] = org_name
        reports[(org, period_id)] = (status, late)
        if due < today and status in Report.UNSUBMITTED:
            missing[org].append(due)
    behind = set()
    if last_due is not None:
        behind = set(
            ReportEntry.objects.filter(
                report__period=last_due,
                status=ReportEntry.Status.BEHIND,
                report__status__in=REPORTED,
            )
            .order_by()
            .values_list("report__organization_id", "measure_id")
        )
    first = min([p.start for p in periods] + [today])
    last = max([p.due_date for p in periods] + [today])
    return _PlanFacts(
        today=today,
        workdays=Workdays.load(first, last),
        last_due=last_due,
        next_due=next_due,
        reports=reports,
        missing=dict(missing),
        behind=behind,
        behind_orgs={org for org, _measure in behind},
        names=names,
    )


def _report_lights(facts: _PlanFacts, org: int, measure_id: int | None = None) -> list[Light]:
    """The lights of one department's reporting (for one measure, or for all its measures)."""
    name = facts.names.get(org, "")
    lights = []
    for due in sorted(facts.missing.get(org, [])):
        lights.append(
            Light(
                RED,
                _("%(department)s has not reported, past the due date (due %(due)s)")
                % {"department": name, "due": due.isoformat()},
            )
        )
    if facts.last_due is not None and (org, facts.last_due.pk) in facts.reports:
        status, late = facts.reports[(org, facts.last_due.pk)]
        due = facts.last_due.due_date.isoformat()
        if status not in Report.UNSUBMITTED:
            said = {"department": name, "due": due}
            if late:
                lights.append(Light(YELLOW, _("%(department)s reported late (due %(due)s)") % said))
            elif status == Report.Status.RETURNED:
                lights.append(
                    Light(YELLOW, _("%(department)s’s report was sent back for changes") % said)
                )
            else:
                lights.append(Light(GREEN, _("%(department)s reported on time") % said))
        behind = (
            (org, measure_id) in facts.behind
            if measure_id is not None
            else org in facts.behind_orgs
        )
        if behind:
            lights.append(
                Light(
                    YELLOW, _("%(department)s reports being behind schedule") % {"department": name}
                )
            )
    if facts.next_due is not None and (org, facts.next_due.pk) in facts.reports:
        status, _late = facts.reports[(org, facts.next_due.pk)]
        due = facts.next_due.due_date
        soon = facts.workdays.between(facts.today, due) <= DUE_SOON_WORKDAYS
        if status in Report.UNSUBMITTED and soon:
            lights.append(
                Light(
                    YELLOW,
                    _("%(department)s has not reported yet, due soon (due %(due)s)")
                    % {"department": name, "due": due.isoformat()},
                )
            )
        elif status not in Report.UNSUBMITTED and not lights:
            lights.append(
                Light(
                    GREEN,
                    _("%(department)s has already reported on time") % {"department": name},
                )
            )
    return lights


def _target_lights(plan: Plan, today: datetime.date) -> dict[int, list[tuple[Target, Light]]]:
    """{measure id: [(target, light)]} for the plan's confirmed targets (two queries)."""
    targets = list(
        Target.objects.filter(measure__key_task__plan=plan, confirmed=True).select_related(
            "measure__key_task__plan"
        )
    )
    history = defaultdict(list)  # target id -> [(period end, value)], oldest first
    actuals = (
        TargetActual.objects.filter(
            target__measure__key_task__plan=plan,
            entry__report__organization=F("target__owner"),
            entry__report__status__in=REPORTED,
        )
        .order_by("entry__report__period__start")
        .values_list("target_id", "entry__report__period__end", "value")
    )
    for target_id, end, value in actuals:
        history[target_id].append((end, value))
    result = defaultdict(list)
    for target in targets:
        values = history.get(target.pk, [])
        actual = values[-1][1] if values else None
        was_red = target.deadline is not None and any(
            end > target.deadline and not _met(target, value) for end, value in values[:-1]
        )
        start = plan.issue_date
        light = target_light(target, actual, today, start=start, was_red=was_red)
        result[target.measure_id].append((target, light))
    return result


# --- The plan's lights ---------------------------------------------------------------------


@dataclass
class PlanLights:
    measures: dict[int, Light]  # every measure of the plan
    departments: dict[int, Light]  # every department assigned in the plan
    names: dict[int, str]  # the departments' names


def _assignments(plan: Plan) -> list[tuple[int, int, str]]:
    """[(measure id, department id, department name)] of the plan's assignments (one query)."""
    return list(
        Assignment.objects.filter(
            measure__key_task__plan=plan, organization__kind=Organization.Kind.DEPARTMENT
        )
        .order_by()
        .values_list("measure_id", "organization_id", "organization__name")
    )


def _measure_lights(plan, facts, targets, assignments) -> dict[int, Light]:
    assigned = defaultdict(list)
    for measure_id, org, _name in assignments:
        assigned[measure_id].append(org)
    result = {}
    for measure_id, closed_at in Measure.objects.filter(key_task__plan=plan).values_list(
        "pk", "closed_at"
    ):
        if closed_at is not None:
            result[measure_id] = Light(GREEN, _("Completed and closed"))
            continue
        lights = [light for _t, light in targets.get(measure_id, []) if light.colour != NONE]
        for org in assigned.get(measure_id, []):
            lights += _report_lights(facts, org, measure_id)
        result[measure_id] = worst(lights)
    return result


def _department_lights(facts, targets, assignments) -> dict[int, Light]:
    departments = {org: name for _m, org, name in assignments}
    facts.names.update(departments)
    owned = defaultdict(list)
    for pairs in targets.values():
        for target, light in pairs:
            if target.owner_id is not None and light.colour != NONE:
                owned[target.owner_id].append(light)
    return {org: worst(_report_lights(facts, org) + owned.get(org, [])) for org in departments}


def plan_lights(plan: Plan, today: datetime.date) -> PlanLights:
    """The lights of every measure and every department of the plan, reading the plan once."""
    facts, targets = _facts(plan, today), _target_lights(plan, today)
    assignments = _assignments(plan)
    departments = _department_lights(facts, targets, assignments)
    return PlanLights(
        measures=_measure_lights(plan, facts, targets, assignments),
        departments=departments,
        names={org: name for _m, org, name in assignments},
    )


def department_lights(plan: Plan, today: datetime.date) -> dict[int, Light]:
    """{organization id: Light} for every department assigned in the plan."""
    facts, targets = _facts(plan, today), _target_lights(plan, today)
    return _department_lights(facts, targets, _assignments(plan))
