"""In a real browser: the coordinator finds last month's consolidated report, sees its figures
and downloads the Word document."""

import datetime
import io

import pytest
from docx import Document

from luoshi.lib import clock
from luoshi.testing import track

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def last_month(seed_plan, settings):
    """The seed plan tracked from two months ago, with the builder's reports: real time."""
    from luoshi.reporting.builder import build_reports

    today = clock.today()
    start = (today.replace(day=1) - datetime.timedelta(days=32)).replace(day=1)
    track(seed_plan, settings, start, ahead=2)
    build_reports(seed_plan, start, today, today=today)
    return seed_plan.periods.filter(due_date__lt=today).order_by("-start").first()


def test_coordinator_downloads_the_consolidated_report(
    logged_in_page, artifacts, coordinator, last_month
):
    page = logged_in_page("coordinator", next="/documents/", accept_downloads=True)
    page.wait_for_url("**/documents/")
    page.get_by_role("link", name="汇总报告与台账").click()
    row = page.locator("li", has_text=last_month.label)
    row.get_by_role("link", name="汇总报告").click()
    page.wait_for_selector("[data-figure=due]")
    due = page.locator("[data-figure=due]").inner_text()
    assert due == str(last_month.reports.count())
    page.get_by_label("同时纳入已报送但尚未确认的报告").check()
    page.get_by_role("button", name="应用").click()
    page.wait_for_url("**include_submitted=on**")
    page.screenshot(path=str(artifacts / "documents-report-page.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Word（.docx）").click()
    document = Document(io.BytesIO(download.value.path().read_bytes()))
    title = f"关于《促进绿色消费重点任务贯彻落实分工方案》{last_month.label}落实情况的报告"
    assert title in [p.text for p in document.paragraphs]
    assert download.value.suggested_filename.endswith(".docx")
    assert page.errors == []
