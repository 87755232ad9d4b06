"""Fixtures of the reporting tests: the seed plan tracked from October 2026, at a fixed time."""

import datetime

import pytest
import time_machine

from luoshi.conftest import make_user
from luoshi.lib import clock

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(*args) -> datetime.datetime:
    """An aware Asia/Shanghai datetime."""
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def tracked(settings, seed_plan):
    """The seed plan's periods and expected reports from October 2026, generated on 1 Nov."""
    from luoshi.reporting.services import ensure_periods

    settings.REPORTING_TRACKING_START = "2026-10-01"
    settings.REPORTING_PERIODS_AHEAD = 1
    with time_machine.travel(at(2026, 11, 1, 9, 0), tick=False):
        ensure_periods(seed_plan, clock.today())
    return seed_plan


@pytest.fixture
def november(tracked):
    return tracked.periods.get(start=datetime.date(2026, 11, 1))


@pytest.fixture
def commerce_report(november):
    from luoshi.conftest import department

    return november.reports.get(organization=department("市商务局"))


@pytest.fixture
def transport_head(seed_plan):
    from luoshi.conftest import department

    return make_user("transport_head", "approver", department("市交通运输局"))


@pytest.fixture
def ndrc_reporter(seed_plan):
    """A reporter of the coordinating office, which is itself a responsible department."""
    return make_user("ndrc_reporter", "reporter", seed_plan.coordinator)


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
