"""The day's supervision: `manage.py supervise [--date YYYY-MM-DD] [--dry-run]`.

Safe under cron and in a loop: every reminder goes out once per rule, department, period and
sending day, however often this runs (see luoshi.supervision.services).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from luoshi.lib import clock
from luoshi.ops.services import beat
from luoshi.supervision import services


class Command(BaseCommand):
    help = "Send the day's reminders and escalations; retry failed deliveries."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to act for (YYYY-MM-DD); default today")
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be sent; change nothing"
        )

    def handle(self, *args, date=None, dry_run=False, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else clock.today()
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from error
        result = services.supervise(day, dry_run=dry_run)
        for item in result.planned:
            self.stdout.write(
                f"{day} {item.kind}:{item.offset} {item.period.label} {item.organization_name}"
            )
        if dry_run:
            self.stdout.write(f"{len(result.planned)} reminder(s) would be sent on {day}.")
        else:
            # The load balancer's readiness check reads it: the background loop is alive.
            beat()
            self.stdout.write(
                f"{result.sent} reminder(s) sent on {day}; {result.retried} delivery(ies) queued."
            )
