"""The cascade, end to end (issue 22): 山东省's plan in the province's own words, the seed
imported as 枣庄市's plan implementing it (linked as the hand mapping of test_lineage says),
sent down to three districts of 枣庄市, each of which puts its own implementing plan live and
reports on it; the city reads what the districts report and changes none of it."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from luoshi.importing.sources import parse_file
from luoshi.orgs.models import Organization
from luoshi.orgs.services import get_or_create_region
from luoshi.plans import delegation
from luoshi.plans.models import Delegation, Measure, Plan
from luoshi.plans.seed import SEED
from luoshi.plans.services import edit_import_draft, import_plan, preview_of_draft
from luoshi.plans.tests.test_lineage import MEASURES, PROVINCE_PLAN, TASKS, lineage
from luoshi.reporting.models import Report
from luoshi.reporting.services import confirm_import
from luoshi.testing import at, department, file_report, make_user

REGION = Organization.Kind.REGION
# Three districts of 枣庄市, each naming its offices its own way; none has all the city's.
DISTRICTS = {
    "薛城区": ["薛城区发展和改革局", "薛城区商务局", "薛城区工业和信息化局"],
    "山亭区": ["山亭区发展和改革局", "山亭区商务局"],
    "滕州市": ["滕州市发展和改革局", "滕州市商务局", "滕州市住房和城乡建设局"],
}
CODES = {"薛城区": "xuecheng", "山亭区": "shanting", "滕州市": "tengzhou"}


@pytest.fixture
def tree(region):
    """山东省 → 枣庄市 (the demo's directory) → the three districts."""
    province = get_or_create_region("山东省")
    region.parent = province
    region.save()
    for name, offices in DISTRICTS.items():
        district = Organization.objects.create(kind=REGION, name=name, parent=region)
        for office in offices:
            Organization.objects.create(
                kind=Organization.Kind.DEPARTMENT, name=office, parent=district
            )
    return province


@pytest.fixture
def province_plan(tree) -> Plan:
    parsed, text = parse_file(PROVINCE_PLAN)
    return import_plan(parsed, region=tree, source_name=PROVINCE_PLAN.name, source_text=text)


@pytest.fixture
def city_plan(province_plan) -> Plan:
    parsed, text = parse_file(SEED)
    return import_plan(parsed, source_name=SEED.name, source_text=text)


def district_plan(coordinator, sent: Delegation) -> Plan:
    """What a district's coordinator does: make the draft, give each office the city names
    that the district lacks to its 发展和改革局, put it live from December."""
    draft = delegation.create_delegated_draft(coordinator, sent.pk)
    for name in preview_of_draft(draft, coordinator)["unknown"]:
        draft = edit_import_draft(
            coordinator,
            draft,
            draft.version,
            "map_name",
            name=name,
            target=coordinator.organization.name,
            remember=False,
        )
    return confirm_import(
        coordinator, draft, draft.version, tracking_start=datetime.date(2026, 12, 1)
    )


def test_the_province_plan_the_city_plan_and_three_district_plans_make_one_chain(
    client_for, city_plan, province_plan
):
    # The city's plan implements the province's, linked as the hand mapping says.
    assert list(city_plan.implements.all()) == [province_plan]
    assert lineage(city_plan) == (TASKS, MEASURES)
    city_coordinator = make_user("city_coordinator", "coordinator", city_plan.coordinator)
    districts = Organization.objects.filter(kind=REGION, name__in=DISTRICTS)
    with time_machine.travel(at(2026, 12, 3, 9), tick=False):
        sent = delegation.send_down(city_coordinator, city_plan, list(districts))
        assert sorted(d.region.name for d in sent) == sorted(DISTRICTS)
        plans = {}
        for name in DISTRICTS:
            office = department(name + "发展和改革局")
            coordinator = make_user(f"{CODES[name]}_coordinator", "coordinator", office)
            plans[name] = district_plan(coordinator, Delegation.objects.get(region__name=name))
    city_measures = list(Measure.objects.filter(key_task__plan=city_plan).order_by("pk"))
    assert len(city_measures) == 77
    for name, plan in plans.items():
        assert plan.region.name == name
        assert plan.title == f"{name}贯彻落实《{city_plan.title}》分工方案"
        assert list(plan.implements.all()) == [city_plan]
        # Every measure is the city's, linked to it, and assigned in the district only.
        measures = Measure.objects.filter(key_task__plan=plan).select_related("parent")
        assert sorted(m.parent_id for m in measures) == [m.pk for m in city_measures]
        assert all(m.code == m.parent.code for m in measures)
        assigned = Organization.objects.filter(assignments__measure__key_task__plan=plan)
        assert {o.parent.name for o in assigned} == {name}
        assert Delegation.objects.get(region__name=name).implementing_plan == plan
    # Each district's 商务局 reports on its own plan in December.
    for name, plan in plans.items():
        commerce = department(name + "商务局")
        report = Report.objects.get(
            period__plan=plan, period__start=datetime.date(2026, 12, 1), organization=commerce
        )
        reporter = make_user(f"{CODES[name]}_commerce", "reporter", commerce)
        head = make_user(f"{CODES[name]}_commerce_head", "approver", commerce)
        file_report(report, reporter, head, when=at(2026, 12, 20, 10))
        report.refresh_from_db()
        assert report.status == Report.Status.SUBMITTED
    # The city reads a district's plan and its report, and is refused the review.
    with time_machine.travel(at(2026, 12, 21, 9), tick=False):
        client = client_for(city_coordinator)
        plan = plans["薛城区"]
        assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 200
        report = Report.objects.get(
            period__plan=plan, organization=department("薛城区商务局"), status="submitted"
        )
        page = client.get(reverse("reporting:report", args=[report.pk])).content.decode()
        assert report.entries.first().progress in page
        response = client.post(reverse("reporting:action", args=[report.pk, "accept"]))
        assert response.status_code == 403
        report.refresh_from_db()
        assert report.status == Report.Status.SUBMITTED
