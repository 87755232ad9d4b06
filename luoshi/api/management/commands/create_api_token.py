from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from luoshi.api.services import create_token
from luoshi.orgs.models import User


class Command(BaseCommand):
    help = "Create an API token for a user; the token is printed once and stored only hashed."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user %(name)s.") % {"name": username})
        _token, key = create_token(user, name)
        self.stdout.write(key)
