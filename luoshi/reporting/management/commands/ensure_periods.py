from django.core.management.base import BaseCommand

from luoshi.plans.models import Plan
from luoshi.reporting.services import ensure_periods


class Command(BaseCommand):
    help = (
        "Create the reporting periods and expected reports of every plan that has a schedule, "
        "up to a few periods ahead of today (idempotent; run daily from cron or a systemd "
        "timer). A plan without one gets it on its schedule page."
    )

    def handle(self, *args, **options):
        for plan in Plan.objects.filter(schedule__isnull=False).order_by("pk"):
            periods = ensure_periods(plan)
            self.stdout.write(f"{plan.doc_number or plan.pk}: {len(periods)}")
