"""In a real browser: log in as the coordinator and read the seed plan."""

import pytest

from luoshi.conftest import password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_logs_in_and_reads_the_seed_plan(live_server, browser, coordinator, artifacts):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    page.goto(live_server.url + "/")
    page.get_by_label("用户名").fill("coordinator")
    page.get_by_label("密码").fill(password("coordinator"))
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="促进绿色消费重点任务贯彻落实分工方案").click()
    page.wait_for_selector("table.ledger")
    assert page.locator('tr[id^="measure-"]').count() == 77
    assert page.locator('th[scope="rowgroup"]').count() == 18
    assert page.get_by_text("枣发改经贸〔2022〕243号").first.is_visible()
    page.screenshot(path=str(artifacts / "ledger-seed-plan.png"), full_page=False)
    page.get_by_role("link", name="核对").first.click()
    assert page.get_by_role("button", name="保存").is_visible()
    assert errors == []
