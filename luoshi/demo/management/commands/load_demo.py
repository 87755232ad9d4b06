from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from luoshi.demo.services import load_demo


class Command(BaseCommand):
    help = "Load the demo: the seed plan, its departments and demo accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--credentials",
            type=Path,
            default=settings.VAR_DIR / "demo-credentials.txt",
            help="where to write the demo accounts and their passwords",
        )
        parser.add_argument(
            "--plan-only",
            action="store_true",
            help="only the plan and the accounts: no sample reports, nothing published",
        )

    def handle(self, *args, credentials: Path, plan_only: bool, **options):
        rows = load_demo(credentials, plan_only=plan_only)
        width = max(len(row[0]) for row in rows)
        self.stdout.write(_("Demo accounts (also in %(path)s):") % {"path": credentials})
        for username, password, role, organization in rows:
            self.stdout.write(f"  {username:<{width}}  {password}  {role} {organization}")
