"""The one clock: what "now" and "today" are for luoshi, today in Asia/Shanghai.

Every view, service, query, template tag and command asks this module, never
`django.utils.timezone.now()`, `timezone.localdate()`, `date.today()` or `datetime.now()`
(ruff's banned-API rule TID251 in pyproject.toml keeps it so). Tests move time with
time-machine, which patches the process's time, the live server's thread included.

The data builder replays months of history through the real services (in the demo too, where
time-machine, a test dependency, is not installed) by freezing this clock for one step at a
time with `frozen()`: a context variable, so it never leaks between requests or threads.
"""

import contextvars
import datetime
from contextlib import contextmanager

from django.utils import timezone

_frozen: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar(
    "luoshi_clock", default=None
)


def now() -> datetime.datetime:
    """The current moment (aware)."""
    return _frozen.get() or timezone.now()


def today() -> datetime.date:
    """Today in Asia/Shanghai (the project's time zone)."""
    return timezone.localdate(now())


def local_date(moment: datetime.datetime) -> datetime.date:
    """The day `moment` (aware) falls on in Asia/Shanghai."""
    return timezone.localdate(moment)


@contextmanager
def frozen(moment: datetime.datetime):
    """Act at `moment` (aware) inside the block."""
    if timezone.is_naive(moment):
        raise ValueError("the clock needs an aware datetime")
    token = _frozen.set(moment)
    try:
        yield moment
    finally:
        _frozen.reset(token)


# The years a date typed into a page may name: anything outside cannot be a report's day, and a
# day at either end of the calendar cannot even be turned into an aware moment.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def parse_day(value: str) -> datetime.date:
    """The ISO date `value` (YYYY-MM-DD) between FIRST_YEAR and LAST_YEAR; ValueError if not."""
    day = datetime.date.fromisoformat(value.strip())
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{value!r} is outside {FIRST_YEAR}–{LAST_YEAR}")
    return day
