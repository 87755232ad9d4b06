"""Fixtures of the documents tests: the seed plan tracked from October 2026 with two months of
realistic reports (luoshi.reporting.builder), seen on 5 December 2026.

`tracked` and `reported` stand in for the root conftest's here (the root `october`, `november`
and `december` then are this plan's): the documents report on months already due.
"""

import datetime

import pytest
import time_machine

from luoshi.testing import at, department, track

TODAY = datetime.date(2026, 12, 5)


@pytest.fixture
def today():
    with time_machine.travel(at(2026, 12, 5, 10, 0), tick=False):
        yield TODAY


@pytest.fixture
def tracked(settings, seed_plan, today):
    """The seed plan's periods from October 2026 (October and November due by 5 December)."""
    return track(seed_plan, settings, datetime.date(2026, 10, 1))


@pytest.fixture
def reported(tracked):
    """October and November filled by the builder: on time, late, missing, returned, accepted."""
    from luoshi.reporting.builder import build_reports

    build_reports(tracked, datetime.date(2026, 10, 1), datetime.date(2026, 11, 30), today=TODAY)
    return tracked


@pytest.fixture
def commerce_december(december):
    return december.reports.get(organization=department("市商务局"))
