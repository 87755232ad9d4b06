"""The dashboards' server time for a city-size dataset, printed as figures.

    .venv/bin/python bench/dashboard.py [--runs 7] [--keep]

A city: 40 departments, 20 plans (1,500 measures), 36 monthly periods, one report per
department and period of each plan it works on (with entries, a mix of on time, late, missing,
returned and accepted), targets with actuals. The volume is bulk-created in a fresh SQLite file
(or the database DATABASE_URL names, which must be empty), then every dashboard endpoint is
requested through Django's test client as a coordinator and as a leader; the median and the
worst time of `--runs` requests, and the query count, are printed per endpoint. Broader
benchmarks (every page, PostgreSQL, a province) are bench/run.py's.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from luoshi.lib import clock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEPARTMENTS, PLANS, TASKS, MEASURES_PER_TASK, PERIODS = 40, 20, 5, 15, 36
DEPARTMENTS_PER_PLAN = 14


def setup(keep: bool) -> str:
    if not os.environ.get("DATABASE_URL"):
        folder = Path(tempfile.mkdtemp(prefix="luoshi-bench-dashboard-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
    os.environ.setdefault("LUOSHI_VAR_DIR", tempfile.mkdtemp(prefix="luoshi-bench-var-"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    return os.environ["DATABASE_URL"]


def build(today: datetime.date) -> dict:
    """Bulk-create the city; returns the coordinator, the leader and the plans."""
    from django.db import transaction

    from luoshi.orgs.models import Organization, User
    from luoshi.plans.models import Assignment, KeyTask, Measure, Plan, Target
    from luoshi.reporting import calendar
    from luoshi.reporting.models import Period, PlanSchedule, Report, ReportEntry, TargetActual

    rng = random.Random(7)
    with transaction.atomic():
        region = Organization.objects.create(kind="region", name="基准市")
        departments = Organization.objects.bulk_create(
            Organization(kind="department", name=f"市第{i + 1}局", parent=region)
            for i in range(DEPARTMENTS)
        )
        office = departments[0]
        coordinator = User.objects.create(
            username="bench_coordinator", role="coordinator", organization=office
        )
        leader = User.objects.create(username="bench_leader", role="leader", organization=region)
        start = calendar.add_months(today.replace(day=1), -(PERIODS - 1))
        plans = Plan.objects.bulk_create(
            Plan(
                title=f"基准方案{i + 1}",
                doc_number=f"基发〔2024〕{i + 1}号",
                region=region,
                coordinator=office,
                report_frequency="monthly",
                report_due_day=28,
                issue_date=start,
            )
            for i in range(PLANS)
        )
        PlanSchedule.objects.bulk_create(PlanSchedule(plan=p, tracking_start=start) for p in plans)
        tasks = KeyTask.objects.bulk_create(
            KeyTask(plan=p, no=t + 1, label=f"{'一二三四五'[t]}、", title=f"重点任务{t + 1}")
            for p in plans
            for t in range(TASKS)
        )
        measures = Measure.objects.bulk_create(
            Measure(key_task=t, no=m + 1, label=f"{m + 1}.", text=f"推进措施{t.no}.{m + 1}")
            for t in tasks
            for m in range(MEASURES_PER_TASK)
        )
        by_plan, assignments, targets = {}, [], []
        for plan in plans:
            by_plan[plan.pk] = rng.sample(departments, DEPARTMENTS_PER_PLAN)
        for measure in measures:
            plan_deps = by_plan[measure.key_task.plan_id]
            lead, co = rng.sample(plan_deps, 2)
            assignments += [
                Assignment(measure=measure, organization=lead, role="lead", position=0),
                Assignment(measure=measure, organization=co, role="co", position=1),
            ]
            if rng.random() < 0.2:
                targets.append(
                    Target(
                        measure=measure,
                        text="不少于100个",
                        value=Decimal(100),
                        unit="个",
                        comparator=">=",
                        kind="cumulative",
                        owner=lead,
                        confirmed=True,
                        deadline=today + datetime.timedelta(days=rng.randint(-200, 400)),
                    )
                )
        Assignment.objects.bulk_create(assignments)
        Target.objects.bulk_create(targets)
        periods = []
        for plan in plans:
            month = start
            for _ in range(PERIODS):
                end = calendar.add_months(month, 1) - datetime.timedelta(days=1)
                periods.append(
                    Period(
                        plan=plan,
                        frequency="monthly",
                        start=month,
                        end=end,
                        label=calendar.period_label("monthly", month),
                        due_date=month.replace(day=28),
                    )
                )
                month = calendar.add_months(month, 1)
        periods = Period.objects.bulk_create(periods)
        reports = []
        for period in periods:
            for dep in by_plan[period.plan_id]:
                reports.append(_report(rng, period, dep, today))
        reports = Report.objects.bulk_create(reports, batch_size=2000)
        measures_of = {}
        for a in assignments:
            key = (a.measure.key_task.plan_id, a.organization_id)
            measures_of.setdefault(key, []).append((a.measure_id, a.role))
        targets_of = {}
        for t in targets:
            targets_of.setdefault((t.measure_id, t.owner_id), []).append(t)
        entries, actual_rows = [], []
        for report in reports:
            written = report.status not in ("not_started",)
            for measure_id, role in measures_of.get(
                (report.period.plan_id, report.organization_id), []
            ):
                entry = ReportEntry(
                    report=report,
                    measure_id=measure_id,
                    role=role,
                    progress="本月推进顺利。" if written else "",
                    status=rng.choice(["in_progress"] * 6 + ["done", "behind"])
                    if written
                    else "not_started",
                )
                entries.append(entry)
        entries = ReportEntry.objects.bulk_create(entries, batch_size=5000)
        for entry in entries:
            for target in targets_of.get((entry.measure_id, entry.report.organization_id), []):
                if entry.report.status in ("submitted", "accepted", "returned"):
                    actual_rows.append(
                        TargetActual(
                            entry=entry, target=target, value=Decimal(rng.randint(10, 120))
                        )
                    )
        TargetActual.objects.bulk_create(actual_rows, batch_size=5000)
    return {
        "coordinator": coordinator,
        "leader": leader,
        "plans": plans,
        "counts": {
            "departments": DEPARTMENTS,
            "plans": len(plans),
            "measures": len(measures),
            "periods per plan": PERIODS,
            "reports": len(reports),
            "entries": len(entries),
            "targets": len(targets),
            "actuals": len(actual_rows),
        },
    }


def _report(rng, period, dep, today):
    from django.utils import timezone

    from luoshi.reporting.models import Report

    report = Report(period=period, organization=dep)
    if period.due_date >= today:
        report.status = rng.choice(["not_started", "draft"])
        return report
    roll = rng.random()
    submitted = datetime.datetime.combine(period.due_date, datetime.time(10))
    if roll < 0.06:
        report.status = rng.choice(["not_started", "draft"])
        return report
    if roll < 0.18:
        submitted += datetime.timedelta(days=rng.randint(1, 6))
        report.late = True
    report.submitted_at = timezone.make_aware(submitted)
    report.status = "returned" if roll > 0.95 else "accepted" if roll > 0.25 else "submitted"
    return report


def measure(client, url: str, runs: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, status = [], 0, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
        queries, status = len(captured.captured_queries), response.status_code
    return statistics.median(times), max(times), queries, status


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database file")
    args = parser.parse_args()
    database = setup(args.keep)
    from django.test import Client
    from django.urls import reverse

    today = clock.today()
    began = time.perf_counter()
    city = build(today)
    print(f"database: {database}")
    print(
        f"built in {time.perf_counter() - began:.1f} s: "
        + ", ".join(f"{v} {k}" for k, v in city["counts"].items())
    )
    plan = city["plans"][0]
    rows = []
    for who in ("coordinator", "leader"):
        client = Client()
        client.force_login(city[who])
        urls = [
            ("overview.json (20 plans)", reverse("insights:overview_data")),
            ("dashboard page", reverse("insights:plan", args=[plan.pk])),
        ]
        urls += [
            (f"{name}.json", reverse(f"insights:{name}_data", args=[plan.pk]))
            for name in ("progress", "heatmap", "timeliness", "targets", "lights")
        ]
        for label, url in urls:
            median, worst, queries, status = measure(client, url, args.runs)
            rows.append((who, label, median, worst, queries, status))
    print()
    print(f"{'as':<12}{'endpoint':<26}{'median ms':>10}{'worst ms':>10}{'queries':>9}{'HTTP':>6}")
    for who, label, median, worst, queries, status in rows:
        print(f"{who:<12}{label:<26}{median:>10.1f}{worst:>10.1f}{queries:>9}{status:>6}")
    total = sum(r[2] for r in rows if r[0] == "coordinator" and r[1] != "overview.json (20 plans)")
    print(
        f"\nthe plan dashboard, page and its five JSON requests together: {total:.0f} ms (median)"
    )
    if not args.keep and database.startswith("sqlite:///"):
        Path(database.removeprefix("sqlite:///")).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
