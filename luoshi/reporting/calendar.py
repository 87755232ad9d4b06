"""The working-day calendar: chinesecalendar, corrected and extended by HolidayNotice rows.

The package only knows the years the State Council has announced (it raises
NotImplementedError beyond them). A year it does not cover and for which no notice was
entered falls back to Monday–Friday, logs a warning and shows one in `manage.py check`;
it never crashes a deadline computation.
"""

import calendar as _calendar
import datetime
import logging

import chinese_calendar

from luoshi.plans.models import Plan

logger = logging.getLogger(__name__)

_warned_years: set[int] = set()


def _notice_for(day: datetime.date):
    from luoshi.reporting.models import HolidayNotice

    return HolidayNotice.objects.filter(date=day).first()


def package_covers(year: int) -> bool:
    """Whether chinesecalendar knows the holidays of `year`."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def year_has_notices(year: int) -> bool:
    from luoshi.reporting.models import HolidayNotice

    return HolidayNotice.objects.filter(date__year=year).exists()


def uncovered_years(years) -> list[int]:
    """The years among `years` that neither the package nor any notice covers."""
    return [y for y in sorted(set(years)) if not package_covers(y) and not year_has_notices(y)]


def is_workday(day: datetime.date) -> bool:
    """Whether `day` is a working day in mainland China, 调休 make-up workdays included."""
    notice = _notice_for(day)
    if notice is not None:
        return notice.is_workday
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if not year_has_notices(day.year):
            _warn_fallback(day.year)
        return day.weekday() < 5


def _warn_fallback(year: int):
    if year not in _warned_years:
        _warned_years.add(year)
        logger.warning(
            "No holiday calendar for %s: counting Monday to Friday as workdays. "
            "Enter the State Council's holiday notice for that year.",
            year,
        )


def previous_workday(day: datetime.date) -> datetime.date:
    while not is_workday(day):
        day -= datetime.timedelta(days=1)
    return day


def next_workday(day: datetime.date) -> datetime.date:
    while not is_workday(day):
        day += datetime.timedelta(days=1)
    return day


def adjust_for_holidays(day: datetime.date, rule: str) -> datetime.date:
    """Move a due day that falls on a non-workday by the plan's rule (keep / previous / next)."""
    if rule == "previous_workday":
        return previous_workday(day)
    if rule == "next_workday":
        return next_workday(day)
    return day


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_day(year: int, month: int, day: int) -> datetime.date:
    """`day` of the month, clipped to its last day (due day 31 in February → 28 or 29)."""
    return datetime.date(year, month, min(day, _calendar.monthrange(year, month)[1]))


MONTHS_PER_PERIOD = {
    Plan.Frequency.MONTHLY: 1,
    Plan.Frequency.QUARTERLY: 3,
    Plan.Frequency.HALF_YEARLY: 6,
    Plan.Frequency.YEARLY: 12,
}


def period_bounds(frequency: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the `frequency` period that contains `day`."""
    months = MONTHS_PER_PERIOD[frequency]
    first_month = (day.month - 1) // months * months + 1
    start = datetime.date(day.year, first_month, 1)
    return start, add_months(start, months) - datetime.timedelta(days=1)


def period_label(frequency: str, start: datetime.date) -> str:
    """2026年11月, 2026年第4季度, 2026年上半年, 2026年度: as Chinese documents write them."""
    if frequency == Plan.Frequency.MONTHLY:
        return f"{start.year}年{start.month}月"
    if frequency == Plan.Frequency.QUARTERLY:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    if frequency == Plan.Frequency.HALF_YEARLY:
        return f"{start.year}年{'上' if start.month <= 6 else '下'}半年"
    return f"{start.year}年度"


def due_date(
    end: datetime.date, due_day: int | None, offset_months: int, holiday_rule: str
) -> datetime.date:
    """The due date of a period ending on `end`.

    Without an offset the due day falls in the period's last month (每月28日前 → the 28th);
    with one it falls `offset_months` later (次月5日前 → the 5th of the next month). Without a
    due day the period is due on its last day (or on the last day of the offset month).
    """
    month = add_months(end, offset_months)
    if due_day:
        day = month_day(month.year, month.month, due_day)
    else:
        day = add_months(month, 1) - datetime.timedelta(days=1)
    return adjust_for_holidays(day, holiday_rule)
