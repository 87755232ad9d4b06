"""In a real browser: a plan imported before schedules came with the import (here the seed, with
no schedule) says 本方案尚未生成报送期; the coordinator follows the link and starts tracking it."""

import pytest
import time_machine

from luoshi.testing import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# Friday 20 November 2026.
@time_machine.travel(at(2026, 11, 20, 10, 30), tick=True)
def test_an_untracked_plan_gets_its_schedule_from_the_matrix(
    live_server, logged_in_page, coordinator, seed_plan, artifacts, settings
):
    from playwright.sync_api import expect

    settings.REPORTING_PERIODS_AHEAD = 1
    page = logged_in_page("coordinator", locale="zh-CN")
    page.goto(f"{live_server.url}/reporting/plans/{seed_plan.pk}/")
    expect(page.get_by_text("本方案尚未生成报送期")).to_be_visible()
    page.get_by_role("link", name="设置报送安排").click()
    expect(page.get_by_text("本方案尚未开始跟踪")).to_be_visible()
    expect(page.get_by_label("报送日", exact=True)).to_have_value("28")
    page.screenshot(path=str(artifacts / "schedule-untracked.png"), full_page=True)

    page.get_by_label("报送起始月份").fill("2026-11")
    page.get_by_label("报送日遇节假日").select_option(label="提前到前一个工作日")
    page.get_by_role("button", name="保存报送安排").click()
    expect(page.get_by_text("本方案的报送安排已保存。")).to_be_visible()
    # 28 November 2026 is a Saturday: due on Friday the 27th; 28 December is a Monday.
    rows = page.locator("table tbody tr")
    expect(rows).to_have_text(["2026年11月2026-11-27", "2026年12月2026-12-28"])
    page.screenshot(path=str(artifacts / "schedule-saved.png"), full_page=True)
    page.get_by_role("link", name="报送情况").click()
    expect(page.locator("table.matrix")).to_contain_text("2026年11月")
    assert page.errors == []
