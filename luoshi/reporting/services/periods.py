"""Schedules and periods: when a plan is tracked, its periods and the reports they expect."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from luoshi.audit.services import diff, record_change
from luoshi.lib import clock
from luoshi.orgs.models import Organization, User
from luoshi.plans.access import require_plan_coordinator
from luoshi.plans.models import Assignment, Plan
from luoshi.reporting import calendar
from luoshi.reporting.models import Period, PlanSchedule, Report, ReportEntry


def default_tracking_start(plan: Plan, today: datetime.date | None = None) -> datetime.date:
    """REPORTING_TRACKING_START if set, else the first day of the plan's issue month."""
    if settings.REPORTING_TRACKING_START:
        return datetime.date.fromisoformat(settings.REPORTING_TRACKING_START)
    day = plan.issue_date or today or clock.today()
    return day.replace(day=1)


def get_schedule(plan: Plan, tracking_start: datetime.date | None = None) -> PlanSchedule:
    """The plan's schedule, created the first time it is asked for: tracking from
    `tracking_start`, else REPORTING_TRACKING_START, else the month of issue."""
    schedule = PlanSchedule.objects.filter(plan=plan).first()
    if schedule is None:
        schedule, _created = PlanSchedule.objects.get_or_create(
            plan=plan, defaults={"tracking_start": tracking_start or default_tracking_start(plan)}
        )
    return schedule


@transaction.atomic
def set_schedule(
    user: User,
    plan: Plan,
    *,
    tracking_start: datetime.date,
    tracking_end: datetime.date | None,
    holiday_rule: str,
    today: datetime.date | None = None,
) -> PlanSchedule:
    """Set when a plan is tracked and its holiday rule (coordinator): `track_plan`."""
    require_plan_coordinator(user, plan)
    return track_plan(
        plan,
        tracking_start=tracking_start,
        tracking_end=tracking_end,
        holiday_rule=holiday_rule,
        user=user,
        today=today,
    )


@transaction.atomic
def track_plan(
    plan: Plan,
    *,
    tracking_start: datetime.date,
    tracking_end: datetime.date | None = None,
    holiday_rule: str = PlanSchedule.HolidayRule.KEEP,
    user: User | None = None,
    today: datetime.date | None = None,
) -> PlanSchedule:
    """Set when `plan` is tracked and its holiday rule, audited as `user` (None: the system,
    e.g. the import_plan command); a plan without a schedule gets one (audited as created).

    Open periods not yet due get their due dates recomputed; periods are then ensured.
    """
    if tracking_end and tracking_end < tracking_start:
        raise ValidationError(_("Tracking cannot end before it starts."))
    if holiday_rule not in PlanSchedule.HolidayRule.values:
        raise ValidationError(_("Unknown holiday rule."))
    schedule = PlanSchedule.objects.filter(plan=plan).first()
    old = _schedule_state(schedule) if schedule else None
    schedule = schedule or PlanSchedule(plan=plan)
    schedule.tracking_start = tracking_start
    schedule.tracking_end = tracking_end
    schedule.holiday_rule = holiday_rule
    schedule.save()
    today = today or clock.today()
    refresh_due_dates(plan, schedule, today)
    if old is None:
        changes = {key: {"old": None, "new": v} for key, v in _schedule_state(schedule).items()}
        record_change(user, "create", schedule, changes)
    elif changes := diff(old, _schedule_state(schedule)):
        record_change(user, "change", schedule, changes)
    ensure_periods(plan, today, user=user)
    return schedule


def refresh_due_dates(plan: Plan, schedule: PlanSchedule, today: datetime.date) -> None:
    """Open periods not yet due take the due dates the rule and the calendar give now (after
    a schedule change or a holiday notice); periods already due keep theirs."""
    for period in plan.periods.filter(due_date__gte=today, closed_at__isnull=True):
        due = _due_date(plan, schedule, period.end)
        if due != period.due_date:
            period.due_date = due
            period.save(update_fields=["due_date"])


def _schedule_state(schedule: PlanSchedule) -> dict:
    return {
        "tracking_start": str(schedule.tracking_start),
        "tracking_end": str(schedule.tracking_end) if schedule.tracking_end else None,
        "holiday_rule": schedule.holiday_rule,
    }


def _frequency(plan: Plan) -> str:
    return plan.report_frequency or Plan.Frequency.MONTHLY


def _due_date(plan: Plan, schedule: PlanSchedule, end: datetime.date) -> datetime.date:
    return calendar.due_date(
        end, plan.report_due_day, plan.report_due_offset_months, schedule.holiday_rule
    )


def _period_ranges(plan: Plan, schedule: PlanSchedule, today: datetime.date):
    """(start, end) of every period from the tracking start to the tracking end or horizon."""
    frequency = _frequency(plan)
    if frequency == Plan.Frequency.ONCE:
        end = (
            schedule.tracking_end
            or plan.key_tasks.aggregate(last=Max("measures__deadline"))["last"]
        )
        end = end or datetime.date(schedule.tracking_start.year, 12, 31)
        return [(schedule.tracking_start, end)]
    months = calendar.MONTHS_PER_PERIOD[frequency]
    start, _end = calendar.period_bounds(frequency, schedule.tracking_start)
    if schedule.tracking_end:
        last, _end = calendar.period_bounds(frequency, schedule.tracking_end)
    else:
        current, _end = calendar.period_bounds(frequency, max(today, schedule.tracking_start))
        last = calendar.add_months(current, months * settings.REPORTING_PERIODS_AHEAD)
    ranges = []
    while start <= last:
        following = calendar.add_months(start, months)
        ranges.append((start, following - datetime.timedelta(days=1)))
        start = following
    return ranges


def _expected(plan: Plan) -> list[tuple[int, int, str, datetime.datetime | None]]:
    """(measure id, department id, role, measure closed_at) of every department assignment."""
    return list(
        Assignment.objects.filter(
            measure__key_task__plan=plan, organization__kind=Organization.Kind.DEPARTMENT
        ).values_list("measure_id", "organization_id", "role", "measure__closed_at")
    )


def _in_period(closed_at, period: Period) -> bool:
    """A measure closed before a period starts leaves that period."""
    return closed_at is None or clock.local_date(closed_at) >= period.start


def _is_open(period: Period, today: datetime.date) -> bool:
    """Open periods follow the plan's assignments; past ones keep what was expected then."""
    return period.closed_at is None and period.due_date >= today


@transaction.atomic
def ensure_periods(
    plan: Plan, today: datetime.date | None = None, *, user: User | None = None
) -> list[Period]:
    """Create the plan's periods and their expected reports; idempotent.

    Periods run from the tracking start to the tracking end, or a few periods
    (REPORTING_PERIODS_AHEAD) past today when the plan is open-ended. New periods and periods
    not yet due expect a report from every department assigned to a measure that is still open
    in that period (kind department only); a not-started report of a department no longer
    assigned is removed from them, and untouched entries of dropped measures leave their
    drafts. Periods already due keep what was expected. Returns the plan's periods in order.
    """
    today = today or clock.today()
    schedule = get_schedule(plan)
    frequency = _frequency(plan)
    existing = {p.start: p for p in plan.periods.filter(frequency=frequency)}
    new_periods = [
        Period(
            plan=plan,
            frequency=frequency,
            start=start,
            end=end,
            label=calendar.period_label(frequency, start),
            due_date=_due_date(plan, schedule, end),
        )
        for start, end in _period_ranges(plan, schedule, today)
        if start not in existing
    ]
    Period.objects.bulk_create(new_periods, ignore_conflicts=True)
    periods = list(plan.periods.filter(frequency=frequency).order_by("start"))
    created_starts = {p.start for p in new_periods}
    assignments = _expected(plan)
    reports = {
        (r.period_id, r.organization_id): r
        for r in Report.objects.filter(period__in=periods).only(
            "id", "period_id", "organization_id", "status"
        )
    }
    to_create, to_delete, to_sync = [], [], []
    for period in periods:
        if period.start not in created_starts and not _is_open(period, today):
            continue
        expected = {org for _m, org, _r, closed in assignments if _in_period(closed, period)}
        for org in expected:
            report = reports.get((period.pk, org))
            if report is None:
                to_create.append(Report(period=period, organization_id=org))
            elif report.status in (Report.Status.DRAFT, Report.Status.RETURNED):
                to_sync.append(report)
        to_delete += [
            r.pk
            for (period_id, org), r in reports.items()
            if period_id == period.pk
            and org not in expected
            and r.status == Report.Status.NOT_STARTED
        ]
    Report.objects.bulk_create(to_create, ignore_conflicts=True)
    Report.objects.filter(pk__in=to_delete, status=Report.Status.NOT_STARTED).delete()
    synced = sum(_sync_entries(report, assignments) for report in to_sync)
    if new_periods or to_create or to_delete or synced:
        record_change(
            user,
            "generate periods",
            plan,
            {
                "periods": {"old": len(existing), "new": len(periods)},
                "expected reports added": {"old": None, "new": len(to_create)},
                "expected reports removed": {"old": None, "new": len(to_delete)},
                "entries added or removed": {"old": None, "new": synced},
            },
        )
    return periods


def expected_measures(report: Report, assignments=None) -> dict[int, str]:
    """{measure id: role} of the measures the report's department answers for in its period."""
    assignments = assignments if assignments is not None else _expected(report.period.plan)
    return {
        measure: role
        for measure, org, role, closed in assignments
        if org == report.organization_id and _in_period(closed, report.period)
    }


def _sync_entries(report: Report, assignments) -> int:
    """Add entries for newly assigned measures; drop untouched entries of dropped ones.
    Returns how many entries were added or removed."""
    report.period = Period.objects.get(pk=report.period_id)
    wanted = expected_measures(report, assignments)
    have = set(report.entries.values_list("measure_id", flat=True))
    added = {m: r for m, r in wanted.items() if m not in have}
    _create_entries(report, added)
    _total, removed = (
        report.entries.exclude(measure_id__in=wanted).filter(updated_by__isnull=True).delete()
    )
    return len(added) + removed.get(ReportEntry._meta.label, 0)


def _create_entries(report: Report, measures: dict[int, str]) -> None:
    """Empty entries for `measures`: a new draft is not a copy of the previous period (its text
    is shown beside each entry, to take over and edit). Only the status carries over."""
    if not measures:
        return
    previous = (
        Report.objects.filter(
            period__plan_id=report.period.plan_id,
            period__start__lt=report.period.start,
            organization_id=report.organization_id,
        )
        .order_by("-period__start")
        .first()
    )
    before = {}
    if previous is not None:
        before = dict(
            previous.entries.filter(measure_id__in=measures).values_list("measure_id", "status")
        )
    entries = [
        ReportEntry(
            report=report,
            measure_id=measure_id,
            role=role,
            status=before.get(measure_id, ReportEntry.Status.NOT_STARTED),
        )
        for measure_id, role in measures.items()
    ]
    ReportEntry.objects.bulk_create(entries, ignore_conflicts=True)
