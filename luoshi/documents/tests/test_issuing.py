"""The plan's document preset and the 文号 counter: one click gives the document that can be sent,
numbered once per period from the issuing unit's counter of the year."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from docx import Document

from luoshi.audit.models import AuditRecord
from luoshi.documents.models import DocumentNumber, DocumentPreset
from luoshi.documents.services import save_preset, take_document_number
from luoshi.testing import month

pytestmark = pytest.mark.django_db

PRESET = {
    "issuer_mark": "枣庄市发展和改革委员会",
    "number_prefix": "枣发改经贸",
    "signer": "张三",
    "addressee": "枣庄市人民政府",
    "copy_to": "市委办公室，市政府办公室",
    "printed_by": "枣庄市发展和改革委员会办公室",
}


def _preset_url(plan):
    return reverse("documents:preset", args=[plan.pk])


def _issue_url(period):
    return reverse("documents:report_issue", args=[period.plan_id, period.pk])


def test_the_coordinator_sets_the_preset_and_it_is_audited(client_for, coordinator, tracked):
    client = client_for(coordinator)
    page = client.get(_preset_url(tracked))
    assert page.status_code == 200
    assert 'value="枣庄市人民政府"' in page.content.decode()  # the plan's default addressee
    response = client.post(_preset_url(tracked), PRESET)
    assert response.status_code == 302
    preset = DocumentPreset.objects.get(plan=tracked)
    assert (preset.number_prefix, preset.signer) == ("枣发改经贸", "张三")
    assert preset.issuing_unit == tracked.coordinator
    created = AuditRecord.objects.get(action="create", object_type="documents.documentpreset")
    assert created.changes["signer"] == {"old": None, "new": "张三"}
    client.post(_preset_url(tracked), {**PRESET, "signer": "李四"})
    changed = AuditRecord.objects.get(action="change", object_type="documents.documentpreset")
    assert changed.changes == {"signer": {"old": "张三", "new": "李四"}}
    missing = client.post(_preset_url(tracked), {**PRESET, "number_prefix": ""})
    assert missing.status_code == 400 and "这个字段是必填项" in missing.content.decode()


def test_only_the_coordinator_sets_the_preset(
    client_for, tracked, leader, commerce_reporter, audit_admin
):
    assert client_for(leader).get(_preset_url(tracked)).status_code == 403
    assert client_for(commerce_reporter).post(_preset_url(tracked), PRESET).status_code == 403
    assert client_for(audit_admin).get(_preset_url(tracked)).status_code == 404
    assert client_for(None).get(_preset_url(tracked)).status_code == 302
    assert not DocumentPreset.objects.exists()


def test_the_preset_page_costs_constant_queries(
    client_for, coordinator, tracked, django_assert_num_queries
):
    client = client_for(coordinator)
    client.post(_preset_url(tracked), PRESET)
    # session, the user with its organization (lib.auth.UserBackend), plan, preset
    with django_assert_num_queries(4):
        assert client.get(_preset_url(tracked)).status_code == 200


def test_one_click_issues_the_document_and_a_period_keeps_its_number(
    client_for, coordinator, tracked
):
    client = client_for(coordinator)
    october, november = month(tracked, 2026, 10), month(tracked, 2026, 11)
    refused = client.post(_issue_url(october), follow=True)
    assert "请先设置方案的发文预设。" in refused.content.decode()
    save_preset(coordinator, tracked, PRESET)
    response = client.post(_issue_url(october))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "枣庄市发展和改革委员会文件"
    assert "枣发改经贸〔2026〕1号\t签发人：张三" in texts
    assert "枣庄市人民政府：" in texts
    assert document.tables[-1].rows[0].cells[0].text == "抄送：市委办公室，市政府办公室。"
    assert client.post(_issue_url(november)).status_code == 200
    client.post(_issue_url(october))  # exported again: the same number
    numbers = dict(DocumentNumber.objects.values_list("period__label", "text"))
    assert numbers == {"2026年10月": "枣发改经贸〔2026〕1号", "2026年11月": "枣发改经贸〔2026〕2号"}
    assert AuditRecord.objects.filter(action="take document number").count() == 2
    assert client.get(_issue_url(october)).status_code == 405


def test_the_counter_is_per_unit_and_year_and_unique(coordinator, tracked):
    preset = save_preset(coordinator, tracked, PRESET)
    october, november, december = (month(tracked, 2026, n) for n in (10, 11, 12))
    first = take_document_number(coordinator, october, preset, datetime.date(2026, 12, 30))
    # A new year starts the counter again.
    second = take_document_number(coordinator, november, preset, datetime.date(2027, 1, 4))
    assert (first.text, second.text) == ("枣发改经贸〔2026〕1号", "枣发改经贸〔2027〕1号")
    # Two exports at once cannot hold the same number: the database refuses the second.
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentNumber.objects.create(
            issuing_unit=preset.issuing_unit, year=2026, number=1, text="x", period=december
        )


def test_a_number_taken_meanwhile_is_skipped(coordinator, tracked, monkeypatch):
    """Another export took number 1 after this one read the counter: the database refuses the
    insert, and the service reads the counter again and takes the next."""
    from luoshi.documents import services

    preset = save_preset(coordinator, tracked, PRESET)
    october, november = month(tracked, 2026, 10), month(tracked, 2026, 11)
    take_document_number(coordinator, november, preset, datetime.date(2026, 12, 5))
    reads = []
    real = services.next_number

    def stale_then_real(unit_id, year):
        reads.append(year)
        return 1 if len(reads) == 1 else real(unit_id, year)

    monkeypatch.setattr(services, "next_number", stale_then_real)
    taken = take_document_number(coordinator, october, preset, datetime.date(2026, 12, 5))
    assert taken.text == "枣发改经贸〔2026〕2号" and len(reads) == 2


def test_export_report_issue_takes_and_reuses_the_number(coordinator, tracked, tmp_path):
    out = tmp_path / "brief.docx"
    args = ["export_report", "--plan", str(tracked.pk), "--period", "2026-10", "--out", str(out)]
    with pytest.raises(CommandError, match="该方案尚未设置发文预设"):
        call_command(*args, "--issue")
    save_preset(coordinator, tracked, PRESET)
    for _time in range(2):
        call_command(*args, "--issue", stdout=io.StringIO())
        texts = [p.text for p in Document(out).paragraphs]
        assert "枣发改经贸〔2026〕1号\t签发人：张三" in texts
    assert DocumentNumber.objects.count() == 1
