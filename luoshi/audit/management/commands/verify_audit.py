from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from luoshi.audit.models import AuditRecord, AuditSeal
from luoshi.audit.services import verify_chain


class Command(BaseCommand):
    help = (
        "Check that no audit record or seal was changed, removed or added after it was written, "
        "in the database or in the seal file."
    )

    def handle(self, *args, **options):
        problems = verify_chain()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(
                _("The audit log failed verification: %(count)s problems found.")
                % {"count": len(problems)}
            )
        self.stdout.write(
            _("The audit log is intact: %(records)s records, %(hours)s hours sealed.")
            % {"records": AuditRecord.objects.count(), "hours": AuditSeal.objects.count()}
        )
