"""The consolidated report of the seed plan with a year of reports: built in under 1 s?

    .venv/bin/python -m bench.report_docx [--months 12] [--repeat 5] [--db FILE] [--reuse]

Makes a fresh SQLite database (or uses DATABASE_URL when set), loads the seed plan and its
directory, fills a year of monthly reports through the real services
(luoshi.reporting.builder), then times the consolidated report of the last period due, from
the database to the .docx bytes, and prints the figures. A benchmark, not a timed test.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

import django

BUDGET_S = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default="/tmp/luoshi-bench-report-docx.sqlite3")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database of an earlier run (no rebuild)"
    )
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        if not args.reuse:
            Path(args.db).unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)

    from luoshi.documents.report_docx import build_report_docx
    from luoshi.documents.services import consolidated_report, default_options
    from luoshi.importing.sources import parse_file
    from luoshi.orgs.data import DIRECTORY
    from luoshi.orgs.services import load_directory
    from luoshi.plans.models import Plan
    from luoshi.plans.seed import SEED
    from luoshi.plans.services import import_plan
    from luoshi.reporting.builder import build_reports
    from luoshi.reporting.models import Period, ReportEntry

    start = datetime.date(2025, 1, 1)
    today = datetime.date(2025 + (args.months // 12), args.months % 12 + 1, 5)
    settings.REPORTING_TRACKING_START = start.isoformat()
    settings.REPORTING_PERIODS_AHEAD = 0
    region = load_directory(DIRECTORY)
    parsed, text = parse_file(SEED)
    plan = Plan.objects.filter(region=region, doc_number=parsed.doc_number).first()
    if plan is None:
        plan = import_plan(parsed, source_name=SEED.name, source_text=text)
    began = time.perf_counter()
    outcomes = build_reports(plan, start, today, today=today)
    built = time.perf_counter() - began
    period = (
        Period.objects.filter(plan=plan, due_date__lt=today)
        .select_related("plan__region", "plan__coordinator")
        .order_by("-start")
        .first()
    )
    options = default_options(plan, today)
    options.include_submitted = True
    times, size, report = [], 0, None
    for _ in range(args.repeat):
        began = time.perf_counter()
        report = consolidated_report(None, period, options, today)
        data = build_report_docx(report)
        times.append(time.perf_counter() - began)
        size = len(data)
    entries = ReportEntry.objects.filter(report__period__plan=plan).count()
    figures = report.figures
    median = statistics.median(times)
    print(
        f"data: {Period.objects.filter(plan=plan).count()} periods, {entries} entries "
        f"(built in {built:.0f} s: {outcomes.counts})"
    )
    print(f"report: {report.title}")
    print(
        f"  due {figures.due}, on time {figures.on_time}, late {figures.late}, "
        f"missing {figures.missing}, included {figures.included}, "
        f"unreported measures {len(report.unreported)}, targets {len(report.targets)}"
    )
    print(
        f"  .docx {size / 1024:.0f} KiB; median {median * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms over {len(times)} runs (budget {BUDGET_S * 1000:.0f} ms)"
    )
    return 0 if median < BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
