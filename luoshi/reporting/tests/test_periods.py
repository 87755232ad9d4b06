"""Periods and expected reports follow the plan's rule, its assignments and closures."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from luoshi.audit.models import AuditRecord
from luoshi.plans.models import Assignment, Measure, Plan
from luoshi.plans.services import set_measure_departments
from luoshi.reporting import services
from luoshi.reporting.models import ClosureRequest, Period, PlanSchedule, Report
from luoshi.testing import at, department

D = datetime.date

# Messages are matched in English (the msgids); Chinese is the default language.
pytestmark = pytest.mark.usefixtures("english")


def test_periods_run_from_the_tracking_start_to_a_few_periods_ahead(tracked):
    periods = list(tracked.periods.values_list("label", "start", "end", "due_date"))
    assert periods == [
        ("2026年10月", D(2026, 10, 1), D(2026, 10, 31), D(2026, 10, 28)),
        ("2026年11月", D(2026, 11, 1), D(2026, 11, 30), D(2026, 11, 28)),
        ("2026年12月", D(2026, 12, 1), D(2026, 12, 31), D(2026, 12, 28)),
    ]
    # 32 departments are assigned measures of the seed: every period expects 32 reports.
    assert {p.reports.count() for p in tracked.periods.all()} == {32}


def test_ensure_periods_is_idempotent(tracked):
    records = AuditRecord.objects.count()
    services.ensure_periods(tracked, D(2026, 11, 1))
    assert Period.objects.count() == 3
    assert Report.objects.count() == 96
    assert AuditRecord.objects.count() == records


def test_the_tracking_start_defaults_to_the_month_of_issue(seed_plan):
    services.ensure_periods(seed_plan, D(2022, 11, 10))
    assert seed_plan.issue_date == D(2022, 9, 21)
    assert list(seed_plan.periods.values_list("label", flat=True)) == [
        "2022年9月",
        "2022年10月",
        "2022年11月",
        "2022年12月",
        "2023年1月",
    ]


@pytest.mark.parametrize(
    ("frequency", "due_day", "offset", "labels", "due_dates"),
    [
        # 5 Oct 2026 is in the National Day holiday: due on Thursday 8 Oct.
        ("quarterly", 5, 1, ["2026年第3季度", "2026年第4季度"], [D(2026, 10, 8), D(2027, 1, 5)]),
        (
            "half-yearly",
            None,
            0,
            ["2026年上半年", "2026年下半年"],
            [D(2026, 6, 30), D(2026, 12, 31)],
        ),
        ("yearly", 20, 0, ["2026年度"], [D(2026, 12, 21)]),
    ],
)
def test_other_frequencies(seed_plan, frequency, due_day, offset, labels, due_dates):
    Plan.objects.filter(pk=seed_plan.pk).update(
        report_frequency=frequency, report_due_day=due_day, report_due_offset_months=offset
    )
    seed_plan.refresh_from_db()
    PlanSchedule.objects.create(
        plan=seed_plan,
        tracking_start=D(2026, 1, 1) if frequency == "half-yearly" else D(2026, 7, 1),
        tracking_end=D(2026, 12, 31),
        holiday_rule="next_workday",
    )
    periods = services.ensure_periods(seed_plan, D(2026, 11, 1))
    assert [p.label for p in periods] == labels
    assert [p.due_date for p in periods] == due_dates


def test_a_one_off_report_has_one_period(seed_plan):
    Plan.objects.filter(pk=seed_plan.pk).update(report_frequency="once", report_due_day=None)
    seed_plan.refresh_from_db()
    PlanSchedule.objects.create(
        plan=seed_plan, tracking_start=D(2026, 1, 1), tracking_end=D(2026, 6, 30)
    )
    [period] = services.ensure_periods(seed_plan, D(2026, 11, 1))
    assert (period.start, period.end, period.due_date) == (
        D(2026, 1, 1),
        D(2026, 6, 30),
        D(2026, 6, 30),
    )


def test_later_periods_follow_assignment_changes_and_past_ones_keep_theirs(tracked, coordinator):
    commerce = department("市商务局")
    measures = Measure.objects.filter(assignments__organization=commerce)
    for measure in measures:
        keep = [
            (a.organization, a.role) for a in measure.assignments.exclude(organization=commerce)
        ]
        set_measure_departments(coordinator, measure, keep, needs_review=False)
    # On 5 December the October and November periods are past their due day.
    services.ensure_periods(tracked, D(2026, 12, 5))
    by_label = {p.label: p for p in tracked.periods.all()}
    assert by_label["2026年10月"].reports.filter(organization=commerce).exists()
    assert by_label["2026年11月"].reports.filter(organization=commerce).exists()
    assert not by_label["2026年12月"].reports.filter(organization=commerce).exists()
    assert not by_label["2027年1月"].reports.filter(organization=commerce).exists()
    # A department newly assigned is expected from the open periods on.
    bureau = department("市财政局")
    measure = Measure.objects.filter(key_task__plan=tracked).first()
    if not measure.assignments.filter(organization=bureau).exists():
        old = [(a.organization, a.role) for a in measure.assignments.all()]
        set_measure_departments(coordinator, measure, [*old, (bureau, "co")], needs_review=False)
    services.ensure_periods(tracked, D(2026, 12, 5))
    assert tracked.periods.get(label="2026年12月").reports.filter(organization=bureau).exists()


@time_machine.travel(at(2026, 11, 10, 10), tick=False)
def test_a_closed_measure_leaves_later_periods(tracked, coordinator, commerce_reporter, november):
    commerce = commerce_reporter.organization
    measure = Measure.objects.filter(assignments__organization=commerce).first()
    old = [
        (a.organization, "lead" if a.organization == commerce else "co")
        for a in measure.assignments.all()
    ]
    set_measure_departments(coordinator, measure, old, needs_review=False)
    report = services.start_draft(commerce_reporter, november.reports.get(organization=commerce))
    assert report.entries.filter(measure=measure).exists()
    request = services.request_closure(commerce_reporter, measure, "已全部完成，见验收报告。")
    with pytest.raises(services.WorkflowError):
        services.request_closure(commerce_reporter, measure, "again")
    with pytest.raises(PermissionDenied):
        services.close_measure(commerce_reporter, request)
    services.close_measure(coordinator, request, today=D(2026, 11, 10))
    measure.refresh_from_db()
    assert measure.closed_at is not None
    assert ClosureRequest.objects.get().status == "approved"
    # Closed in November: November still reports it, December does not.
    assert report.entries.filter(measure=measure).exists()
    december = tracked.periods.get(label="2026年12月")
    december_report = services.start_draft(
        commerce_reporter, december.reports.get(organization=commerce)
    )
    assert not december_report.entries.filter(measure=measure).exists()
    assert december_report.entries.count() == report.entries.count() - 1


def test_only_the_lead_asks_for_closure(tracked, commerce_reporter, transport_reporter):
    measure = Measure.objects.filter(assignments__organization=commerce_reporter.organization)[0]
    with pytest.raises(PermissionDenied):
        services.request_closure(commerce_reporter, measure, "done")  # role not stated
    other = Measure.objects.exclude(
        assignments__organization=transport_reporter.organization
    ).first()
    assert other.assignments.filter(role=Assignment.Role.LEAD).count() == 0
    with pytest.raises(PermissionDenied):
        services.request_closure(transport_reporter, other, "done")


def test_a_schedule_change_moves_open_due_dates(tracked, coordinator, commerce_reporter):
    services.set_schedule(
        coordinator,
        tracked,
        tracking_start=D(2026, 10, 1),
        tracking_end=None,
        holiday_rule="next_workday",
        today=D(2026, 11, 1),
    )
    dates = dict(tracked.periods.values_list("label", "due_date"))
    # 28 Nov 2026 is a Saturday: due on Monday 30 Nov; the October period was already due.
    assert dates["2026年11月"] == D(2026, 11, 30)
    assert dates["2026年10月"] == D(2026, 10, 28)
    with pytest.raises(PermissionDenied):
        services.set_schedule(
            commerce_reporter,
            tracked,
            tracking_start=D(2026, 10, 1),
            tracking_end=None,
            holiday_rule="keep",
        )


def test_entries_added_to_an_open_report_are_in_the_audit_log(
    tracked, coordinator, commerce_reporter, november
):
    commerce = commerce_reporter.organization
    report = services.start_draft(commerce_reporter, november.reports.get(organization=commerce))
    measure = (
        Measure.objects.filter(key_task__plan=tracked)
        .exclude(assignments__organization=commerce)
        .first()
    )
    old = [(a.organization, a.role) for a in measure.assignments.all()]
    set_measure_departments(coordinator, measure, [*old, (commerce, "co")], needs_review=False)
    services.ensure_periods(tracked, D(2026, 11, 20))
    assert report.entries.filter(measure=measure).exists()
    record = AuditRecord.objects.filter(action="generate periods").latest("pk")
    assert record.changes["entries added or removed"]["new"] == 1
