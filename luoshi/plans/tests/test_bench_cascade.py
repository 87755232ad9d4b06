"""The benchmark's cascade (bench/cascade.py, issue 23): its quick variant builds 山东省, its 16
cities and 10 districts under each, each plan carrying out the one above it measure for
measure, with two months of periods; and the bench's target says MISS when a roll-up page
reads more queries with more districts.

Seen on Wednesday 2 December 2026: tracked from November, so November and December."""

import datetime

import pytest
import time_machine
from django.db.models import F

from bench import cascade, run
from luoshi.orgs.models import Organization
from luoshi.plans.models import Measure, Plan
from luoshi.reporting.models import Period, Report
from luoshi.testing import at

REGION = Organization.Kind.REGION


@pytest.fixture
def built(db):
    with time_machine.travel(at(2026, 12, 2, 10), tick=False):
        yield cascade.generate(cascade.QUICK["cascade"], today=datetime.date(2026, 12, 2))


def test_the_quick_cascade_is_a_province_16_cities_and_160_districts(built):
    province = Organization.objects.get(kind=REGION, parent=None)
    assert province.name == "山东省"
    cities = Organization.objects.filter(kind=REGION, parent=province)
    assert cities.count() == 16
    assert {"济南市", "青岛市", "枣庄市", "菏泽市"} <= set(cities.values_list("name", flat=True))
    for city in cities:
        assert Organization.objects.filter(kind=REGION, parent=city).count() == 10
    assert Organization.objects.filter(kind=REGION, parent__parent=province).count() == 160
    # One plan per region: 1 + 16 + 160; 2 key tasks × 2 measures each.
    assert Plan.objects.count() == 177
    assert Measure.objects.count() == 177 * 4
    assert (built["cities"], built["districts"], built["plans"]) == (16, 160, 177)


def test_each_plan_carries_out_the_one_above_measure_for_measure(built):
    province_plan = Plan.objects.get(region__parent=None)
    jinan = Plan.objects.get(region__name="济南市")
    assert list(jinan.implements.all()) == [province_plan]
    first = Measure.objects.get(key_task__plan=province_plan, key_task__no=1, no=1)
    # Each city's 1.1 carries out the province's 1.1: 16 of them, one per city.
    cities = first.children.values_list("key_task__plan__region__name", flat=True)
    assert len(cities) == 16 and len(set(cities)) == 16
    jinan_first = first.children.get(key_task__plan=jinan)
    districts = jinan_first.children.values_list("key_task__plan__region__parent__name", flat=True)
    assert list(districts) == ["济南市"] * 10
    for district_plan in Plan.objects.filter(region__parent__name="济南市"):
        assert list(district_plan.implements.all()) == [jinan]
    # Every city and district measure has its parent; the province's have none.
    assert Measure.objects.filter(parent=None).count() == 4


def test_each_plan_reports_monthly_from_november(built):
    assert set(Period.objects.values_list("start", flat=True)) == {
        datetime.date(2026, 11, 1),
        datetime.date(2026, 12, 1),
    }
    assert Period.objects.count() == 177 * 2
    # Each report comes from a department of the plan's own region.
    assert not Report.objects.exclude(organization__parent=F("period__plan__region")).exists()
    # Some of November's reports were accepted, some are late, some not started.
    november = Report.objects.filter(period__start=datetime.date(2026, 11, 1))
    assert november.filter(status=Report.Status.ACCEPTED).exists()
    assert november.filter(late=True).exists()
    not_sent = (Report.Status.NOT_STARTED, Report.Status.DRAFT)
    assert november.filter(status__in=not_sent).exists()


def test_a_query_count_growing_with_the_districts_misses_its_target():
    def page(queries, first, uncached, p95):
        return {
            "queries": queries,
            "first_queries": first,
            "uncached": {"queries": uncached, "p95_ms": p95},
        }

    figures = {
        "pages": {
            "small": {"city_measure": page(4, 15, 15, 20)},
            "cascade": {"city_measure": page(4, 15, 16, 320)},
        }
    }
    met = {c["target"]: c["met"] for c in run.cascade_checks(figures)}
    assert met == {
        "cascade city_measure queries equal at 16 × 3 and 16 × 10 districts": True,
        "cascade city_measure first_queries equal at 16 × 3 and 16 × 10 districts": True,
        "cascade city_measure uncached queries equal at 16 × 3 and 16 × 10 districts": False,
        "cascade city_measure p95 < 300 ms (16 × 10, uncached)": False,
    }
