from django.core.management.base import BaseCommand, CommandError

from luoshi.orgs.models import ADMIN_ROLES, User
from luoshi.orgs.services import reset_password


class Command(BaseCommand):
    help = (
        "Give an administrator (system, security or audit) a new generated password, printed "
        "once and to be changed at the next login; lifts a lockout too. 三员分立: no "
        "administrator resets another's password in the application, and business accounts' "
        "passwords are reset by the security administrator on the security page."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username, role__in=ADMIN_ROLES).first()
        if user is None:
            raise CommandError(
                f"{username} is not an administrator's account: the security administrator "
                "resets the others' passwords (security page)."
            )
        self.stdout.write(f"{user.username} {reset_password(None, user)}")
