from django.core.management.base import BaseCommand, CommandError

from luoshi.audit.services import record_event
from luoshi.orgs.backups import RestoreRefused, restore_backup


class Command(BaseCommand):
    help = "Rebuild an empty instance (database and uploaded files) from a backup archive."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Delete everything in a non-empty database and MEDIA_ROOT first",
        )

    def handle(self, *args, archive, force=False, **options):
        try:
            manifest = restore_backup(archive, force=force)
        except RestoreRefused as error:
            raise CommandError(str(error)) from None
        record_event(
            None,
            "restore",
            object_type="system.backup",
            object_repr=str(archive)[-300:],
            changes={"created_at": {"old": None, "new": manifest["created_at"]}},
        )
        self.stdout.write(
            f"restored {sum(manifest['table_counts'].values())} rows, "
            f"{len(manifest['files'])} files from {archive}"
        )
