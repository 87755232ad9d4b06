"""The dashboards' fixtures: the seed plan tracked from October 2026 (the reporting tests'
fixtures), seen on 20 November 2026, with a few reports through the real services."""

import pytest
import time_machine
from django.core.cache import cache

from luoshi.conftest import department
from luoshi.plans.models import Target
from luoshi.reporting import services
from luoshi.reporting.tests import conftest as reporting_fixtures
from luoshi.reporting.tests.conftest import at
from luoshi.reporting.tests.test_pages_report import fill_in, make_commerce_lead, measure

# The reporting tests' fixtures: the seed plan tracked from October 2026.
tracked = reporting_fixtures.tracked
november = reporting_fixtures.november
commerce_report = reporting_fixtures.commerce_report
transport_head = reporting_fixtures.transport_head
_uploads_in_tmp = reporting_fixtures._uploads_in_tmp


@pytest.fixture(autouse=True)
def _empty_cache():
    """The dashboards' JSON is cached in the process, and test databases reuse ids: each test
    starts with an empty cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _mid_november(request):
    """Frozen on 20 November 2026, except for browser tests (a live server and a real clock)."""
    if request.node.get_closest_marker("browser"):
        yield
        return
    with time_machine.travel(at(2026, 11, 20, 10, 30), tick=False):
        yield


def submit(report, reporter, head, text="本月推进顺利。", actuals=None):
    report = services.start_draft(reporter, report)
    fill_in(reporter, report, text)
    if actuals:
        entry = report.entries.get(measure=measure("十.3"))
        services.save_entry(reporter, entry, {"actuals": actuals}, entry.version)
    services.submit_for_signoff(reporter, report)
    return services.sign_off(head, report)


@pytest.fixture
def target(coordinator, tracked):
    """十.3's target (不超过2000元), owned by 市商务局 (the lead) and confirmed."""
    make_commerce_lead(coordinator, tracked)
    target = measure("十.3").targets.get()
    services.set_target(coordinator, target, owner=department("市商务局"))
    Target.objects.filter(pk=target.pk).update(confirmed=True)
    return target


@pytest.fixture
def reported(coordinator, tracked, target, commerce_reporter, commerce_head, transport_reporter):
    """市商务局 reported October late (accepted) and November on time with an actual of
    1500元 (accepted); 市交通运输局 missed October and has a November draft."""
    october = tracked.periods.get(start__month=10)
    late = submit(
        october.reports.get(organization=commerce_reporter.organization),
        commerce_reporter,
        commerce_head,
        text="十月补报。",
    )
    services.accept(coordinator, late)
    on_time = submit(
        tracked.periods.get(start__month=11).reports.get(
            organization=commerce_reporter.organization
        ),
        commerce_reporter,
        commerce_head,
        text="十一月按时报送。",
        actuals={target.pk: 1500},
    )
    services.accept(coordinator, on_time)
    transport = tracked.periods.get(start__month=11).reports.get(
        organization=transport_reporter.organization
    )
    services.start_draft(transport_reporter, transport)
    return {"late": late, "on_time": on_time}
