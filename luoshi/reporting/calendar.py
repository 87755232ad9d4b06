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


ONE_DAY = datetime.timedelta(days=1)


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


class Workdays:
    """The working-day calendar of a span of years, its notices read in one query.

    A notice decides first, then chinesecalendar, then Monday–Friday for a year neither covers
    (with a warning). Lights and reminders judge hundreds of days per request: they load the
    years involved once and ask as often as they like.
    """

    def __init__(self, notices: dict[datetime.date, bool]):
        self.notices = notices
        self.noticed_years = {day.year for day in notices}
        self._known: dict[datetime.date, bool] = {}

    @classmethod
    def load(cls, first: datetime.date, last: datetime.date) -> "Workdays":
        """The calendar of the years from `first` to `last`, one year either side (one query)."""
        from luoshi.reporting.models import HolidayNotice

        rows = HolidayNotice.objects.filter(
            date__year__gte=first.year - 1, date__year__lte=last.year + 1
        ).values_list("date", "is_workday")
        return cls(dict(rows))

    def is_workday(self, day: datetime.date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._is_workday(day)
        return known

    def _is_workday(self, day: datetime.date) -> bool:
        if day in self.notices:
            return self.notices[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self.noticed_years:
                _warn_fallback(day.year)
            return day.weekday() < 5

    def between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days d with start < d <= end (negative when end is before start)."""
        if end < start:
            return -self.between(end, start)
        count, day = 0, start + ONE_DAY
        while day <= end:
            count += self.is_workday(day)
            day += ONE_DAY
        return count

    def add(self, day: datetime.date, n: int) -> datetime.date:
        """The n-th working day after `day` (before it when n < 0)."""
        step = ONE_DAY if n >= 0 else -ONE_DAY
        remaining = abs(n)
        while remaining:
            day += step
            remaining -= self.is_workday(day)
        return day

    def previous(self, day: datetime.date) -> datetime.date:
        """`day` if it is a working day, else the last one before it."""
        while not self.is_workday(day):
            day -= ONE_DAY
        return day

    def next(self, day: datetime.date) -> datetime.date:
        """`day` if it is a working day, else the first one after it."""
        while not self.is_workday(day):
            day += ONE_DAY
        return day


def is_workday(day: datetime.date) -> bool:
    """Whether `day` is a working day in mainland China, 调休 make-up workdays included."""
    return Workdays.load(day, day).is_workday(day)


def _warn_fallback(year: int):
    if year not in _warned_years:
        _warned_years.add(year)
        logger.warning(
            "No holiday calendar for %s: counting Monday to Friday as workdays. "
            "Enter the State Council's holiday notice for that year.",
            year,
        )


def adjust_for_holidays(
    day: datetime.date, rule: str, workdays: Workdays | None = None
) -> datetime.date:
    """Move a due day that falls on a non-workday by the plan's rule (keep / previous / next).

    `workdays`: a calendar already loaded (one query for many days); else one is read."""
    if rule not in ("previous_workday", "next_workday"):
        return day
    workdays = workdays or Workdays.load(day, day)
    return workdays.previous(day) if rule == "previous_workday" else workdays.next(day)


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
    end: datetime.date,
    due_day: int | None,
    offset_months: int,
    holiday_rule: str,
    workdays: Workdays | None = None,
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
    return adjust_for_holidays(day, holiday_rule, workdays)
