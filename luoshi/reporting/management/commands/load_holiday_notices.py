from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from luoshi.reporting.services import parse_notice_csv, save_holiday_notices


class Command(BaseCommand):
    help = (
        "Load a State Council holiday notice from a CSV file of date,kind,name rows, kind being "
        "holiday or workday (a make-up workday, 调休上班); existing days are updated."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            days = parse_notice_csv(path.read_bytes())
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None
        save_holiday_notices(None, days)
        self.stdout.write(_("%(count)s days loaded.") % {"count": len(days)})
