"""Working days for many dates at once: the reporting calendar, with its notices loaded once.

`luoshi.reporting.calendar.is_workday` reads the HolidayNotice table for every day it is asked
about. Lights and reminders judge hundreds of days per request, so `Workdays` loads the notices
of the years involved in one query and then answers exactly as the reporting calendar does
(notice first, then chinesecalendar, then Monday–Friday for years neither covers).
"""

import datetime

import chinese_calendar

from luoshi.reporting import calendar

ONE_DAY = datetime.timedelta(days=1)


class Workdays:
    def __init__(self, notices: dict[datetime.date, bool]):
        self.notices = notices
        self.noticed_years = {day.year for day in notices}
        self._known: dict[datetime.date, bool] = {}

    @classmethod
    def load(cls, first: datetime.date, last: datetime.date) -> "Workdays":
        """The calendar of the years from `first` to `last` (one query)."""
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
                calendar._warn_fallback(day.year)
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
