"""The ledger (台账) pages: plan list, plan, JSON download."""

import json
import re

from django.urls import reverse

from luoshi.importing.sources import parse_file
from luoshi.plans.models import Measure
from luoshi.plans.seed import SEED
from luoshi.testing import department, measure, password


def test_anonymous_visitors_are_sent_to_log_in(client, seed_plan):
    for url in [
        reverse("home"),
        reverse("plans:list"),
        reverse("plans:detail", args=[seed_plan.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_page_is_in_chinese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_coordinator_logs_in_with_a_password_and_lands_on_the_plans(client, coordinator):
    response = client.post(
        reverse("login"), {"username": "coordinator", "password": password("coordinator")}
    )
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert "促进绿色消费重点任务贯彻落实分工方案" in response.content.decode()


def test_plan_list_counts_tasks_and_measures(client_for, coordinator, seed_plan):
    html = client_for(coordinator).get(reverse("plans:list")).content.decode()
    assert "枣发改经贸〔2022〕243号" in html
    assert re.search(r">\s*18\s*<", html) and re.search(r">\s*77\s*<", html)


def test_plan_page_shows_the_header_and_every_measure_in_document_order(
    client_for, coordinator, seed_plan
):
    html = (
        client_for(coordinator).get(reverse("plans:detail", args=[seed_plan.pk])).content.decode()
    )
    for text in ["枣发改经贸〔2022〕243号", "2022年9月21日", "每月28日前", "国办发〔2022〕9号"]:
        assert text in html
    shown = [int(pk) for pk in re.findall(r'id="measure-(\d+)"', html)]
    in_order = Measure.objects.filter(key_task__plan=seed_plan).order_by("key_task__no", "no")
    assert shown == [m.pk for m in in_order]
    assert len(shown) == 77
    task_titles = re.findall(r'<th scope="rowgroup"[^>]*>([^<]+)</th>', html)
    assert len(task_titles) == 18
    assert task_titles[4].strip() == "五、全面促进绿色用品消费"


def test_plan_page_flags_measures_to_review_and_marks_the_placeholder(
    client_for, coordinator, seed_plan
):
    html = (
        client_for(coordinator).get(reverse("plans:detail", args=[seed_plan.pk])).content.decode()
    )
    flagged = Measure.objects.filter(key_task__plan=seed_plan, needs_review=True).count()
    assert html.count('badge text-bg-warning ms-1"') == flagged
    assert "待确认" in html  # the placeholder 市有关部门 is marked for resolving


def test_ledger_filters_by_department(client_for, coordinator, seed_plan):
    postal = department("市邮政管理局")
    url = reverse("plans:detail", args=[seed_plan.pk])
    html = client_for(coordinator).get(url, {"department": postal.pk}).content.decode()
    expected = Measure.objects.filter(assignments__organization=postal).count()
    assert len(re.findall(r'id="measure-\d+"', html)) == expected == 7


def test_plan_json_download_is_the_import_contract(client_for, coordinator, seed_plan):
    response = client_for(coordinator).get(reverse("plans:json", args=[seed_plan.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    parsed, _ = parse_file(SEED)
    assert json.loads(response.content) == parsed.to_dict()


def test_wrong_method_is_refused(client_for, coordinator, seed_plan):
    response = client_for(coordinator).post(reverse("plans:detail", args=[seed_plan.pk]))
    assert response.status_code == 405


def test_a_wrong_id_is_a_404_not_a_500(client_for, coordinator, seed_plan):
    client = client_for(coordinator)
    for url in [reverse("plans:detail", args=[999999]), "/plans/abc/"]:
        response = client.get(url)
        assert response.status_code == 404
        assert "此页面不存在，或不对您开放" in response.content.decode()


def test_login_page_is_chinese_even_for_an_english_browser(client, db):
    response = client.get(reverse("login"), headers={"accept-language": "en-US,en;q=0.9"})
    assert "用户名" in response.content.decode()


def test_english_is_available_through_the_switch(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert "User name" in client.get(reverse("login")).content.decode()


def test_a_form_from_a_stale_tab_is_refused_with_a_chinese_message(coordinator, seed_plan):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    measure = Measure.objects.get(key_task__no=5, no=4)
    response = client.post(reverse("plans:measure_edit", args=[measure.pk]), {})
    assert response.status_code == 403
    assert "此页面已过期" in response.content.decode()
    assert Measure.objects.get(pk=measure.pk).needs_review


def test_ledger_marks_the_readers_department_the_lead_and_collective_units(
    client_for, coordinator, commerce_reporter, seed_plan, region
):
    from luoshi.orgs.services import create_organization
    from luoshi.plans.services import set_measure_departments

    collective = create_organization(
        coordinator, region, kind="collective", name="市促进消费联席会议"
    )
    odd = create_organization(coordinator, region, kind="department", name="市<测试>局")
    set_measure_departments(
        coordinator,
        measure("十四.3"),
        [(department("市商务局"), "lead"), (collective, "co"), (odd, "unknown")],
        needs_review=False,
    )
    url = reverse("plans:detail", args=[seed_plan.pk])
    html = client_for(commerce_reporter).get(url).content.decode()
    lead = '<span class="badge text-bg-primary">牵头</span>'
    assert f'<li class="mine role-lead">市商务局 {lead}</li>' in html
    assert (
        '<li>市促进消费联席会议 <span class="badge text-bg-secondary">配合</span>'
        ' <span class="badge text-bg-info">集合单位</span></li>'
    ) in html
    assert "<li>市&lt;测试&gt;局</li>" in html and "市<测试>局" not in html
    # The coordinator's office is not the reader's: nothing of its own is highlighted there.
    html = client_for(coordinator).get(url).content.decode()
    assert f'<li class="role-lead">市商务局 {lead}</li>' in html


def test_ledger_shows_targets_deadlines_and_a_measure_left_without_department(
    client_for, coordinator, seed_plan
):
    from luoshi.plans.services import set_measure_departments

    orphan = measure("一.1")
    set_measure_departments(coordinator, orphan, [], needs_review=True)
    url = reverse("plans:detail", args=[seed_plan.pk])
    html = client_for(coordinator).get(url).content.decode()
    row = html[html.index(f'id="measure-{orphan.pk}"') :]
    row = row[: row.index("</tr>")]
    assert '<li class="text-danger">无责任部门</li>' in row
    assert "<div>不低于 300组 · 2025-12-31</div>" in html
    assert "<div>不低于 100%</div>" in html


def test_ledger_filter_lists_each_department_once_and_keeps_the_choice(
    client_for, coordinator, seed_plan
):
    from luoshi.orgs.models import Organization

    postal = department("市邮政管理局")
    url = reverse("plans:detail", args=[seed_plan.pk])
    html = client_for(coordinator).get(url, {"department": postal.pk}).content.decode()
    options = re.findall(r'<option value="(\d+)"', html)
    assigned = Organization.objects.filter(
        kind=Organization.Kind.DEPARTMENT, assignments__measure__key_task__plan=seed_plan
    ).distinct()
    assert sorted(map(int, options)) == sorted(org.pk for org in assigned)
    assert f'<option value="{postal.pk}" selected>市邮政管理局</option>' in html
    assert len(re.findall(r'<option value="\d+" selected>', html)) == 1
    assert f"{assigned.count()} 个责任部门" in html
