"""In a real browser: upload the seed, fix a department in the preview, confirm, see it live."""

import pytest

from luoshi.plans.models import Measure
from luoshi.plans.seed import SEED
from luoshi.testing import department

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_imports_the_seed_through_the_preview(logged_in_page, office, artifacts):
    from playwright.sync_api import expect

    page = logged_in_page("coordinator", viewport=(1440, 1000))

    page.get_by_role("link", name="导入方案").click()
    page.get_by_label("方案文件").set_input_files(str(SEED))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_selector("text=文件原文")
    assert page.get_by_text("请明确或保留泛指单位：市有关部门").is_visible()
    page.screenshot(path=str(artifacts / "import-preview.png"))

    # The measure that names the placeholder 市有关部门: replace it by 市财政局 (co-operating).
    item = page.locator('li[id^="m-"]', has=page.locator('[data-department="市有关部门"]'))
    anchor, code = item.get_attribute("id"), item.get_attribute("data-measure")
    item.screenshot(path=str(artifacts / "import-preview-measure.png"))
    placeholder = item.locator('[data-department="市有关部门"]')
    placeholder.get_by_role("button", name="移除市有关部门").click()
    item = page.locator(f"#{anchor}")
    expect(item.locator('[data-department="市有关部门"]')).to_have_count(0)
    # 财政部门 is not in the directory: flagged, then mapped to 市财政局 and remembered.
    item.get_by_placeholder("添加部门").fill("财政部门")
    item.get_by_label("角色").last.select_option("co")
    item.get_by_role("button", name="添加", exact=True).click()
    unknown = page.locator("#unknown")
    expect(unknown).to_contain_text("财政部门")
    expect(page.locator(f'#{anchor} [data-department="财政部门"]')).to_contain_text("未识别")
    unknown.screenshot(path=str(artifacts / "import-preview-unknown.png"))
    unknown.get_by_label("对应部门").select_option("市财政局")
    unknown.get_by_role("button", name="对应", exact=True).click()
    item = page.locator(f"#{anchor}")
    expect(item.locator('[data-department="市财政局"]')).to_have_count(1)
    expect(page.locator("#unknown")).to_have_count(0)
    item.screenshot(path=str(artifacts / "import-preview-measure-fixed.png"))
    page.locator('li[data-measure="十、2"]').screenshot(
        path=str(artifacts / "import-preview-targets.png")
    )

    page.get_by_role("button", name="确认导入并启用方案").click()
    expect(page.get_by_text("方案已正式上线")).to_be_visible()
    page.screenshot(path=str(artifacts / "import-confirmed-top.png"))
    label, no = code.split("、")
    measure = Measure.objects.get(key_task__label=f"{label}、", no=int(no))
    row = page.locator(f"#measure-{measure.pk}")
    assert "市财政局" in row.inner_text() and "市有关部门" not in row.inner_text()
    assert "财政部门" in department("市财政局").aliases
    row.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "import-confirmed-plan.png"))
    assert page.errors == []
