"""A whole year of the seed plan, day by day: the exact reminders sent on each day.

The seed plan is tracked from February 2026 (monthly, due on the 28th, due day kept on a
holiday). `supervise` runs at 08:00 every day, twice; departments submit at 10:00:
- every department but 市商务局 and 市交通运输局 submits on the 2nd of each month (never
  reminded);
- 市交通运输局 submits on each due day, except November (due Saturday the 28th), which it
  submits on Monday 30 November;
- 市商务局 submits on each due day, except April 2026 (the 28th is made a day off by a holiday
  notice; it submits on 11 May after the Labour Day holiday and the make-up workday of Saturday
  9 May) and January 2027 (a year chinesecalendar does not cover: Monday to Friday; it submits
  on 2 February 2027).
February 28, 2026 is itself a make-up workday (a Saturday); 25 September 2026 is a holiday the
day before a reminder would fall.
"""

import datetime

import pytest
import time_machine

from luoshi.reporting.models import Period
from luoshi.reporting.services import NoticeDay, save_holiday_notices
from luoshi.supervision import services
from luoshi.supervision.models import Reminder
from luoshi.testing import at, department, file_report, make_user, track

D = datetime.date
COMMERCE, TRANSPORT = "市商务局", "市交通运输局"

# (n working days before) → sending day, per period, written out by hand from the calendar.
BEFORE = {
    "2026年2月": {3: D(2026, 2, 25), 1: D(2026, 2, 27)},  # due on a make-up Saturday
    "2026年3月": {3: D(2026, 3, 25), 1: D(2026, 3, 27)},  # due on a Saturday
    "2026年4月": {3: D(2026, 4, 23), 1: D(2026, 4, 27)},  # due day made a holiday
    "2026年5月": {3: D(2026, 5, 25), 1: D(2026, 5, 27)},
    "2026年6月": {3: D(2026, 6, 24), 1: D(2026, 6, 26)},  # due on a Sunday
    "2026年7月": {3: D(2026, 7, 23), 1: D(2026, 7, 27)},
    "2026年8月": {3: D(2026, 8, 25), 1: D(2026, 8, 27)},
    "2026年9月": {3: D(2026, 9, 22), 1: D(2026, 9, 24)},  # the 25th is Mid-Autumn
    "2026年10月": {3: D(2026, 10, 23), 1: D(2026, 10, 27)},
    "2026年11月": {3: D(2026, 11, 25), 1: D(2026, 11, 27)},
    "2026年12月": {3: D(2026, 12, 23), 1: D(2026, 12, 25)},
    "2027年1月": {3: D(2027, 1, 25), 1: D(2027, 1, 27)},
}
LATE = {
    # 市商务局, April: every working day late; escalated after 3 working days.
    (COMMERCE, "2026年4月"): [
        (D(2026, 4, 29), 1),
        (D(2026, 4, 30), 2),
        (D(2026, 5, 6), 3),  # 1–5 May: Labour Day
        (D(2026, 5, 7), 4),
        (D(2026, 5, 8), 5),
        (D(2026, 5, 9), 6),  # a make-up Saturday
        (D(2026, 5, 11), 7),
    ],
    (COMMERCE, "2027年1月"): [(D(2027, 1, 29), 1), (D(2027, 2, 1), 2), (D(2027, 2, 2), 3)],
    (TRANSPORT, "2026年11月"): [(D(2026, 11, 30), 1)],
}
SUBMIT_LATE = {
    (COMMERCE, "2026年4月"): D(2026, 5, 11),
    (COMMERCE, "2027年1月"): D(2027, 2, 2),
    (TRANSPORT, "2026年11月"): D(2026, 11, 30),
}


def expected_by_day() -> dict[datetime.date, list[tuple]]:
    days: dict[datetime.date, list[tuple]] = {}
    for label, sends in BEFORE.items():
        for name in (COMMERCE, TRANSPORT):
            for n, day in sends.items():
                days.setdefault(day, []).append(("before", n, label, name))
    for (name, label), sends in LATE.items():
        for day, n in sends:
            days.setdefault(day, []).append(("late", n, label, name))
            if n == 3:
                days[day].append(("escalation", 3, label, name))
    return {day: sorted(items) for day, items in days.items()}


@pytest.fixture
def year_plan(settings, seed_plan):
    track(seed_plan, settings, D(2026, 2, 1), on=at(2026, 1, 30, 9))
    with time_machine.travel(at(2026, 1, 30, 9), tick=False):
        save_holiday_notices(
            None, [NoticeDay(D(2026, 4, 28), is_workday=False, name="测试：截止日放假")]
        )
    return seed_plan


def accounts(plan):
    users = {}
    orgs = {r.organization for r in Period.objects.filter(plan=plan).first().reports.all()}
    for org in orgs:
        users[org.name] = (
            make_user(f"r{org.pk}", "reporter", org),
            make_user(f"h{org.pk}", "approver", org),
        )
    return users


def submissions_on(day, plan, users):
    """(report, reporter, head) of the reports the script submits on `day` at 10:00."""
    due = []
    for period in Period.objects.filter(plan=plan, start__lte=day):
        for report in period.reports.filter(status="not_started").select_related("organization"):
            name = report.organization.name
            late = SUBMIT_LATE.get((name, period.label))
            if name in (COMMERCE, TRANSPORT):
                when = late or period.due_date
            else:
                when = period.start + datetime.timedelta(days=1)
            if when == day:
                due.append((report, *users[name]))
    return due


# ~17 s: a whole year day by day (each day travels to its own date).
@pytest.mark.slow
def test_a_year_of_reminders_goes_out_exactly_as_the_rules_say(year_plan):
    users = accounts(year_plan)
    expected = expected_by_day()
    sent: dict[datetime.date, list[tuple]] = {}
    day = D(2026, 2, 1)
    while day <= D(2027, 2, 5):
        for _run in range(2):  # cron fires twice: nothing goes out twice
            with time_machine.travel(at(day.year, day.month, day.day, 8), tick=False):
                services.supervise(day)
        for report, reporter, head in submissions_on(day, year_plan, users):
            file_report(report, reporter, head, when=at(day.year, day.month, day.day, 10))
        day += datetime.timedelta(days=1)
    for reminder in Reminder.objects.select_related("period", "organization"):
        sent.setdefault(reminder.day, []).append(
            (reminder.kind, reminder.offset, reminder.period.label, reminder.organization.name)
        )
    sent = {day: sorted(items) for day, items in sent.items()}
    assert sent == expected
    commerce = department(COMMERCE)
    escalations = Reminder.objects.filter(kind="escalation", organization=commerce)
    assert [r.message for r in escalations.order_by("day")][0].startswith("【逾期督办】市商务局")
    # The escalation went to the department's head and the leaders, not to its reporter.
    head = users[COMMERCE][1]
    assert escalations.first().notifications.filter(user=head).exists()
    assert not escalations.first().notifications.filter(user=users[COMMERCE][0]).exists()
