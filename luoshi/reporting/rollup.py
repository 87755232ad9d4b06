"""The roll-up (issue 23): what the districts report on the measures that carry out a city's.

A district's measure carries out a city measure when `Measure.parent` points at it and its plan
belongs to a region below the city plan's. For a period of the city plan, each such district
measure is judged in the district plan's period covering the first day of the city's period
(periods are monthly: the same month), by the entries of that period's reports:

- accepted (已验收): the accepted entry's text (the lead department's first), green, or yellow
  when the report came late or the entry says 滞后;
- submitted (已报送，待验收): reported, not accepted yet; its text stays with the district until
  accepted; yellow when late, else no light yet;
- missing (逾期未报送): nothing submitted and the district's due day is over: red;
- waiting (尚未报送): nothing submitted, not due yet (or the district has no such period): no light.

Behind or late: yellow or red. A constant number of queries whatever the number of districts.

A collective of the districts the city assigns (各区（市）政府) counts as received for that month
when every member's district reported on the measures carrying out its own
(`collective_receipts`). The same roll-up, of a province plan, gives each city's answer: one
level down at a time (the dashboard per level, luoshi.insights).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.orgs.models import Organization
from luoshi.orgs.services import under
from luoshi.plans.models import Assignment, Measure, Plan
from luoshi.reporting.models import Period, Report, ReportEntry

ACCEPTED, SUBMITTED, MISSING, WAITING = "accepted", "submitted", "missing", "waiting"
LATE, BEHIND = "late", "behind"  # why a district that reported is behind or late
GREEN, YELLOW, RED, NONE = "green", "yellow", "red", "none"
LABELS = {
    ACCEPTED: pgettext_lazy("report state", "Accepted"),
    SUBMITTED: _("Submitted, not accepted yet"),
    MISSING: _("Not reported, past the due date"),
    WAITING: _("Not reported yet"),
}
# Reports whose entries the district has sent up (a returned one was sent once).
SENT = (Report.Status.SUBMITTED, Report.Status.RETURNED, Report.Status.ACCEPTED)


@dataclass
class DistrictEntry:
    """One district's answer on one city measure for the period."""

    region: str  # 薛城区
    measure: Measure  # the district's measure carrying out the city's
    state: str  # ACCEPTED | SUBMITTED | MISSING | WAITING
    colour: str  # GREEN | YELLOW | RED | NONE
    late: bool  # submitted after the district's due day
    behind: bool  # the accepted entry says 滞后
    progress: str  # the accepted text, else ""
    period: Period | None = None  # the district's period judged (its month), if it has one

    @property
    def label(self) -> str:
        return str(LABELS[self.state])

    @property
    def lagging(self) -> bool:
        """Behind or late: what the city's pages count and the brief names."""
        return self.colour in (YELLOW, RED)


def rollup_period(periods, today: datetime.date) -> Period | None:
    """Among the city's `periods`, the one the roll-up speaks of: the latest whose due day is
    over, else the first still to come."""
    periods = sorted(periods, key=lambda p: p.start)
    past = [p for p in periods if p.due_date < today]
    return past[-1] if past else (periods[0] if periods else None)


@dataclass
class Rollup:
    period: Period | None  # the city's period spoken of
    measures: dict[int, list[DistrictEntry]]  # city measure id -> the districts' answers

    def counts(self, measure_id: int) -> tuple[int, int]:
        """(districts that reported, districts behind or late) on the city measure."""
        found = self.measures.get(measure_id, [])
        reported = sum(e.state in (ACCEPTED, SUBMITTED) for e in found)
        return reported, sum(e.lagging for e in found)

    def lagging(self, measure_id: int) -> list[tuple[str, list[str]]]:
        """[(why, [districts])] of the districts behind or late on the city measure, why being
        MISSING, LATE or BEHIND in that order, each district once (by its worst)."""
        by_reason: dict[str, list[str]] = {}
        for entry in self.measures.get(measure_id, []):
            if entry.lagging:
                why = MISSING if entry.state == MISSING else LATE if entry.late else BEHIND
                by_reason.setdefault(why, []).append(entry.region)
        return [(why, by_reason[why]) for why in (MISSING, LATE, BEHIND) if why in by_reason]

    def regions(self) -> list[str]:
        """The districts that carry out any of the measures, by name in code points."""
        return sorted({e.region for found in self.measures.values() for e in found})

    def by_region(self, measure_id: int) -> dict[str, list[DistrictEntry]]:
        """{district: its answers} on the city measure (a district may split it in several)."""
        found: dict[str, list[DistrictEntry]] = defaultdict(list)
        for entry in self.measures.get(measure_id, []):
            found[entry.region].append(entry)
        return dict(found)

    def summary(self) -> list[tuple[Measure, int, int]]:
        """[(city measure, districts that reported, districts behind or late)], in order."""
        rows = [(found[0].measure.parent, *self.counts(pk)) for pk, found in self.measures.items()]
        return sorted(rows, key=lambda row: (row[0].key_task.no, row[0].no))


def _judge(measure: Measure, region: str, period, entries, today) -> DistrictEntry:
    sent = [e for e in entries if e[0] in SENT]
    accepted = [e for e in sent if e[0] == Report.Status.ACCEPTED]
    if accepted:
        _status, late, _role, progress, entry_status = accepted[0]
        behind = entry_status == ReportEntry.Status.BEHIND
        colour = YELLOW if late or behind else GREEN
        return DistrictEntry(region, measure, ACCEPTED, colour, late, behind, progress)
    if sent:
        late = any(e[1] for e in sent)
        return DistrictEntry(region, measure, SUBMITTED, YELLOW if late else NONE, late, False, "")
    if period is not None and period.due_date < today:
        return DistrictEntry(region, measure, MISSING, RED, False, False, "")
    return DistrictEntry(region, measure, WAITING, NONE, False, False, "")


def measure_rollup(
    plan: Plan, today: datetime.date, measures=None, periods=None, period=None
) -> Rollup:
    """The districts' answers on the city plan's measures (or `measures`, ids of some of
    them) for the city's `period`, or the one `rollup_period` picks among `periods` (the
    plan's periods when not given). Four queries at most, one when no district carries out
    these measures, whatever the number of districts."""
    children = Measure.objects.filter(
        under("key_task__plan__region", plan.region_id, itself=False)
    ).select_related("key_task__plan__region", "parent__key_task")
    # Each district plan's issued text (kilobytes, once per row) is never shown here.
    children = children.defer("key_task__plan__source_text")
    if measures is None:
        children = children.filter(parent__key_task__plan=plan)
    else:
        children = children.filter(parent__in=measures)
    # By the district's name, in code points: the same order whatever the database's collation.
    children = sorted(children, key=lambda m: (m.key_task.plan.region.name, m.pk))
    if period is None:
        if periods is None and children:
            periods = Period.objects.filter(plan=plan)
        period = rollup_period(periods or [], today)
    if not children or period is None:
        return Rollup(period, {})
    # The district's period covering the first day of the city's: the same month.
    theirs = {
        p.plan_id: p
        for p in Period.objects.filter(
            plan__in={m.key_task.plan_id for m in children},
            start__lte=period.start,
            end__gte=period.start,
        ).order_by("start")
    }
    # Lead departments' entries first, then by department.
    entries = defaultdict(list)
    rows = (
        ReportEntry.objects.filter(
            measure__in=children, report__period__in=[p.pk for p in theirs.values()]
        )
        .order_by("measure_id", "report__organization__name")
        .values_list(
            "measure_id",
            "report__status",
            "report__late",
            "role",
            "progress",
            "status",
        )
    )
    for measure_id, *row in rows:
        entries[measure_id].append(tuple(row))
    for rows_of in entries.values():
        rows_of.sort(key=lambda row: row[2] != Assignment.Role.LEAD)
    result = defaultdict(list)
    for child in children:
        plan_of = child.key_task.plan
        judged = _judge(
            child, plan_of.region.name, theirs.get(plan_of.pk), entries.get(child.pk, []), today
        )
        judged.period = theirs.get(plan_of.pk)
        result[child.parent_id].append(judged)
    return Rollup(period, dict(result))


@dataclass
class CollectiveReceipt:
    """A collective the city plan assigns (各区（市）政府), its members units of the districts:
    its expected report counts as received for the roll-up's month when every member's district
    reported (accepted or submitted) on each of its measures carrying out the collective's."""

    name: str  # 各区（市）政府
    measures: list[Measure]  # the city measures assigned to it, in order
    missing: list[str]  # the member districts that have not, by name in code points

    @property
    def received(self) -> bool:
        return not self.missing


def collective_receipts(plan: Plan, below: Rollup) -> list[CollectiveReceipt]:
    """The collectives assigned on the city plan's measures the districts carry out (`below`,
    the plan's roll-up), whose members are units (or regions) directly below the plan's region.
    A member district with no measure carrying one of them out has not reported either. One
    query, none when no district carries out the plan."""
    if not below.measures:
        return []
    rows = Assignment.objects.filter(
        measure__in=list(below.measures), organization__kind=Organization.Kind.COLLECTIVE
    ).values_list(
        "measure_id",
        "organization__name",
        "organization__members__kind",
        "organization__members__name",
        "organization__members__parent_id",
        "organization__members__parent__name",
        "organization__members__parent__kind",
        "organization__members__parent__parent_id",
    )
    measures, regions = defaultdict(set), defaultdict(set)
    for measure_id, name, kind, member, parent_id, parent, parent_kind, grandparent_id in rows:
        if kind == Organization.Kind.REGION and parent_id == plan.region_id:
            region = member  # the district itself
        elif parent_kind == Organization.Kind.REGION and grandparent_id == plan.region_id:
            region = parent  # a unit of the district: 薛城区人民政府
        else:
            continue  # not a member below: a city office, or no member at all
        measures[name].add(measure_id)
        regions[name].add(region)
    receipts = []
    for name in sorted(regions):
        missing = set()
        for measure_id in measures[name]:
            answered = {
                region
                for region, found in below.by_region(measure_id).items()
                if all(e.state in (ACCEPTED, SUBMITTED) for e in found)
            }
            missing |= regions[name] - answered
        city = [below.measures[pk][0].measure.parent for pk in measures[name]]
        city.sort(key=lambda m: (m.key_task.no, m.no))
        receipts.append(CollectiveReceipt(name, city, sorted(missing)))
    return receipts
