"""Every service refuses the user who must be refused: 404 for others' objects, 403 for roles."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from luoshi.reporting import services
from luoshi.reporting.models import Report
from luoshi.testing import fill, pdf_upload

# Messages are matched in English (the msgids); Chinese is the default language.
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def draft(commerce_report, commerce_reporter):
    """市商务局's November report as a draft, every entry written, with one attachment (here
    without the leads the reporting conftest's draft has)."""
    report = fill(commerce_report, commerce_reporter)
    services.add_attachment(commerce_reporter, report.entries.first(), pdf_upload())
    return report


ACTIONS = {
    "get_report": lambda user, r: services.get_report(user, r.pk),
    "get_entry": lambda user, r: services.get_entry(user, r.entries.first().pk),
    "get_attachment": lambda user, r: services.get_attachment(
        user, r.entries.first().attachments.get().pk
    ),
    "start_draft": lambda user, r: services.start_draft(user, r),
    "save_entry": lambda user, r: services.save_entry(
        user, r.entries.first(), {"progress": "篡改"}, r.entries.first().version
    ),
    "add_attachment": lambda user, r: services.add_attachment(
        user, r.entries.first(), pdf_upload()
    ),
    "delete_attachment": lambda user, r: services.delete_attachment(
        user, r.entries.first().attachments.get()
    ),
    "co_entries": lambda user, r: services.co_entries(user, r.entries.first()),
    "submit_for_signoff": lambda user, r: services.submit_for_signoff(user, r),
    "send_back": lambda user, r: services.send_back(user, r),
    "sign_off": lambda user, r: services.sign_off(user, r),
    "return_report": lambda user, r: services.return_report(user, r, "退回"),
    "accept": lambda user, r: services.accept(user, r),
    "reopen": lambda user, r: services.reopen(user, r, "重开"),
}
READS = {"get_report", "get_entry", "get_attachment", "co_entries"}
DEPARTMENT_ACTIONS = {
    "start_draft",
    "save_entry",
    "add_attachment",
    "delete_attachment",
    "submit_for_signoff",
    "send_back",
    "sign_off",
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_another_departments_reporter_gets_404_for_everything(draft, transport_reporter, action):
    with pytest.raises(Http404):
        ACTIONS[action](transport_reporter, draft)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_another_departments_head_gets_404_for_everything(draft, transport_head, action):
    with pytest.raises(Http404):
        ACTIONS[action](transport_head, draft)


@pytest.mark.parametrize("action", sorted(set(ACTIONS) - READS))
def test_a_leader_reads_but_changes_nothing(draft, leader, action):
    with pytest.raises(PermissionDenied):
        ACTIONS[action](leader, draft)
    assert Report.objects.get(pk=draft.pk).status == Report.Status.DRAFT


@pytest.mark.parametrize("action", sorted(READS))
def test_a_leader_and_the_coordinator_can_read(draft, leader, coordinator, action):
    ACTIONS[action](leader, draft)
    ACTIONS[action](coordinator, draft)


@pytest.mark.parametrize("action", sorted(DEPARTMENT_ACTIONS))
def test_the_coordinator_cannot_act_for_a_department(draft, coordinator, action):
    with pytest.raises(PermissionDenied):
        ACTIONS[action](coordinator, draft)


@pytest.mark.parametrize("action", ["return_report", "accept", "reopen"])
def test_department_users_cannot_review(draft, commerce_reporter, commerce_head, action):
    for user in (commerce_reporter, commerce_head):
        with pytest.raises(PermissionDenied):
            ACTIONS[action](user, draft)


def test_only_the_head_signs_off_and_only_the_reporter_sends_for_sign_off(
    draft, commerce_reporter, commerce_head
):
    with pytest.raises(PermissionDenied):
        services.submit_for_signoff(commerce_head, draft)
    services.submit_for_signoff(commerce_reporter, draft)
    with pytest.raises(PermissionDenied):
        services.sign_off(commerce_reporter, draft)
    assert services.sign_off(commerce_head, draft).status == Report.Status.SUBMITTED


def test_other_roles_see_no_reports(draft, audit_admin):
    assert not services.reports_for_user(audit_admin).exists()
    with pytest.raises(Http404):
        services.get_report(audit_admin, draft.pk)


def test_the_matrix_and_the_queue_are_for_the_coordinator_and_leaders(
    tracked, commerce_reporter, leader, coordinator
):
    with pytest.raises(PermissionDenied):
        services.report_matrix(commerce_reporter, tracked)
    with pytest.raises(PermissionDenied):
        services.review_queue(commerce_reporter)
    assert services.report_matrix(leader, tracked).departments
    assert list(services.review_queue(coordinator)) == []


def test_attachments_are_checked_by_content_and_size(draft, commerce_reporter, settings):
    entry = draft.entries.first()
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(Exception, match="Only PDF"):
        services.add_attachment(commerce_reporter, entry, fake)
    settings.REPORTING_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(Exception, match="larger"):
        services.add_attachment(commerce_reporter, entry, pdf_upload())


def test_office_files_are_told_apart_by_their_content(draft, commerce_reporter):
    import docx
    import openpyxl

    word = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("佐证材料")
    document.save(word)
    sheet = io.BytesIO()
    openpyxl.Workbook().save(sheet)
    entry = draft.entries.first()
    # The claimed names are wrong on purpose: the bytes decide.
    a = services.add_attachment(
        commerce_reporter, entry, SimpleUploadedFile("a.xlsx", word.getvalue())
    )
    b = services.add_attachment(
        commerce_reporter, entry, SimpleUploadedFile("b.docx", sheet.getvalue())
    )
    assert a.content_type.endswith("wordprocessingml.document") and a.file.name.endswith(".docx")
    assert b.content_type.endswith("spreadsheetml.sheet") and b.file.name.endswith(".xlsx")
    assert (a.original_name, b.original_name) == ("a.docx", "b.xlsx")  # named after the bytes
    assert "a.xlsx" not in a.file.name
