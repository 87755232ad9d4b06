"""In a real browser: log in as the coordinator and read the seed plan."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_logs_in_and_reads_the_seed_plan(logged_in_page, coordinator, artifacts):
    page = logged_in_page("coordinator")
    page.get_by_role("link", name="促进绿色消费重点任务贯彻落实分工方案").click()
    page.wait_for_selector("table.ledger")
    assert page.locator('tr[id^="measure-"]').count() == 77
    assert page.locator('th[scope="rowgroup"]').count() == 18
    assert page.get_by_text("枣发改经贸〔2022〕243号").first.is_visible()
    page.screenshot(path=str(artifacts / "ledger-seed-plan.png"), full_page=False)
    page.get_by_role("link", name="核对").first.click()
    expect(page.get_by_role("button", name="保存")).to_be_visible()
    assert page.errors == []
