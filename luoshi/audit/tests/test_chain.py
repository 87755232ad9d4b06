"""The audit chain: an edited, deleted or inserted record is found by `verify_audit`."""

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from luoshi.audit.models import AuditRecord, AuditSeal
from luoshi.audit.services import record_event, seal_hours, verify_chain
from luoshi.testing import password

pytestmark = pytest.mark.django_db

DAY1 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


def _write_days():
    with time_machine.travel(DAY1, tick=False):
        for n in range(3):
            record_event(None, "change", object_type="t.t", object_id=str(n), changes={"n": n})
    with time_machine.travel(DAY1 + dt.timedelta(days=1), tick=False):
        record_event(None, "change", object_type="t.t", object_id="9", changes={"v": "值"})


def test_an_intact_log_verifies_and_sealing_is_idempotent(capsys):
    _write_days()
    with time_machine.travel(DAY1 + dt.timedelta(days=2), tick=False):
        assert [s.count for s in seal_hours()] == [3, 1]
        assert seal_hours() == []
    assert AuditSeal.objects.count() == 2
    assert verify_chain() == []
    call_command("verify_audit")
    assert "审计日志完整：4 条记录，2 个小时已封存" in capsys.readouterr().out


def test_an_edited_record_is_found():
    _write_days()
    record = AuditRecord.objects.order_by("id").first()
    # Someone with database access changes the record behind the model's back.
    AuditRecord.objects.filter(pk=record.pk).update(username="someone")
    problems = verify_chain()
    assert len(problems) == 1
    assert f"记录 #{record.pk}" in problems[0] and "已被改动" in problems[0]
    with pytest.raises(CommandError, match="审计日志校验失败"):
        call_command("verify_audit")


def test_a_deleted_or_inserted_record_breaks_its_days_seal():
    _write_days()
    with time_machine.travel(DAY1 + dt.timedelta(days=2), tick=False):
        seal_hours()
    AuditRecord.objects.filter(object_id="1").delete()  # QuerySet.delete bypasses the model
    problems = verify_chain()
    assert problems == [
        "2026-11-02 18:00 的审计记录与封存时不一致（封存 3 条，现有 2 条）："
        "有记录被删除、插入或改动，或有封存被改动或删除。"
    ]

    with time_machine.travel(DAY1 + dt.timedelta(minutes=30), tick=False):
        record_event(None, "change", object_type="t.t", object_id="forged")
    assert "现有 3 条" in verify_chain()[0]


def test_an_edited_seal_is_found():
    _write_days()
    with time_machine.travel(DAY1 + dt.timedelta(days=2), tick=False):
        seal_hours()
    AuditSeal.objects.filter(start=DAY1).update(digest="f" * 64)
    problems = verify_chain()
    assert problems[0].startswith("2026-11-02 18:00 的审计记录与封存时不一致")
    assert "2026-11-02 18:00 的封存与封存文件" in problems[-1]


def test_logins_and_failed_logins_are_recorded(client, coordinator):
    client.post(reverse("login"), {"username": "coordinator", "password": "wrong"})
    client.post(reverse("login"), {"username": "coordinator", "password": password("coordinator")})
    client.post(reverse("logout"))
    failed = AuditRecord.objects.get(action="login_failed")
    assert failed.username == "coordinator"
    assert "wrong" not in str(failed.changes)
    login = AuditRecord.objects.get(action="login")
    assert login.user == coordinator and login.changes["ip"]["new"] == "127.0.0.1"
    assert AuditRecord.objects.filter(action="logout", user=coordinator).exists()
    assert verify_chain() == []


def test_the_audit_administrator_filters_by_date_and_exports(client_for, audit_admin, seed_plan):
    _write_days()
    client = client_for(audit_admin)
    page = client.get(reverse("audit:log"), {"start": "2026-11-03", "end": "2026-11-03"})
    assert [r.object_id for r in page.context["page"]] == ["9"]
    assert "2026-11-03" in page.content.decode()
    export = client.get(reverse("audit:export"), {"start": "2026-11-02", "end": "2026-11-02"})
    assert export["Content-Disposition"].startswith("attachment")
    rows = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert rows[0].startswith("时间,用户,单位,操作")
    assert len(rows) == 4  # the header and the three records of 2 November
    assert AuditRecord.objects.filter(action="export", user=audit_admin).exists()


def test_only_the_audit_administrator_exports(client_for, coordinator):
    assert client_for(coordinator).get(reverse("audit:export")).status_code == 403


def test_the_audit_administrator_sees_the_verification_on_a_page(
    client_for, audit_admin, django_assert_num_queries
):
    _write_days()
    with time_machine.travel(DAY1 + dt.timedelta(days=2), tick=False):
        seal_hours()
    client = client_for(audit_admin)
    log = client.get(reverse("audit:log")).content.decode()
    assert reverse("audit:verify") in log
    records = AuditRecord.objects.count()
    with django_assert_num_queries(8):  # constant: the log is read in three queries
        page = client.get(reverse("audit:verify")).content.decode()
    assert f"审计日志完整：{records} 条记录，2 个小时已封存。" in page
    assert "最后封存的小时始于 2026-11-03 18:00" in page

    AuditRecord.objects.filter(object_id="1").delete()
    page = client.get(reverse("audit:verify")).content.decode()
    assert "审计日志校验失败：发现 1 处问题。" in page
    assert "2026-11-02 18:00 的审计记录与封存时不一致（封存 3 条，现有 2 条）" in page


def test_only_the_audit_administrator_verifies(client_for, coordinator, system_admin):
    assert client_for(coordinator).get(reverse("audit:verify")).status_code == 403
    assert client_for(system_admin).get(reverse("audit:verify")).status_code == 403
    assert client_for(None).get(reverse("audit:verify")).status_code == 302
