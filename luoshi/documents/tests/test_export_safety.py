"""Attacks on the documents' downloads: formulas and control characters in what departments
write, and a plan title made to break the download's header."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from luoshi.api.services import create_token
from luoshi.orgs.services import update_organization
from luoshi.plans.models import Plan
from luoshi.reporting import services
from luoshi.testing import HX, department, fill, lead_entry

pytestmark = pytest.mark.django_db

CONTROL = "第一阶段\x01完成\x0b，\x1f第二阶段\r\n启动。"


def _accepted(report, reporter, head, coordinator):
    services.submit_for_signoff(reporter, report)
    services.sign_off(head, report)
    return services.accept(coordinator, report)


def _ledger(client, plan):
    """The ledger's sheet of December, the month these tests report."""
    response = client.get(reverse("documents:ledger_xlsx", args=[plan.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))["2026年12月"]


def test_a_formula_in_progress_or_a_department_name_is_text_in_the_ledger_xlsx(
    client_for, coordinator, commerce_reporter, commerce_head, tracked, commerce_december
):
    update_organization(
        coordinator, department("市商务局"), name="=1+2", full_name="市商务局", aliases=[]
    )
    report = services.start_draft(commerce_reporter, commerce_december)
    for entry in report.entries.all():
        data = {"progress": '=HYPERLINK("http://evil.example","点我")'}
        services.save_entry(commerce_reporter, entry, data, entry.version)
    _accepted(report, commerce_reporter, commerce_head, coordinator)
    sheet = _ledger(client_for(coordinator), tracked)
    cells = [cell for row in sheet.iter_rows(min_row=3) for cell in row]
    formulas = [c.value for c in cells if c.data_type == "f"]
    assert formulas == []
    assert "=1+2" in [c.value for c in cells]
    assert any(str(c.value).endswith('=HYPERLINK("http://evil.example","点我")') for c in cells)


def test_control_characters_saved_through_the_page_and_the_api_leave_the_exports_working(
    client_for, coordinator, commerce_reporter, commerce_head, tracked, commerce_december
):
    report = fill(commerce_december, commerce_reporter)
    first, second = list(report.entries.all())[:2]
    page = client_for(commerce_reporter).post(
        reverse("reporting:entry", args=[first.pk]),
        {
            "version": str(first.version),
            f"e{first.pk}-progress": CONTROL,
            f"e{first.pk}-status": "in_progress",
        },
        headers=HX,
    )
    assert page.status_code == 200
    _token, key = create_token(commerce_reporter, "test")
    api = client_for(None)
    response = api.put(
        f"/api/v1/entries/{second.pk}",
        {"version": second.version, "progress": CONTROL, "problems": "\x01\x02"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.content
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.progress == second.progress == "第一阶段完成，第二阶段\n启动。"
    assert second.problems == ""
    _accepted(report, commerce_reporter, commerce_head, coordinator)
    client = client_for(coordinator)
    sheet = _ledger(client, tracked)
    assert any("第二阶段\n启动。" in str(c.value) for row in sheet.iter_rows() for c in row)
    docx = client.get(
        reverse("documents:report_docx", args=[tracked.pk, commerce_december.period_id])
    )
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "第一阶段完成" in text


def test_control_characters_of_older_data_do_not_break_the_exports(
    client_for, coordinator, commerce_reporter, commerce_head, tracked, commerce_december
):
    report = fill(commerce_december, commerce_reporter)
    # Older rows written before input was cleaned: the exports must still answer.
    report.entries.update(progress="旧数据\x01\x08仍可导出。")
    _accepted(report, commerce_reporter, commerce_head, coordinator)
    client = client_for(coordinator)
    assert client.get(reverse("documents:ledger_xlsx", args=[tracked.pk])).status_code == 200
    url = reverse("documents:report_docx", args=[tracked.pk, commerce_december.period_id])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "title", ['方案"; filename="evil.bat', "方案\r\nSet-Cookie: x=1", "../../etc/方案\\x"]
)
def test_a_plan_title_made_to_break_the_download_header_gives_a_clean_attachment(
    client_for, coordinator, tracked, commerce_december, title
):
    # The title comes from the imported document; stored as the importer would store it.
    Plan.objects.filter(pk=tracked.pk).update(title=title)
    client = client_for(coordinator)
    for url in [
        reverse("documents:ledger_xlsx", args=[tracked.pk]),
        reverse("documents:report_docx", args=[tracked.pk, commerce_december.period_id]),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "\r" not in disposition and "\n" not in disposition
        assert 'filename="evil.bat' not in disposition
        assert "/" not in disposition.split("filename*=")[0]
        assert disposition.count('"') in (0, 2)


@pytest.mark.parametrize("typed", ["1e100", "Infinity", "NaN", "sNaN", "-inf"])
def test_an_impossible_actual_in_a_word_template_is_refused_with_a_message(
    client_for, commerce_reporter, commerce_leads, commerce_december, typed
):
    client = client_for(commerce_reporter)
    # An actual already stored, so that the uploaded one is compared with it.
    report = fill(commerce_december, commerce_reporter)
    entry = lead_entry(report)
    target = entry.measure.targets.first()
    services.save_entry(commerce_reporter, entry, {"actuals": {target.pk: 5}}, entry.version)
    response = client.get(reverse("documents:template_docx", args=[report.pk]))
    document = Document(io.BytesIO(response.content))
    for table in document.tables:
        for row in table.rows:
            if row.cells[0].text.startswith("指标1："):
                row.cells[1].text = typed
    buffer = io.BytesIO()
    document.save(buffer)
    response = client.post(
        reverse("documents:template", args=[report.pk]),
        {"file": SimpleUploadedFile("报告.docx", buffer.getvalue())},
    )
    assert response.status_code in (200, 400)
    body = response.content.decode()
    assert "实际值" in body
    assert entry.actuals.get().value == 5


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-02-30"])
def test_an_impossible_date_on_the_report_page_is_a_form_error(
    client_for, coordinator, tracked, commerce_december, day
):
    url = reverse("documents:report", args=[tracked.pk, commerce_december.period_id])
    response = client_for(coordinator).get(url, {"date": day, "addressee": "市政府"})
    assert response.status_code in (200, 400)
