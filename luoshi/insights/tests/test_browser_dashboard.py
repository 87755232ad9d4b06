"""In a real browser: the coordinator opens the dashboard, every chart draws, a chart and a
table link drill down, a period is published, and an anonymous visitor reads the portal."""

import pytest
from playwright.sync_api import expect

from luoshi.lib import clock
from luoshi.plans.models import Target
from luoshi.reporting import calendar
from luoshi.reporting import services as reporting
from luoshi.reporting.builder import build_reports
from luoshi.testing import watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ["overall", "tasks", "heatmap", "timeliness", "targets"]


@pytest.fixture
def history(seed_plan, coordinator, settings):
    """Two months of reports made by the reporting builder, with the targets confirmed."""
    today = clock.today()
    start = calendar.add_months(today.replace(day=1), -2)
    settings.REPORTING_TRACKING_START = start.isoformat()
    for target in Target.objects.filter(measure__key_task__plan=seed_plan).select_related(
        "measure"
    ):
        owner = target.measure.assignments.filter(organization__kind="department").first()
        if owner is not None:
            reporting.set_target(coordinator, target, owner=owner.organization)
    Target.objects.filter(measure__key_task__plan=seed_plan).update(confirmed=True)
    build_reports(seed_plan, start, today, seed=1, today=today)
    return seed_plan


def wait_for_charts(page, kinds):
    for kind in kinds:
        page.wait_for_selector(f'[data-chart="{kind}"][data-rendered="true"] canvas')


def test_the_coordinator_reads_the_dashboard_drills_down_and_publishes(
    live_server, logged_in_page, artifacts, history, coordinator
):
    page = logged_in_page("coordinator")
    page.goto(live_server.url + "/insights/")
    wait_for_charts(page, ["plans", "trend"])
    page.screenshot(path=str(artifacts / "insights-overview.png"), full_page=True)
    page.get_by_role("link", name=history.title).first.click()
    page.wait_for_url(f"**/insights/plans/{history.pk}/")
    wait_for_charts(page, CHARTS)
    for kind in CHARTS:
        canvas = page.locator(f'[data-chart="{kind}"] canvas')
        assert canvas.count() >= 1
        box = canvas.first.bounding_box()
        assert box["width"] > 200 and box["height"] > 150, kind
    # The red and yellow lists and the tables under the charts are filled from the same data.
    page.wait_for_selector('[data-table-for="departments"] table, [data-table-for="departments"] p')
    assert page.locator('[data-table-for="heatmap"] table tbody tr').count() > 0
    assert page.locator('[data-table-for="targets"] table tbody tr').count() > 0
    page.screenshot(path=str(artifacts / "insights-dashboard.png"), full_page=True)
    assert page.errors == []

    # Drill down from a chart: the heatmap's first cell opens that department's report.
    point = page.evaluate(
        """() => {
          const el = document.querySelector('[data-chart="heatmap"]');
          el.scrollIntoView({block: "start", behavior: "instant"});
          const chart = echarts.getInstanceByDom(el);
          const [x, y] = chart.convertToPixel({seriesIndex: 0}, [0, 0]);
          const box = el.getBoundingClientRect();
          return {x: box.left + x, y: box.top + y};
        }"""
    )
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url("**/reporting/reports/*/")
    assert page.get_by_role("heading", level=1).count() == 1
    page.go_back()
    wait_for_charts(page, ["heatmap"])

    # Drill down from a table link: a department with missing or late reports, in the ledger.
    link = page.locator('[data-table-for="heatmap"] table tbody a').first
    name = link.inner_text()
    link.click()
    page.wait_for_url(f"**/plans/{history.pk}/?department=*")
    assert name in page.locator("select[name=department] option:checked").inner_text()
    assert page.errors == []
    page.errors.clear()

    # Publish the last period that is due, as the public will see it.
    page.goto(live_server.url + f"/insights/plans/{history.pk}/")
    page.get_by_role("link", name="发布到公开门户").click()
    page.get_by_role("link", name="预览并发布").nth(1).click()
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("已发布到公开门户")).to_be_visible()
    assert page.errors == []


def test_an_anonymous_visitor_reads_the_portal_on_a_phone(
    live_server, browser, artifacts, history, coordinator
):
    from luoshi.portal.services import publish

    period = history.periods.filter(due_date__lt=clock.today()).order_by("-start").first()
    publish(coordinator, period)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = watch(context.new_page())
    page.goto(live_server.url + "/portal/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    page.get_by_role("link", name=history.title).click()
    page.wait_for_url(f"**/portal/plans/{history.pk}/")
    assert page.get_by_role("heading", level=1, name=history.title).is_visible()
    assert page.get_by_text("枣发改经贸〔2022〕243号").first.is_visible()
    assert page.get_by_role("link", name="下载 CSV").is_visible()
    # Nothing wider than the phone: no sideways scrolling.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    # Keyboard: the first Tab reaches the skip link, which moves to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "跳到正文"
    page.screenshot(path=str(artifacts / "portal-phone.png"), full_page=False)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    assert page.errors == []
    context.close()


def test_a_department_lands_on_its_home_with_the_working_days_left(
    logged_in_page, artifacts, commerce_reporter, history
):
    page = logged_in_page("commerce_reporter")
    page.wait_for_url("**/reporting/")
    assert page.get_by_role("heading", level=1, name="市商务局").is_visible()
    for heading in ["下一个截止日", "退回修改", "待签收督办单", "我的报送", "我的措施"]:
        assert page.get_by_role("heading", name=heading).is_visible()
    countdown = page.get_by_test_id("countdown")
    if countdown.count():  # none when the running period is already submitted
        assert "工作日" in countdown.inner_text() or "今天截止" in countdown.inner_text()
    page.screenshot(path=str(artifacts / "department-home.png"), full_page=True)
    assert page.errors == []
