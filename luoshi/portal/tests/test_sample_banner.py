"""Every portal period of sample data carries the 示例数据 banner, whoever publishes it: the
reports shown decide, not who pressed the button (October, published by the coordinator
after the demo had published November, showed none)."""

import pytest
from django.urls import reverse

from luoshi.portal.models import Publication
from luoshi.reporting import services
from luoshi.testing import department, file_report, month

pytestmark = pytest.mark.usefixtures("mid_november")

BANNER = "<strong>示例数据</strong>：以下报告为演示生成的数据，不是真实工作进展。"


def _accepted(tracked, year_month, reporter, head, coordinator, text):
    report = month(tracked, *year_month).reports.get(organization=department("市商务局"))
    services.accept(coordinator, file_report(report, reporter, head, text=text))


def _public_page(client, period) -> str:
    publication = Publication.objects.get(period=period, withdrawn_at__isnull=True)
    return client.get(reverse("portal:publication", args=[publication.pk])).content.decode()


def test_each_period_of_sample_reports_carries_the_banner(
    client_for, coordinator, commerce_reporter, commerce_head, tracked
):
    for year_month, text in [((2026, 10), "十月补报。"), ((2026, 11), "十一月按时报送。")]:
        _accepted(
            tracked,
            year_month,
            commerce_reporter,
            commerce_head,
            coordinator,
            "【示例数据】" + text,
        )
    client = client_for(coordinator)
    for year_month in [(2026, 11), (2026, 10)]:  # the demo's month first, then an older one
        period = month(tracked, *year_month)
        preview = client.get(reverse("portal:preview", args=[tracked.pk, period.pk]))
        assert BANNER in preview.content.decode()
        client.post(reverse("portal:publish", args=[tracked.pk, period.pk]))
    visitor = client_for(None)
    for year_month in [(2026, 10), (2026, 11)]:
        assert BANNER in _public_page(visitor, month(tracked, *year_month))


def test_real_reports_carry_no_banner(client_for, coordinator, reported, tracked):
    client_for(coordinator).post(
        reverse("portal:publish", args=[tracked.pk, month(tracked, 2026, 10).pk])
    )
    page = _public_page(client_for(None), month(tracked, 2026, 10))
    assert "十月补报。" in page and "示例数据" not in page
