"""Fixtures of the reporting tests, beside the root ones (the tracked plan, its months, the
personas): 市商务局's November draft, and a reporter of the coordinating office."""

import pytest

from luoshi.testing import make_user


@pytest.fixture
def draft(commerce_leads, commerce_report, commerce_reporter):
    """市商务局's November report started (市商务局 leading 一.2 and 十.3), nothing written yet."""
    from luoshi.reporting import services

    return services.start_draft(commerce_reporter, commerce_report)


@pytest.fixture
def ndrc_reporter(seed_plan):
    """A reporter of the coordinating office, which is itself a responsible department."""
    return make_user("ndrc_reporter", "reporter", seed_plan.coordinator)
