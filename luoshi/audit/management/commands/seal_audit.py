from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from luoshi.audit.services import SealFileMismatch, seal_hours


class Command(BaseCommand):
    help = (
        "Seal the audit records of every finished hour not sealed yet, in the database and in "
        "the seal file (idempotent; run hourly)."
    )

    def handle(self, *args, **options):
        try:
            seals = seal_hours()
        except SealFileMismatch as error:
            raise CommandError(str(error)) from None
        for seal in seals:
            self.stdout.write(
                f"{timezone.localtime(seal.start):%Y-%m-%d %H:00}: {seal.count} records sealed"
            )
