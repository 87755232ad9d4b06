import pytest
from django.core.cache import cache

from luoshi.insights.tests import conftest as insights_fixtures

# The dashboards' fixtures: the seed plan tracked from October 2026, seen on 20 November, with
# 市商务局's reports accepted.
tracked = insights_fixtures.tracked
november = insights_fixtures.november
commerce_report = insights_fixtures.commerce_report
transport_head = insights_fixtures.transport_head
target = insights_fixtures.target
reported = insights_fixtures.reported
_mid_november = insights_fixtures._mid_november
_uploads_in_tmp = insights_fixtures._uploads_in_tmp
submit = insights_fixtures.submit


@pytest.fixture(autouse=True)
def _empty_cache():
    """The portal caches its pages; every test starts without them."""
    cache.clear()
    yield
    cache.clear()
