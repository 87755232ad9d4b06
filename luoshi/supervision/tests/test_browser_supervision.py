"""In a real browser: the coordinator chases the late departments; the reporter sees it."""

import re

import pytest
import time_machine
from playwright.sync_api import expect

from luoshi.testing import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# 2 November: October's reports (due 28 October) are late, November's are not yet due.
@time_machine.travel(at(2026, 11, 2, 10), tick=True)
def test_the_coordinator_chases_and_the_reporter_sees_the_notice(
    live_server, logged_in_page, coordinator, commerce_reporter, tracked, artifacts
):
    page = logged_in_page("coordinator")
    page.goto(f"{live_server.url}/supervision/plans/{tracked.pk}/chase/")
    assert page.get_by_role("heading", name="催办逾期单位").is_visible()
    boxes = page.locator('input[name="reports"]')
    assert boxes.count() >= 30
    assert page.get_by_label("市商务局 · 2026年10月").is_checked()
    # "Select all / none" twice leaves every department selected.
    page.get_by_role("button", name="全选/全不选").click()
    expect(page.get_by_label("市商务局 · 2026年10月")).not_to_be_checked()
    page.get_by_role("button", name="全选/全不选").click()
    page.get_by_label("催办内容（可修改）").fill("请于本周五前补报10月进展情况。")
    page.screenshot(path=str(artifacts / "supervision-chase.png"), full_page=False)
    page.get_by_role("button", name="一键催办所选单位").click()
    expect(page.get_by_text("已催办")).to_be_visible()
    assert page.locator("text=市商务局 · 2026年10月").count() >= 1
    assert page.errors == []

    page = logged_in_page("commerce_reporter")
    # The bell's badge comes by htmx once the page has loaded.
    badge = page.locator("#supervision-bell [data-unread]")
    expect(badge).to_have_text(re.compile(r"^1"), use_inner_text=True)
    page.locator("#supervision-bell").click()
    expect(page.locator("#unread-count")).to_have_text("1 条未读", use_inner_text=True)
    note = page.locator(".notification-body").first
    assert note.inner_text() == "【催办】市商务局：2026年10月。请于本周五前补报10月进展情况。"
    page.screenshot(path=str(artifacts / "supervision-bell-reporter.png"), full_page=False)
    page.get_by_role("button", name="全部标为已读").click()
    expect(page.locator("#unread-count")).to_have_text("0 条未读", use_inner_text=True)
    assert page.errors == []


def test_a_red_notice_is_issued_printed_and_acknowledged(
    live_server, logged_in_page, coordinator, commerce_head, tracked, artifacts
):
    page = logged_in_page("coordinator", viewport=(1200, 1000))
    page.goto(f"{live_server.url}/supervision/plans/{tracked.pk}/notices/new/")
    page.get_by_label("部门", exact=True).select_option(label="市商务局")
    page.get_by_label("颜色").select_option("red")
    page.get_by_label("督办事项").fill("关于10月进展情况逾期未报送的督办")
    page.get_by_label("督办内容").fill("你单位2026年10月进展情况逾期未报送，请抓紧报送并说明原因。")
    page.get_by_label("反馈期限").fill("2099-12-31")
    page.get_by_role("button", name="签发").click()
    expect(page.get_by_text("督办单已签发")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    page.screenshot(path=str(artifacts / "supervision-notice-print.png"), full_page=True)
    page.emulate_media(media="screen")

    page = logged_in_page("commerce_head", viewport=(1200, 1000))
    page.goto(f"{live_server.url}/supervision/notices/")
    page.get_by_role("link", name="督办〔").first.click()
    page.get_by_label("落实情况或整改措施").fill("已于当日补报，今后按时报送。")
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_text("已于当日补报，今后按时报送。")).to_be_visible()
    page.screenshot(path=str(artifacts / "supervision-notice-acknowledged.png"), full_page=True)


@time_machine.travel(at(2026, 11, 2, 10), tick=True)
def test_a_late_report_of_the_chase_page_opens_a_filled_notice(
    live_server, logged_in_page, coordinator, commerce_head, tracked, artifacts
):
    page = logged_in_page("coordinator", viewport=(1366, 1000))
    page.goto(f"{live_server.url}/supervision/plans/{tracked.pk}/chase/")
    row = page.locator("#late-reports tr", has_text="市商务局").filter(has_text="2026年10月")
    row.get_by_role("link", name="开具督办单").click()
    page.wait_for_url(f"**/supervision/plans/{tracked.pk}/notices/new/?*")
    assert page.get_by_label("部门", exact=True).evaluate("s => s.selectedOptions[0].text") == (
        "市商务局"
    )
    assert page.get_by_label("颜色").input_value() == "red"
    assert page.get_by_label("督办事项").input_value() == "关于2026年10月进展情况逾期未报送的督办"
    page.get_by_label("反馈期限").fill("2026-11-09")
    page.screenshot(path=str(artifacts / "supervision-notice-from-chase.png"), full_page=True)
    page.get_by_role("button", name="签发").click()
    expect(page.get_by_text("督办单已签发")).to_be_visible()
    assert page.errors == []
