"""In a real browser: the coordinator sets the region's default score sheet from a plan's
ranking and sees the ranking follow it."""

import pytest
import time_machine
from playwright.sync_api import expect

from luoshi.testing import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@time_machine.travel(at(2026, 11, 2, 10), tick=True)
def test_the_coordinator_sets_the_regions_default_score_sheet(
    live_server, logged_in_page, coordinator, tracked, artifacts
):
    page = logged_in_page("coordinator")
    page.goto(f"{live_server.url}/supervision/plans/{tracked.pk}/scores/?year=2026")
    expect(page.get_by_text("本方案使用本地区默认评分表")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="本地区默认评分表").click()
    expect(page.get_by_role("heading", name="本地区默认评分表 · 枣庄市")).to_be_visible()
    page.get_by_label("每次未报扣分").fill("25")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("评分标准已保存")).to_be_visible()
    page.screenshot(path=str(artifacts / "supervision-region-scores.png"), full_page=True)
    page.get_by_role("link", name="报送及时率通报").first.click()
    row = page.get_by_role("row").filter(has_text="市商务局")
    expect(row.get_by_role("cell").last).to_have_text("75")
    assert page.errors == []
