from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from luoshi.api.services import DEFAULT_LIFETIME, LIFETIMES, create_token
from luoshi.orgs.models import User


class Command(BaseCommand):
    help = "Create an API token for a user; the token is printed once and stored only hashed."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for")
        parser.add_argument(
            "--days", type=int, default=DEFAULT_LIFETIME, help="how many days the token is valid"
        )

    def handle(self, *args, username: str, name: str, days: int, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user %(name)s.") % {"name": username})
        if not 1 <= days <= max(LIFETIMES):
            raise CommandError(
                _("A token is valid for 1 to %(max)s days.") % {"max": max(LIFETIMES)}
            )
        _token, key = create_token(user, name, days=days)
        self.stdout.write(key)
