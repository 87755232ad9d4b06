"""In a real browser: the portal's month, folded by key task, is short on a phone; its search
box unfolds the tasks whose measures hold the words typed."""

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from luoshi.portal.services import publish
from luoshi.testing import at, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@time_machine.travel(at(2026, 11, 20, 10, 30), tick=True)
def test_a_visitor_searches_the_folded_month(
    live_server, browser, artifacts, reported, coordinator, tracked, november
):
    publish(coordinator, november)
    page = watch(browser.new_context(viewport={"width": 375, "height": 800}).new_page())
    page.goto(live_server.url + reverse("portal:plan", args=[tracked.pk]))
    tasks, measures = page.locator("details.task"), page.locator(".measure:visible")
    assert tasks.count() == 18 and measures.count() == 0  # all folded
    # Unfolded, the month was some 37,000 px on a phone.
    assert page.evaluate("document.documentElement.scrollHeight") < 5000

    search = page.get_by_label("搜索推进措施（措施内容、责任单位或进展情况中的字词）")
    search.fill("十、3.")  # the seed's 十、 and 3、, as the portal numbers them
    expect(measures).to_have_count(1)
    expect(measures.first).to_contain_text("十、3.", use_inner_text=True)
    expect(page.locator("details.task[open]")).to_have_count(1)
    expect(page.locator("details.task:visible")).to_have_count(1)
    summary = page.locator("[data-search-summary]")
    expect(summary).to_have_text("找到的推进措施： 1", use_inner_text=True)
    page.screenshot(path=str(artifacts / "portal-month-search.png"), full_page=True)

    # 市商务局 reported November (accepted): its progress text is found too.
    search.fill("十一月按时报送")
    expect(measures.filter(has_not_text="十一月按时报送")).to_have_count(0)
    expect(measures).not_to_have_count(0)
    assert all("十一月按时报送" in text for text in measures.all_inner_texts())

    search.fill("没有这样的措施")
    expect(measures).to_have_count(0)
    expect(summary).to_have_text("没有符合的推进措施。", use_inner_text=True)

    search.fill("")
    expect(page.locator("details.task:visible")).to_have_count(18)
    expect(page.locator("details.task[open]")).to_have_count(0)
    assert page.errors == []
