"""Regions as a tree (issue 22): a province above the city, three districts below it. Each level
sees its own region and reads the regions below, changes only what its own office coordinates,
and sees nothing of a sibling district.

The tree is made here (测试省 → 枣庄市 → 东区, 西区, 南区); 东区 and 西区 each issue the seed plan
again as their own implementing plan, coordinated by their 发展和改革局.
"""

import datetime

import pytest
from django.urls import reverse

from luoshi.orgs.models import Organization
from luoshi.orgs.services import (
    get_or_create_region,
    region_label,
    region_name_for,
    regions_below,
    set_members,
    visible_departments,
)
from luoshi.plans.services import plans_for_user
from luoshi.reporting.models import Report
from luoshi.testing import at, district_plan, file_report, make_user, track


@pytest.fixture
def tree(region, seed_plan):
    province = get_or_create_region("测试省")
    Organization.objects.filter(pk=region.pk).update(parent=province)
    districts = {
        name: get_or_create_region(name, full_name="枣庄市" + name, parent=region)
        for name in ("东区", "西区", "南区")
    }
    return {"province": province, "city": region, **districts}


@pytest.fixture
def east_plan(tree):
    return district_plan(tree["东区"], "东区发展和改革局", "东发改〔2026〕1号")


@pytest.fixture
def west_plan(tree):
    return district_plan(tree["西区"], "西区发展和改革局", "西发改〔2026〕1号")


@pytest.fixture
def people(tree, seed_plan, east_plan, west_plan):
    province_office = Organization.objects.create(
        parent=tree["province"], kind="department", name="测试省发展和改革委员会"
    )
    return {
        "province_coordinator": make_user("p_coord", "coordinator", province_office),
        "province_leader": make_user("p_leader", "leader", tree["province"]),
        "city_coordinator": make_user("c_coord", "coordinator", seed_plan.coordinator),
        "city_leader": make_user("c_leader", "leader", tree["city"]),
        "east_coordinator": make_user("e_coord", "coordinator", east_plan.coordinator),
        "east_leader": make_user("e_leader", "leader", tree["东区"]),
        "west_coordinator": make_user("w_coord", "coordinator", west_plan.coordinator),
        "west_leader": make_user("w_leader", "leader", tree["西区"]),
    }


def test_a_region_and_every_region_below_it_one_query_per_level(tree, django_assert_num_queries):
    # 测试省, then 枣庄市, then its three districts, then the districts' children (none).
    with django_assert_num_queries(3):
        below = regions_below(tree["province"])
    assert [r.name for r in below] == ["测试省", "枣庄市", "东区", "南区", "西区"]
    with django_assert_num_queries(1):
        assert regions_below(tree["东区"]) == [tree["东区"]]


def test_each_level_sees_its_own_plans_and_reads_those_below(
    people, seed_plan, east_plan, west_plan
):
    def titles(user):
        return {p.doc_number for p in plans_for_user(user)}

    city, east, west = seed_plan.doc_number, east_plan.doc_number, west_plan.doc_number
    assert titles(people["province_leader"]) == {city, east, west}
    assert titles(people["province_coordinator"]) == {city, east, west}
    assert titles(people["city_leader"]) == {city, east, west}
    assert titles(people["city_coordinator"]) == {city, east, west}
    # A district sees its own plan, never the city's nor its sibling's.
    assert titles(people["east_leader"]) == {east}
    assert titles(people["east_coordinator"]) == {east}
    assert titles(people["west_coordinator"]) == {west}


def test_departments_are_seen_in_the_own_region_and_below(people, tree):
    east_commerce = Organization.objects.get(parent=tree["东区"], name="市商务局")
    city_commerce = Organization.objects.get(parent=tree["city"], name="市商务局")
    assert set(visible_departments(people["city_leader"])) >= {east_commerce, city_commerce}
    west_sees = set(visible_departments(people["west_coordinator"]))
    assert east_commerce not in west_sees and city_commerce not in west_sees


@pytest.fixture
def east_report(people, settings, east_plan, tree):
    """东区's 市商务局 files its October report (submitted, signed off)."""
    track(east_plan, settings, datetime.date(2026, 10, 1), on=at(2026, 11, 1, 9))
    commerce = Organization.objects.get(parent=tree["东区"], name="市商务局")
    report = Report.objects.get(
        period__plan=east_plan, period__start=datetime.date(2026, 10, 1), organization=commerce
    )
    reporter = make_user("e_commerce", "reporter", commerce)
    head = make_user("e_commerce_head", "approver", commerce)
    return file_report(report, reporter, head, when=at(2026, 10, 25, 10), text="东区推进顺利。")


def _reads(plan, report):
    """Every page and API read of a district plan and its progress."""
    period = report.period
    measure = report.entries.first().measure
    return [
        reverse("plans:detail", args=[plan.pk]),
        reverse("plans:json", args=[plan.pk]),
        reverse("plans:department", args=[report.organization_id]),
        reverse("reporting:matrix", args=[plan.pk]),
        reverse("reporting:measure", args=[measure.pk]),
        reverse("reporting:report", args=[report.pk]),
        reverse("reporting:schedule", args=[plan.pk]),
        reverse("reporting:closures", args=[plan.pk]),
        reverse("reporting:closure", args=[measure.pk]),
        reverse("insights:plan", args=[plan.pk]),
        reverse("insights:progress_data", args=[plan.pk]),
        reverse("insights:heatmap_data", args=[plan.pk]),
        reverse("insights:levels", args=[plan.pk]),
        reverse("supervision:scores", args=[plan.pk]),
        reverse("documents:plan", args=[plan.pk]),
        reverse("documents:report", args=[plan.pk, period.pk]),
        reverse("documents:ledger_xlsx", args=[plan.pk]),
        f"/api/v1/plans/{plan.pk}",
        f"/api/v1/plans/{plan.pk}/periods",
        f"/api/v1/plans/{plan.pk}/matrix",
        f"/api/v1/reports/{report.pk}",
    ]


def _writes(plan, report):
    """Every change a coordinator makes to a plan and its reports, with the data it posts."""
    period = report.period
    measure = report.entries.first().measure
    return [
        (reverse("plans:measure_edit", args=[measure.pk]), {}),
        (reverse("reporting:schedule", args=[plan.pk]), {}),
        (reverse("reporting:action", args=[report.pk, "accept"]), {}),
        (reverse("reporting:action", args=[report.pk, "return"]), {"comment": "退回"}),
        (reverse("reporting:period_close", args=[period.pk]), {}),
        (reverse("reporting:queue", args=[plan.pk]), {"reports": [report.pk]}),
        (reverse("supervision:chase", args=[plan.pk]), {}),
        (reverse("supervision:rule", args=[plan.pk]), {}),
        (reverse("supervision:notice_new", args=[plan.pk]), {}),
        (reverse("supervision:scores", args=[plan.pk]), {"start": "100"}),
        (reverse("documents:preset", args=[plan.pk]), {}),
        (reverse("documents:report_issue", args=[plan.pk, period.pk]), {}),
        (reverse("portal:publish", args=[plan.pk, period.pk]), {}),
    ]


def _api_accept(user, report):
    """The API's accept of `report`, sent with a token of `user`."""
    from django.test import Client

    from luoshi.api.services import create_token

    _token, key = create_token(user, "test")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    return api.post(f"/api/v1/reports/{report.pk}/accept", content_type="application/json")


def _client(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "reader",
    ["city_coordinator", "city_leader", "province_coordinator", "province_leader", "east_leader"],
)
def test_the_levels_above_read_a_district_plan_and_its_progress(
    client, people, east_plan, east_report, reader
):
    c = _client(client, people[reader])
    with at_mid_november():
        for url in _reads(east_plan, east_report):
            assert c.get(url).status_code == 200, url
        page = c.get(reverse("reporting:report", args=[east_report.pk])).content.decode()
    assert "东区推进顺利。" in page


@pytest.mark.parametrize(
    "reader", ["city_coordinator", "city_leader", "province_coordinator", "east_leader"]
)
def test_the_levels_above_change_nothing_of_a_district_plan(
    client, people, east_plan, east_report, reader
):
    c = _client(client, people[reader])
    with at_mid_november():
        for url, data in _writes(east_plan, east_report):
            assert c.post(url, data).status_code in (403, 404), url
        assert _api_accept(people[reader], east_report).status_code == 403
    east_report.refresh_from_db()
    assert east_report.status == Report.Status.SUBMITTED


@pytest.mark.parametrize("sibling", ["west_coordinator", "west_leader"])
def test_a_district_sees_nothing_of_its_sibling_nor_of_the_city(
    client, people, east_plan, east_report, seed_plan, west_plan, sibling
):
    c = _client(client, people[sibling])
    with at_mid_november():
        for url in _reads(east_plan, east_report):
            assert c.get(url).status_code == 404, url
        for url, data in _writes(east_plan, east_report):
            assert c.post(url, data).status_code in (403, 404), url
        assert _api_accept(people[sibling], east_report).status_code in (403, 404)
        assert c.get(reverse("plans:detail", args=[seed_plan.pk])).status_code == 404
        api_plans = c.get("/api/v1/plans").json()
        api_reports = c.get("/api/v1/reports").json()
    assert [p["id"] for p in api_plans] == [west_plan.pk]
    assert east_report.pk not in [r["id"] for r in api_reports]


def test_the_district_coordinator_still_acts_on_its_own_plan(client, people, east_report):
    c = _client(client, people["east_coordinator"])
    with at_mid_november():
        response = c.post(reverse("reporting:action", args=[east_report.pk, "accept"]))
    assert response.status_code == 302
    east_report.refresh_from_db()
    assert east_report.status == Report.Status.ACCEPTED


def test_a_collective_member_names_its_region(tree, people):
    governments = [
        Organization.objects.create(parent=tree[name], kind="department", name=f"{name}人民政府")
        for name in ("东区", "西区", "南区")
    ]
    collective = Organization.objects.create(
        parent=tree["city"], kind="collective", name="各区（市）政府"
    )
    set_members(None, collective, governments)
    members = collective.members.select_related("parent").order_by("name")
    assert [region_label(m) for m in members] == [
        "东区 · 东区人民政府",
        "南区 · 南区人民政府",
        "西区 · 西区人民政府",
    ]


def at_mid_november():
    import time_machine

    return time_machine.travel(at(2026, 11, 20, 10, 30), tick=False)


def test_the_city_chooses_its_districts_governments_as_members_and_a_district_cannot(
    client, tree, people
):
    east_government = Organization.objects.create(
        parent=tree["东区"], kind="department", name="东区人民政府"
    )
    collective = Organization.objects.create(
        parent=tree["city"], kind="collective", name="各区（市）政府"
    )
    url = reverse("orgs:edit", args=[collective.pk])
    c = _client(client, people["city_coordinator"])
    assert "东区 · 东区人民政府" in c.get(url).content.decode()
    data = {
        "name": "各区（市）政府",
        "full_name": "",
        "aliases": "",
        "members": [east_government.pk],
    }
    assert c.post(url, data).status_code == 302
    assert list(collective.members.all()) == [east_government]
    directory = c.get(reverse("orgs:directory")).content.decode()
    assert "东区 · 东区人民政府" in directory
    # A district edits its own directory only, and lists nothing of its sibling.
    c = _client(client, people["east_coordinator"])
    assert c.get(url).status_code == 404
    directory = c.get(reverse("orgs:directory")).content.decode()
    assert "东区人民政府" in directory and "西区发展和改革局" not in directory


def test_the_citys_security_administrator_gives_the_districts_their_accounts(
    tree, people, east_plan, english
):
    from luoshi.orgs.services import AccountRefused, change_role, create_account

    secadmin = make_user("c_secadmin", "security_admin", tree["city"])
    sysadmin = make_user("c_sysadmin", "system_admin", tree["city"])
    account, _password = create_account(sysadmin, username="e_new", display_name="东区新人")
    change_role(secadmin, account, "coordinator", east_plan.coordinator)
    assert account.organization == east_plan.coordinator
    change_role(secadmin, account, "leader", tree["南区"])
    assert account.organization == tree["南区"]
    # The province's office is above the city: not the city's to give.
    province_office = people["province_coordinator"].organization
    with pytest.raises(AccountRefused, match="Choose an organization of your region."):
        change_role(secadmin, account, "coordinator", province_office)


def test_the_city_directory_finds_its_units_not_its_districts(tree):
    from luoshi.orgs.services import Directory

    directory = Directory(tree["city"])
    assert directory.find("东区") is None
    assert directory.find("市商务局").parent == tree["city"]


def test_the_citys_security_administrator_sees_the_districts_api_tokens(tree, people):
    from luoshi.api.services import create_token, tokens_for_user

    secadmin = make_user("c_secadmin", "security_admin", tree["city"])
    east, _key = create_token(people["east_coordinator"], "东区的脚本")
    province, _key = create_token(people["province_coordinator"], "省里的脚本")
    seen = set(tokens_for_user(secadmin))
    assert east in seen and province not in seen


@pytest.mark.parametrize("reader", ["province_coordinator", "province_leader"])
def test_the_province_reads_the_citys_plan_and_changes_none_of_it(
    client, people, seed_plan, reader
):
    c = _client(client, people[reader])
    for name in ("plans:detail", "reporting:matrix", "insights:plan", "documents:plan"):
        assert c.get(reverse(name, args=[seed_plan.pk])).status_code == 200, name
    assert c.get(reverse("plans:list")).status_code == 200
    for name in ("reporting:schedule", "supervision:notice_new", "supervision:chase"):
        assert c.post(reverse(name, args=[seed_plan.pk])).status_code == 403, name


@pytest.mark.parametrize("name", ["plans:list", "insights:index", "reporting:home"])
def test_a_lists_queries_do_not_grow_with_the_districts(client, people, tree, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = _client(client, people["province_leader"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert c.get(reverse(name)).status_code == 200
        return len(queries)

    before = count()
    district_plan(tree["南区"], "南区发展和改革局", "南发改〔2026〕1号")
    assert count() == before


@pytest.mark.parametrize(
    "issuer, region",
    [
        ("枣庄市发展和改革委员会", "枣庄市"),
        ("山东省发展和改革委员会", "山东省"),
        ("山东省市场监督管理局", "山东省"),  # not "山东省市"
        ("中共薛城区委办公室", "薛城区"),
        ("滕州市人民政府", "滕州市"),
        ("杭州市商务局", "杭州市"),
        ("北京市通州区发展和改革委员会", "北京市"),
        ("广西壮族自治区商务厅", "广西壮族自治区"),
        ("国务院办公厅", None),
    ],
)
def test_the_region_a_plan_belongs_to_is_read_from_its_first_issuer(issuer, region):
    assert region_name_for([issuer]) == region
