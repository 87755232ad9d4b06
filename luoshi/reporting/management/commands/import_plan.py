import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.importing import ParseError
from luoshi.importing.sources import UnreadableFile, parse_file
from luoshi.lib import clock
from luoshi.plans.services import PlanExists, import_plan
from luoshi.reporting.services import track_plan


def month(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(f"{value}-01")
    except ValueError:
        raise CommandError(
            _("%(value)s is not a month: write it as YYYY-MM, e.g. 2026-12.") % {"value": value}
        ) from None


class Command(BaseCommand):
    help = (
        "Import a division-of-work plan from its document (.docx, .pdf, .ofd, .xlsx or .txt; old "
        ".doc, .wps, .xls and .et through LibreOffice) and track it from this month (its "
        "schedule, periods and expected reports)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="parse and print the plan, write nothing"
        )
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument(
            "--tracking-start",
            metavar="YYYY-MM",
            help="the first month departments report for (default: this month)",
        )
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="import the plan only; its schedule page starts the tracking later",
        )

    def handle(self, *args, file: Path, dry_run: bool, format: str, **options):
        if options["no_schedule"] and options["tracking_start"]:
            raise CommandError(_("--tracking-start and --no-schedule exclude each other."))
        start = month(options["tracking_start"]) if options["tracking_start"] else None
        if not file.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": file})
        try:
            parsed, text = parse_file(file)
        except (ParseError, UnreadableFile) as e:
            raise CommandError(str(e)) from None
        if format == "json":
            self.stdout.write(json.dumps(parsed.to_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                _(
                    "%(title)s (%(doc)s): %(tasks)d key tasks, %(measures)d measures, %(deps)d departments"  # noqa: E501
                )
                % {
                    "title": parsed.title,
                    "doc": parsed.doc_number or _("no document number"),
                    "tasks": len(parsed.tasks),
                    "measures": len(parsed.measures),
                    "deps": len(parsed.department_names()),
                }
            )
        if dry_run:
            return
        rule = parsed.reporting
        stated = rule and rule.frequency and (rule.frequency == "once" or rule.due_day)
        if not options["no_schedule"] and not stated:
            raise CommandError(
                _(
                    "The document states no reporting rule: import it with --no-schedule, then "
                    "set the rule on the plan's schedule page."
                )
            )
        try:
            with transaction.atomic():
                plan = import_plan(parsed, source_name=file.name, source_text=text)
                if not options["no_schedule"]:
                    start = start or clock.today().replace(day=1)
                    track_plan(plan, tracking_start=start)
        except PlanExists as e:
            raise CommandError(str(e)) from None
        self.stderr.write(_("Imported as plan %(id)d.") % {"id": plan.pk})
        if not options["no_schedule"]:
            self.stderr.write(
                _("Reports are expected from %(month)s: %(periods)d periods so far.")
                % {"month": f"{start:%Y-%m}", "periods": plan.periods.count()}
            )
