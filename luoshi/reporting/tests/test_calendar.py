import datetime
import logging

import pytest
import time_machine
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from luoshi.reporting import calendar
from luoshi.reporting.checks import calendar_warnings, check_holiday_calendar
from luoshi.reporting.models import HolidayNotice
from luoshi.testing import at

D = datetime.date


def test_spring_festival_eve_2025_is_a_holiday_and_the_due_day_moves_as_the_rule_says(db):
    # 2025-01-28 (除夕) was a day off; the Spring Festival holiday ran to 2025-02-04.
    assert not calendar.is_workday(D(2025, 1, 28))
    end = D(2025, 1, 31)
    assert calendar.due_date(end, 28, 0, "keep") == D(2025, 1, 28)
    assert calendar.due_date(end, 28, 0, "previous_workday") == D(2025, 1, 27)
    assert calendar.due_date(end, 28, 0, "next_workday") == D(2025, 2, 5)


def test_a_saturday_due_day_in_march_2026_moves_as_the_rule_says(db):
    end = D(2026, 3, 31)
    assert calendar.due_date(end, 28, 0, "keep") == D(2026, 3, 28)
    assert calendar.due_date(end, 28, 0, "previous_workday") == D(2026, 3, 27)
    assert calendar.due_date(end, 28, 0, "next_workday") == D(2026, 3, 30)


def test_a_make_up_workday_counts_as_a_workday(db):
    # Saturday 2026-02-28 was a make-up workday (调休上班).
    assert D(2026, 2, 28).weekday() == 5
    assert calendar.is_workday(D(2026, 2, 28))
    assert calendar.due_date(D(2026, 2, 28), 28, 0, "next_workday") == D(2026, 2, 28)
    assert calendar.due_date(D(2026, 2, 28), 28, 0, "previous_workday") == D(2026, 2, 28)


@time_machine.travel(at(2026, 11, 26, 9), tick=False)
def test_a_year_the_package_does_not_know_falls_back_to_monday_to_friday_and_warns(db, caplog):
    # On 26 November 2026 the check looks at 2026 (known) and 2027 (not known).
    assert not calendar.package_covers(2027)
    calendar._warned_years.discard(2027)
    with caplog.at_level(logging.WARNING, logger="luoshi.reporting.calendar"):
        assert calendar.is_workday(D(2027, 3, 26))  # a Friday
        assert not calendar.is_workday(D(2027, 3, 27))  # a Saturday
        due = calendar.due_date(D(2027, 3, 31), 28, 0, "next_workday")
    assert due == D(2027, 3, 29)  # Sunday the 28th moves to Monday
    assert "No holiday calendar for 2027" in caplog.text
    assert any("2027" in str(w) for w in calendar_warnings(D(2026, 11, 26)))
    warnings = check_holiday_calendar(databases=["default"])
    assert [w.id for w in warnings] == ["reporting.W001"]


def test_holiday_notices_cover_a_year_and_override_the_package(db):
    HolidayNotice.objects.create(date=D(2027, 2, 8), is_workday=False, name="春节")
    HolidayNotice.objects.create(date=D(2027, 2, 20), is_workday=True, name="春节调休")
    HolidayNotice.objects.create(date=D(2026, 10, 9), is_workday=False, name="test override")
    assert not calendar.is_workday(D(2027, 2, 8))  # a Monday off
    assert calendar.is_workday(D(2027, 2, 20))  # a Saturday at work
    assert not calendar.is_workday(D(2026, 10, 9))  # the notice beats the package
    assert calendar.uncovered_years([2026, 2027]) == []
    assert calendar_warnings(D(2026, 11, 26)) == []


@pytest.mark.parametrize(
    ("frequency", "day", "label", "start", "end"),
    [
        ("monthly", D(2026, 11, 15), "2026年11月", D(2026, 11, 1), D(2026, 11, 30)),
        ("quarterly", D(2026, 11, 15), "2026年第4季度", D(2026, 10, 1), D(2026, 12, 31)),
        ("half-yearly", D(2026, 3, 2), "2026年上半年", D(2026, 1, 1), D(2026, 6, 30)),
        ("yearly", D(2026, 3, 2), "2026年度", D(2026, 1, 1), D(2026, 12, 31)),
    ],
)
def test_period_bounds_and_labels(frequency, day, label, start, end):
    assert calendar.period_bounds(frequency, day) == (start, end)
    assert calendar.period_label(frequency, start) == label


def test_next_month_due_days_and_short_months(db):
    # 次月5日前: the October period is due on 5 November (a Thursday).
    assert calendar.due_date(D(2026, 10, 31), 5, 1, "keep") == D(2026, 11, 5)
    # Due day 31 in a 28-day February falls on its last day.
    assert calendar.due_date(D(2026, 2, 28), 31, 0, "keep") == D(2026, 2, 28)
    # No due day: the period's last day.
    assert calendar.due_date(D(2026, 12, 31), None, 0, "keep") == D(2026, 12, 31)


def test_a_holiday_notice_file_covers_a_new_year(db, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "2027.csv"
    path.write_text(
        "# 国务院办公厅关于2027年部分节假日安排的通知\n"
        "2027-02-06,holiday,春节\n2027-02-08,holiday,春节\n2027-02-20,workday,春节调休\n",
        encoding="utf-8",
    )
    call_command("load_holiday_notices", str(path))
    assert not calendar.is_workday(D(2027, 2, 8))
    assert calendar.is_workday(D(2027, 2, 20))
    assert calendar.uncovered_years([2027]) == []
    path.write_text("2027-13-01,holiday,错\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_holiday_notices", str(path))


def test_only_coordinators_and_system_administrators_keep_the_calendar(
    coordinator, commerce_reporter
):
    from django.core.exceptions import PermissionDenied

    from luoshi.audit.models import AuditRecord
    from luoshi.reporting.services import NoticeDay, save_holiday_notices

    save_holiday_notices(coordinator, [NoticeDay(D(2027, 1, 1), is_workday=False, name="元旦")])
    assert AuditRecord.objects.filter(object_type="reporting.holidaynotice").count() == 1
    with pytest.raises(PermissionDenied):
        save_holiday_notices(commerce_reporter, [NoticeDay(D(2027, 1, 2), is_workday=True)])


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(day=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31)))
def test_moved_due_days_are_workdays_next_to_the_due_day(day):
    before = calendar.adjust_for_holidays(day, "previous_workday")
    after = calendar.adjust_for_holidays(day, "next_workday")
    assert calendar.adjust_for_holidays(day, "keep") == day
    assert calendar.is_workday(before) and calendar.is_workday(after)
    assert before <= day <= after
    assert (before == day) == (after == day) == calendar.is_workday(day)
    gap = [before + datetime.timedelta(days=n) for n in range(1, (after - before).days)]
    assert not any(calendar.is_workday(d) for d in gap if d != day)
