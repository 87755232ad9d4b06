"""The cascade (issue 23): a province, its 16 cities, 10 districts under each, and the roll-up
pages timed at that size and at a smaller one (16 × 3), to show their query counts do not
grow with the number of districts.

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=... \\
        .venv/bin/python -m bench.cascade cascade|small [--quick] [--out FILE]

The database must be empty (bench/run.py makes a fresh one per cascade); it is migrated here.

The data: 山东省 with a few departments (its coordinator first), a province plan of 18 key
tasks × 4 measures; each city's plan implements it (Plan.implements, KeyTask.parent and
Measure.parent the province's), each district's plan implements its city's. Six months of
monthly periods and their expected reports come from the real services (`ensure_periods`); the
reports and entries are bulk-inserted by bench/generate.py's filler, with its invariants and
its mix of outcomes (most accepted, some late, some drafts or nothing at all).
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]

CITIES = [
    "济南市",
    "青岛市",
    "淄博市",
    "枣庄市",
    "东营市",
    "烟台市",
    "潍坊市",
    "济宁市",
    "泰安市",
    "威海市",
    "日照市",
    "临沂市",
    "德州市",
    "聊城市",
    "滨州市",
    "菏泽市",
]
LEVEL_PREFIX = {0: "省", 1: "市", 2: "县"}


@dataclass
class Cascade:
    name: str
    cities: int = 16
    districts: int = 10  # under each city
    departments: int = 6  # in each region, its coordinator first
    tasks: int = 18
    measures_per_task: int = 4
    months: int = 6


CASCADES = {"cascade": Cascade("cascade"), "small": Cascade("small", districts=3)}
QUICK = {
    "cascade": Cascade("cascade", departments=2, tasks=2, measures_per_task=2, months=2),
    "small": Cascade("small", districts=3, departments=2, tasks=2, measures_per_task=2, months=2),
}


# --- The data ---------------------------------------------------------------------------------


def _regions(cascade: Cascade):
    """The province, its cities and their districts: [(level, region, parent region)]."""
    from bench.generate import PREFIXES, SUFFIXES
    from luoshi.orgs.models import Organization

    region = Organization.Kind.REGION
    province = Organization.objects.create(kind=region, name="山东省", full_name="山东省")
    cities = Organization.objects.bulk_create(
        Organization(parent=province, kind=region, name=name, full_name="山东省" + name)
        for name in CITIES[: cascade.cities]
    )
    names = [p + s for s in SUFFIXES for p in PREFIXES][: cascade.districts]
    districts = Organization.objects.bulk_create(
        Organization(parent=city, kind=region, name=name, full_name=city.name + name)
        for city in cities
        for name in names
    )
    by_pk = {city.pk: city for city in cities}
    return (
        [(0, province, None)]
        + [(1, city, province) for city in cities]
        + [(2, district, by_pk[district.parent_id]) for district in districts]
    )


def _departments(cascade: Cascade, regions) -> dict[int, list]:
    """region pk -> its departments, the coordinator (发展改革局) first; each coordinator gets a
    coordinator account and each region a leader."""
    from bench.generate import DEPARTMENTS
    from luoshi.orgs.models import Organization, User

    Organization.objects.bulk_create(
        (
            Organization(
                parent=region,
                kind=Organization.Kind.DEPARTMENT,
                name=LEVEL_PREFIX[level] + name,
                full_name=region.name + name,
            )
            for level, region, _parent in regions
            for name in DEPARTMENTS[: cascade.departments]
        ),
        batch_size=5000,
    )
    found = {}
    for dep in Organization.objects.filter(kind=Organization.Kind.DEPARTMENT).order_by("id"):
        found.setdefault(dep.parent_id, []).append(dep)
    users = []
    for _level, region, _parent in regions:
        coordinator = found[region.pk][0]
        users.append(
            User(
                username=f"bench-coord-{coordinator.pk}",
                role=User.Role.COORDINATOR,
                organization=coordinator,
                display_name=f"{region.name}统筹单位",
                password="!",
            )
        )
        users.append(
            User(
                username=f"bench-leader-{region.pk}",
                role=User.Role.LEADER,
                organization=region,
                display_name=f"{region.name}领导",
                password="!",
            )
        )
    User.objects.bulk_create(users, batch_size=5000)
    return found


def _plans(rng, cascade: Cascade, level_regions, departments, parents, today) -> dict:
    """The plans of one level (bulk), each implementing its parent region's plan measure for
    measure; region pk -> (plan, {(task no, measure no): measure pk}, {task no: task pk})."""
    from bench.generate import OBJECTS, _measure_text, measure_assignments, measure_target
    from luoshi.audit.services import record_change
    from luoshi.plans.models import Assignment, KeyTask, Measure, Plan, Target

    plans = Plan.objects.bulk_create(
        Plan(
            title=f"{region.name}贯彻落实《扩大内需三年行动方案》分工方案",
            doc_number=f"{region.name[:2]}发〔2026〕{n + 1}号",
            issuers=[region.full_name or region.name],
            issue_date=today - datetime.timedelta(days=200),
            region=region,
            coordinator=departments[region.pk][0],
            report_frequency=Plan.Frequency.MONTHLY,
            report_due_day=28,
            report_rule_text="每月28日前将工作进展情况报送牵头单位",
        )
        for n, (_level, region, _parent) in enumerate(level_regions)
    )
    implements = [
        Plan.implements.through(from_plan_id=plan.pk, to_plan_id=parents[parent.pk][0].pk)
        for plan, (_level, _region, parent) in zip(plans, level_regions, strict=True)
        if parent is not None
    ]
    Plan.implements.through.objects.bulk_create(implements)
    tasks = []
    for plan, (_level, _region, parent) in zip(plans, level_regions, strict=True):
        above = parents[parent.pk][2] if parent is not None else {}
        tasks += [
            KeyTask(
                plan=plan,
                no=t + 1,
                label=f"{t + 1}、",
                title=rng.choice(OBJECTS),
                parent_id=above.get(t + 1),
            )
            for t in range(cascade.tasks)
        ]
    tasks = KeyTask.objects.bulk_create(tasks, batch_size=5000)
    measures, texts = [], []
    for task in tasks:
        for n in range(cascade.measures_per_task):
            text, target = _measure_text(rng, n)
            measures.append(Measure(key_task=task, no=n + 1, label=f"{n + 1}、", text=text))
            texts.append(target)
    parent_of = {region.pk: parent for _level, region, parent in level_regions}
    for measure in measures:
        parent = parent_of[measure.key_task.plan.region_id]
        if parent is not None:
            measure.parent_id = parents[parent.pk][1][(measure.key_task.no, measure.no)]
    measures = Measure.objects.bulk_create(measures, batch_size=5000)
    weights = [1 / (i + 1) ** 0.8 for i in range(cascade.departments)]
    assignments, targets = [], []
    for measure, target in zip(measures, texts, strict=True):
        deps = departments[measure.key_task.plan.region_id]
        lead = rng.choices(range(len(deps)), weights)[0]
        others = [i for i in range(len(deps)) if i != lead]
        co = rng.sample(others, min(len(others), rng.choice([0, 1, 1])))
        assignments += measure_assignments(measure, deps, lead, co)
        if target:
            targets.append(measure_target(measure, target, deps[lead]))
    Assignment.objects.bulk_create(assignments, batch_size=5000)
    Target.objects.bulk_create(targets, batch_size=5000)
    found = {plan.region_id: (plan, {}, {}) for plan in plans}
    for task in tasks:
        found[task.plan.region_id][2][task.no] = task.pk
    for measure in measures:
        found[measure.key_task.plan.region_id][1][(measure.key_task.no, measure.no)] = measure.pk
    for plan in plans:
        record_change(
            None,
            "import",
            plan,
            {
                "measures": {"old": None, "new": len(found[plan.region_id][1])},
                "source": {"old": None, "new": "bench"},
            },
        )
    return found


def generate(cascade: Cascade, *, seed: int = 0, today: datetime.date | None = None) -> dict:
    """Fill an empty, migrated database with `cascade`; returns what was made."""
    from bench.generate import _fill
    from luoshi.audit.models import AuditRecord
    from luoshi.lib import clock
    from luoshi.orgs.models import Organization
    from luoshi.plans.models import Measure, Plan
    from luoshi.reporting import calendar, services
    from luoshi.reporting.models import PlanSchedule, Report, ReportEntry

    rng = random.Random(seed)
    today = today or clock.today()
    phases, clock_start = {}, time.perf_counter()

    def phase(name):
        nonlocal clock_start
        phases[name] = round(time.perf_counter() - clock_start, 1)
        clock_start = time.perf_counter()

    regions = _regions(cascade)
    departments = _departments(cascade, regions)
    phase("regions and departments")
    plans = {}
    for level in range(3):
        level_regions = [r for r in regions if r[0] == level]
        plans.update(_plans(rng, cascade, level_regions, departments, plans, today))
    phase("plans")
    start = calendar.add_months(today.replace(day=1), -(cascade.months - 1))
    end = calendar.add_months(today.replace(day=1), 1) - datetime.timedelta(days=1)
    PlanSchedule.objects.bulk_create(
        PlanSchedule(plan=plan, tracking_start=start, tracking_end=end)
        for plan, _m, _t in plans.values()
    )
    for plan, _m, _t in plans.values():
        services.ensure_periods(plan, today)
    phase("periods and expected reports (ensure_periods)")
    made = {"reports": 0, "entries": 0}
    for plan, _m, _t in plans.values():
        filled = _fill(rng, [plan], [departments[plan.region_id]], plan.coordinator, today, set())
        for key in made:
            made[key] += filled[key]
    phase("bulk")
    region = Organization.Kind.REGION
    return {
        "cities": Organization.objects.filter(kind=region, parent__parent=None)
        .exclude(parent=None)
        .count(),
        "districts": Organization.objects.filter(kind=region, parent__parent__isnull=False).count(),
        "departments": Organization.objects.filter(kind=Organization.Kind.DEPARTMENT).count(),
        "plans": Plan.objects.count(),
        "measures": Measure.objects.count(),
        "months": cascade.months,
        "reports": Report.objects.count(),
        "entries": ReportEntry.objects.count(),
        "audit_records": AuditRecord.objects.count(),
        "bulk": made,
        "phases_s": phases,
    }


# --- The pages --------------------------------------------------------------------------------


def roll_up_pages() -> dict:
    """name -> (user, url, regions below) of the roll-up pages: the province measure page (its
    cities' answers), a city's measure page (its districts'), the city's and the province's
    matrix, the city plan's dashboard lights; the first city (济南市), the first measure of
    each plan. A measure page names each region below it (counted as `regions_named`)."""
    from django.urls import reverse

    from luoshi.orgs.models import Organization, User
    from luoshi.plans.models import Measure, Plan

    region = Organization.Kind.REGION
    province = Plan.objects.get(region__parent=None)
    city = Plan.objects.filter(region__parent=province.region_id).order_by("pk").first()

    def first_measure(plan):
        return Measure.objects.filter(key_task__plan=plan).order_by("key_task__no", "no").first()

    def coordinator(plan):
        return User.objects.get(organization=plan.coordinator_id, role=User.Role.COORDINATOR)

    city_leader = User.objects.get(organization=city.region_id, role=User.Role.LEADER)
    below = {
        plan.pk: list(Organization.objects.filter(parent=plan.region_id, kind=region))
        for plan in (province, city)
    }
    return {
        "province_measure": (
            coordinator(province),
            reverse("reporting:measure", args=[first_measure(province).pk]),
            below[province.pk],
        ),
        "city_measure": (
            coordinator(city),
            reverse("reporting:measure", args=[first_measure(city).pk]),
            below[city.pk],
        ),
        "city_matrix": (coordinator(city), reverse("reporting:matrix", args=[city.pk]), []),
        "province_matrix": (
            coordinator(province),
            reverse("reporting:matrix", args=[province.pk]),
            [],
        ),
        "city_lights": (city_leader, reverse("insights:lights_data", args=[city.pk]), []),
    }


def uncached(client, url: str, repeat: int) -> dict:
    """The page with its cache emptied before each request (the measure page's fragment and the
    dashboard's JSON are cached until the next change): what the roll-up itself costs."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.scale import percentile

    times, counts = [], set()
    for _ in range(repeat):
        cache.clear()
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        counts.add(len(queries))
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "queries": max(counts),
        "n": len(times),
    }


def measure(repeat: int) -> dict:
    from django.test import Client

    from bench.scale import measure_page

    results = {}
    for name, (user, url, below) in roll_up_pages().items():
        client = Client()
        client.force_login(user)
        results[name] = measure_page(client, url, repeat)
        results[name]["uncached"] = uncached(client, url, repeat)
        if below:
            page = client.get(url).content.decode()
            results[name]["regions_named"] = sum(region.name in page for region in below)
            results[name]["regions_below"] = len(below)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("cascade", choices=sorted(CASCADES))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()

    from django.core.management import call_command
    from django.db import connection

    out = {"cascade": args.cascade, "db": connection.vendor, "quick": args.quick}
    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    out["migrate_s"] = round(time.perf_counter() - start, 1)
    start = time.perf_counter()
    out["data"] = generate((QUICK if args.quick else CASCADES)[args.cascade])
    out["generate_s"] = round(time.perf_counter() - start, 1)
    print(
        f"[cascade {args.cascade}/{connection.vendor}] generated in {out['generate_s']} s: "
        f"{out['data']}",
        file=sys.stderr,
        flush=True,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    out["pages"] = measure(10 if args.quick else args.repeat)
    text = json.dumps(out, ensure_ascii=False, indent=2, default=str)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
