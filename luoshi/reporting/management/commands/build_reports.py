from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from luoshi.lib import clock
from luoshi.plans.models import Plan
from luoshi.reporting import calendar
from luoshi.reporting.builder import build_reports
from luoshi.reporting.services import get_schedule


class Command(BaseCommand):
    help = (
        "Generate realistic department reports for a plan's recent periods through the "
        "reporting services (demo and benchmarks). Deterministic for a seed; only reports "
        "nobody has started are filled, so running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, help="plan id (default: every plan)")
        parser.add_argument(
            "--months", type=int, default=6, help="how many months back from today (default 6)"
        )
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, plan=None, months: int, seed: int, **options):
        plans = Plan.objects.order_by("pk")
        if plan is not None:
            plans = plans.filter(pk=plan)
            if not plans.exists():
                raise CommandError(_("No plan with id %(id)s.") % {"id": plan})
        today = clock.today()
        start = calendar.add_months(today.replace(day=1), -months)
        for item in plans:
            # A plan nobody has scheduled yet is tracked from the first generated month, so
            # the demo's matrix does not start with years of missing reports.
            get_schedule(item, tracking_start=start)
            outcomes = build_reports(item, start, today, seed=seed, today=today)
            summary = ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.counts.items()))
            self.stdout.write(f"{item.doc_number or item.pk}: {summary or '-'}")
