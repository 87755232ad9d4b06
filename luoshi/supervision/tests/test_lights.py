"""Traffic lights: each colour and its reason, for targets, measures and departments."""

import datetime
from decimal import Decimal

from luoshi.plans.models import Measure, Target
from luoshi.supervision.lights import (
    Light,
    department_lights,
    plan_lights,
    target_light,
)
from luoshi.testing import at, department, file_report

D = datetime.date


def target(**kw):
    return Target(
        **{
            "text": "新建充电桩",
            "value": Decimal(300),
            "unit": "个",
            "comparator": ">=",
            "deadline": D(2026, 12, 31),
            "kind": Target.Kind.CUMULATIVE,
            **kw,
        }
    )


START = D(2026, 1, 1)


def test_a_met_target_is_green():
    light = target_light(target(), Decimal(310), D(2026, 6, 1), start=START)
    assert light == Light("green", "目标“新建充电桩”已完成（实际310个，目标300个）")


def test_a_target_past_its_deadline_and_unmet_is_red():
    light = target_light(target(), Decimal(200), D(2027, 1, 4), start=START)
    assert light == Light("red", "目标“新建充电桩”已过期限未完成（实际200个，目标300个）")


def test_a_target_past_its_deadline_without_an_actual_is_red():
    light = target_light(target(), None, D(2027, 1, 4), start=START)
    assert light.colour == "red"
    assert light.reason == "目标“新建充电桩”已过期限未完成（未报送实际值）"


def test_a_target_without_an_actual_before_its_deadline_has_no_light():
    assert target_light(target(), None, D(2026, 6, 1), start=START).colour == "none"


def test_a_cumulative_target_behind_its_time_proportional_schedule_is_yellow():
    # On 1 July about half the year has passed: 300 × 181/364 ≈ 149.18 were due.
    light = target_light(target(), Decimal(100), D(2026, 7, 1), start=START)
    assert light == Light(
        "yellow", "目标“新建充电桩”落后序时进度（应达149.18个，实际100个，目标300个）"
    )


def test_a_cumulative_target_on_schedule_is_green():
    light = target_light(target(), Decimal(160), D(2026, 7, 1), start=START)
    assert light == Light("green", "目标“新建充电桩”符合序时进度（实际160个，目标300个）")


def test_a_target_met_only_after_it_was_red_is_yellow_first():
    light = target_light(target(), Decimal(300), D(2027, 2, 1), start=START, was_red=True)
    assert light == Light("yellow", "目标“新建充电桩”逾期后完成（实际300个，目标300个）")


def test_a_cap_exceeded_before_its_deadline_is_yellow():
    cap = target(text="能耗", comparator="<=", value=Decimal(50), unit="%", kind="cap")
    light = target_light(cap, Decimal(55), D(2026, 6, 1), start=START)
    assert light == Light("yellow", "目标“能耗”超出上限（实际55%，目标50%）")


def test_a_level_not_reached_before_its_deadline_is_yellow():
    level = target(text="绿色产品占比", value=Decimal(30), unit="%", kind="level")
    light = target_light(level, Decimal(25), D(2026, 6, 1), start=START)
    assert light == Light("yellow", "目标“绿色产品占比”尚未达到（实际25%，目标30%）")


# --- Departments and measures of the seed plan --------------------------------------------


def report_of(period, name):
    return period.reports.get(organization=department(name))


def test_a_department_that_never_reported_a_past_period_is_red(tracked):
    lights = department_lights(tracked, D(2026, 11, 2))
    assert lights[department("市商务局").pk] == Light(
        "red", "市商务局逾期未报送（截止 2026-10-28）"
    )


def test_every_assigned_department_gets_a_light(tracked):
    lights = department_lights(tracked, D(2026, 11, 2))
    expected = set(
        tracked.periods.get(start=D(2026, 10, 1)).reports.values_list("organization", flat=True)
    )
    assert set(lights) == expected
    assert all(light.colour == "red" for light in lights.values())


def test_a_department_that_reported_on_time_is_green(
    tracked, october, commerce_reporter, commerce_head
):
    file_report(
        report_of(october, "市商务局"), commerce_reporter, commerce_head, when=at(2026, 10, 27, 10)
    )
    lights = department_lights(tracked, D(2026, 11, 2))
    assert lights[department("市商务局").pk] == Light("green", "市商务局按时报送")


def test_a_late_report_that_caught_up_is_yellow_first(
    tracked, october, commerce_reporter, commerce_head
):
    file_report(
        report_of(october, "市商务局"), commerce_reporter, commerce_head, when=at(2026, 10, 30, 10)
    )
    lights = department_lights(tracked, D(2026, 11, 2))
    assert lights[department("市商务局").pk] == Light(
        "yellow", "市商务局逾期补报（截止 2026-10-28）"
    )


def test_a_report_marked_behind_is_yellow(tracked, october, commerce_reporter, commerce_head):
    report = report_of(october, "市商务局")
    file_report(
        report, commerce_reporter, commerce_head, when=at(2026, 10, 27, 10), status="behind"
    )
    lights = department_lights(tracked, D(2026, 11, 2))
    assert lights[department("市商务局").pk] == Light("yellow", "市商务局报告进度滞后")
    measure = report.entries.first().measure_id
    light = plan_lights(tracked, D(2026, 11, 2)).measures[measure]
    assert "市商务局报告进度滞后" in light.reason or light.colour == "red"


def test_a_report_due_within_three_working_days_and_not_submitted_is_yellow(
    tracked, october, commerce_reporter, commerce_head
):
    file_report(
        report_of(october, "市商务局"), commerce_reporter, commerce_head, when=at(2026, 10, 27, 10)
    )
    commerce = department("市商务局").pk
    # Due Saturday 28 November: on Friday the 20th five working days are left, on the 25th two.
    assert department_lights(tracked, D(2026, 11, 20))[commerce].colour == "green"
    assert department_lights(tracked, D(2026, 11, 25))[commerce] == Light(
        "yellow", "市商务局临近截止未报送（截止 2026-11-28）"
    )


def test_measure_lights_cover_every_measure_and_a_closed_one_is_done(tracked):
    measures = Measure.objects.filter(key_task__plan=tracked)
    closed = measures.first()
    Measure.objects.filter(pk=closed.pk).update(closed_at=at(2026, 9, 1, 9))
    lights = plan_lights(tracked, D(2026, 11, 2)).measures
    assert set(lights) == set(measures.values_list("pk", flat=True))
    assert lights[closed.pk] == Light("green", "已办结")
    others = [light for pk, light in lights.items() if pk != closed.pk]
    assert all(light.colour == "red" for light in others)
    assert "逾期未报送（截止 2026-10-28）" in others[0].reason


def test_a_measure_whose_target_is_past_its_deadline_and_unmet_is_red(
    tracked, october, commerce_reporter, commerce_head
):
    commerce = department("市商务局")
    measure = Measure.objects.filter(assignments__organization=commerce).first()
    goal = Target.objects.create(
        measure=measure,
        text="培育绿色商场10家",
        value=10,
        unit="家",
        comparator=">=",
        deadline=D(2026, 10, 31),
        owner=commerce,
        confirmed=True,
    )
    file_report(
        report_of(october, "市商务局"),
        commerce_reporter,
        commerce_head,
        when=at(2026, 10, 27, 10),
        actuals={goal.pk: goal.value / 2},
    )
    light = plan_lights(tracked, D(2026, 11, 2)).measures[goal.measure_id]
    assert light.colour == "red"
    assert f"目标“{goal.text}”已过期限未完成" in light.reason


def test_lights_of_a_whole_plan_take_a_fixed_number_of_queries(tracked, django_assert_num_queries):
    with django_assert_num_queries(7):
        department_lights(tracked, D(2026, 11, 2))
    # Periods, reports, entries behind, holidays, targets, actuals, assignments, measures.
    with django_assert_num_queries(8):
        plan_lights(tracked, D(2026, 11, 2))


def test_plan_lights_reads_both_kinds_of_lights_at_once(
    tracked, october, commerce_reporter, commerce_head
):
    file_report(
        report_of(october, "市商务局"), commerce_reporter, commerce_head, when=at(2026, 10, 27, 10)
    )
    day = D(2026, 11, 2)
    both = plan_lights(tracked, day)
    assert both.departments == department_lights(tracked, day)
    assert {light.colour for light in both.departments.values()} == {"green", "red"}
    commerce = department("市商务局")
    assert both.names[commerce.pk] == commerce.name
    assert set(both.names) == set(both.departments)


def test_a_light_says_its_colour_in_chinese():
    assert [Light(c, "").label for c in ("red", "yellow", "green", "none")] == [
        "红灯",
        "黄灯",
        "绿灯",
        "暂无",
    ]
