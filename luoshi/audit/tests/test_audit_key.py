"""Issue 16, point 5: an insider who can write the database cannot rewrite the audit log.

Each test performs an attack that went unnoticed before the audit key, when digests and seals
were plain SHA-256 kept in the database and a day was sealed only after it had ended."""

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from luoshi.audit.keys import check_audit_key
from luoshi.audit.models import AuditRecord, AuditSeal
from luoshi.audit.services import SealFileMismatch, record_event, seal_hours, verify_chain

pytestmark = pytest.mark.django_db

HOUR = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)  # 18:00 in Beijing
OLD_KEY, NEW_KEY = "0123456789abcdef" * 4, "fedcba9876543210" * 4


def _key_id(key: str) -> str:
    """The rule: the first 8 hex digits of the key's SHA-256."""
    return hashlib.sha256(key.encode()).hexdigest()[:8]


def _write(minutes: int, object_id: str) -> AuditRecord:
    with time_machine.travel(HOUR + dt.timedelta(minutes=minutes), tick=False):
        return record_event(
            None,
            "change",
            object_type="plans.measure",
            object_id=object_id,
            object_repr="四.2 推进外贸稳规模",
            changes={"progress": {"old": "", "new": "已完成 80%"}},
        )


def _seal_at(minutes: int) -> list[AuditSeal]:
    with time_machine.travel(HOUR + dt.timedelta(minutes=minutes), tick=False):
        return seal_hours()


def _plain_sha256(record, **changed) -> str:
    """What the attacker's script computed: the SHA-256 of the record's content, the way
    luoshi hashed it before the key (the source is public)."""
    content = {
        "at": record.at.astimezone(dt.UTC).isoformat(),
        "user": record.user_id,
        "username": record.username,
        "organization": record.organization,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "object_repr": record.object_repr,
        "changes": record.changes,
    } | changed
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_record_rewritten_in_sql_and_rehashed_with_sha256_is_found(settings):
    first, second = _write(5, "1"), _write(40, "2")
    _seal_at(70)
    # The script: new text, its digest and the hour's seal recomputed with plain SHA-256.
    forged = _plain_sha256(first, object_repr="四.2 已全部完成")
    seal = hashlib.sha256(("0" * 64).encode())
    seal.update(forged.encode())
    seal.update(second.digest.encode())
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditrecord SET object_repr = %s, digest = %s WHERE id = %s",
            ["四.2 已全部完成", forged, first.pk],
        )
        cursor.execute("UPDATE audit_auditseal SET digest = %s", [seal.hexdigest()])

    assert verify_chain() == [
        f"记录 #{first.pk}（2026-11-02 18:05:00）的内容已被改动。",
        "2026-11-02 18:00 的审计记录与封存时不一致（封存 2 条，现有 2 条）："
        "有记录被删除、插入或改动，或有封存被改动或删除。",
        f"2026-11-02 18:00 的封存与封存文件 {settings.AUDIT_SEAL_FILE} 中的副本不一致。",
    ]
    with pytest.raises(CommandError, match="审计日志校验失败"):
        call_command("verify_audit")


def test_a_record_deleted_in_the_last_sealed_hour_is_found(capsys):
    for minutes, object_id in [(5, "1"), (40, "2"), (55, "3")]:
        _write(minutes, object_id)
    assert _seal_at(65) == []  # just ended: a transaction open at 19:00 may still commit
    with time_machine.travel(HOUR + dt.timedelta(minutes=70), tick=False):
        call_command("seal_audit")
    assert capsys.readouterr().out == "2026-11-02 18:00: 3 records sealed\n"

    AuditRecord.objects.filter(object_id="2").delete()  # QuerySet.delete bypasses the model
    assert verify_chain() == [
        "2026-11-02 18:00 的审计记录与封存时不一致（封存 3 条，现有 2 条）："
        "有记录被删除、插入或改动，或有封存被改动或删除。"
    ]


def test_a_seal_deleted_from_the_database_is_found_in_the_seal_file(settings):
    first, second = _write(5, "1"), _write(24 * 60 + 5, "2")  # 2 and 3 November, 18:05
    _seal_at(24 * 60 + 70)
    lines = [json.loads(line) for line in Path(settings.AUDIT_SEAL_FILE).read_text().splitlines()]
    assert [(line["hour"], line["count"], line["first_id"], line["last_id"]) for line in lines] == [
        ("2026-11-02T10:00:00+00:00", 1, first.pk, first.pk),
        ("2026-11-03T10:00:00+00:00", 1, second.pk, second.pk),
    ]
    assert verify_chain() == []

    # The insider removes the last hour's record and its seal: the chain in the database holds.
    AuditRecord.objects.filter(pk=second.pk).delete()
    AuditSeal.objects.filter(start=HOUR + dt.timedelta(days=1)).delete()
    assert verify_chain() == [
        f"2026-11-03 18:00 的封存在封存文件 {settings.AUDIT_SEAL_FILE} 中，但不在数据库中："
        "它已被删除。"
    ]
    # Nor does the sealing job seal the hour again without the record.
    with pytest.raises(SealFileMismatch):
        _seal_at(24 * 60 + 130)
    with pytest.raises(CommandError, match="封存文件 .* 的最后一条与数据库中最后一个封存不一致"):
        call_command("seal_audit")
    assert AuditSeal.objects.count() == 1


def test_a_seal_missing_from_the_file_is_reported(settings):
    _write(5, "1")
    _seal_at(70)
    Path(settings.AUDIT_SEAL_FILE).write_text("")
    assert verify_chain() == [
        f"2026-11-02 18:00 的封存在数据库中，但不在封存文件 {settings.AUDIT_SEAL_FILE} 中。"
    ]


def test_after_a_key_rotation_old_records_verify_while_the_old_key_is_listed(settings):
    settings.AUDIT_KEYS = [OLD_KEY]
    old = _write(5, "1")
    _seal_at(70)
    settings.AUDIT_KEYS = [NEW_KEY, OLD_KEY]  # the new key signs, the old one still verifies
    new = _write(24 * 60 + 5, "2")
    _seal_at(24 * 60 + 70)
    assert (old.key_id, new.key_id) == (_key_id(OLD_KEY), _key_id(NEW_KEY))
    assert [seal.key_id for seal in AuditSeal.objects.all()] == [_key_id(OLD_KEY), _key_id(NEW_KEY)]
    assert verify_chain() == []

    settings.AUDIT_KEYS = [NEW_KEY]  # the old key dropped too early: reported, no crash
    assert verify_chain() == [
        f"记录 #{old.pk}（2026-11-02 18:05:00）的签名密钥不在本服务器上（密钥编号 "
        f"{_key_id(OLD_KEY)}）：请把该密钥列为旧审计密钥，否则该记录系伪造。",
        f"2026-11-02 18:00 的封存的签名密钥不在本服务器上（密钥编号 {_key_id(OLD_KEY)}）："
        "请把该密钥列为旧审计密钥，否则该封存系伪造。",
    ]


def test_a_record_signed_with_another_servers_key_is_found(settings):
    """A guessed or stolen-elsewhere key does not forge records for this server."""
    settings.AUDIT_KEYS = [NEW_KEY]
    _write(5, "1")
    settings.AUDIT_KEYS = [OLD_KEY]
    forged = _write(6, "2")
    settings.AUDIT_KEYS = [NEW_KEY]
    with connection.cursor() as cursor:  # the forger also claims this server's key id
        cursor.execute(
            "UPDATE audit_auditrecord SET key_id = %s WHERE id = %s", [_key_id(NEW_KEY), forged.pk]
        )
    assert verify_chain() == [f"记录 #{forged.pk}（2026-11-02 18:06:00）的内容已被改动。"]


def test_production_refuses_to_start_without_an_audit_key(settings, tmp_path):
    settings.PRODUCTION = True
    settings.AUDIT_KEYS = []
    settings.AUDIT_KEY_FILE = ""
    with pytest.raises(SystemCheckError, match="No audit key: set LUOSHI_AUDIT_KEY_FILE"):
        call_command("check")
    # A file named but missing is not generated in production, and nothing is written unsigned.
    settings.AUDIT_KEY_FILE = str(tmp_path / "audit.key")
    assert [error.id for error in check_audit_key()] == ["audit.E001"]
    assert not (tmp_path / "audit.key").exists()
    count = AuditRecord.objects.count()
    with pytest.raises(ImproperlyConfigured):
        _write(5, "1")
    assert AuditRecord.objects.count() == count


def test_local_mode_generates_a_key_once_readable_only_by_the_service(settings, tmp_path):
    settings.AUDIT_KEYS = []
    settings.AUDIT_KEY_FILE = str(tmp_path / "audit.key")
    first = _write(5, "1")
    key = (tmp_path / "audit.key").read_text().strip()
    assert len(key) == 64 and os.stat(tmp_path / "audit.key").st_mode & 0o777 == 0o600
    assert first.key_id == _key_id(key) and _write(6, "2").key_id == _key_id(key)
    assert check_audit_key() == []
    (tmp_path / "audit.key").chmod(0o644)
    assert [error.id for error in check_audit_key()] == ["audit.E003"]
    settings.AUDIT_KEYS = ["too short"]
    assert [error.id for error in check_audit_key()] == ["audit.E002"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_re_signs_the_existing_log_once_and_launders_no_change(capsys):
    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0004_defaults_from_the_clock")])
    apps = executor.loader.project_state([("audit", "0004_defaults_from_the_clock")]).apps
    OldRecord, OldSeal = (
        apps.get_model("audit", "AuditRecord"),
        apps.get_model("audit", "AuditSeal"),
    )
    kept, changed = (
        OldRecord(at=HOUR, username="system", action="change", object_type="t.t", object_id=n)
        for n in "12"
    )
    kept.digest = _plain_sha256(kept)
    changed.digest = _plain_sha256(changed, object_repr="before the change")
    OldRecord.objects.bulk_create([kept, changed])
    OldSeal.objects.create(day=HOUR.date(), count=2, last_id=changed.pk, digest="a" * 64)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    out = capsys.readouterr().out
    assert "Audit log re-sealed once under audit key" in out
    assert "1 records re-signed, 1 unkeyed daily seals replaced" in out
    assert (
        "1 records had been changed before and were left unsigned (verify_audit reports them): "
        f"#{changed.pk}" in out
    )

    assert [seal.count for seal in _seal_at(70)] == [2]
    assert verify_chain() == [f"记录 #{changed.pk}（2026-11-02 18:00:00）的内容已被改动。"]
