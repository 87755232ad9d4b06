"""In a real browser: on 2 November the coordinator is asked for next year's holiday notice on
every page, enters the Spring Festival and sees the banner go."""

import pytest
import time_machine
from playwright.sync_api import expect

from luoshi.testing import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@time_machine.travel(at(2026, 11, 2, 10), tick=True)
def test_the_coordinator_enters_next_years_spring_festival_from_the_banner(
    live_server, logged_in_page, coordinator, tracked, artifacts
):
    page = logged_in_page("coordinator", viewport=(1366, 1000))
    banner = page.get_by_role("alert").filter(has_text="2027年节假日安排尚未录入")
    banner.get_by_role("link").click()
    expect(page.get_by_role("heading", name="2027年节假日安排")).to_be_visible()
    expect(page.get_by_text("2027年尚无节假日安排")).to_be_visible()
    page.get_by_label("起", exact=True).fill("2027-02-06")
    page.get_by_label("至（可选）").fill("2027-02-13")
    page.get_by_label("类型").select_option(label="放假（休）")
    page.get_by_label("节日").fill("春节")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存 8 天")).to_be_visible()
    page.get_by_label("起", exact=True).fill("2027-02-20")
    page.get_by_label("类型").select_option(label="调休上班（班）")
    page.get_by_label("节日").fill("春节")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存 1 天")).to_be_visible()
    assert (
        page.locator("td.day-off", has_text="8").first.get_attribute("title") == "2027-02-08 春节"
    )
    expect(page.get_by_role("alert").filter(has_text="2027年节假日安排尚未录入")).to_have_count(0)
    page.screenshot(path=str(artifacts / "reporting-holidays.png"), full_page=True)
    page.get_by_role("button", name="删除 2027-02-20").click()
    expect(page.get_by_text("已从节假日安排中删除 2027-02-20")).to_be_visible()
    assert page.errors == []
