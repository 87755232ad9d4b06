"""A department's Word template: downloaded, filled in Word (here python-docx) and uploaded
back, it becomes the draft through save_entry; anything wrong is refused with a message."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from luoshi.audit.models import AuditRecord
from luoshi.reporting import services as reporting
from luoshi.reporting.models import Report, ReportEntry
from luoshi.testing import department

pytestmark = pytest.mark.django_db


def _download(client, report) -> Document:
    response = client.get(reverse("documents:template_docx", args=[report.pk]))
    assert response.status_code == 200
    return Document(io.BytesIO(response.content))


def _fill(document, progress: dict, status: str = "推进中", **labels) -> bytes:
    """Write `progress[code]` into each measure's table, as a person would in Word."""
    for table in document.tables:
        rows = {row.cells[0].text: row.cells[1] for row in table.rows}
        code = rows["措施编号"].text
        if code in progress:
            rows["进展情况"].text = progress[code]
            rows["状态"].text = status
            for label, text in labels.items():
                rows[label].text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _upload(client, report, data: bytes, name="报告.docx"):
    return client.post(
        reverse("documents:template", args=[report.pk]),
        {"file": SimpleUploadedFile(name, data)},
    )


def test_the_template_lists_the_measures_with_the_current_draft(
    client_for, commerce_reporter, commerce_december
):
    reporting.start_draft(commerce_reporter, commerce_december)
    entry = commerce_december.entries.select_related("measure__key_task").first()
    reporting.save_entry(commerce_reporter, entry, {"progress": "已召开推进会。"}, entry.version)
    document = _download(client_for(commerce_reporter), commerce_december)
    tables = document.tables
    assert len(tables) == commerce_december.entries.count()
    first = {row.cells[0].text: row.cells[1].text for row in tables[0].rows}
    assert first["措施编号"] == entry.measure.code
    assert first["进展情况"] == "已召开推进会。"
    assert first["状态"] == "未启动"
    for label in ("存在问题", "下步计划", "滞后原因"):
        assert label in first
    assert document.core_properties.identifier.startswith(f"luoshi-report:{commerce_december.pk}:")


def test_a_filled_template_becomes_the_draft(client_for, commerce_reporter, commerce_december):
    client = client_for(commerce_reporter)
    assert commerce_december.status == Report.Status.NOT_STARTED
    document = _download(client, commerce_december)
    codes = [t.rows[0].cells[1].text for t in document.tables]
    filled = {code: f"{code}：已完成调研和方案制定。" for code in codes}
    data = _fill(
        document, filled, "滞后", 滞后原因="资金尚未到位", 存在问题="资金紧张", 下步计划="争取资金"
    )
    response = _upload(client, commerce_december, data)
    assert response.status_code == 302
    assert response.url == reverse("reporting:report", args=[commerce_december.pk])
    commerce_december.refresh_from_db()
    assert commerce_december.status == Report.Status.DRAFT
    entries = commerce_december.entries.select_related("measure__key_task")
    assert len(entries) == len(codes)
    for entry in entries:
        assert entry.progress == filled[entry.measure.code]
        assert entry.status == ReportEntry.Status.BEHIND
        assert (entry.behind_reason, entry.problems, entry.next_steps) == (
            "资金尚未到位",
            "资金紧张",
            "争取资金",
        )
        assert entry.updated_by == commerce_reporter
    assert AuditRecord.objects.filter(action="import word template").count() == 1
    assert AuditRecord.objects.filter(
        action="change", object_type="reporting.reportentry"
    ).count() == len(codes)
    followed = client.get(response.url)
    assert "已导入草稿" in followed.content.decode()


def test_a_measure_changed_online_since_the_download_is_not_overwritten(
    client_for, commerce_reporter, commerce_head, commerce_december
):
    client = client_for(commerce_reporter)
    reporting.start_draft(commerce_reporter, commerce_december)
    document = _download(client, commerce_december)
    entry = commerce_december.entries.select_related("measure__key_task").first()
    reporting.save_entry(commerce_head, entry, {"progress": "审核人在线修改。"}, entry.version)
    data = _fill(document, {entry.measure.code: "模板里的文字。"})
    response = _upload(client, commerce_december, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"措施{entry.measure.code}在您下载模板后已由commerce_head在系统中修改" in html
    entry.refresh_from_db()
    assert entry.progress == "审核人在线修改。"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a word file at all", "无法读取该文件"),
        (b"PK\x03\x04broken zip", "无法读取该文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old .doc", "无法读取该文件"),
    ],
)
def test_an_unreadable_file_gets_a_clear_message(
    client_for, commerce_reporter, commerce_december, data, message
):
    response = _upload(client_for(commerce_reporter), commerce_december, data, "x.docx")
    assert response.status_code == 400
    assert message in response.content.decode()
    commerce_december.refresh_from_db()
    assert commerce_december.status == Report.Status.NOT_STARTED


def test_a_word_file_not_made_by_luoshi_is_refused(
    client_for, commerce_reporter, commerce_december
):
    document = Document()
    document.add_paragraph("我的进展情况")
    buffer = io.BytesIO()
    document.save(buffer)
    response = _upload(client_for(commerce_reporter), commerce_december, buffer.getvalue())
    assert "这不是本系统下载的报告模板" in response.content.decode()


def test_another_departments_or_periods_template_is_refused(
    client_for, commerce_reporter, transport_reporter, commerce_december, reported, december
):
    transport = december.reports.get(organization=department("市交通运输局"))
    theirs = _download(client_for(transport_reporter), transport)
    response = _upload(client_for(commerce_reporter), commerce_december, _fill(theirs, {}))
    assert "这是其他部门的报告模板" in response.content.decode()
    november = Report.objects.get(
        period__plan=reported, period__label="2026年11月", organization=department("市商务局")
    )
    old = _download(client_for(commerce_reporter), november)
    response = _upload(client_for(commerce_reporter), commerce_december, _fill(old, {}))
    assert "这是本部门另一报送期的报告模板" in response.content.decode()


def test_an_unknown_status_names_the_measure(client_for, commerce_reporter, commerce_december):
    client = client_for(commerce_reporter)
    document = _download(client, commerce_december)
    code = document.tables[0].rows[0].cells[1].text
    response = _upload(client, commerce_december, _fill(document, {code: "进展"}, "差不多了"))
    assert f"措施{code}的状态“差不多了”无法识别" in response.content.decode()
    assert not commerce_december.entries.filter(progress="进展").exists()


def test_only_the_department_itself_gets_its_template(
    client_for, coordinator, leader, transport_reporter, audit_admin, commerce_december
):
    url = reverse("documents:template_docx", args=[commerce_december.pk])
    page = reverse("documents:template", args=[commerce_december.pk])
    assert client_for(transport_reporter).get(url).status_code == 404
    assert client_for(transport_reporter).post(page).status_code == 404
    assert client_for(audit_admin).get(url).status_code == 404
    assert client_for(coordinator).get(url).status_code == 403
    assert client_for(leader).get(page).status_code == 403
    assert client_for(None).get(url).status_code == 302


def test_the_page_offers_download_and_upload(client_for, commerce_head, commerce_december):
    client = client_for(commerce_head)
    page = client.get(reverse("documents:template", args=[commerce_december.pk]))
    html = page.content.decode()
    assert reverse("documents:template_docx", args=[commerce_december.pk]) in html
    assert 'type="file"' in html
    empty = client.post(reverse("documents:template", args=[commerce_december.pk]))
    assert empty.status_code == 400
    assert client.put(reverse("documents:template", args=[commerce_december.pk])).status_code == 405
    home = client.get(reverse("documents:home"))
    assert reverse("documents:template", args=[commerce_december.pk]) in home.content.decode()


def test_template_download_queries_are_constant(
    client_for, commerce_reporter, commerce_december, django_assert_num_queries
):
    reporting.start_draft(commerce_reporter, commerce_december)
    client = client_for(commerce_reporter)
    # session, user, report, entries, targets, actuals
    with django_assert_num_queries(6):
        client.get(reverse("documents:template_docx", args=[commerce_december.pk]))
