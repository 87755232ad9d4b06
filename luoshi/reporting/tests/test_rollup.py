"""The roll-up (issue 23): what the districts report on the measures carrying out the city's
shows on the city's measure page and matrix, each district named with its light; the pages
read the same number of queries whatever the number of districts.

Seen on Wednesday 2 December 2026: November (due Saturday 28 November) is the last month due.
东区 reported November on 25 November and was accepted; 西区 reported on 30 November, late,
not accepted yet; 南区 reported nothing."""

import datetime
import io
import json
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from luoshi.orgs.models import Organization
from luoshi.orgs.services import get_or_create_region
from luoshi.plans.models import Measure
from luoshi.plans.services import set_measure_departments
from luoshi.reporting import services
from luoshi.reporting.models import Report
from luoshi.testing import at, dashboard_json, district_plan, file_report, make_user, track

SINCE = datetime.date(2026, 10, 1)


@pytest.fixture
def early_december(request):
    """2 December 2026, 10:00; the clock ticks in a browser test (its session must not stop)."""
    ticking = request.node.get_closest_marker("browser") is not None
    with time_machine.travel(at(2026, 12, 2, 10), tick=ticking):
        yield


def city_measure():
    """The city plan's 十.3 (the districts' plans re-issue the seed: theirs has one too)."""
    return Measure.objects.get(key_task__plan__region__name="枣庄市", key_task__label="十、", no=3)


def _district(city, name: str, settings):
    """The district `name` below the city, with its plan re-issuing the seed, tracked from
    October; its 十.3 carries out the city's 十.3 (and the reporter, head and coordinator of
    its 市邮政管理局 report)."""
    district = get_or_create_region(name, full_name="枣庄市" + name, parent=city)
    plan = district_plan(district, f"{name}发展和改革局", f"{name[0]}发改〔2026〕1号")
    track(plan, settings, SINCE, on=at(2026, 11, 1, 9))
    Measure.objects.filter(key_task__plan=plan, key_task__label="十、", no=3).update(
        parent=city_measure()
    )
    post = Organization.objects.get(parent=district, name="市邮政管理局")
    report = Report.objects.get(
        period__plan=plan, period__start=datetime.date(2026, 11, 1), organization=post
    )
    return {
        "report": report,
        "reporter": make_user(f"{name}_post", "reporter", post),
        "head": make_user(f"{name}_post_head", "approver", post),
        "coordinator": make_user(f"{name}_coord", "coordinator", plan.coordinator),
    }


def _accepted(district, when, text):
    report = file_report(
        district["report"], district["reporter"], district["head"], when=when, text=text
    )
    services.accept(district["coordinator"], report)


@pytest.fixture
def city(region, seed_plan, settings, early_december):
    track(seed_plan, settings, SINCE, on=at(2026, 11, 1, 9))
    east, west, south = (_district(region, name, settings) for name in ("东区", "西区", "南区"))
    _accepted(east, at(2026, 11, 25, 10), "东区：已建成村级寄递物流综合服务站12个。")
    file_report(
        west["report"],
        west["reporter"],
        west["head"],
        when=at(2026, 11, 30, 10),
        text="西区：补报十一月进展。",
    )
    return {
        "plan": seed_plan,
        "region": region,
        "coordinator": make_user("c_coord", "coordinator", seed_plan.coordinator),
        "leader": make_user("c_leader", "leader", region),
        "east": east,
        "settings": settings,
    }


def _rows(page: str) -> dict[str, tuple[str, str, str]]:
    """{district: (state, light, text)} of the measure page's roll-up."""
    section = page.split('data-testid="rollup"')[1].split("</section>")[0]
    found = re.findall(
        r'data-district="(.+?)" data-state="(.+?)" data-light="(.+?)">.*?</tr>', section, re.S
    )
    rows = {}
    for name, state, light in found:
        row = section.split(f'data-district="{name}"')[1].split("</tr>")[0]
        text = re.findall(r"<td>(.*?)</td>", row, re.S)[-1].strip()
        rows[name] = (state, light, text)
    return rows


def measure_url() -> str:
    return reverse("reporting:measure", args=[city_measure().pk])


def test_the_city_measure_page_names_each_district_with_its_light(client_for, city):
    page = client_for(city["coordinator"]).get(measure_url()).content.decode()
    assert (
        "各区（市）落实情况" in page and "2026年11月" in page.split('data-testid="rollup"')[1][:300]
    )
    assert _rows(page) == {
        "东区": ("accepted", "green", "东区：已建成村级寄递物流综合服务站12个。"),
        # Late and not accepted yet: its text stays with the district until accepted.
        "西区": ("submitted", "yellow", "—"),
        "南区": ("missing", "red", "—"),
    }
    assert "西区：补报十一月进展。" not in page
    section = page.split('data-testid="rollup"')[1].split("</section>")[0]
    assert "已验收" in section and "逾期未报送" in section


def test_the_city_matrix_counts_the_districts_behind_or_late(client_for, city):
    page = client_for(city["coordinator"]).get(reverse("reporting:matrix", args=[city["plan"].pk]))
    page = page.content.decode()
    line = page.split('data-measure="十、3."')[1].split("</li>")[0]
    # 东区 and 西区 reported; 西区 late and 南区 missing.
    assert 'data-reported="2" data-lagging="2"' in line
    assert "区（市）：2 个已报" in line and "2 个滞后或逾期" in line
    assert measure_url() in line


def test_readers_from_above_see_it_and_a_district_does_not(client_for, city):
    province = get_or_create_region("测试省")
    Organization.objects.filter(pk=city["region"].pk).update(parent=province)
    province_leader = make_user("p_leader", "leader", province)
    for user in (city["leader"], province_leader):
        page = client_for(user).get(measure_url()).content.decode()
        assert "东区：已建成村级寄递物流综合服务站12个。" in page
    matrix = reverse("reporting:matrix", args=[city["plan"].pk])
    assert 'data-reported="2"' in client_for(province_leader).get(matrix).content.decode()
    lights = reverse("insights:lights_data", args=[city["plan"].pk])
    for user in (city["east"]["coordinator"], city["east"]["reporter"]):
        client = client_for(user)
        for url in (measure_url(), matrix, lights):
            response = client.get(url)
            assert response.status_code in (403, 404), url
            assert (
                "东区：" not in response.content.decode()
                and "西区" not in response.content.decode()
            )


def test_the_dashboard_lists_the_measures_with_districts_behind_or_late(client_for, city):
    data = dashboard_json(client_for(city["coordinator"]), "lights_data", city["plan"])
    assert data["districts"]["columns"][1] == "2026年11月"
    [row] = data["districts"]["rows"]
    assert row["cells"][0].startswith("十、3. ") and row["light"] == "red"
    assert row["cells"][1] == "南区 逾期未报送；西区 逾期报送"
    assert row["url"] == measure_url()


PAGES = ["reporting:measure", "reporting:matrix", "insights:lights_data"]


@pytest.mark.parametrize("name", PAGES)
def test_the_pages_queries_do_not_grow_with_the_districts(client_for, city, name):
    # The measure: session, user, measure, data version, its periods' count (the city has no
    # entry), targets, assignments; the matrix: its six; the lights: their 13
    # (insights/tests/test_dashboard.py). Then the districts' measures, the city's periods
    # (the matrix has them), the districts' periods, their entries; the matrix's collectives.
    pinned = {"reporting:measure": 11, "reporting:matrix": 10, "insights:lights_data": 17}[name]
    target = city_measure().pk if name == "reporting:measure" else city["plan"].pk

    def count():
        client = client_for(city["coordinator"])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name, args=[target]))
        return len(queries), response.content.decode()

    assert count()[0] == pinned
    north = _district(city["region"], "北区", city["settings"])
    _accepted(north, at(2026, 11, 20, 10), "北区：按时完成。")
    _district(city["region"], "中区", city["settings"])
    queries, page = count()
    assert queries == pinned
    if name == "reporting:measure":
        assert _rows(page)["北区"] == ("accepted", "green", "北区：按时完成。")
        assert _rows(page)["中区"] == ("missing", "red", "—")
    elif name == "reporting:matrix":
        # 东区, 西区 and 北区 reported; 西区 late, 南区 and 中区 missing.
        assert 'data-reported="3" data-lagging="3"' in page
    else:
        [row] = json.loads(page)["districts"]["rows"]
        assert row["cells"][1] == "中区、南区 逾期未报送；西区 逾期报送"


def test_the_brief_names_the_districts_behind_or_late_not_their_texts(client_for, city):
    from docx import Document

    from luoshi.documents.brief import build_brief
    from luoshi.documents.brief_docx import build_document
    from luoshi.documents.services import consolidated_report, default_options

    november = city["plan"].periods.get(start=datetime.date(2026, 11, 1))
    report = consolidated_report(
        city["coordinator"], november, default_options(city["plan"], datetime.date(2026, 12, 2))
    )
    # One sentence for the measure; 东区, accepted on time, is not named.
    assert build_brief(report).districts == ["措施十、3.：南区逾期未报送；西区逾期报送。"]
    paragraphs = [p.text for p in Document(io.BytesIO(build_document(report))).paragraphs]
    heading = next(i for i, text in enumerate(paragraphs) if text.endswith("各区（市）落实情况"))
    assert paragraphs[heading + 1] == "措施十、3.：南区逾期未报送；西区逾期报送。"
    url = reverse("documents:report", args=[city["plan"].pk, november.pk])
    page = client_for(city["coordinator"]).get(url).content.decode()
    section = page.split('data-testid="brief-districts"')[1].split("</section>")[0]
    assert "措施十、3.：南区逾期未报送；西区逾期报送。" in section
    assert "东区：" not in section and "西区：" not in section


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_dashboard_shows_the_districts_behind_or_late(
    live_server, logged_in_page, city
):
    plan = city["plan"]
    page = logged_in_page(city["coordinator"].username, next=f"/insights/plans/{plan.pk}/")
    table = page.locator('[data-table-for="districts"] table')
    table.wait_for()
    assert table.locator("tbody tr").count() == 1
    row = table.locator("tbody tr").first
    assert row.locator("td").nth(1).inner_text() == "南区 逾期未报送；西区 逾期报送"
    row.locator("a").click()
    page.wait_for_url(f"**/reporting/measures/{city_measure().pk}/")
    section = page.get_by_test_id("rollup")
    assert "东区：已建成村级寄递物流综合服务站12个。" in section.inner_text()
    assert page.errors == []


DEPARTMENT = Organization.Kind.DEPARTMENT


def _collective(city, names: list[str]):
    """各区（市）政府 with the governments of the districts `names` (and 市政府办公室, a city
    office), assigned on the city's 十.3 beside its departments."""
    collective = Organization.objects.create(
        kind=Organization.Kind.COLLECTIVE, name="各区（市）政府", parent=city["region"]
    )
    collective.members.add(
        Organization.objects.create(kind=DEPARTMENT, name="市政府办公室", parent=city["region"]),
        *(
            Organization.objects.create(
                kind=DEPARTMENT,
                name=f"{name}人民政府",
                parent=get_or_create_region(name, parent=city["region"]),
            )
            for name in names
        ),
    )
    measure = city_measure()
    departments = [(a.organization, a.role) for a in measure.assignments.all()]
    set_measure_departments(
        city["coordinator"], measure, [*departments, (collective, "co")], needs_review=False
    )


def _collectives(client, city) -> dict[str, tuple[str, str]]:
    """{collective: (received?, what the matrix says of it)}."""
    page = client.get(reverse("reporting:matrix", args=[city["plan"].pk])).content.decode()
    section = page.split('data-testid="collectives"')[1].split("</ul>")[0]
    found = re.findall(r'data-collective="(.+?)" data-received="(.)">(.*?)</li>', section, re.S)
    return {name: (received, re.sub(r"<.*?>", "", said)) for name, received, said in found}


def test_a_collective_of_the_districts_is_received_when_every_member_reported(client_for, city):
    # 东区 accepted, 西区 submitted late: both reported; 南区 did not.
    _collective(city, ["东区", "西区", "南区"])
    client = client_for(city["coordinator"])
    assert _collectives(client, city) == {
        "各区（市）政府": ("0", "各区（市）政府（十、3.）：尚未收齐，未报送： 南区")
    }
    south = get_or_create_region("南区")
    post = Organization.objects.get(parent=south, name="市邮政管理局")
    report = Report.objects.get(
        period__plan__region=south, period__start=datetime.date(2026, 11, 1), organization=post
    )
    file_report(
        report,
        make_user("南区_post", "reporter", post),
        make_user("南区_post_head", "approver", post),
        when=at(2026, 12, 1, 10),
        text="南区：补报。",
    )
    assert _collectives(client, city) == {
        "各区（市）政府": ("1", "各区（市）政府（十、3.）：视为已收到（各成员均已报送）")
    }


def test_a_member_district_without_a_plan_carrying_it_out_is_missing(client_for, city):
    _collective(city, ["东区", "西区", "北区"])
    assert _collectives(client_for(city["coordinator"]), city) == {
        "各区（市）政府": ("0", "各区（市）政府（十、3.）：尚未收齐，未报送： 北区")
    }
