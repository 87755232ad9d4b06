"""In a real browser: the city's coordinator imports the seed, which cites the province's plan
already in the system; the preview proposes the parents, the coordinator links the measure it
could not match, and the live plan says what each measure implements."""

from pathlib import Path

import pytest

from luoshi.importing.sources import parse_file
from luoshi.orgs.services import get_or_create_region
from luoshi.plans.models import Measure
from luoshi.plans.seed import SEED
from luoshi.plans.services import import_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROVINCE_PLAN = Path(__file__).parent / "data" / "shandong-2022-518.txt"


def test_coordinator_links_a_measure_to_the_province_plan(logged_in_page, office, artifacts):
    from playwright.sync_api import expect

    parsed, text = parse_file(PROVINCE_PLAN)
    province = import_plan(parsed, region=get_or_create_region("山东省"), source_text=text)
    page = logged_in_page("coordinator", viewport=(1440, 1000))
    page.get_by_role("link", name="导入方案").click()
    page.get_by_label("方案文件").set_input_files(str(SEED))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("#parent-plans")).to_contain_text("鲁发改经贸〔2022〕518号")

    # 一、3 (粮食加工) has no counterpart in the province's plan: link it by hand to 一、1.
    row = page.locator('[data-lineage="0-2"]')
    expect(row).to_contain_text("未找到对应的上级任务/措施")
    row.get_by_label("上级").select_option(
        label="一、1. 实施粮食绿色高质高效行动，在全省推广粮食绿色高质高效标..."
    )
    row.get_by_role("button", name="保存上级关联").click()
    row = page.locator('[data-lineage="0-2"]')
    expect(row).to_contain_text("落实： 鲁发改经贸〔2022〕518号 一、1.")
    expect(row).to_contain_text("已选定")
    page.locator("#m-0-2").screenshot(path=str(artifacts / "import-preview-lineage.png"))

    # The one placeholder of the seed (市有关部门) is removed, then the plan goes live.
    item = page.locator('li[id^="m-"]', has=page.locator('[data-department="市有关部门"]'))
    item.get_by_role("button", name="移除市有关部门").click()
    page.get_by_role("button", name="确认导入并启用方案").click()
    expect(page.get_by_text("方案已正式上线")).to_be_visible()
    expect(page.locator("#parent-plans")).to_contain_text("国办发〔2022〕9号")
    grain = Measure.objects.get(
        key_task__plan__doc_number="枣发改经贸〔2022〕243号", key_task__no=1, no=3
    )
    assert grain.parent.key_task.plan == province
    expect(page.locator(f"#measure-{grain.pk}")).to_contain_text(
        "落实： 鲁发改经贸〔2022〕518号 一、1."
    )
    page.locator(f"#measure-{grain.pk}").screenshot(path=str(artifacts / "plan-lineage.png"))
    assert page.errors == []
