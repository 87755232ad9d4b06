from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from luoshi.audit.services import record_event
from luoshi.orgs.backups import backup_dir, write_backup


class Command(BaseCommand):
    help = "Write one tar.gz with a consistent database snapshot and the uploaded files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--out",
            help="Archive to write (default: $LUOSHI_VAR_DIR/backups/luoshi-DATE-TIME.tar.gz)",
        )

    def handle(self, *args, out=None, **options):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        path = Path(out) if out else backup_dir() / f"luoshi-{stamp}.tar.gz"
        manifest = write_backup(path)
        record_event(
            None,
            "backup",
            object_type="system.backup",
            object_repr=path.name,
            changes={"rows": {"old": None, "new": sum(manifest["table_counts"].values())}},
        )
        self.stdout.write(
            f"{path}: {sum(manifest['table_counts'].values())} rows, {len(manifest['files'])} files"
        )
