import csv
import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.reporting.services import set_holiday_notice


class Command(BaseCommand):
    help = (
        "Load a State Council holiday notice from a CSV file of date,kind,name rows, kind being "
        "holiday or workday (a make-up workday, 调休上班); existing days are updated."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    @transaction.atomic
    def handle(self, *args, path: Path, **options):
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        count = 0
        for number, row in enumerate(rows, start=1):
            if not row or row[0].startswith("#"):
                continue
            try:
                day = datetime.date.fromisoformat(row[0].strip())
                kind = row[1].strip().lower()
                if kind not in ("holiday", "workday"):
                    raise ValueError(kind)
            except (ValueError, IndexError):
                raise CommandError(
                    _("Line %(line)s: expected date,holiday|workday,name.") % {"line": number}
                ) from None
            name = row[2].strip() if len(row) > 2 else ""
            set_holiday_notice(None, day, is_workday=kind == "workday", name=name)
            count += 1
        self.stdout.write(_("%(count)s days loaded.") % {"count": count})
