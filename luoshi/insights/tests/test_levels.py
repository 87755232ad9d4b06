"""A dashboard per level (issue 23): the province sees each city's answer on its measures, a
city each district's, by light, for the latest month due; a light opens the region's measure.

Seen on Wednesday 2 December 2026: November (due Saturday 28 November) is the last month due.
Below 枣庄市 (the seed plan): 东区 reported November on 25 November and was accepted; 西区
reported on 30 November, late, not accepted yet; 南区 reported nothing. Each carries out the
city's 十.3 only."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from luoshi.orgs.models import Organization
from luoshi.orgs.services import get_or_create_region
from luoshi.plans.models import Measure
from luoshi.reporting import services
from luoshi.reporting.models import Report
from luoshi.testing import at, district_plan, file_report, make_user, track

SINCE = datetime.date(2026, 10, 1)
NOVEMBER = datetime.date(2026, 11, 1)


@pytest.fixture
def early_december(request):
    """2 December 2026, 10:00; the clock ticks in a browser test (its session must not stop)."""
    ticking = request.node.get_closest_marker("browser") is not None
    with time_machine.travel(at(2026, 12, 2, 10), tick=ticking):
        yield


def ten_three(plan) -> Measure:
    return Measure.objects.get(key_task__plan=plan, key_task__label="十、", no=3)


def below(parent, name: str, parent_plan, settings):
    """The region `name` below `parent`, its plan re-issuing the seed tracked from October,
    whose 十.3 carries out `parent_plan`'s."""
    region = get_or_create_region(name, parent=parent)
    plan = district_plan(region, f"{name}发展和改革局", f"{name[0]}发改〔2026〕1号")
    track(plan, settings, SINCE, on=at(2026, 11, 1, 9))
    Measure.objects.filter(pk=ten_three(plan).pk).update(parent=ten_three(parent_plan))
    return plan


def report_november(plan, code: str, when, text: str, *, accept: bool):
    """The November report of `plan`'s 市邮政管理局, filed at `when`, accepted if asked."""
    post = Organization.objects.get(parent=plan.region, name="市邮政管理局")
    report = Report.objects.get(period__plan=plan, period__start=NOVEMBER, organization=post)
    reporter = make_user(f"{code}_post", "reporter", post)
    head = make_user(f"{code}_post_head", "approver", post)
    report = file_report(report, reporter, head, when=when, text=text)
    if accept:
        services.accept(make_user(f"{code}_coord", "coordinator", plan.coordinator), report)


@pytest.fixture
def city(region, seed_plan, settings, early_december):
    track(seed_plan, settings, SINCE, on=at(2026, 11, 1, 9))
    plans = {name: below(region, name, seed_plan, settings) for name in ("东区", "西区", "南区")}
    report_november(
        plans["东区"], "east", at(2026, 11, 25, 10), "东区：已建成服务站12个。", accept=True
    )
    report_november(
        plans["西区"], "west", at(2026, 11, 30, 10), "西区：补报十一月进展。", accept=False
    )
    return {
        "plan": seed_plan,
        "region": region,
        "districts": plans,
        "coordinator": make_user("c_coord", "coordinator", seed_plan.coordinator),
        "leader": make_user("c_leader", "leader", region),
        "settings": settings,
    }


def levels_url(plan) -> str:
    return reverse("insights:levels", args=[plan.pk])


def lights(page: str, code: str) -> dict[str, tuple[str, str, str]]:
    """{region: (state, light, link)} in the row of the measure `code`."""
    row = page.split(f'<tr data-measure="{code}">')[1].split("</tr>")[0]
    found = re.findall(
        r'data-region="(.+?)" data-state="(.+?)" data-light="(.+?)" href="(.+?)"', row
    )
    return {region: (state, light, href) for region, state, light, href in found}


def columns(page: str) -> list[str]:
    head = page.split('data-testid="levels"')[1].split("</thead>")[0]
    return re.findall(r'<th scope="col" data-region="(.+?)">', head)


def november(plan):
    return plan.periods.get(start=NOVEMBER)


def test_the_city_sees_a_light_per_district_and_opens_the_districts_text(client_for, city):
    client = client_for(city["coordinator"])
    page = client.get(levels_url(city["plan"])).content.decode()
    assert columns(page) == ["东区", "南区", "西区"]  # by name, in code points
    assert "2026年11月" in page.split('data-testid="level-period"')[1][:40]
    # Every measure of the city's plan has its row; only 十.3 is carried out below.
    assert page.count("<tr data-measure=") == 77
    assert lights(page, "十、2.") == {}
    east = city["districts"]["东区"]
    east_url = reverse("reporting:measure", args=[ten_three(east).pk])
    assert lights(page, "十、3.") == {
        "东区": ("accepted", "green", f"{east_url}#period-{november(east).pk}"),
        "南区": (
            "missing",
            "red",
            reverse("reporting:measure", args=[ten_three(city["districts"]["南区"]).pk])
            + f"#period-{november(city['districts']['南区']).pk}",
        ),
        "西区": (
            "submitted",
            "yellow",
            reverse("reporting:measure", args=[ten_three(city["districts"]["西区"]).pk])
            + f"#period-{november(city['districts']['西区']).pk}",
        ),
    }
    # The drill-down: 东区's measure, at November, with its text.
    district_page = client.get(east_url).content.decode()
    month = district_page.split(f'id="period-{november(east).pk}"')[1]
    assert "东区：已建成服务站12个。" in month.split("</table>")[0]


def test_the_province_sees_each_city_and_opens_the_citys_measure_with_its_districts(
    client_for, city
):
    province = get_or_create_region("山东省")
    Organization.objects.filter(pk=city["region"].pk).update(parent=province)
    settings = city["settings"]
    province_plan = district_plan(province, "山东省发展和改革委员会", "鲁发改〔2026〕1号")
    track(province_plan, settings, SINCE, on=at(2026, 11, 1, 9))
    Measure.objects.filter(pk=ten_three(city["plan"]).pk).update(parent=ten_three(province_plan))
    other = below(province, "测试市", province_plan, settings)
    report_november(
        city["plan"], "city", at(2026, 11, 26, 10), "枣庄市：寄递网络覆盖全部行政村。", accept=True
    )
    client = client_for(make_user("p_coord", "coordinator", province_plan.coordinator))
    page = client.get(levels_url(province_plan)).content.decode()
    assert columns(page) == ["枣庄市", "测试市"]  # the cities, not the districts
    city_url = reverse("reporting:measure", args=[ten_three(city["plan"]).pk])
    other_url = reverse("reporting:measure", args=[ten_three(other).pk])
    assert lights(page, "十、3.") == {
        # 枣庄市's measure is carried out by its districts: its page opens on their roll-up.
        "枣庄市": ("accepted", "green", city_url),
        "测试市": ("missing", "red", f"{other_url}#period-{november(other).pk}"),
    }
    city_page = client.get(city_url).content.decode()
    rollup = city_page.split('data-testid="rollup"')[1].split("</section>")[0]
    assert "东区：已建成服务站12个。" in rollup and 'data-district="南区"' in rollup


def test_the_index_links_the_plans_carried_out_below(client_for, city):
    page = client_for(city["coordinator"]).get(reverse("insights:index")).content.decode()
    links = page.split('data-testid="levels-links"')[1].split("</section>")[0]
    assert levels_url(city["plan"]) in links
    # A district's plan is carried out by no region below.
    east = city["districts"]["东区"]
    coordinator = make_user("east_only", "coordinator", east.coordinator)
    page = client_for(coordinator).get(reverse("insights:index")).content.decode()
    assert 'data-testid="levels-links"' not in page
    page = client_for(coordinator).get(levels_url(east)).content.decode()
    assert "尚无下级地区落实本方案的措施" in page and "西区" not in page


def test_readers_from_above_read_it_a_district_and_a_department_are_refused(client_for, city):
    province = get_or_create_region("山东省")
    Organization.objects.filter(pk=city["region"].pk).update(parent=province)
    url = levels_url(city["plan"])
    for user in (city["leader"], make_user("p_leader", "leader", province)):
        assert client_for(user).get(url).status_code == 200
    east = city["districts"]["东区"]
    refused = {
        make_user("east_coordinator", "coordinator", east.coordinator): 404,
        make_user("east_leader", "leader", east.region): 404,
        make_user(
            "east_reader",
            "reporter",
            Organization.objects.get(parent=east.region, name="市邮政管理局"),
        ): 403,
    }
    for user, status in refused.items():
        response = client_for(user).get(url)
        assert response.status_code == status
        assert "西区" not in response.content.decode()
    assert client_for(city["coordinator"]).post(url).status_code == 405
    response = client_for(None).get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_page_reads_as_many_queries_with_five_districts_as_with_three(client_for, city):
    def count():
        client = client_for(city["coordinator"])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(levels_url(city["plan"]))
        return len(queries), response.content.decode()

    # Session, user, plan, its measures, the regions' measures, the plan's periods, theirs,
    # their entries, the measures carried out further down.
    assert count()[0] == 9
    report_november(
        below(city["region"], "北区", city["plan"], city["settings"]),
        "north",
        at(2026, 11, 20, 10),
        "北区：按时完成。",
        accept=True,
    )
    below(city["region"], "中区", city["plan"], city["settings"])
    queries, page = count()
    assert queries == 9
    assert columns(page) == ["东区", "中区", "北区", "南区", "西区"]
    assert {k: v[:2] for k, v in lights(page, "十、3.").items()} == {
        "东区": ("accepted", "green"),
        "中区": ("missing", "red"),
        "北区": ("accepted", "green"),
        "南区": ("missing", "red"),
        "西区": ("submitted", "yellow"),
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_city_follows_a_districts_light_to_its_text(
    live_server, logged_in_page, city
):
    page = logged_in_page(city["coordinator"].username, next="/insights/")
    page.get_by_test_id("levels-links").get_by_role("link").click()
    page.wait_for_url(f"**{levels_url(city['plan'])}")
    page.locator('[data-measure="十、3."] a[data-region="东区"]').click()
    east = city["districts"]["东区"]
    page.wait_for_url(f"**/reporting/measures/{ten_three(east).pk}/#period-{november(east).pk}")
    month = page.locator(f"#period-{november(east).pk} + *")  # the month's table
    assert "东区：已建成服务站12个。" in month.inner_text()
    assert page.errors == []
