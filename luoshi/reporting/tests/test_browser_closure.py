"""In a real browser: the lead department asks to close (销号) a measure with its evidence, the
coordinator approves it, and the measure shows 已办结; the coordinator lets a department enter a
closed period late and withdraws it."""

import pytest
import time_machine

from luoshi.plans.models import Measure
from luoshi.reporting import services
from luoshi.reporting.models import ClosureRequest, LateEntryException
from luoshi.testing import PDF, at, department, measure, month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# Friday 20 November 2026: October is past due, November due on the 28th.
@time_machine.travel(at(2026, 11, 20, 10), tick=True)
def test_the_lead_asks_to_close_a_measure_and_the_coordinator_approves_it(
    live_server, logged_in_page, artifacts, commerce_reporter, coordinator, commerce_leads
):
    target = measure("十.3")

    # The lead reporter finds the measure among the department's measures on landing.
    page = logged_in_page(commerce_reporter.username, next="/reporting/")
    row = page.locator("tr", has_text="十、3.")
    row.get_by_role("link", name="申请销号").click()
    page.get_by_role("heading", name="申请销号").wait_for()
    page.get_by_label("完成情况及佐证").fill("已在全市建成绿色商场示范点5个，验收报告见附件。")
    page.get_by_label("佐证文件（可选）").set_input_files(
        {"name": "验收报告.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="提交销号申请").click()
    page.get_by_text("销号申请已提交统筹单位。").wait_for()
    page.get_by_text("本部门的销号申请正在等待统筹单位审核。").wait_for()
    page.screenshot(path=str(artifacts / "closure-1-requested.png"), full_page=True)
    assert ClosureRequest.objects.get().status == "pending"
    assert page.errors == []

    # The coordinator sees the request counted on the plans' list and approves it.
    page = logged_in_page(coordinator.username, next="/reporting/")
    page.locator(f'a[href="/reporting/plans/{commerce_leads.pk}/closures/"]').click()
    request_card = page.locator("section.card", has_text="十、3.")
    request_card.get_by_role("link", name="验收报告.pdf").wait_for()
    page.screenshot(path=str(artifacts / "closure-2-coordinator-list.png"), full_page=True)
    request_card.get_by_label("对销号申请的意见").fill("材料齐全，同意销号。")
    request_card.get_by_role("button", name="同意销号").click()
    page.get_by_text("措施十、3.已销号（已办结）。").wait_for()
    page.get_by_text("没有待审核的销号申请。").wait_for()
    assert Measure.objects.get(pk=target.pk).closed_at is not None

    # The measure's page shows it closed.
    page.goto(live_server.url + f"/reporting/measures/{target.pk}/")
    page.get_by_test_id("closed").filter(has_text="已办结").wait_for()
    page.screenshot(path=str(artifacts / "closure-3-measure-closed.png"), full_page=False)
    assert page.errors == []

    # The department sees the outcome on the measure's closure page.
    page = logged_in_page(
        commerce_reporter.username, next=f"/reporting/measures/{target.pk}/closure/"
    )
    page.get_by_test_id("closed").filter(has_text="已办结").wait_for()
    page.get_by_text("材料齐全，同意销号。").wait_for()
    page.screenshot(path=str(artifacts / "closure-4-department-outcome.png"), full_page=True)
    assert page.errors == []


# Friday 4 December 2026: October (due 28 October) is long past.
@time_machine.travel(at(2026, 12, 4, 10), tick=True)
def test_the_coordinator_allows_a_late_entry_until_a_day_and_withdraws_it(
    live_server, logged_in_page, artifacts, commerce_reporter, coordinator, tracked
):
    october = services.close_period(coordinator, month(tracked, 2026, 10))
    report = october.reports.get(organization=department("市商务局"))

    page = logged_in_page(coordinator.username, next=f"/reporting/reports/{report.pk}/")
    page.get_by_label("补报截止").fill("2026-12-08")
    page.get_by_label("补报原因").fill("系统故障，未能按时报送。")
    page.get_by_role("button", name="允许补报").click()
    page.get_by_text("已允许市商务局补报本报告，截止2026-12-08。").wait_for()
    page.screenshot(path=str(artifacts / "late-entry-1-granted.png"), full_page=False)

    department_page = logged_in_page(commerce_reporter.username, next="/reporting/")
    department_page.get_by_text("可补报至2026-12-08。").wait_for()
    department_page.screenshot(path=str(artifacts / "late-entry-2-department-home.png"))

    page.goto(live_server.url + f"/reporting/plans/{tracked.pk}/")
    page.get_by_role("link", name="补报例外").click()
    page.get_by_text("进行中").wait_for()
    page.screenshot(path=str(artifacts / "late-entry-3-list.png"), full_page=False)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="撤回").click()
    page.get_by_text("已撤回市商务局的补报。").wait_for()
    page.screenshot(path=str(artifacts / "late-entry-4-withdrawn.png"), full_page=False)
    assert LateEntryException.objects.get().withdrawn_at is not None
    assert page.errors == [] and department_page.errors == []
