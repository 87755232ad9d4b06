"""The time the reporting services act at.

Normally the real time. The data builder replays months of history through the real services
(in the demo too, where time-machine, a test dependency, is not installed) by freezing this
clock for one step at a time. A context variable, so it never leaks between requests or
threads.
"""

import contextvars
import datetime
from contextlib import contextmanager

from django.utils import timezone

_frozen: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar(
    "reporting_clock", default=None
)


def now() -> datetime.datetime:
    return _frozen.get() or timezone.now()


def today() -> datetime.date:
    """Today in Asia/Shanghai (the project's time zone)."""
    return timezone.localdate(now())


@contextmanager
def frozen(moment: datetime.datetime):
    """Act at `moment` (aware) inside the block."""
    if timezone.is_naive(moment):
        raise ValueError("the reporting clock needs an aware datetime")
    token = _frozen.set(moment)
    try:
        yield moment
    finally:
        _frozen.reset(token)
