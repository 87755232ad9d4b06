"""The department's report form: drafting, autosave through htmx, conflicts, an expired session,
evidence files, and who may read or change what."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.reporting import services
from luoshi.reporting.models import Attachment, Report, ReportEntry
from luoshi.testing import (
    HX,
    PDF,
    department,
    file_report,
    fill,
    lead_entry,
    pdf_upload,
    report_url,
)

pytestmark = pytest.mark.usefixtures("mid_november")


def entry_data(entry: ReportEntry, version=None, **fields) -> dict:
    prefix = f"e{entry.pk}-"
    data = {
        "version": str(entry.version if version is None else version),
        prefix + "progress": "",
        prefix + "status": "in_progress",
        prefix + "behind_reason": "",
        prefix + "problems": "",
        prefix + "next_steps": "",
    }
    for name, value in fields.items():
        data[prefix + name] = value
    return data


def save_url(entry: ReportEntry) -> str:
    return reverse("reporting:entry", args=[entry.pk])


# --- Reading the form -------------------------------------------------------------------------


def test_a_reporter_opens_the_form_with_every_measure_of_the_department(
    client_for, commerce_reporter, draft
):
    page = client_for(commerce_reporter).get(report_url(draft)).content.decode()
    expected = draft.entries.count()
    assert expected > 10
    assert page.count('id="entry-form-') == expected
    assert page.count('name="version"') == expected
    assert "提交部门负责人审核签发" in page
    assert "report-form.js" in page


def test_a_not_started_report_offers_to_start_from_last_periods_text(
    client_for, commerce_reporter, commerce_report, commerce_leads
):
    october = commerce_leads.periods.get(start__month=10).reports.get(
        organization=department("市商务局")
    )
    october = services.start_draft(commerce_reporter, october)
    first = lead_entry(october)
    services.save_entry(commerce_reporter, first, {"progress": "十月已完成摸底。"}, first.version)
    client = client_for(commerce_reporter)
    assert "开始填报" in client.get(report_url(commerce_report)).content.decode()
    response = client.post(reverse("reporting:action", args=[commerce_report.pk, "start"]))
    assert response.status_code == 302
    commerce_report.refresh_from_db()
    assert commerce_report.status == Report.Status.DRAFT
    page = client.get(report_url(commerce_report)).content.decode()
    assert "十月已完成摸底。" in page


def test_the_lead_sees_the_co_departments_entries_beside_its_own(
    client_for, commerce_reporter, transport_reporter, draft, november
):
    entry = lead_entry(draft)
    co_department = transport_reporter.organization
    co_reporter = transport_reporter
    co_report = services.start_draft(co_reporter, november.reports.get(organization=co_department))
    co_entry = co_report.entries.get(measure=entry.measure)
    services.save_entry(
        co_reporter, co_entry, {"progress": "配合部门的进展文字。"}, co_entry.version
    )
    page = client_for(commerce_reporter).get(report_url(draft)).content.decode()
    assert "配合部门的进展文字。" in page
    assert co_department.name in page
    # ...and the co department does not see the lead's text in its own form.
    services.save_entry(commerce_reporter, entry, {"progress": "牵头部门的文字。"}, entry.version)
    co_page = client_for(co_reporter).get(report_url(co_report)).content.decode()
    assert "牵头部门的文字。" not in co_page


def test_an_accepted_report_is_read_only(
    client_for, commerce_reporter, commerce_head, coordinator, draft
):
    fill(draft, commerce_reporter)
    services.submit_for_signoff(commerce_reporter, draft)
    services.sign_off(commerce_head, draft)
    services.accept(coordinator, draft)
    page = client_for(commerce_reporter).get(report_url(draft)).content.decode()
    assert 'name="version"' not in page
    assert "只读" in page
    entry = lead_entry(draft)
    response = client_for(commerce_reporter).post(save_url(entry), entry_data(entry), headers=HX)
    assert response.status_code == 422
    assert "未保存：" in response.content.decode()


# --- Autosave ---------------------------------------------------------------------------------


def test_an_htmx_save_stores_the_text_and_answers_the_new_version(
    client_for, commerce_reporter, draft
):
    entry = lead_entry(draft)
    target = entry.measure.targets.first()
    data = entry_data(entry, progress="已组织3场促消费活动。", problems="资金不足")
    data[f"e{entry.pk}-target_{target.pk}"] = "12.5"
    response = client_for(commerce_reporter).post(save_url(entry), data, headers=HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "已保存 10:30" in body
    assert f'id="version-{entry.pk}" value="{entry.version + 1}" hx-swap-oob="true"' in body
    entry.refresh_from_db()
    assert entry.progress == "已组织3场促消费活动。"
    assert entry.problems == "资金不足"
    assert entry.actuals.get(target=target).value == 12.5


def test_a_value_that_is_not_a_number_is_reported_and_the_text_still_saved(
    client_for, commerce_reporter, draft
):
    entry = lead_entry(draft)
    target = entry.measure.targets.first()
    data = entry_data(entry, progress="文字照常保存。")
    data[f"e{entry.pk}-target_{target.pk}"] = "三十"
    response = client_for(commerce_reporter).post(save_url(entry), data, headers=HX)
    assert response.status_code == 200
    assert "不是数字" in response.content.decode()
    entry.refresh_from_db()
    assert entry.progress == "文字照常保存。"
    assert not entry.actuals.exists()


def test_a_stale_version_gets_the_conflict_with_both_texts_and_nothing_is_overwritten(
    client_for, commerce_reporter, commerce_head, draft
):
    entry = lead_entry(draft)
    loaded = entry.version
    services.save_entry(commerce_head, entry, {"progress": "负责人改的文字"}, loaded)
    client = client_for(commerce_reporter)
    data = entry_data(entry, version=loaded, progress="填报人自己的文字")
    response = client.post(save_url(entry), data, headers=HX)
    assert response.status_code == 409
    assert response["HX-Retarget"] == f"#conflict-{entry.pk}"
    assert response["HX-Reswap"] == "innerHTML"
    body = response.content.decode()
    assert "负责人改的文字" in body and "填报人自己的文字" in body
    assert "commerce_head" in body
    entry.refresh_from_db()
    assert entry.progress == "负责人改的文字"
    assert entry.version == loaded + 1
    # "Keep my version" sends the same text on their version: now it is saved.
    response = client.post(
        save_url(entry), entry_data(entry, progress="填报人自己的文字"), headers=HX
    )
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.progress == "填报人自己的文字"


def test_two_people_on_different_measures_do_not_collide(
    client_for, commerce_reporter, commerce_head, draft
):
    first, second = draft.entries.order_by("pk")[:2]
    services.save_entry(commerce_head, first, {"progress": "负责人写第一项"}, first.version)
    response = client_for(commerce_reporter).post(
        save_url(second), entry_data(second, progress="填报人写第二项"), headers=HX
    )
    assert response.status_code == 200


def test_use_their_version_renders_the_entry_again(client_for, commerce_reporter, draft):
    entry = lead_entry(draft)
    response = client_for(commerce_reporter).get(save_url(entry), headers=HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card entry')
    assert f'id="entry-form-{entry.pk}"' in body
    assert "<html" not in body


def test_an_expired_session_answers_htmx_with_a_message_not_the_login_page(client, draft):
    entry = lead_entry(draft)
    page = report_url(draft)
    response = client.post(
        save_url(entry),
        entry_data(entry, progress="登录过期时写的文字"),
        headers=HX | {"HX-Current-URL": "http://testserver" + page},
    )
    assert response.status_code == 401
    assert response["HX-Reswap"] == "none"
    trigger = json.loads(response["HX-Trigger"])["sessionExpired"]
    assert "登录已过期" in trigger["message"]
    assert trigger["login_url"] == "/login/?next=" + page.replace("/", "%2F")
    body = response.content.decode()
    assert "登录已过期" in body and "<form" not in body
    entry.refresh_from_db()
    assert entry.progress == ""


def test_without_htmx_an_expired_session_goes_to_the_login_page(client, draft):
    entry = lead_entry(draft)
    response = client.post(save_url(entry), entry_data(entry, progress="x"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_the_save_button_without_javascript_saves_and_comes_back(
    client_for, commerce_reporter, draft
):
    entry = lead_entry(draft)
    response = client_for(commerce_reporter).post(
        save_url(entry), entry_data(entry, progress="无脚本保存")
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#entry-{entry.pk}")
    entry.refresh_from_db()
    assert entry.progress == "无脚本保存"


# --- Evidence ---------------------------------------------------------------------------------


def upload(client, entry, content=PDF, name="佐证.pdf"):
    url = reverse("reporting:attachment_upload", args=[entry.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content)}, headers=HX)


def test_a_reporter_uploads_lists_downloads_and_deletes_evidence(
    client_for, commerce_reporter, draft
):
    entry = lead_entry(draft)
    client = client_for(commerce_reporter)
    response = upload(client, entry)
    assert response.status_code == 200
    assert "佐证.pdf" in response.content.decode()
    attachment = entry.attachments.get()
    download = client.get(reverse("reporting:attachment", args=[attachment.pk]))
    assert download.status_code == 200
    # Reading it all lets the test client close the file (response.close() would also close
    # the test database connection).
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert "佐证.pdf" in client.get(report_url(draft)).content.decode()
    response = client.post(reverse("reporting:attachment_delete", args=[attachment.pk]), headers=HX)
    assert response.status_code == 200
    assert not Attachment.objects.filter(pk=attachment.pk).exists()


def test_a_file_that_is_not_evidence_is_refused_with_a_message(
    client_for, commerce_reporter, draft
):
    entry = lead_entry(draft)
    response = upload(client_for(commerce_reporter), entry, b"MZ\x90\x00", "report.pdf")
    assert response.status_code == 200
    assert "PDF" in response.content.decode()
    assert not entry.attachments.exists()


def test_evidence_cannot_be_deleted_once_submitted(client_for, commerce_reporter, draft):
    entry = lead_entry(draft)
    client = client_for(commerce_reporter)
    upload(client, entry)
    fill(draft, commerce_reporter)
    services.submit_for_signoff(commerce_reporter, draft)
    attachment = entry.attachments.get()
    response = client.post(reverse("reporting:attachment_delete", args=[attachment.pk]))
    assert response.status_code == 302
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert "删除" not in client.get(report_url(draft)).content.decode().split("佐证材料")[1][:400]


# --- Who may do what ----------------------------------------------------------------------------


@pytest.fixture
def evidence(draft, commerce_reporter):
    return services.add_attachment(commerce_reporter, lead_entry(draft), pdf_upload("a.pdf"))


@pytest.mark.parametrize("persona", ["transport_reporter", "transport_head"])
def test_another_department_can_neither_read_nor_change_anything(
    client_for, request, persona, draft, evidence
):
    client = client_for(request.getfixturevalue(persona))
    entry = evidence.entry
    assert client.get(report_url(draft)).status_code == 404
    assert client.get(save_url(entry), headers=HX).status_code == 404
    assert (
        client.post(save_url(entry), entry_data(entry, progress="越权"), headers=HX).status_code
        == 404
    )
    assert upload(client, entry).status_code == 404
    assert client.get(reverse("reporting:attachment", args=[evidence.pk])).status_code == 404
    delete = reverse("reporting:attachment_delete", args=[evidence.pk])
    assert client.post(delete).status_code == 404
    for action in ["start", "submit", "signoff", "send-back", "return", "accept", "reopen"]:
        url = reverse("reporting:action", args=[draft.pk, action])
        assert client.post(url, {"comment": "x"}).status_code == 404
    entry.refresh_from_db()
    assert entry.progress == "" and entry.attachments.count() == 1
    draft.refresh_from_db()
    assert draft.status == Report.Status.DRAFT


def test_a_leader_reads_everything_submitted_and_changes_nothing(
    client_for, leader, draft, evidence, commerce_reporter, commerce_head
):
    client = client_for(leader)
    entry = evidence.entry
    page = client.get(report_url(draft))
    assert page.status_code == 200
    assert 'name="version"' not in page.content.decode()
    # The draft's evidence stays the department's until the report is submitted.
    download_url = reverse("reporting:attachment", args=[evidence.pk])
    assert client.get(download_url).status_code == 404
    assert (
        client.post(save_url(entry), entry_data(entry, progress="领导"), headers=HX).status_code
        == 403
    )
    assert upload(client, entry).status_code == 403
    assert (
        client.post(reverse("reporting:attachment_delete", args=[evidence.pk])).status_code == 403
    )
    for action in ["start", "submit", "signoff", "send-back", "return", "accept", "reopen"]:
        url = reverse("reporting:action", args=[draft.pk, action])
        assert client.post(url, {"comment": "x"}).status_code == 403
    entry.refresh_from_db()
    assert entry.progress == ""
    file_report(draft, commerce_reporter, commerce_head)
    download = client.get(download_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_the_coordinator_reads_but_does_not_write_a_departments_entries(
    client_for, coordinator, draft
):
    entry = lead_entry(draft)
    client = client_for(coordinator)
    assert client.get(report_url(draft)).status_code == 200
    assert (
        client.post(save_url(entry), entry_data(entry, progress="统筹"), headers=HX).status_code
        == 403
    )


def test_anonymous_users_are_sent_to_log_in(client, draft, evidence):
    urls = [
        report_url(draft),
        reverse("reporting:home"),
        reverse("reporting:attachment", args=[evidence.pk]),
        reverse("reporting:matrix", args=[draft.period.plan_id]),
        reverse("reporting:queue", args=[draft.period.plan_id]),
        reverse("reporting:measure", args=[evidence.entry.measure_id]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url


def test_the_form_pages_refuse_the_wrong_method(client_for, commerce_reporter, draft, evidence):
    client = client_for(commerce_reporter)
    assert client.post(report_url(draft)).status_code == 405
    assert client.get(reverse("reporting:action", args=[draft.pk, "submit"])).status_code == 405
    assert (
        client.get(reverse("reporting:attachment_upload", args=[evidence.entry.pk])).status_code
        == 405
    )
    assert client.post(reverse("reporting:attachment", args=[evidence.pk])).status_code == 405
    assert client.put(save_url(evidence.entry)).status_code == 405


def test_saving_is_audited_once_per_save(client_for, commerce_reporter, draft):
    entry = lead_entry(draft)
    client = client_for(commerce_reporter)
    last = AuditRecord.objects.order_by("-pk").first().pk
    client.post(save_url(entry), entry_data(entry, progress="审计"), headers=HX)
    records = AuditRecord.objects.filter(pk__gt=last)
    assert [(r.action, r.object_id) for r in records] == [("change", str(entry.pk))]


def test_a_closed_period_shows_the_report_read_only_and_refuses_saves(
    client_for, coordinator, commerce_reporter, draft, november
):
    services.close_period(coordinator, november)
    client = client_for(commerce_reporter)
    page = client.get(report_url(draft)).content.decode()
    assert "本报送期已关闭" in page
    assert 'name="version"' not in page
    entry = lead_entry(draft)
    response = client.post(save_url(entry), entry_data(entry, progress="关闭后"), headers=HX)
    assert response.status_code == 422
    entry.refresh_from_db()
    assert entry.progress == ""
