"""The REST API drives the same month as the pages, with the same permission checks."""

import pytest
import time_machine
from django.test import Client

from luoshi.api.models import ApiToken
from luoshi.api.services import create_token, revoke_token
from luoshi.audit.models import AuditRecord
from luoshi.lib import clock
from luoshi.reporting import services
from luoshi.reporting.models import Report
from luoshi.testing import at, fill, pdf_upload

JSON = "application/json"


def fill_via_api(api, report):
    assert api.post(f"/api/v1/reports/{report.pk}/start").status_code == 200
    detail = api.get(f"/api/v1/reports/{report.pk}").json()
    for entry in detail["entries"]:
        response = api.put(
            f"/api/v1/entries/{entry['id']}",
            {"version": entry["version"], "progress": "通过接口报送的进展。", "status": "done"},
            content_type=JSON,
        )
        assert response.status_code == 200, response.content
        assert response.json()["version"] == entry["version"] + 1
    return detail


def test_a_month_through_the_api(
    token_client, commerce_report, commerce_reporter, commerce_head, coordinator
):
    reporter, head, office = (
        token_client(commerce_reporter),
        token_client(commerce_head),
        token_client(coordinator),
    )
    with time_machine.travel(at(2026, 11, 25, 9), tick=False):
        fill_via_api(reporter, commerce_report)
        response = reporter.post(f"/api/v1/reports/{commerce_report.pk}/submit")
        assert response.json()["status"] == "awaiting_signoff"
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        response = head.post(f"/api/v1/reports/{commerce_report.pk}/sign-off")
        assert response.json()["status"] == "submitted"
        assert response.json()["late"] is True
        response = office.post(
            f"/api/v1/reports/{commerce_report.pk}/return",
            {"comment": "请补充数据"},
            content_type=JSON,
        )
        assert response.json()["status"] == "returned"
        assert response.json()["return_comment"] == "请补充数据"
        assert reporter.post(f"/api/v1/reports/{commerce_report.pk}/submit").status_code == 200
        assert head.post(f"/api/v1/reports/{commerce_report.pk}/sign-off").status_code == 200
        response = office.post(f"/api/v1/reports/{commerce_report.pk}/accept")
        assert response.json()["status"] == "accepted"
    # Locked: the accepted report cannot be changed.
    entry = commerce_report.entries.first()
    response = reporter.put(
        f"/api/v1/entries/{entry.pk}",
        {"version": entry.version, "progress": "改"},
        content_type=JSON,
    )
    assert response.status_code == 409
    matrix = office.get(f"/api/v1/plans/{commerce_report.period.plan_id}/matrix").json()
    cell = next(c for c in matrix if c["report_id"] == commerce_report.pk)
    assert cell["state"] == "accepted"


def test_plans_periods_and_reports_are_listed_for_the_caller(
    token_client, november, commerce_reporter
):
    api = token_client(commerce_reporter)
    [plan] = api.get("/api/v1/plans").json()
    periods = api.get(f"/api/v1/plans/{plan['id']}/periods").json()
    assert [p["label"] for p in periods] == ["2026年10月", "2026年11月", "2026年12月"]
    reports = api.get("/api/v1/reports", {"period": november.pk}).json()
    assert [r["organization"] for r in reports] == ["市商务局"]


def test_a_stale_version_answers_409_with_both_versions(
    token_client, commerce_report, commerce_reporter, commerce_head
):
    report = services.start_draft(commerce_reporter, commerce_report)
    entry = report.entries.first()
    services.save_entry(commerce_head, entry, {"progress": "负责人先改"}, 1)
    response = token_client(commerce_reporter).put(
        f"/api/v1/entries/{entry.pk}", {"version": 1, "progress": "我的版本"}, content_type=JSON
    )
    assert response.status_code == 409
    body = response.json()
    assert body["current"]["progress"] == "负责人先改"
    assert body["current"]["version"] == 2
    assert body["mine"]["progress"] == "我的版本"
    entry.refresh_from_db()
    assert entry.progress == "负责人先改"


def test_a_double_submit_through_the_api_submits_once(
    token_client, commerce_report, commerce_reporter, commerce_head
):
    reporter = token_client(commerce_reporter)
    fill_via_api(reporter, commerce_report)
    assert reporter.post(f"/api/v1/reports/{commerce_report.pk}/submit").status_code == 200
    assert reporter.post(f"/api/v1/reports/{commerce_report.pk}/submit").status_code == 200
    head = token_client(commerce_head)
    first = head.post(f"/api/v1/reports/{commerce_report.pk}/sign-off").json()
    second = head.post(f"/api/v1/reports/{commerce_report.pk}/sign-off").json()
    assert first["submitted_at"] == second["submitted_at"]
    assert AuditRecord.objects.filter(action="sign off").count() == 1


@pytest.fixture
def b_draft(commerce_report, commerce_reporter):
    """Department A (市商务局)'s draft with an attachment, which B must never reach."""
    report = services.start_draft(commerce_reporter, commerce_report)
    attachment = services.add_attachment(commerce_reporter, report.entries.first(), pdf_upload())
    return report, attachment


def requests_on(report, attachment):
    entry = report.entries.first()
    return [
        ("get", f"/api/v1/reports/{report.pk}", None),
        ("get", f"/api/v1/attachments/{attachment.pk}", None),
        ("put", f"/api/v1/entries/{entry.pk}", {"version": entry.version, "progress": "x"}),
        ("post", f"/api/v1/reports/{report.pk}/start", None),
        ("post", f"/api/v1/reports/{report.pk}/submit", None),
        ("post", f"/api/v1/reports/{report.pk}/sign-off", None),
        ("post", f"/api/v1/reports/{report.pk}/return", {"comment": "x"}),
        ("post", f"/api/v1/reports/{report.pk}/accept", None),
        ("post", f"/api/v1/reports/{report.pk}/reopen", {"reason": "x"}),
    ]


def call(api, method, url, data):
    if data is None:
        response = getattr(api, method)(url)
    else:
        response = getattr(api, method)(url, data, content_type=JSON)
    if response.streaming:
        # Reading the file to the end closes it through the test client, which keeps the
        # database connection open (a direct close() would end it on PostgreSQL).
        response.content_read = b"".join(response.streaming_content)
    return response


def test_another_department_gets_404_for_everything(
    token_client, b_draft, transport_reporter, transport_head
):
    report, attachment = b_draft
    for user in (transport_reporter, transport_head):
        api = token_client(user)
        for method, url, data in requests_on(report, attachment):
            response = call(api, method, url, data)
            assert response.status_code == 404, (user, url)
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT


def test_a_leader_reads_but_gets_403_for_every_change(
    token_client, b_draft, leader, commerce_reporter, commerce_head
):
    report, attachment = b_draft
    api = token_client(leader)
    for method, url, data in requests_on(report, attachment):
        if "attachments" in url:
            continue  # a draft's file: see below
        response = call(api, method, url, data)
        assert response.status_code == (200 if method == "get" else 403), url
    # Signed off, the report and its file are the leader's to read.
    services.submit_for_signoff(commerce_reporter, fill(report, commerce_reporter))
    services.sign_off(commerce_head, report)
    response = call(api, "get", f"/api/v1/attachments/{attachment.pk}", None)
    assert response.content_read.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"


def test_the_coordinator_cannot_write_a_departments_report(token_client, b_draft, coordinator):
    report, attachment = b_draft
    api = token_client(coordinator)
    entry = report.entries.first()
    response = api.put(
        f"/api/v1/entries/{entry.pk}", {"version": 1, "progress": "x"}, content_type=JSON
    )
    assert response.status_code == 403
    assert api.post(f"/api/v1/reports/{report.pk}/sign-off").status_code == 403
    # Not submitted yet: accepting is refused by the state, not the role.
    assert api.post(f"/api/v1/reports/{report.pk}/accept").status_code == 409


def test_the_matrix_is_refused_to_department_users(token_client, tracked, commerce_reporter):
    response = token_client(commerce_reporter).get(f"/api/v1/plans/{tracked.pk}/matrix")
    assert response.status_code == 403


def test_no_credentials_a_revoked_token_and_an_inactive_user_are_401(
    client, commerce_report, commerce_reporter
):
    assert client.get("/api/v1/plans").status_code == 401
    token, key = create_token(commerce_reporter, "integration")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    assert api.get("/api/v1/plans").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    assert ApiToken.objects.get(pk=token.pk).key_hash != key
    revoke_token(token)
    assert api.get("/api/v1/plans").status_code == 401
    _token, key = create_token(commerce_reporter, "again")
    commerce_reporter.is_active = False
    commerce_reporter.save()
    assert (
        Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/plans").status_code == 401
    )


def test_the_browser_session_works_and_needs_the_csrf_token_for_changes(
    commerce_report, commerce_reporter
):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(commerce_reporter)
    assert browser.get(f"/api/v1/reports/{commerce_report.pk}").status_code == 200
    assert browser.post(f"/api/v1/reports/{commerce_report.pk}/start").status_code == 403
    browser.get("/login/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        f"/api/v1/reports/{commerce_report.pk}/start", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200


def test_the_openapi_docs_are_served_without_a_cdn(client_for, commerce_reporter):
    client = client_for(commerce_reporter)
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"cdn.jsdelivr" not in response.content
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/entries/{entry_id}" in schema["paths"]


def test_the_docs_and_the_schema_are_not_public(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 401
    assert b"entries" not in response.content


def test_an_integration_reads_the_schema_with_its_token(commerce_reporter):
    from luoshi.api.services import create_token

    _, key = create_token(commerce_reporter, "数据平台")
    response = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert (
        Client(headers={"Authorization": "Bearer wrong"}).get("/api/v1/openapi.json").status_code
        == 401
    )


def test_the_command_creates_a_token(commerce_reporter, capsys):
    from django.core.management import call_command

    call_command("create_api_token", "commerce_reporter", "--name", "数据平台")
    key = capsys.readouterr().out.strip()
    response = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/plans")
    assert response.status_code == 200
    assert clock.now() >= ApiToken.objects.get().created_at


def test_bulk_accept_and_the_leads_view_of_co_entries(
    token_client,
    november,
    commerce_report,
    commerce_reporter,
    commerce_head,
    coordinator,
    transport_reporter,
):
    from luoshi.plans.models import Measure
    from luoshi.plans.services import set_measure_departments

    commerce, transport = commerce_reporter.organization, transport_reporter.organization
    measure = Measure.objects.filter(assignments__organization=commerce).filter(
        assignments__organization=transport
    )[0]
    roles = [
        (a.organization, "lead" if a.organization == commerce else "co")
        for a in measure.assignments.all()
    ]
    set_measure_departments(coordinator, measure, roles, needs_review=False)
    report = fill(commerce_report, commerce_reporter)
    co = fill(november.reports.get(organization=transport), transport_reporter, text="配合")
    lead_entry = report.entries.get(measure=measure)
    seen = token_client(commerce_reporter).get(f"/api/v1/entries/{lead_entry.pk}/co-entries")
    assert "市交通运输局" in [e["organization"] for e in seen.json()]
    co_entry = co.entries.get(measure=measure)
    seen = token_client(transport_reporter).get(f"/api/v1/entries/{co_entry.pk}/co-entries")
    assert seen.json() == []
    services.submit_for_signoff(commerce_reporter, report)
    services.sign_off(commerce_head, report)
    response = token_client(coordinator).post(
        "/api/v1/bulk-accept", {"report_ids": [report.pk, co.pk]}, content_type=JSON
    )
    assert response.json() == {"accepted": [report.pk], "skipped": [co.pk]}
    response = token_client(commerce_head).post(
        "/api/v1/bulk-accept", {"report_ids": [report.pk]}, content_type=JSON
    )
    assert response.json() == {"accepted": [], "skipped": [report.pk]}


def test_a_draft_reads_as_not_submitted_to_the_coordinator(
    token_client, b_draft, coordinator, commerce_reporter, commerce_head
):
    """The coordinator's token sees what the coordinator's pages show: a draft or a report
    awaiting sign-off is not reported yet — no entries, no files."""
    report, attachment = b_draft
    entry = report.entries.first()
    services.save_entry(commerce_reporter, entry, {"progress": "草稿里的半句话"}, entry.version)
    office, own = token_client(coordinator), token_client(commerce_reporter)
    detail = office.get(f"/api/v1/reports/{report.pk}").json()
    assert detail["status"] == "draft"
    assert detail["withheld"] == "未报送"
    assert detail["entries"] == []
    assert call(office, "get", f"/api/v1/attachments/{attachment.pk}", None).status_code == 404
    # The department itself reads its draft in full.
    mine = own.get(f"/api/v1/reports/{report.pk}").json()
    assert mine["withheld"] == ""
    assert "草稿里的半句话" in [e["progress"] for e in mine["entries"]]
    fill(report, commerce_reporter, text="本月完成冷链设施改造2处。")
    services.submit_for_signoff(commerce_reporter, report)
    assert office.get(f"/api/v1/reports/{report.pk}").json()["withheld"] == "尚未签发"
    services.sign_off(commerce_head, report)
    detail = office.get(f"/api/v1/reports/{report.pk}").json()
    assert detail["withheld"] == ""
    assert "本月完成冷链设施改造2处。" in [e["progress"] for e in detail["entries"]]
    assert call(office, "get", f"/api/v1/attachments/{attachment.pk}", None).status_code == 200
