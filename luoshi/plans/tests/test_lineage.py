"""Lineage: the city's plan (the seed) implements the province's (鲁发改经贸〔2022〕518号). The
province plan of tests/data is written in the province's own words and order: two of its key
tasks the city drops (十一、统计监测, 十八、新业态) and the city adds one (十七、开展试点示范)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.importing.sources import parse_file
from luoshi.orgs.models import Organization
from luoshi.orgs.services import get_or_create_region
from luoshi.plans.models import ImportDraft, Measure, Plan
from luoshi.plans.seed import SEED
from luoshi.plans.services import import_plan
from luoshi.testing import department, make_user

PROVINCE_PLAN = Path(__file__).parent / "data" / "shandong-2022-518.txt"

# Written by hand from the two texts: the city's key task → the province's.
TASKS = {
    "一": "一", "二": "二", "三": "三", "四": "四", "五": "六", "六": "七", "七": "五",
    "八": "八", "九": "九", "十": "十", "十一": "十二", "十二": "十三", "十三": "十四",
    "十四": "十五", "十五": "十六", "十六": "十七", "十八": "十九",
}  # fmt: skip
# The city's measure → the province's, as "task、measure".
MEASURES = {
    "一、1": "一、1", "一、2": "一、2", "一、4": "一、3", "一、5": "一、4",
    "二、1": "二、1", "二、3": "二、2", "二、4": "二、3",
    "三、2": "三、1", "三、3": "三、2", "三、4": "三、3",
    "四、1": "四、1", "四、2": "四、2", "四、3": "四、3",
    "五、1": "六、1", "五、2": "六、2", "五、5": "六、3",
    "六、1": "七、1", "六、2": "七、2",
    "七、1": "五、1", "七、4": "五、2", "七、5": "五、3",
    "八、1": "八、1", "八、2": "八、2",
    "九、1": "九、1", "九、4": "九、2",
    "十、2": "十、1", "十、6": "十、2",
    "十一、1": "十二、1", "十一、2": "十二、2",
    "十二、1": "十三、1", "十二、2": "十三、2", "十二、3": "十三、3",
    "十三、2": "十四、1",
    "十四、1": "十五、1", "十四、2": "十五、2", "十四、3": "十五、3",
    "十五、1": "十六、1", "十五、3": "十六、2",
    "十六、1": "十七、1", "十六、2": "十七、2",
    "十八、1": "十九、1", "十八、4": "十九、2",
}  # fmt: skip


@pytest.fixture
def province_plan(region) -> Plan:
    parsed, text = parse_file(PROVINCE_PLAN)
    province = get_or_create_region("山东省")
    return import_plan(parsed, region=province, source_name=PROVINCE_PLAN.name, source_text=text)


def upload_seed(client) -> ImportDraft:
    data = SEED.read_bytes()
    response = client.post(
        reverse("plans:import_upload"), {"file": SimpleUploadedFile(SEED.name, data)}
    )
    assert response.status_code == 302
    return ImportDraft.objects.get()


def edit(client, draft, op, **fields):
    draft.refresh_from_db()
    data = {"op": op, "version": draft.version, **fields}
    return client.post(reverse("plans:import_edit", args=[draft.pk]), data)


def go_live(client, draft):
    for t, task in enumerate(draft.data["tasks"]):  # the seed's 市有关部门: kept as written
        for m, measure in enumerate(task["measures"]):
            for i, dep in enumerate(measure["departments"]):
                if dep["kind"] == "placeholder":
                    edit(client, draft, "keep_placeholder", t=t, m=m, i=i)
    draft.refresh_from_db()
    response = client.post(
        reverse("reporting:go_live", args=[draft.pk]),
        {"version": draft.version, "tracking_start": "2026-12"},
    )
    assert response.status_code == 302, response.content.decode()
    return Plan.objects.get(import_draft=draft)


def lineage(plan: Plan) -> tuple[dict, dict]:
    tasks = {
        task.numeral: task.parent.numeral
        for task in plan.key_tasks.select_related("parent")
        if task.parent
    }
    measures = {
        f"{m.key_task.numeral}、{m.no}": f"{m.parent.key_task.numeral}、{m.parent.no}"
        for m in Measure.objects.filter(key_task__plan=plan).select_related(
            "key_task", "parent__key_task"
        )
        if m.parent
    }
    return tasks, measures


def test_the_seed_is_linked_to_the_province_plan_as_the_hand_mapping_says(
    client_for, office, province_plan
):
    client = client_for(office)
    draft = upload_seed(client)
    plan = go_live(client, draft)
    assert list(plan.implements.all()) == [province_plan]
    # The national documents are not plans here: they stay as 文号.
    assert plan.parent_documents == [
        "国办发〔2022〕9号",
        "发改就业〔2022〕107号",
        "鲁发改经贸〔2022〕518号",
    ]
    tasks, measures = lineage(plan)
    assert tasks == TASKS
    assert measures == MEASURES
    assert "十七" not in tasks  # the task the city adds
    record = AuditRecord.objects.filter(action="change", object_id=str(plan.pk)).last()
    assert record.changes["implements"]["new"] == ["鲁发改经贸〔2022〕518号"]
    assert record.changes["linked_measures"]["new"] == len(MEASURES)


# --- Through the pages ---------------------------------------------------------------------


def lineage_row(html: str, key: str) -> str:
    """The text of the preview's parent form of task `t` or measure `t-m`."""
    start = html.index(f'data-lineage="{key}"')
    return html[start : html.index("</form>", start)]


def test_the_preview_proposes_parents_and_the_coordinator_changes_and_unlinks_them(
    client_for, office, province_plan, django_assert_num_queries
):
    client = client_for(office)
    draft = upload_seed(client)
    url = reverse("plans:import_preview", args=[draft.pk])
    # The preview's 6, the parent plan's key tasks and measures, which of them the user opens.
    with django_assert_num_queries(9):
        html = client.get(url).content.decode()
    # Named with its title; not linked: the city does not open the province's plan.
    assert f"鲁发改经贸〔2022〕518号 {province_plan.title}" in html
    assert reverse("plans:detail", args=[province_plan.pk]) not in html
    assert "国办发〔2022〕9号 <span" in html  # a document outside: its 文号 only
    # 七、 (绿色电力) is the province's 五、; 七、1 its 五、1.
    assert "落实： 鲁发改经贸〔2022〕518号 五、推动绿色电力消费" in lineage_row(html, "6")
    assert "落实： 鲁发改经贸〔2022〕518号 五、1." in lineage_row(html, "6-0")
    assert "相似度" in lineage_row(html, "6-0")
    # 十七、开展试点示范 has no counterpart; nor has 一、3 (粮食加工).
    assert "未找到对应的上级任务/措施" in lineage_row(html, "16")
    assert "未找到对应的上级任务/措施" in lineage_row(html, "0-2")

    province = {f"{m.key_task.numeral}、{m.no}": m for m in Measure.objects.filter(
        key_task__plan=province_plan).select_related("key_task")}  # fmt: skip
    # Link 一、3 by hand to the province's 一、1, unlink 一、1.
    edit(client, draft, "set_parent", t=0, m=2, parent=province["一、1"].pk)
    edit(client, draft, "set_parent", t=0, m=0, parent=0)
    html = client.get(url).content.decode()  # a reload, or a second tab, sees the choices
    assert "落实： 鲁发改经贸〔2022〕518号 一、1." in lineage_row(html, "0-2")
    assert "已选定" in lineage_row(html, "0-2")
    assert "不关联</span>" in lineage_row(html, "0-0")
    assert AuditRecord.objects.filter(object_type="plans.importdraft", action="change").count() == 2

    # Not a measure of the parent plan: refused with a message.
    missing = Measure.objects.order_by("pk").last().pk + 1
    response = edit(client, draft, "set_parent", t=0, m=1, parent=missing)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["请选择上级方案中的重点任务或措施。"]

    plan = go_live(client, draft)
    tasks, measures = lineage(plan)
    assert measures["一、3"] == "一、1"
    assert "一、1" not in measures
    assert measures["一、2"] == "一、2"


def test_the_plan_pages_show_what_implements_what(
    client_for, office, province_plan, django_assert_num_queries
):
    client = client_for(office)
    plan = go_live(client, upload_seed(client))
    with django_assert_num_queries(11):
        html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    # The city does not open the province's plan (a level reads down): named, not linked.
    province_url = reverse("plans:detail", args=[province_plan.pk])
    assert province_url not in html
    assert "发改就业〔2022〕107号；鲁发改经贸〔2022〕518号</dd>" in html
    assert "落实： 鲁发改经贸〔2022〕518号 五、1.</div>" in html
    # The province's leader, 枣庄市 being one of its cities, follows the links up.
    Organization.objects.filter(pk=plan.region_id).update(parent=province_plan.region_id)
    province_leader = make_user("province_leader", "leader", province_plan.region)
    html = client_for(province_leader).get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert f'<a href="{province_url}">鲁发改经贸〔2022〕518号</a>' in html
    wind = Measure.objects.get(key_task__plan=province_plan, key_task__no=5, no=1)
    assert (
        f'落实： <a href="{province_url}#measure-{wind.pk}">鲁发改经贸〔2022〕518号 五、1.</a>'
    ) in html
    # The province's office sees which plans implement its own.
    province_office = make_user("province", "coordinator", province_plan.coordinator)
    html = client_for(province_office).get(province_url).content.decode()
    assert "下级落实方案" in html
    assert (
        f'href="{reverse("plans:detail", args=[plan.pk])}">枣庄市 枣发改经贸〔2022〕243号' in html
    )


def test_the_coordinator_relinks_a_live_measure(client_for, office, province_plan):
    client = client_for(office)
    plan = go_live(client, upload_seed(client))
    grain = Measure.objects.get(key_task__plan=plan, key_task__no=1, no=3)
    assert grain.parent is None
    target = Measure.objects.get(key_task__plan=province_plan, key_task__no=1, no=1)
    html = client.get(reverse("plans:measure_edit", args=[grain.pk])).content.decode()
    assert "鲁发改经贸〔2022〕518号 一、1." in html
    url = reverse("plans:measure_parent", args=[grain.pk])
    response = client.post(url, {"parent": target.pk})
    assert response.status_code == 302
    grain.refresh_from_db()
    assert grain.parent == target
    record = AuditRecord.objects.filter(object_type="plans.measure", object_id=grain.pk).last()
    assert record.changes == {"parent": {"old": None, "new": "鲁发改经贸〔2022〕518号 一、1."}}
    client.post(url, {"parent": ""})
    grain.refresh_from_db()
    assert grain.parent is None
    # Not a measure of a parent plan: refused, nothing changes.
    response = client.post(url, {"parent": grain.pk})
    assert response["Location"] == reverse("plans:measure_edit", args=[grain.pk])
    assert client.get(url).status_code == 405


def test_a_department_user_cannot_relink_a_measure(client_for, office, province_plan):
    client = client_for(office)
    plan = go_live(client, upload_seed(client))
    grain = Measure.objects.get(key_task__plan=plan, key_task__no=1, no=3)
    reporter = make_user("reporter", "reporter", department("市商务局"))
    url = reverse("plans:measure_parent", args=[grain.pk])
    assert client_for(reporter).post(url, {"parent": ""}).status_code == 404


def test_a_plan_imported_without_preview_takes_the_proposed_lineage(region, province_plan):
    parsed, text = parse_file(SEED)
    plan = import_plan(parsed, source_name=SEED.name, source_text=text)
    assert list(plan.implements.all()) == [province_plan]
    assert lineage(plan) == (TASKS, MEASURES)


def test_a_plan_citing_no_plan_of_the_system_links_nothing(seed_plan):
    assert not seed_plan.implements.exists()
    assert not Measure.objects.filter(key_task__plan=seed_plan, parent__isnull=False).exists()
    assert not AuditRecord.objects.filter(
        object_type="plans.plan", action="change", object_id=seed_plan.pk
    ).exists()


@pytest.mark.parametrize(
    "written", ["鲁发改经贸〔2022〕518号", "鲁发改经贸[2022]518号", "鲁发改经贸（2022） 518号"]
)
def test_a_parent_is_found_however_its_brackets_are_written(province_plan, written):
    from luoshi.plans.lineage import parent_plans

    assert parent_plans(["国办发〔2022〕9号", written]) == [province_plan]
    assert parent_plans(["鲁发改经贸〔2022〕519号", "鲁发改经贸〔2021〕518号"]) == []
