"""In a real browser: a month's report from the reporter's first keystroke to the coordinator's
acceptance, and the text typed while the session had expired coming back after logging in."""

import datetime

import pytest
from playwright.sync_api import expect

from luoshi.audit.models import AuditRecord
from luoshi.lib import clock
from luoshi.reporting.models import Report
from luoshi.testing import PDF, department, file_report, fill_login_form, make_user, track, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def this_month(seed_plan, settings):
    """The seed plan tracked from last month: the report of this month is the one to fill."""
    today = clock.today()
    start = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    track(seed_plan, settings, start, ahead=2)
    period = seed_plan.periods.get(start__lte=today, end__gte=today)
    return period.reports.get(organization=department("市妇联"))


@pytest.fixture
def women(seed_plan):
    """市妇联 answers for two measures; 十七、4. has a target (命名200户“绿色家庭”)."""
    unit = department("市妇联")
    return make_user("women_reporter", "reporter", unit), make_user("women_head", "approver", unit)


def test_a_report_is_filled_signed_off_and_accepted(
    live_server, logged_in_page, artifacts, this_month, women, coordinator
):
    reporter, head = women
    report_path = f"/reporting/reports/{this_month.pk}/"

    # The reporter opens this month's report from the landing page and starts it.
    page = logged_in_page(reporter.username, next="/reporting/")
    page.screenshot(path=str(artifacts / "reporting-0-my-reports.png"), full_page=False)
    page.locator(f'a[href="{report_path}"]').first.click()
    page.get_by_role("button", name="开始填报").click()
    page.wait_for_selector("form[data-backup-key]")
    forms = page.locator("form[data-backup-key]")
    assert forms.count() == this_month.entries.count() > 1

    # Typing saves by itself.
    for index in range(forms.count()):
        text = f"第{index + 1}项：已组织开展“绿色家庭”创建宣传活动3场，覆盖社区群众1200余人。"
        forms.nth(index).get_by_label("进展情况").fill(text)
    page.locator(".save-state").nth(0).filter(has_text="已保存").wait_for()
    card = page.locator("section.entry", has_text="十七、4.")
    second = card.locator("form[data-backup-key]")
    second.get_by_label("进展情况").fill("本月命名“绿色家庭”210户，已完成年度目标。")
    second.get_by_label("状态").select_option("behind")
    reason = second.get_by_label("滞后原因（必填）")
    reason.wait_for(state="visible")
    reason.fill("部分区（市）推荐材料报送较晚。")
    second.get_by_label("实际完成值").fill("210")
    second.get_by_label("存在问题").fill("基层宣传力量不足。")
    card.locator(".save-state").filter(has_text="已保存").wait_for()

    # Evidence: choosing the file uploads it.
    card.locator('input[type="file"]').set_input_files(
        {"name": "绿色家庭命名文件.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    card.get_by_role("link", name="绿色家庭命名文件.pdf").wait_for()
    page.screenshot(path=str(artifacts / "reporting-1-reporter-form.png"), full_page=True)
    card.screenshot(path=str(artifacts / "reporting-1-entry-autosaved.png"))

    # Typed a second before submitting: the submit waits for that save.
    second.get_by_label("下步计划").fill("12月底前完成复核并公示。")
    page.get_by_role("button", name="提交部门负责人审核签发").first.dblclick()
    page.get_by_text("已提交部门负责人审核签发。").wait_for()
    assert page.locator("form[data-backup-key]").count() == 0
    assert page.errors == []

    # The head signs it off; the page says whether that is on time.
    page = logged_in_page(head.username, next="/reporting/")
    page.goto(live_server.url + report_path)
    on_time = clock.today() <= this_month.period.due_date
    assert page.get_by_text("今天报送属按时" if on_time else "今天报送属逾期").is_visible()
    page.screenshot(path=str(artifacts / "reporting-2-head-sign-off.png"), full_page=False)
    page.get_by_role("button", name="签发并报送市发展改革委").dblclick()
    page.get_by_text("已签发并按时报送" if on_time else "属逾期报送").wait_for()
    assert page.errors == []

    # The coordinator finds it in the matrix and the queue, and accepts it.
    page = logged_in_page(coordinator.username, next="/reporting/")
    page.screenshot(path=str(artifacts / "reporting-3-coordinator-plans.png"), full_page=False)
    page.get_by_role("link", name="报送情况").first.click()
    page.wait_for_selector("table.matrix")
    page.screenshot(path=str(artifacts / "reporting-3-coordinator-matrix.png"), full_page=False)
    page.get_by_role("link", name="待审核").first.click()
    page.wait_for_selector('input[name="reports"]')
    page.screenshot(path=str(artifacts / "reporting-3-coordinator-queue.png"), full_page=False)
    page.get_by_role("link", name="审核", exact=True).first.click()
    page.wait_for_url(f"**{report_path}")
    page.get_by_role("button", name="验收通过").click()
    page.get_by_text("报告已验收。").wait_for()
    assert page.get_by_text("统筹单位已验收，本报告只读。").is_visible()
    page.screenshot(path=str(artifacts / "reporting-4-accepted.png"), full_page=True)
    page.get_by_role("link", name="十七、4.").click()
    page.get_by_text("本月命名“绿色家庭”210户，已完成年度目标。").wait_for()
    page.screenshot(path=str(artifacts / "reporting-4-measure.png"), full_page=False)
    assert page.errors == []

    this_month.refresh_from_db()
    assert this_month.status == Report.Status.ACCEPTED
    # The double clicks acted once each.
    actions = AuditRecord.objects.filter(object_id=str(this_month.pk)).values_list("action")
    assert sorted(a for (a,) in actions if a != "change") == [
        "accept",
        "sign off",
        "start draft",
        "submit for sign-off",
    ]
    entry = this_month.entries.get(measure__no=4, measure__key_task__label="十七、")
    assert entry.behind_reason == "部分区（市）推荐材料报送较晚。"
    assert entry.next_steps == "12月底前完成复核并公示。"
    assert entry.actuals.get().value == 210
    assert entry.attachments.get().original_name == "绿色家庭命名文件.pdf"


def test_text_typed_after_the_session_expired_is_kept_and_saved_after_logging_in(
    live_server, logged_in_page, artifacts, this_month, women
):
    reporter, _head = women
    page = logged_in_page(reporter.username, next="/reporting/")
    page.goto(live_server.url + f"/reporting/reports/{this_month.pk}/")
    page.get_by_role("button", name="开始填报").click()
    progress = page.locator("form[data-backup-key]").nth(0).get_by_label("进展情况")
    progress.fill("登录前写的一句。")
    page.locator(".save-state").nth(0).filter(has_text="已保存").wait_for()

    # The session ends (as after hours away): the next save says so and keeps the text.
    page.context.clear_cookies(name="sessionid")
    progress.fill("登录过期后写的重要内容，不能丢。")
    banner = page.locator("#session-expired")
    banner.wait_for(state="visible")
    assert "登录已过期" in banner.inner_text()
    # The banner shows on the 401's HX-Trigger header; the entry's state is written after it.
    expect(page.locator(".save-state").nth(0)).to_contain_text("请重新登录", use_inner_text=True)
    page.screenshot(path=str(artifacts / "reporting-5-session-expired.png"), full_page=False)

    # Logging in again brings the user back to the report; the text is restored and saved.
    banner.get_by_role("link", name="重新登录").click()
    fill_login_form(page, reporter.username)
    page.wait_for_url(f"**/reporting/reports/{this_month.pk}/")
    page.locator(".save-state").nth(0).filter(has_text="已保存").wait_for()
    assert progress.input_value() == "登录过期后写的重要内容，不能丢。"
    entry = this_month.entries.order_by("measure__key_task__no", "measure__no").first()
    assert entry.progress == "登录过期后写的重要内容，不能丢。"
    assert page.evaluate("Object.keys(localStorage).length") == 0
    # Only the 401 of the expired session reached the console.
    assert all("401" in e for e in page.errors), page.errors


def test_two_tabs_on_the_same_measure_get_a_conflict_instead_of_an_overwrite(
    live_server, logged_in_page, artifacts, this_month, women
):
    reporter, _head = women
    url = live_server.url + f"/reporting/reports/{this_month.pk}/"
    first_tab = logged_in_page(reporter.username, next="/reporting/")
    first_tab.goto(url)
    first_tab.get_by_role("button", name="开始填报").click()
    first_tab.wait_for_selector("form[data-backup-key]")
    second_tab = watch(first_tab.context.new_page())
    second_tab.goto(url)

    def progress(tab):
        return tab.locator("form[data-backup-key]").nth(0).get_by_label("进展情况")

    def state(tab):
        return tab.locator(".save-state").nth(0)

    progress(first_tab).fill("第一个标签页写的进展。")
    state(first_tab).filter(has_text="已保存").wait_for()
    progress(second_tab).fill("第二个标签页写的进展。")
    conflict = second_tab.locator(".conflict")
    conflict.wait_for()
    assert "第一个标签页写的进展。" in conflict.locator("td.theirs").first.inner_text()
    assert "第二个标签页写的进展。" in conflict.locator("td.mine").first.inner_text()
    expect(state(second_tab)).to_contain_text("存在冲突", use_inner_text=True)
    second_tab.screenshot(path=str(artifacts / "reporting-6-conflict.png"), full_page=False)
    entry = this_month.entries.order_by("measure__key_task__no", "measure__no").first()
    assert entry.progress == "第一个标签页写的进展。"

    # Keeping one's own version saves it over theirs, knowingly.
    second_tab.get_by_role("button", name="保留我的版本").click()
    state(second_tab).filter(has_text="已保存").wait_for()
    expect(second_tab.locator(".conflict")).to_have_count(0)
    entry.refresh_from_db()
    assert entry.progress == "第二个标签页写的进展。"

    # The first tab, still on the old version, is told in turn and takes the other text.
    progress(first_tab).fill("第一个标签页又改了。")
    first_tab.locator(".conflict").wait_for()
    first_tab.get_by_role("button", name="采用对方的版本").click()
    first_tab.locator(".conflict").wait_for(state="detached")
    assert progress(first_tab).input_value() == "第二个标签页写的进展。"
    entry.refresh_from_db()
    assert entry.progress == "第二个标签页写的进展。"
    # Typing on goes on from the version now shown: no conflict.
    progress(first_tab).fill("在对方版本上继续写。")
    state(first_tab).filter(has_text="已保存").wait_for()
    entry.refresh_from_db()
    assert entry.progress == "在对方版本上继续写。"
    assert first_tab.errors == [] or all("409" in e for e in first_tab.errors)


def test_the_coordinator_accepts_several_reports_at_once(
    live_server,
    logged_in_page,
    artifacts,
    this_month,
    women,
    coordinator,
    transport_reporter,
    transport_head,
):
    reports = [
        (this_month, *women),
        (
            this_month.period.reports.get(organization=transport_reporter.organization),
            transport_reporter,
            transport_head,
        ),
    ]
    for report, reporter, head in reports:
        file_report(report, reporter, head)
    page = logged_in_page(coordinator.username, next="/reporting/")
    page.goto(live_server.url + f"/reporting/plans/{this_month.period.plan_id}/queue/")
    page.get_by_label("全选").check()
    expect(page.locator('input[name="reports"]:checked')).to_have_count(2)
    page.get_by_role("button", name="验收选中的报告").click()
    page.get_by_text("已验收 2 份报告。").wait_for()
    assert page.get_by_text("没有待审核的报告。").is_visible()
    assert page.errors == []
    assert Report.objects.filter(status=Report.Status.ACCEPTED).count() == 2
