"""Attacks on evidence files: a dangerous name on a file whose bytes are a PDF, a title made to
break the download header, and evidence removed after the period was closed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.reporting import services
from luoshi.reporting.models import Attachment
from luoshi.testing import HX, PDF, lead_entry, pdf_upload

pytestmark = pytest.mark.usefixtures("mid_november")


def _upload(client, entry, name):
    url = reverse("reporting:attachment_upload", args=[entry.pk])
    response = client.post(url, {"file": SimpleUploadedFile(name, PDF)}, headers=HX)
    assert response.status_code == 200
    return entry.attachments.latest("id")


@pytest.mark.parametrize(
    ("name", "downloaded"),
    [
        ("x.pdf.bat", "x.pdf"),
        ("evidence.hta", "evidence.pdf"),
        ("佐证材料", "佐证材料.pdf"),
        ('a".hta', "a_.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("报告.jpeg.exe", "报告.jpeg.pdf"),
        ("会议纪要.PDF", "会议纪要.PDF"),
    ],
)
def test_a_pdf_with_a_dangerous_name_downloads_as_a_pdf(
    client_for, commerce_reporter, draft, name, downloaded
):
    client = client_for(commerce_reporter)
    attachment = _upload(client, lead_entry(draft), name)
    assert attachment.original_name == downloaded
    response = client.get(reverse("reporting:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\n" not in disposition and ".bat" not in disposition and ".hta" not in disposition
    assert response["Content-Type"] == "application/pdf"


def test_an_older_attachment_with_a_dangerous_name_downloads_under_its_type(
    client_for, commerce_reporter, draft
):
    attachment = services.add_attachment(commerce_reporter, lead_entry(draft), pdf_upload())
    # Stored before names were checked.
    Attachment.objects.filter(pk=attachment.pk).update(original_name="invoice.pdf.exe")
    response = client_for(commerce_reporter).get(
        reverse("reporting:attachment", args=[attachment.pk])
    )
    b"".join(response.streaming_content)
    assert 'filename="invoice.pdf"' in response["Content-Disposition"]
    api = client_for(None)
    from luoshi.api.services import create_token

    _token, key = create_token(commerce_reporter, "test")
    response = api.get(
        f"/api/v1/attachments/{attachment.pk}", headers={"Authorization": f"Bearer {key}"}
    )
    b"".join(response.streaming_content)
    assert 'filename="invoice.pdf"' in response["Content-Disposition"]


def test_evidence_cannot_be_deleted_after_the_period_is_closed(
    client_for, coordinator, commerce_reporter, draft, november
):
    attachment = services.add_attachment(commerce_reporter, lead_entry(draft), pdf_upload())
    services.close_period(coordinator, november)
    client = client_for(commerce_reporter)
    response = client.post(reverse("reporting:attachment_delete", args=[attachment.pk]), headers=HX)
    assert response.status_code < 500
    assert "本报送期已关闭" in response.content.decode()
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert not AuditRecord.objects.filter(action="detach").exists()
    with pytest.raises(services.WorkflowError):
        services.delete_attachment(commerce_reporter, attachment)
