"""In a real browser: a department files its month in three page loads from its home. A load is
a document the browser loads (a POST answered by a redirect counts once, with its target);
htmx requests are not loads. The home (1) links straight to the month's report (2); 开始填报
swaps the form into that page; the entries save as they are typed; submitting for sign-off
answers with the report page again (3)."""

import pytest
import time_machine
from playwright.sync_api import expect

from luoshi.reporting.models import Report
from luoshi.testing import at, department, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# Friday 20 November 2026: November's report is due on the 28th.
@time_machine.travel(at(2026, 11, 20, 10), tick=True)
def test_a_department_files_its_month_in_three_page_loads(
    live_server, logged_in_page, artifacts, november
):
    unit = department("市妇联")
    reporter = make_user("women_reporter", "reporter", unit)
    report = november.reports.get(organization=unit)
    page = logged_in_page(reporter.username, next="/reporting/")
    loads = []
    page.on("domcontentloaded", lambda p: loads.append(p.url))

    page.goto(live_server.url + "/reporting/")  # the home: load 1
    page.get_by_test_id("countdown").wait_for()
    page.locator(f'a[href="/reporting/reports/{report.pk}/"]').first.click()  # load 2
    page.get_by_role("button", name="开始填报").click()
    forms = page.locator("form[data-backup-key]")
    forms.first.wait_for()
    expect(page.locator("#report-state")).to_have_text("草稿", use_inner_text=True)
    assert len(loads) == 2  # the form came without a page load
    page.screenshot(path=str(artifacts / "filing-1-started-in-place.png"), full_page=False)

    written = [f"第{n}项：本月已组织宣传活动两场。" for n in range(1, forms.count() + 1)]
    for index, text in enumerate(written):
        forms.nth(index).get_by_label("进展情况").fill(text)
    page.get_by_role("button", name="提交部门负责人审核签发").first.click()  # load 3
    page.get_by_text("已提交部门负责人审核签发。").wait_for()
    page.screenshot(path=str(artifacts / "filing-2-submitted.png"), full_page=False)

    assert len(loads) <= 3, loads
    report.refresh_from_db()
    assert report.status == Report.Status.AWAITING_SIGNOFF
    assert sorted(report.entries.values_list("progress", flat=True)) == sorted(written)
    assert page.errors == []
