"""Delegation down: a city plan sent to its districts, each district's coordinator making its
implementing plan from it, putting it live and reporting on it."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.importing import (
    ParsedDepartment,
    ParsedMeasure,
    ParsedPlan,
    ParsedTarget,
    ParsedTask,
    ReportingRule,
)
from luoshi.orgs.models import Organization
from luoshi.plans import delegation
from luoshi.plans.models import Delegation, ImportDraft, Measure
from luoshi.plans.services import edit_import_draft, import_plan, preview_of_draft
from luoshi.reporting.models import Report
from luoshi.reporting.services import confirm_import
from luoshi.testing import at, file_report, make_user

TITLE = "促进绿色消费重点任务贯彻落实分工方案"
REGION = Organization.Kind.REGION
DEPARTMENT = Organization.Kind.DEPARTMENT


def org(parent, name, kind=DEPARTMENT, **names):
    return Organization.objects.create(parent=parent, name=name, kind=kind, **names)


@pytest.fixture
def city(db):
    """枣庄市 with three districts: 薛城区 names its offices in full, 市中区 by short names with
    the full ones beside them, 台儿庄区 has a 发展和改革局 only. None has a 统计局."""
    city = org(None, "枣庄市", REGION, full_name="枣庄市")
    org(city, "市商务局", full_name="枣庄市商务局")
    org(city, "市发展改革委", full_name="枣庄市发展和改革委员会")
    org(city, "市统计局", full_name="枣庄市统计局")
    governments = org(city, "各区（市）政府", Organization.Kind.COLLECTIVE)
    xuecheng = org(city, "薛城区", REGION)
    org(xuecheng, "薛城区商务局")
    org(xuecheng, "薛城区发展和改革局")
    shizhong = org(city, "市中区", REGION)
    org(shizhong, "区商务局", full_name="市中区商务局")
    org(shizhong, "区发展改革局", full_name="市中区发展和改革局")
    taierzhuang = org(city, "台儿庄区", REGION)
    org(taierzhuang, "台儿庄区发展和改革局")
    for district in (xuecheng, shizhong, taierzhuang):
        governments.members.add(org(district, f"{district.name}人民政府"))
    return city


@pytest.fixture
def city_plan(city):
    def dep(name, role=None, kind=DEPARTMENT):
        return ParsedDepartment(name=name, role=role, kind=kind)

    parsed = ParsedPlan(
        title=TITLE,
        doc_number="枣发改〔2026〕7号",
        issuers=["枣庄市发展和改革委员会"],
        report_to="市发展改革委",
        reporting=ReportingRule(
            frequency="monthly", due_day=28, due_offset_months=0, text="每月28日前报送"
        ),
        tasks=[
            ParsedTask(
                no=1,
                label="一、",
                title="扩大绿色消费",
                measures=[
                    ParsedMeasure(
                        no=1,
                        label="1.",
                        text="开展绿色商场创建。",
                        departments=[dep("市商务局", "lead"), dep("市发展改革委", "co")],
                        deadline=datetime.date(2026, 12, 31),
                    ),
                    ParsedMeasure(
                        no=2,
                        label="2.",
                        text="建立绿色消费统计制度，纳入统计的企业达到100家。",
                        departments=[dep("市统计局", "lead")],
                        targets=[ParsedTarget("达到100家", 100, "家", ">=")],
                    ),
                ],
            ),
            ParsedTask(
                no=2,
                label="二、",
                title="压实属地责任",
                measures=[
                    ParsedMeasure(
                        no=1,
                        label="1.",
                        text="各区（市）制定本地落实方案。",
                        departments=[dep("各区（市）政府", None, Organization.Kind.COLLECTIVE)],
                    ),
                    ParsedMeasure(
                        no=2,
                        label="2.",
                        text="建设薛城区绿色消费示范区。",
                        departments=[dep("薛城区人民政府", "lead")],
                    ),
                ],
            ),
        ],
    )
    return import_plan(parsed, region=city)


def district(name):
    return Organization.objects.get(kind=REGION, name=name)


def unit(name):
    return Organization.objects.get(name=name)


def city_measure(text):
    return Measure.objects.get(key_task__plan__doc_number="枣发改〔2026〕7号", text=text)


@pytest.fixture
def city_coordinator(city_plan):
    return make_user("city_coordinator", "coordinator", unit("市发展改革委"))


@pytest.fixture
def xuecheng_coordinator(city):
    return make_user("xuecheng_coordinator", "coordinator", unit("薛城区发展和改革局"))


@pytest.fixture
def shizhong_coordinator(city):
    return make_user("shizhong_coordinator", "coordinator", unit("区发展改革局"))


@pytest.fixture
def sent(city_plan, city_coordinator):
    regions = [district("薛城区"), district("市中区"), district("台儿庄区")]
    return delegation.send_down(city_coordinator, city_plan, regions)


def departments_of(draft):
    """Each measure's departments in the draft, by its text: (name, role)."""
    return {
        measure["text"]: [(d["name"], d["role"]) for d in measure["departments"]]
        for task in draft.data["tasks"]
        for measure in task["measures"]
    }


def test_counterpart_keys_make_one_office_of_the_names_two_levels_give_it():
    city, xuecheng = Organization(name="枣庄市"), Organization(name="薛城区")
    assert delegation.counterpart_key("市发展改革委", city) == "发展改革局"
    assert delegation.counterpart_key("枣庄市发展和改革委员会", city) == "发展改革局"
    assert delegation.counterpart_key("薛城区发展和改革局", xuecheng) == "发展改革局"
    assert delegation.counterpart_key("区发改局", xuecheng) == "发改局"  # an alias's business
    assert delegation.counterpart_key("市卫生健康委", city) == "卫生健康局"
    assert delegation.counterpart_key("区商务局", xuecheng) == "商务局"
    assert delegation.counterpart_key("市商务局", city) == "商务局"


def test_sending_down_records_one_delegation_per_district_once(city_plan, city_coordinator, sent):
    assert sorted(d.region.name for d in sent) == ["台儿庄区", "市中区", "薛城区"]
    again = delegation.send_down(city_coordinator, city_plan, [district("薛城区")])
    assert again == []
    assert Delegation.objects.filter(plan=city_plan).count() == 3
    assert AuditRecord.objects.filter(object_type="plans.delegation", action="create").count() == 3


def test_only_the_coordinating_office_sends_down_and_only_to_regions_below(
    city, city_plan, city_coordinator, xuecheng_coordinator
):
    with pytest.raises(PermissionDenied):
        delegation.send_down(xuecheng_coordinator, city_plan, [district("薛城区")])
    with pytest.raises(ValueError, match="请选择"):
        delegation.send_down(city_coordinator, city_plan, [city])


def test_each_district_makes_its_draft_with_the_city_measures_linked_and_mapped(
    sent, xuecheng_coordinator, shizhong_coordinator
):
    xuecheng = Delegation.objects.get(region__name="薛城区")
    draft = delegation.create_delegated_draft(xuecheng_coordinator, xuecheng.pk)
    assert draft.region == district("薛城区")
    assert draft.uploaded_by == xuecheng_coordinator
    assert draft.data["title"] == f"薛城区贯彻落实《{TITLE}》分工方案"
    assert draft.data["parent_documents"] == ["枣发改〔2026〕7号"]
    assert draft.data["report_to"] == "薛城区发展和改革局"
    assert departments_of(draft) == {
        "开展绿色商场创建。": [("薛城区商务局", "lead"), ("薛城区发展和改革局", "co")],
        "建立绿色消费统计制度，纳入统计的企业达到100家。": [("市统计局", "lead")],
        "各区（市）制定本地落实方案。": [("薛城区人民政府", None)],
        "建设薛城区绿色消费示范区。": [("薛城区人民政府", "lead")],
    }
    preview = preview_of_draft(draft, xuecheng_coordinator)
    assert preview["unknown"] == {"市统计局": 1}
    links = [m["link"].chosen for task in preview["tasks"] for m in task["measures"]]
    assert links == [
        city_measure("开展绿色商场创建。"),
        city_measure("建立绿色消费统计制度，纳入统计的企业达到100家。"),
        city_measure("各区（市）制定本地落实方案。"),
        city_measure("建设薛城区绿色消费示范区。"),
    ]
    # The same button pressed again, and the other district with its short names.
    assert delegation.create_delegated_draft(xuecheng_coordinator, xuecheng.pk) == draft
    shizhong = Delegation.objects.get(region__name="市中区")
    other = delegation.create_delegated_draft(shizhong_coordinator, shizhong.pk)
    assert departments_of(other) == {
        "开展绿色商场创建。": [("区商务局", "lead"), ("区发展改革局", "co")],
        "建立绿色消费统计制度，纳入统计的企业达到100家。": [("市统计局", "lead")],
        "各区（市）制定本地落实方案。": [("市中区人民政府", None)],
        # 薛城区's own unit is not 市中区's to take over: 市中区 decides.
        "建设薛城区绿色消费示范区。": [("薛城区人民政府", "lead")],
    }
    unknown = preview_of_draft(other, shizhong_coordinator)["unknown"]
    assert unknown == {"市统计局": 1, "薛城区人民政府": 1}


def test_no_one_else_makes_a_district_draft(sent, city_coordinator, shizhong_coordinator):
    xuecheng = Delegation.objects.get(region__name="薛城区")
    for user in (city_coordinator, shizhong_coordinator):
        with pytest.raises(Http404):
            delegation.create_delegated_draft(user, xuecheng.pk)
    assert not ImportDraft.objects.exists()


def test_the_district_puts_its_plan_live_and_reports_on_it(settings, sent, xuecheng_coordinator):
    xuecheng = Delegation.objects.get(region__name="薛城区")
    with time_machine.travel(at(2026, 12, 3, 9), tick=False):
        draft = delegation.create_delegated_draft(xuecheng_coordinator, xuecheng.pk)
        # The district has no 统计局: its 发展和改革局 takes the measure.
        draft = edit_import_draft(
            xuecheng_coordinator,
            draft,
            draft.version,
            "map_name",
            name="市统计局",
            target="薛城区发展和改革局",
            remember=False,
        )
        # And a measure of its own under 二、, which 薛城区商务局 leads.
        own = "开展绿色消费宣传月活动。"
        draft = edit_import_draft(
            xuecheng_coordinator, draft, draft.version, "add_measure", t=1, text=own
        )
        draft = edit_import_draft(
            xuecheng_coordinator,
            draft,
            draft.version,
            "add_department",
            t=1,
            m=2,
            name="薛城区商务局",
            role="lead",
        )
        plan = confirm_import(
            xuecheng_coordinator,
            draft,
            draft.version,
            tracking_start=datetime.date(2026, 12, 1),
        )
    assert plan.region == district("薛城区")
    assert plan.title == f"薛城区贯彻落实《{TITLE}》分工方案"
    assert [p.doc_number for p in plan.implements.all()] == ["枣发改〔2026〕7号"]
    measures = Measure.objects.filter(key_task__plan=plan).order_by("key_task__no", "no")
    assert [m.code for m in measures] == ["一、1.", "一、2.", "二、1.", "二、2.", "二、3."]
    assert [m.parent.text if m.parent else None for m in measures] == [
        m.text for m in measures[:4]
    ] + [None]
    assert [m.parent.key_task.plan.region.name for m in measures[:4]] == ["枣庄市"] * 4
    assert [[a.organization.name for a in m.assignments.all()] for m in measures] == [
        ["薛城区商务局", "薛城区发展和改革局"],
        ["薛城区发展和改革局"],
        ["薛城区人民政府"],
        ["薛城区人民政府"],
        ["薛城区商务局"],
    ]
    assert Delegation.objects.get(pk=xuecheng.pk).implementing_plan == plan

    reporter = make_user("xuecheng_commerce", "reporter", unit("薛城区商务局"))
    head = make_user("xuecheng_commerce_head", "approver", unit("薛城区商务局"))
    report = Report.objects.get(
        period__plan=plan,
        period__start=datetime.date(2026, 12, 1),
        organization=unit("薛城区商务局"),
    )
    file_report(report, reporter, head, when=at(2026, 12, 20, 10))
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


# --- The pages ----------------------------------------------------------------------------------


def test_the_city_coordinator_sends_down_from_the_plan_page(
    client_for, city_plan, city_coordinator, django_assert_num_queries
):
    client = client_for(city_coordinator)
    page = client.get(reverse("plans:detail", args=[city_plan.pk])).content.decode()
    url = reverse("plans:send_down", args=[city_plan.pk])
    assert f'href="{url}">下发各区（市）</a>' in page
    with django_assert_num_queries(5):  # + the plan, the regions sent to and those left
        page = client.get(url).content.decode()
    for name in ("薛城区", "市中区", "台儿庄区"):
        assert name in page
    xuecheng, shizhong = district("薛城区"), district("市中区")
    response = client.post(url, {"regions": [xuecheng.pk, shizhong.pk]})
    assert response.status_code == 302
    assert sorted(Delegation.objects.values_list("region__name", flat=True)) == ["市中区", "薛城区"]
    with django_assert_num_queries(5):  # the same with the regions sent to listed
        page = client.get(url).content.decode()
    assert page.count("等待下级生成") == 2
    response = client.post(url, {})
    assert "请选择" in response.content.decode()  # only 台儿庄区 is left to pick


def test_only_the_coordinating_office_opens_the_send_down_page(
    client_for, city_plan, xuecheng_coordinator
):
    url = reverse("plans:send_down", args=[city_plan.pk])
    assert client_for(xuecheng_coordinator).get(url).status_code == 403
    reporter = make_user("commerce", "reporter", unit("市商务局"))
    assert client_for(reporter).post(url, {"regions": [district("薛城区").pk]}).status_code == 403
    assert (
        client_for(xuecheng_coordinator).get(url.replace(str(city_plan.pk), "999")).status_code
        == 404
    )
    assert not Delegation.objects.exists()


def test_the_district_coordinator_makes_its_draft_from_the_plans_page(
    client_for, sent, xuecheng_coordinator, django_assert_num_queries
):
    client = client_for(xuecheng_coordinator)
    with django_assert_num_queries(4):  # + the plans, those sent down to the district
        page = client.get(reverse("plans:list")).content.decode()
    assert "上级下发待落实" in page
    assert f"枣庄市《{TITLE}》" in page
    xuecheng = Delegation.objects.get(region__name="薛城区")
    response = client.post(reverse("plans:delegation_draft", args=[xuecheng.pk]))
    draft = ImportDraft.objects.get()
    assert response.url == reverse("plans:import_preview", args=[draft.pk])
    page = client.get(response.url).content.decode()
    assert f"薛城区贯彻落实《{TITLE}》分工方案" in page
    assert "市统计局" in page
    page = client.get(reverse("plans:list")).content.decode()
    assert "继续编辑草稿" in page


def test_other_districts_and_the_city_cannot_make_a_district_draft(
    client_for, sent, city_coordinator, shizhong_coordinator
):
    url = reverse("plans:delegation_draft", args=[Delegation.objects.get(region__name="薛城区").pk])
    assert client_for(shizhong_coordinator).post(url).status_code == 404
    assert client_for(city_coordinator).post(url).status_code == 404
    reporter = make_user("commerce", "reporter", unit("市商务局"))
    assert client_for(reporter).post(url).status_code == 403
    assert not ImportDraft.objects.exists()


def test_the_delegation_pages_answer_only_their_methods(
    client_for, sent, city_plan, city_coordinator, xuecheng_coordinator
):
    draft_url = reverse("plans:delegation_draft", args=[Delegation.objects.first().pk])
    assert client_for(xuecheng_coordinator).get(draft_url).status_code == 405
    send_url = reverse("plans:send_down", args=[city_plan.pk])
    assert client_for(city_coordinator).put(send_url).status_code == 405


def test_a_draft_cancelled_leaves_the_plan_waiting_for_the_district(sent, xuecheng_coordinator):
    from luoshi.plans.services import cancel_import_draft

    xuecheng = Delegation.objects.get(region__name="薛城区")
    draft = delegation.create_delegated_draft(xuecheng_coordinator, xuecheng.pk)
    cancel_import_draft(xuecheng_coordinator, draft)
    xuecheng.refresh_from_db()
    assert xuecheng.draft is None
    again = delegation.create_delegated_draft(xuecheng_coordinator, xuecheng.pk)
    assert again.data["title"] == f"薛城区贯彻落实《{TITLE}》分工方案"


# --- In a real browser ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_city_sends_down_and_a_district_puts_its_plan_live_in_the_browser(
    logged_in_page, city_plan, city_coordinator, xuecheng_coordinator, artifacts
):
    from playwright.sync_api import expect

    page = logged_in_page("city_coordinator", next=reverse("plans:detail", args=[city_plan.pk]))
    page.get_by_role("link", name="下发各区（市）").click()
    page.get_by_label("台儿庄区").uncheck()
    page.get_by_role("button", name="下发", exact=True).click()
    expect(page.get_by_text("已下发至市中区、薛城区")).to_be_visible()
    expect(page.locator("#delegations")).to_contain_text("等待下级生成")

    district_page = logged_in_page("xuecheng_coordinator", next=reverse("plans:list"))
    sent_down = district_page.locator("#sent-down")
    expect(sent_down).to_contain_text(f"枣庄市《{TITLE}》（枣发改〔2026〕7号）")
    sent_down.get_by_role("button", name="生成落实方案草稿").click()
    expect(district_page.locator("h1")).to_contain_text(f"薛城区贯彻落实《{TITLE}》分工方案")
    # 市统计局 has no counterpart in 薛城区: its 发展和改革局 takes the measure.
    district_page.get_by_label("对应部门").select_option("薛城区发展和改革局")
    district_page.get_by_label("记为该部门的别称").uncheck()
    district_page.get_by_role("button", name="对应", exact=True).click()
    # A measure of its own under 二、, led by its 商务局.
    task = district_page.locator("section", has=district_page.locator("#task-1"))
    task.get_by_text("在本项重点任务下新增本地措施").click()
    task.get_by_label("本地新增措施").fill("开展绿色消费宣传月活动。")
    task.get_by_role("button", name="新增措施").click()
    own = district_page.locator("#m-1-2")
    expect(own).to_contain_text("开展绿色消费宣传月活动。")
    own.get_by_placeholder("添加部门").fill("薛城区商务局")
    own.get_by_label("角色").select_option("lead")
    own.get_by_role("button", name="添加", exact=True).click()
    lead = district_page.locator('#m-1-2 [data-department="薛城区商务局"] .fw-bold')
    expect(lead).to_have_text("薛城区商务局")
    district_page.get_by_role("button", name="确认导入并启用方案").click()
    expect(district_page.get_by_text("方案已正式上线")).to_be_visible()
    expect(district_page.locator("#parent-plans")).to_contain_text("枣发改〔2026〕7号")
    district_page.screenshot(path=str(artifacts / "delegated-plan-live.png"), full_page=True)

    page.reload()
    row = page.locator("#delegations tr", has_text="薛城区")
    expect(row).to_contain_text("已落实")
    expect(row.get_by_role("link")).to_have_text(f"薛城区贯彻落实《{TITLE}》分工方案")
    assert page.errors == [] and district_page.errors == []


def test_a_measure_of_the_district_s_own_needs_its_text_and_a_key_task(sent, xuecheng_coordinator):
    from luoshi.plans.draft_edits import EditError

    xuecheng = Delegation.objects.get(region__name="薛城区")
    draft = delegation.create_delegated_draft(xuecheng_coordinator, xuecheng.pk)
    with pytest.raises(EditError, match="请填写措施内容"):
        edit_import_draft(xuecheng_coordinator, draft, draft.version, "add_measure", t=0, text=" ")
    with pytest.raises(EditError, match="该重点任务已不存在"):
        edit_import_draft(xuecheng_coordinator, draft, draft.version, "add_measure", t=5, text="新")
    assert [len(task["measures"]) for task in ImportDraft.objects.get().data["tasks"]] == [2, 2]
