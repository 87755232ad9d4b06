"""Web security across the apps: CSRF on every state-changing URL, escaped user text, upload
refusals, security headers, and no uploaded file served by URL."""

import io
import re
import uuid
import zipfile

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from luoshi.reporting import services
from luoshi.testing import at, fill

SAMPLE = {"int": "1", "slug": "x", "str": "x", "path": "x", "uuid": str(uuid.uuid4())}
PARAM = re.compile(r"<(?:(\w+):)?\w+>")


def all_routes(patterns=None, prefix=""):
    """Every URL of the project with sample values in its parameters."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from all_routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield "/" + PARAM.sub(lambda m: SAMPLE[m.group(1) or "str"], prefix + route)


def test_every_url_refuses_a_post_without_the_csrf_token(coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    routes = sorted(set(all_routes()))
    assert len(routes) > 30  # plans, orgs, reporting, audit, api, accounts…
    for url in routes:
        response = client.post(url, {"name": "x"})
        if url.startswith("/api/"):
            # django-ninja checks the session's CSRF token itself; GET-only paths answer 405.
            assert response.status_code in (403, 405), url
            if response.status_code == 403:
                assert "CSRF" in response.content.decode(), url
        else:
            assert response.status_code == 403, url
            assert "403_csrf.html" in [t.name for t in response.templates], url


def test_an_api_change_with_the_session_needs_the_csrf_token(coordinator, commerce_report):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    url = f"/api/v1/reports/{commerce_report.pk}/accept"
    response = client.post(url)
    assert response.status_code == 403 and "CSRF" in response.content.decode()


SCRIPT = '<script>alert("x")</script>'


def test_a_script_in_a_report_shows_as_text_on_the_report_and_the_ledger(
    client_for, commerce_report, commerce_reporter, commerce_head, coordinator
):
    with time_machine.travel(at(2026, 11, 20, 10, 0), tick=False):
        report = fill(commerce_report, commerce_reporter)
        entry = report.entries.order_by("measure__key_task__no", "measure__no").first()
        services.save_entry(commerce_reporter, entry, {"progress": SCRIPT}, entry.version)
        report = services.submit_for_signoff(commerce_reporter, report)
        services.sign_off(commerce_head, report)
        pages = [
            client_for(commerce_reporter).get(reverse("reporting:report", args=[report.pk])),
            client_for(coordinator).get(reverse("reporting:report", args=[report.pk])),
            client_for(coordinator).get(reverse("reporting:measure", args=[entry.measure_id])),
        ]
    for response in pages:
        page = response.content.decode()
        assert response.status_code == 200
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
        assert SCRIPT not in page


def _upload(client, entry, name, data):
    return client.post(
        reverse("reporting:attachment_upload", args=[entry.pk]),
        {"file": SimpleUploadedFile(name, data)},
        HTTP_HX_REQUEST="true",
    )


def _zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("证明.pdf", b"MZ\x90\x00\x03\x00\x00\x00 an executable renamed"),
        ("页面.pdf", b"<html><script>alert(1)</script></html>"),
        ("表格.xlsx", _zip({"evil.sh": b"rm -rf /"})),
        ("文档.docx", b"PK\x03\x04 not really a zip"),
    ],
)
def test_uploads_are_judged_by_their_content_not_their_name(
    client_for, commerce_report, commerce_reporter, name, data
):
    from luoshi.reporting.models import Attachment

    with time_machine.travel(at(2026, 11, 20, 10, 0), tick=False):
        entry = services.start_draft(commerce_reporter, commerce_report).entries.first()
        response = _upload(client_for(commerce_reporter), entry, name, data)
    assert response.status_code == 200
    assert "只能上传 PDF" in response.content.decode()
    assert not Attachment.objects.exists()


def test_an_oversized_upload_is_refused_with_the_limit(
    client_for, commerce_report, commerce_reporter, settings
):
    settings.REPORTING_ATTACHMENT_MAX_BYTES = 1024 * 1024
    with time_machine.travel(at(2026, 11, 20, 10, 0), tick=False):
        entry = services.start_draft(commerce_reporter, commerce_report).entries.first()
        big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1)
        response = _upload(client_for(commerce_reporter), entry, "大.pdf", big)
    assert "文件超过 1 MB" in response.content.decode()


def test_a_request_body_over_the_cap_is_refused_before_it_is_read(client_for, coordinator):
    response = client_for(coordinator).post(
        reverse("orgs:create"), {"name": "x" * 3_000_000}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400


def test_a_zip_bomb_plan_document_is_refused():
    from luoshi.importing.sources import UnreadableFile, read_document

    bomb = _zip({"word/document.xml": b"0" * (201 * 1024 * 1024), "[Content_Types].xml": b""})
    assert len(bomb) < 1024 * 1024
    with pytest.raises(UnreadableFile, match="解压后超过"):
        read_document("方案.docx", bomb)


def test_uploaded_files_have_no_url(client_for, coordinator, settings):
    client = client_for(coordinator)
    for path in ("/media/x.pdf", "/uploads/x.pdf", "/var/uploads/x.pdf"):
        assert client.get(path).status_code == 404


def test_pages_carry_the_security_headers(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
