"""Fixtures of the documents tests: the seed plan tracked from October 2026 with two months of
realistic reports (luoshi.reporting.builder), seen on 5 December 2026."""

import datetime

import pytest
import time_machine

from luoshi.conftest import make_user

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
TODAY = datetime.date(2026, 12, 5)


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def today():
    with time_machine.travel(at(2026, 12, 5, 10, 0), tick=False):
        yield TODAY


@pytest.fixture
def tracked(settings, seed_plan, today):
    """The seed plan's periods from October 2026 (October and November due by 5 December)."""
    from luoshi.reporting.services import ensure_periods

    settings.REPORTING_TRACKING_START = "2026-10-01"
    settings.REPORTING_PERIODS_AHEAD = 1
    ensure_periods(seed_plan, TODAY)
    return seed_plan


@pytest.fixture
def reported(tracked):
    """October and November filled by the builder: on time, late, missing, returned, accepted."""
    from luoshi.reporting.builder import build_reports

    build_reports(tracked, datetime.date(2026, 10, 1), datetime.date(2026, 11, 30), today=TODAY)
    return tracked


@pytest.fixture
def october(tracked):
    return tracked.periods.get(start=datetime.date(2026, 10, 1))


@pytest.fixture
def december(tracked):
    return tracked.periods.get(start=datetime.date(2026, 12, 1))


@pytest.fixture
def commerce_december(december):
    from luoshi.conftest import department

    return december.reports.get(organization=department("市商务局"))


@pytest.fixture
def transport_head(seed_plan):
    from luoshi.conftest import department

    return make_user("transport_head", "approver", department("市交通运输局"))
