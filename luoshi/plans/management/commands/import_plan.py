import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from luoshi.importing import ParseError
from luoshi.importing.sources import UnreadableFile, parse_file
from luoshi.plans.services import PlanExists, import_plan


class Command(BaseCommand):
    help = "Import a division-of-work plan from its document (.docx, .pdf, .xlsx or .txt)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="parse and print the plan, write nothing"
        )
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, file: Path, dry_run: bool, format: str, **options):
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
        try:
            plan = import_plan(parsed, source_name=file.name, source_text=text)
        except PlanExists as e:
            raise CommandError(str(e)) from None
        self.stderr.write(_("Imported as plan %(id)d.") % {"id": plan.pk})
