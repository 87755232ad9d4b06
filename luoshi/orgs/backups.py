"""Backup and restore: one tar.gz with a consistent database snapshot and the uploaded files.

The database goes in as Django's own JSON serialization (what dumpdata writes, but with
full-precision times: the audit records' digests hash the microseconds), read in one transaction
that sees a single snapshot (REPEATABLE READ on PostgreSQL; SQLite's read transaction is one by
itself), primary keys kept (the digests include them), content types by natural key.
Why not sqlite3's backup API or pg_dump: the same archive then restores on either database,
needs no pg_dump matching the server's major version on the application host, and `loaddata`
resets PostgreSQL's sequences itself. The price: slower than pg_dump on a very large database
(a province), where a pg_dump beside it is advised (docs/deploy.md). The uploaded files go in
with a SHA-256 each; restore checks every one before it touches the database.
"""

import datetime as dt
import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from luoshi.lib import clock

FORMAT = 1
# Rebuilt by `migrate`, or worthless after a restore (sessions).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes.accesslog"]


class RestoreRefused(Exception):
    pass


def backup_dir() -> Path:
    return Path(settings.VAR_DIR) / "backups"


def list_backups() -> list[dict]:
    folder = backup_dir()
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    return [
        {
            "name": p.name,
            "size": p.stat().st_size,
            "at": dt.datetime.fromtimestamp(p.stat().st_mtime, tz=dt.UTC),
        }
        for p in files
    ]


def table_counts() -> dict[str, int]:
    """Rows per table of every model (with the many-to-many tables), for comparing."""
    return {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed or model._meta.auto_created
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_checksums(root: Path | None = None) -> dict[str, str]:
    root = Path(root or settings.MEDIA_ROOT)
    if not root.is_dir():
        return {}
    return {
        p.relative_to(root).as_posix(): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()
    }


class PreciseJSONEncoder(DjangoJSONEncoder):
    """Django's encoder cuts datetimes to milliseconds; the audit records' digests hash the
    full microseconds, so the backup keeps them."""

    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def _dumped_models():
    skip_apps = {label for label in EXCLUDED if "." not in label}
    skip_models = {label for label in EXCLUDED if "." in label}
    app_list = [
        (config, [m for m in config.get_models() if m._meta.label_lower not in skip_models])
        for config in apps.get_app_configs()
        if config.label not in skip_apps and config.models_module is not None
    ]
    return [
        m for m in serializers.sort_dependencies(app_list) if m._meta.managed and not m._meta.proxy
    ]


def _objects(models):
    for model in models:
        yield from model._base_manager.order_by(model._meta.pk.name).iterator(chunk_size=2000)


def _dump_database(out: Path) -> dict[str, int]:
    """What dumpdata does, with full-precision times, in one snapshot."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        counts = table_counts()
        with out.open("w", encoding="utf-8") as stream:
            serializers.serialize(
                "json",
                _objects(_dumped_models()),
                stream=stream,
                use_natural_foreign_keys=True,
                cls=PreciseJSONEncoder,
            )
    return counts


def write_backup(out: Path) -> dict:
    """Write the archive to `out` (through a temporary file, so a failure leaves nothing half
    written); returns its manifest."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db_file = Path(tmp) / "database.json"
        counts = _dump_database(db_file)
        media = Path(settings.MEDIA_ROOT)
        files = media_checksums(media)
        manifest = {
            "format": FORMAT,
            "created_at": clock.now().isoformat(),
            "database_vendor": connection.vendor,
            "database_sha256": _sha256(db_file),
            "table_counts": counts,
            "files": files,
        }
        partial = out.with_name(out.name + ".part")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(db_file, "database.json")
            for name in files:
                archive.add(media / name, f"media/{name}")
        partial.replace(out)
    return manifest


def _is_empty() -> bool:
    counts = table_counts()
    skip = {"django_content_type", "auth_permission", "django_migrations"}
    return not any(n for table, n in counts.items() if table not in skip)


def read_backup(path: Path, workdir: Path) -> dict:
    """Unpack and check the archive: every file's checksum, the database dump's checksum."""
    with tarfile.open(path, "r:gz") as archive:
        archive.extractall(workdir, filter="data")
    manifest = json.loads((workdir / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise RestoreRefused(
            _("Unsupported backup format: %(format)r") % {"format": manifest.get("format")}
        )
    if _sha256(workdir / "database.json") != manifest["database_sha256"]:
        raise RestoreRefused(
            _(
                "The checksum of the database file in the backup does not match: the backup is "
                "damaged."
            )
        )
    for name, digest in manifest["files"].items():
        file = workdir / "media" / name
        if not file.is_file() or _sha256(file) != digest:
            raise RestoreRefused(
                _(
                    "The file %(name)s is missing from the backup or its checksum does not "
                    "match: the backup is damaged."
                )
                % {"name": name}
            )
    return manifest


def restore_backup(path: Path, *, force: bool = False) -> dict:
    """Rebuild this (migrated) instance from the archive; refuses a non-empty database unless
    `force`, which first deletes everything in it and in MEDIA_ROOT."""
    call_command("migrate", verbosity=0, interactive=False)
    if not _is_empty() and not force:
        raise RestoreRefused(
            _(
                "The database is not empty: a restore is only for a new, empty instance (add "
                "--force to overwrite it)."
            )
        )
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        manifest = read_backup(Path(path), workdir)
        with transaction.atomic():
            if force:
                call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(workdir / "database.json"), verbosity=0)
        media = Path(settings.MEDIA_ROOT)
        if force and media.is_dir():
            shutil.rmtree(media)
        media.mkdir(parents=True, exist_ok=True)
        if (workdir / "media").is_dir():
            shutil.copytree(workdir / "media", media, dirs_exist_ok=True)
    problems = [
        f"{table}: {expected} → {actual}"
        for table, expected in manifest["table_counts"].items()
        if (actual := table_counts().get(table)) != expected
    ]
    if problems:
        raise RestoreRefused(
            _("The restored row counts differ from the backup: %(problems)s")
            % {"problems": pgettext("list separator", "; ").join(problems)}
        )
    if media_checksums() != manifest["files"]:
        raise RestoreRefused(_("The restored uploaded files differ from the backup."))
    return manifest
