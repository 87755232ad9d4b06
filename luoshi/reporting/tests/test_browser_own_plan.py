"""In a real browser: a coordinator's own plan (not the seed) from its .docx to the consolidated
report. Uploaded through 导入方案, confirmed with a tracking start, its matrix shows December's
period at once; 市商务局 reports, its head signs off, the coordinator accepts, 市商务局 asks to
close (销号) the measure it alone leads and the coordinator agrees, and the consolidated report
carries the text. Each step is a function of the walk."""

import io

import pytest
import time_machine
from docx import Document

from luoshi.reporting.models import Report
from luoshi.testing import at, department, make_user, night_plan_docx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRESS = "已建成南湖夜市特色街区，新增夜间经营摊位120个。"


@pytest.fixture
def commerce(office):
    """市商务局's reporter and head: the plan's first department."""
    unit = department("市商务局")
    return make_user("night_reporter", "reporter", unit), make_user("night_head", "approver", unit)


def import_and_go_live(logged_in_page, live_server, tmp_path, artifacts):
    """The coordinator uploads the plan, picks December 2026 and confirms: the matrix shows
    the December period with its expected reports at once."""
    from playwright.sync_api import expect

    document = tmp_path / "夜间经济提振行动分工方案.docx"
    document.write_bytes(night_plan_docx())
    page = logged_in_page("coordinator", viewport=(1440, 1000), locale="zh-CN")
    page.get_by_role("link", name="导入方案").click()
    page.get_by_label("方案文件").set_input_files(str(document))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_selector("text=文件原文")
    start = page.get_by_label("报送起始月份")
    expect(start).to_have_value("2026-12")  # the month of the import, not of issue (2022)
    start.fill("2026-12")
    page.screenshot(path=str(artifacts / "own-plan-1-preview.png"))
    page.locator("#go-live").screenshot(path=str(artifacts / "own-plan-1-go-live.png"))
    page.get_by_role("button", name="确认导入并启用方案").click()
    expect(page.get_by_text("方案已正式上线")).to_be_visible()

    page.get_by_role("link", name="报送情况").first.click()
    page.wait_for_selector("table.matrix")
    matrix = page.locator("table.matrix")
    expect(matrix).to_contain_text("2026年12月")
    expect(matrix).to_contain_text("市商务局")
    expect(matrix).to_contain_text("市交通运输局")
    page.screenshot(path=str(artifacts / "own-plan-2-matrix.png"))

    page.get_by_role("link", name="报送安排").click()
    expect(page.get_by_label("报送日", exact=True)).to_have_value("25")
    expect(page.locator("table")).to_contain_text("2026-12-25")
    page.screenshot(path=str(artifacts / "own-plan-3-schedule.png"), full_page=True)
    assert page.errors == []


def report_and_sign_off(logged_in_page, live_server, report, reporter, head):
    """市商务局 writes December's report; its head signs it off."""
    page = logged_in_page(reporter.username, next="/reporting/")
    page.locator(f'a[href="/reporting/reports/{report.pk}/"]').first.click()
    page.get_by_role("button", name="开始填报").click()
    page.wait_for_selector("form[data-backup-key]")
    forms = page.locator("form[data-backup-key]")
    assert forms.count() == 3  # 一.1, 一.2 and 二.2 name 市商务局
    forms.nth(0).get_by_label("进展情况").fill(PROGRESS)
    for index in range(1, forms.count()):
        forms.nth(index).get_by_label("进展情况").fill("正在推进。")
    for index in range(forms.count()):
        page.locator(".save-state").nth(index).filter(has_text="已保存").wait_for()
    page.get_by_role("button", name="提交部门负责人审核签发").first.click()
    page.get_by_text("已提交部门负责人审核签发。").wait_for()
    assert page.errors == []

    page = logged_in_page(head.username, next="/reporting/")
    page.goto(f"{live_server.url}/reporting/reports/{report.pk}/")
    page.get_by_role("button", name="签发并报送市发展改革委").click()
    page.get_by_text("已签发并按时报送").wait_for()
    assert page.errors == []


def accept(logged_in_page, live_server, plan, report, artifacts):
    """The coordinator finds the report in the review queue and accepts it."""
    page = logged_in_page("coordinator")
    page.goto(f"{live_server.url}/reporting/plans/{plan.pk}/queue/")
    page.get_by_role("link", name="审核", exact=True).first.click()
    page.wait_for_url(f"**/reporting/reports/{report.pk}/")
    page.get_by_role("button", name="验收通过").click()
    page.get_by_text("报告已验收。").wait_for()
    page.screenshot(path=str(artifacts / "own-plan-4-accepted.png"))
    assert page.errors == []


def close_a_measure(logged_in_page, live_server, plan, reporter, artifacts):
    """市商务局, the only department of 一.1, asks to close it (销号); the coordinator agrees."""
    page = logged_in_page(reporter.username, next="/reporting/")
    page.locator("tr", has_text="一、1.").get_by_role("link", name="申请销号").click()
    page.get_by_label("完成情况及佐证").fill("3条夜间特色街区已建成开放，验收意见见附件。")
    page.get_by_role("button", name="提交销号申请").click()
    page.get_by_text("销号申请已提交统筹单位。").wait_for()
    assert page.errors == []

    page = logged_in_page("coordinator")
    page.goto(f"{live_server.url}/reporting/plans/{plan.pk}/closures/")
    card = page.locator("section.card", has_text="一、1.")
    card.get_by_label("对销号申请的意见").fill("同意销号。")
    card.get_by_role("button", name="同意销号").click()
    page.get_by_text("措施一、1.已销号（已办结）。").wait_for()
    page.screenshot(path=str(artifacts / "own-plan-5-closed.png"), full_page=True)
    assert page.errors == []


def download_consolidated_report(logged_in_page, live_server, plan, period) -> Document:
    """The coordinator downloads December's consolidated report from the plan's documents."""
    page = logged_in_page("coordinator", accept_downloads=True)
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.get_by_role("link", name="汇总报告", exact=True).click()
    row = page.locator("li", has_text=period.label)
    row.get_by_role("link", name="汇总报告").click()
    page.wait_for_selector("[data-figure=due]")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Word（.docx）").click()
    assert page.errors == []
    return Document(io.BytesIO(download.value.path().read_bytes()))


def text_of(document: Document) -> str:
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


# Thursday 10 December 2026: December's reports are due on Friday the 25th.
@time_machine.travel(at(2026, 12, 10, 10), tick=True)
def test_a_plan_of_our_own_from_upload_to_the_consolidated_report(
    live_server, logged_in_page, office, commerce, tmp_path, artifacts, settings
):
    from luoshi.plans.models import Plan

    settings.REPORTING_TRACKING_START = ""
    reporter, head = commerce
    import_and_go_live(logged_in_page, live_server, tmp_path, artifacts)
    plan = Plan.objects.get(doc_number="枣发改服务〔2022〕88号")
    period = plan.periods.get(label="2026年12月")
    report = period.reports.get(organization=reporter.organization)

    report_and_sign_off(logged_in_page, live_server, report, reporter, head)
    accept(logged_in_page, live_server, plan, report, artifacts)
    report.refresh_from_db()
    assert report.status == Report.Status.ACCEPTED and not report.late

    close_a_measure(logged_in_page, live_server, plan, reporter, artifacts)
    closed = plan.key_tasks.get(no=1).measures.get(no=1)
    assert closed.closed_at is not None

    document = download_consolidated_report(logged_in_page, live_server, plan, period)
    text = text_of(document)
    assert "关于《枣庄市夜间经济提振行动分工方案》2026年12月落实情况的报告" in text
    assert PROGRESS in text
