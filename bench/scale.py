"""One scale on one database: generate the data, then time the pages (in-process), the imports,
the documents and, optionally, the throughput under gunicorn. Prints one JSON object.

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=... \\
        .venv/bin/python -m bench.scale city [--quick] [--throughput] [--import] [--out FILE]

The database must be empty (bench/run.py makes a fresh one); it is migrated here.
"""

import argparse
import inspect
import json
import os
import statistics
import sys
import time
from pathlib import Path

import django

from luoshi.lib import clock

ROOT = Path(__file__).resolve().parents[1]
BUDGET_S = 4
SEED = ROOT / "luoshi" / "plans" / "seed" / "zaozhuang-2022-243.txt"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


# --- The pages ----------------------------------------------------------------------------------


def actors(plan):
    """The users and objects the pages are measured with: the department with the most entries
    in the plan's latest period already due, its reporter, the plan's coordinator, a leader."""
    from django.db.models import Count

    from luoshi.orgs.models import Organization, User
    from luoshi.reporting.models import Report

    today = clock.today()
    report = (
        Report.objects.filter(period__plan=plan, period__due_date__lt=today)
        .annotate(n=Count("entries"))
        .order_by("-period__start", "-n", "pk")
        .first()
    )
    reporter = User.objects.filter(
        organization=report.organization_id, role=User.Role.REPORTER
    ).first()
    coordinator = User.objects.filter(
        organization=plan.coordinator_id, role=User.Role.COORDINATOR
    ).first()
    leader = User.objects.filter(role=User.Role.LEADER).first()
    if leader is None:
        leader = User.objects.create(
            username="bench-leader",
            role=User.Role.LEADER,
            organization=Organization.objects.get(pk=plan.region_id),
            display_name="市领导",
            password="!",
        )
    return {
        "report": report,
        "entries": report.entries.count(),
        "reporter": reporter,
        "coordinator": coordinator,
        "leader": leader,
    }


def app_endpoints(app: str, plan, report, today):
    """[(name, url)] of an app's URL patterns that can be reversed with what we have
    (a plan, a report, a year), looked up by name at run time."""
    import importlib

    from django.urls import URLPattern, reverse

    try:
        module = importlib.import_module(f"luoshi.{app}.urls")
    except ImportError:
        return []
    values = {
        "pk": plan.pk,
        "plan": plan.pk,
        "plan_pk": plan.pk,
        "plan_id": plan.pk,
        "report": report.pk,
        "report_pk": report.pk,
        "year": today.year,
        "period": report.period_id,
        "period_pk": report.period_id,
    }
    found = []
    for pattern in getattr(module, "urlpatterns", []):
        if not isinstance(pattern, URLPattern) or not pattern.name:
            continue
        converters = list(pattern.pattern.converters) or list(pattern.pattern.regex.groupindex)
        if any(name not in values for name in converters):
            continue
        try:
            url = reverse(f"{app}:{pattern.name}", kwargs={n: values[n] for n in converters})
        except Exception:  # noqa: BLE001 - a pattern we cannot fill is simply not measured
            continue
        found.append((f"{app}:{pattern.name}", url))
    return found


def measure_page(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The first request pays for what later ones may find cached (templates, the dashboards'
    # JSON): its time and queries are kept as the cold figures.
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    first_ms = (time.perf_counter() - start) * 1000
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    result = {
        "url": url,
        "status": response.status_code,
        "content_type": response.get("Content-Type", ""),
        "bytes": len(response.content),
        "queries": len(queries),
        "first_ms": round(first_ms, 1),
        "first_queries": len(first),
    }
    if response.status_code != 200:
        return result
    # At most `repeat` requests and about BUDGET_S seconds per page (at least 3 requests).
    times, deadline = [], time.perf_counter() + BUDGET_S
    while len(times) < repeat and (len(times) < 3 or time.perf_counter() < deadline):
        times += timed(lambda: client.get(url), 1)
    result.update(
        p50_ms=round(statistics.median(times), 1),
        p95_ms=round(percentile(times, 0.95), 1),
        max_ms=round(max(times), 1),
        n=len(times),
    )
    return result


def measure_pages(plan, who, repeat: int) -> dict:
    from django.test import Client
    from django.urls import reverse

    today = clock.today()
    clients = {}

    def client_for(user):
        if user is None:
            return Client()
        if user.pk not in clients:
            clients[user.pk] = Client()
            clients[user.pk].force_login(user)
        return clients[user.pk]

    pages = {
        "ledger": (who["coordinator"], reverse("plans:detail", args=[plan.pk])),
        "report_page": (who["reporter"], reverse("reporting:report", args=[who["report"].pk])),
        "matrix": (who["coordinator"], reverse("reporting:matrix", args=[plan.pk])),
        "reporting_home": (who["reporter"], reverse("reporting:home")),
        # The floor under the same load: what any logged-in request costs on this machine now.
        "trivial": (who["reporter"], "/bench/trivial/"),
    }
    results, missing = {}, []
    insights = app_endpoints("insights", plan, who["report"], today)
    for name, url in insights:
        pages[name] = (who["leader"], url)
    if not insights:
        missing.append("insights (dashboard data): no URL patterns in luoshi.insights.urls")
    portal = portal_pages(plan, who)
    pages.update(portal)
    if not portal:
        missing.append("portal: luoshi.portal has no publish() or no index/publication URLs")
    for name, (user, url) in pages.items():
        results[name] = measure_page(client_for(user), url, repeat)
    # The dashboard's data endpoints, slowest first: the throughput run takes the slowest.
    dashboard = sorted(
        (
            name
            for name, r in results.items()
            if name.startswith("insights:") and r["status"] == 200 and "json" in r["content_type"]
        ),
        key=lambda name: -results[name]["p50_ms"],
    )
    return {"pages": results, "missing": missing, "dashboard_data": dashboard}


def portal_pages(plan, who) -> dict:
    """The public portal of the plan's latest period due, published through the portal's own
    service (engineer H's app), if it exists."""
    from django.urls import NoReverseMatch, reverse

    try:
        from luoshi.portal import services as portal
        from luoshi.portal.models import Publication
    except ImportError:
        return {}
    period = who["report"].period
    publication = Publication.objects.filter(period=period, withdrawn_at__isnull=True).first()
    if publication is None:
        publication = portal.publish(None, period)
    wanted = {
        "portal:index": (None, []),
        "portal:plan": (None, [plan.pk]),
        "portal:publication": (None, [publication.pk]),
        "portal:publication_json": (None, [publication.pk]),
        "portal:manage": (who["coordinator"], [plan.pk]),
    }
    pages = {}
    for name, (user, args) in wanted.items():
        try:
            pages[name] = (user, reverse(name, args=args))
        except NoReverseMatch:
            continue
    return pages


# --- Imports and documents -----------------------------------------------------------------------

TASK_TITLES = ["加快提升食品消费绿色化水平", "鼓励推行绿色衣着消费", "积极推广绿色居住消费"]


def large_plan_text(measures: int = 400, per_task: int = 20) -> str:
    """A plan document in the seed's table layout with `measures` measures."""
    from bench.generate import MANNERS, OBJECTS, VERBS, cn_number

    text = SEED.read_text(encoding="utf-8")
    head = text[: text.index("重点任务\t推进措施")]
    names = [
        "市发展改革委",
        "市工业和信息化局",
        "市住房城乡建设局",
        "市商务局",
        "市市场监管局",
        "市教育局",
        "市财政局",
        "市民政局",
        "市交通运输局",
        "市农业农村局",
    ]
    lines = ["重点任务\t推进措施\t责任部门 (按职责分工负责)"]
    for n in range(measures):
        task, no = divmod(n, per_task)
        first = f"{cn_number(task + 1)}、{TASK_TITLES[task % 3]}" if no == 0 else ""
        body = (
            f"{no + 1}、{VERBS[n % len(VERBS)]}{OBJECTS[n % len(OBJECTS)]}，"
            f"{MANNERS[n % len(MANNERS)]}，到2025年底完成{10 + n}个。"
        )
        depts = " ".join(names[(n + k) % len(names)] for k in range(1 + n % 3))
        lines.append(f"{first}\t{body}\t{depts}")
    return head + "\n".join(lines) + "\n"


class _Rollback(Exception):
    pass


def measure_imports(repeat: int) -> dict:
    from django.db import transaction

    from luoshi.importing import parse_text
    from luoshi.plans.services import import_plan

    def once(text):
        def run():
            try:
                with transaction.atomic():
                    parsed = parse_text(text)
                    import_plan(parsed, source_name="bench.txt", source_text=text)
                    run.measures = len(parsed.measures)
                    raise _Rollback
            except _Rollback:
                pass

        return run

    seed, large = once(SEED.read_text(encoding="utf-8")), once(large_plan_text())
    seed()
    large()  # warm-up
    seed_times, large_times = timed(seed, repeat), timed(large, max(1, repeat // 2))
    return {
        "seed": round(statistics.median(seed_times), 1),
        "large": round(statistics.median(large_times), 1),
        "large_measures": getattr(large, "measures", None),
        "seed_measures": getattr(seed, "measures", None),
    }


def measure_documents(plan, who) -> dict:
    """The consolidated .docx of the latest period due and the .xlsx ledger of the year, through
    luoshi.documents (engineer G's app) when it has them; else what is missing."""
    import importlib

    today = clock.today()
    period = who["report"].period
    result = {"docx_ms": None, "xlsx_ms": None, "documents_period": period.label}

    def attempt(kind, build):
        try:
            build()
            times = timed(build, 3)
        except Exception as error:  # noqa: BLE001 - another engineer's app, still being built
            result[f"{kind}_missing"] = f"{type(error).__name__}: {error}"[:300]
            return
        result[f"{kind}_ms"] = round(statistics.median(times), 1)

    try:
        services = importlib.import_module("luoshi.documents.services")
        report_docx = importlib.import_module("luoshi.documents.report_docx")
    except ImportError as error:
        result["docx_missing"] = f"luoshi.documents: {error}"
    else:

        def docx():
            options = services.default_options(plan, today)
            report = services.consolidated_report(None, period, options, today)
            return report_docx.build_report_docx(report)

        attempt("docx", docx)
    xlsx = None
    for module_name in ("luoshi.documents.ledger_xlsx", "luoshi.documents.xlsx"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and name.startswith("build"):
                xlsx = fn
                break
    if xlsx is None:
        result["xlsx_missing"] = "no luoshi.documents ledger .xlsx builder at run time"
    else:
        from luoshi.plans.models import Measure

        measures = Measure.objects.filter(key_task__plan=plan)

        def build_xlsx():
            periods, rows, timeliness = services.ledger(
                who["coordinator"], plan, measures, None, today
            )
            params = inspect.signature(xlsx).parameters
            values = {
                "plan": plan,
                "periods": periods,
                "rows": rows,
                "summary": timeliness,
                "today": today,
                "user": who["coordinator"],
                "measures": measures,
                "department": None,
            }
            return xlsx(**{n: values[n] for n in params if n in values})

        attempt("xlsx", build_xlsx)
    return result


def existing_data() -> dict:
    from luoshi.audit.models import AuditRecord
    from luoshi.orgs.models import Organization
    from luoshi.plans.models import Measure, Plan
    from luoshi.reporting.models import Report, ReportEntry

    return {
        "plans": Plan.objects.count(),
        "departments": Organization.objects.filter(kind=Organization.Kind.DEPARTMENT).count(),
        "measures": Measure.objects.count(),
        "reports": Report.objects.count(),
        "entries": ReportEntry.objects.count(),
        "audit_records": AuditRecord.objects.count(),
        "reused": True,
    }


# --- Main -----------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("scale", choices=["city", "province"])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--throughput", type=float, default=0, help="seconds per endpoint")
    parser.add_argument("--imports", action="store_true")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--out")
    parser.add_argument(
        "--reuse", action="store_true", help="measure a database generated before (run --keep)"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()

    from django.core.management import call_command
    from django.db import connection

    from bench.generate import QUICK, SCALES, generate
    from luoshi.plans.models import Plan

    out = {"scale": args.scale, "db": connection.vendor, "quick": args.quick}
    if args.reuse:
        out["data"] = existing_data()
        out["migrate_s"] = out["generate_s"] = 0
    else:
        start = time.perf_counter()
        call_command("migrate", verbosity=0)
        out["migrate_s"] = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
        out["data"] = generate((QUICK if args.quick else SCALES)[args.scale])
        out["generate_s"] = round(time.perf_counter() - start, 1)
    print(
        f"[{args.scale}/{connection.vendor}] generated in {out['generate_s']} s: {out['data']}",
        file=sys.stderr,
        flush=True,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    plan = Plan.objects.exclude(doc_number="").order_by("pk").first()
    who = actors(plan)
    out["report_entries"] = who["entries"]
    out.update(measure_pages(plan, who, 10 if args.quick else args.repeat))
    if args.imports:
        out["import_ms"] = measure_imports(3 if args.quick else 5)
    out.update(measure_documents(plan, who))
    if args.throughput:
        from bench.throughput import measure_throughput

        out["throughput"] = measure_throughput(who, out, args.throughput)
    text = json.dumps(out, ensure_ascii=False, indent=2, default=str)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
