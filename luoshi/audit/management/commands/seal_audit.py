from django.core.management.base import BaseCommand

from luoshi.audit.services import seal_days


class Command(BaseCommand):
    help = "Seal the audit log of every finished day not sealed yet (idempotent; run daily)."

    def handle(self, *args, **options):
        for seal in seal_days():
            self.stdout.write(f"{seal.day:%Y-%m-%d}: {seal.count} records sealed")
