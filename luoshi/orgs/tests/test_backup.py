"""Backup and restore round trip: row counts per table and file checksums equal afterwards.

Run on SQLite (default) and on PostgreSQL (DATABASE_URL=postgres://…/luoshi_<name>)."""

import io
import shutil
import tarfile

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from luoshi.audit.services import seal_hours, verify_chain
from luoshi.orgs.backups import media_checksums, table_counts
from luoshi.reporting import services
from luoshi.testing import at, fill, pdf_upload


@pytest.fixture
def busy_instance(commerce_report, commerce_reporter, commerce_head, coordinator, settings):
    """A report signed off with two attachments, audit records sealed for past days."""
    with time_machine.travel(at(2026, 11, 20, 10, 0), tick=False):
        report = fill(commerce_report, commerce_reporter)
        entry = report.entries.first()
        services.add_attachment(commerce_reporter, entry, pdf_upload("证明.pdf"))
        png = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"1" * 99)
        services.add_attachment(commerce_reporter, entry, png)
        report = services.submit_for_signoff(commerce_reporter, report)
        services.sign_off(commerce_head, report)
    with time_machine.travel(at(2026, 11, 22, 1, 0), tick=False):
        seal_hours()
    return report


def _empty_instance(settings):
    """What a new server is: a migrated, empty database and no uploads."""
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_an_empty_instance_to_the_same_rows_and_files(
    busy_instance, settings, tmp_path
):
    rows, files = table_counts(), media_checksums()
    assert rows["reporting_reportentry"] == 24 and rows["audit_auditrecord"] > 50
    assert len(files) == 2
    archive = tmp_path / "luoshi.tar.gz"
    call_command("backup", out=str(archive), verbosity=0)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert {"manifest.json", "database.json"} <= set(names)
    assert sum(name.startswith("media/") for name in names) == 2

    # Not over a database in use…
    with pytest.raises(CommandError, match="数据库不是空的"):
        call_command("restore", str(archive), verbosity=0)

    # …but into a new one.
    _empty_instance(settings)
    assert table_counts()["reporting_reportentry"] == 0
    call_command("restore", str(archive), verbosity=0)
    after = table_counts()
    after["audit_auditrecord"] -= 1  # the restore itself is audited
    assert after == rows
    assert media_checksums() == files
    assert verify_chain() == []


@pytest.mark.django_db(transaction=True)
def test_force_replaces_a_database_in_use(busy_instance, settings, tmp_path):
    archive = tmp_path / "luoshi.tar.gz"
    rows, files = table_counts(), media_checksums()
    call_command("backup", out=str(archive), verbosity=0)
    services.ensure_periods(busy_instance.period.plan)  # changes after the backup
    (settings.MEDIA_ROOT / "stray.txt").write_text("not in the backup")
    call_command("restore", str(archive), force=True, verbosity=0)
    after = table_counts()
    after["audit_auditrecord"] -= 1
    assert after == rows and media_checksums() == files


@pytest.mark.django_db(transaction=True)
def test_a_damaged_archive_is_refused_before_anything_is_written(busy_instance, settings, tmp_path):
    archive = tmp_path / "luoshi.tar.gz"
    call_command("backup", out=str(archive), verbosity=0)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("media/") and member.name.endswith(".pdf"):
                data = data.replace(b"1.4", b"1.7")
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    _empty_instance(settings)
    with pytest.raises(CommandError, match="校验和不符"):
        call_command("restore", str(damaged), verbosity=0)
    assert table_counts()["orgs_user"] == 0
    assert connection.vendor in ("sqlite", "postgresql")
