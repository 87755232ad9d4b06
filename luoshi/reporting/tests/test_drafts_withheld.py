"""A report the department has not submitted is not reported: the coordinator and the leaders
see its state (未报送 / 尚未签发), never its text, on the report page, the measure's page, the
co departments' entries beside a lead's report, the matrix and the review queue. The department
itself reads and writes its draft as before."""

import pytest
from django.urls import reverse

from luoshi.reporting import services
from luoshi.reporting.models import Report
from luoshi.testing import (
    HX,
    department,
    file_report,
    fill,
    lead_entry,
    make_user,
    measure,
    pdf_upload,
    report_url,
)

pytestmark = pytest.mark.usefixtures("mid_november")

DRAFT_TEXT = "草稿：本月拟召开推进会，数据尚未核实。"
SUBMITTED_TEXT = "已签发：本月召开推进会一次。"
TRANSPORT_TEXT = "交通运输局初稿：线路调整方案已拟定。"


@pytest.fixture
def written(commerce_leads, commerce_report, commerce_reporter):
    """市商务局's November draft, every measure written, nothing submitted."""
    return fill(commerce_report, commerce_reporter, text=DRAFT_TEXT)


def page_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("persona", ["coordinator", "leader"])
def test_the_coordinator_and_leaders_see_a_draft_as_not_submitted_without_its_text(
    request, client_for, persona, written, commerce_reporter, commerce_head
):
    client = client_for(request.getfixturevalue(persona))
    page = page_of(client, report_url(written))
    assert DRAFT_TEXT not in page
    assert "未报送" in page and "部门负责人签发报送后，这里才显示该部门填报的内容。" in page

    # Sent for sign-off: still the department's text until its head signs it.
    services.submit_for_signoff(commerce_reporter, written)
    page = page_of(client, report_url(written))
    assert DRAFT_TEXT not in page and "尚未签发" in page

    services.sign_off(commerce_head, Report.objects.get(pk=written.pk))
    page = page_of(client, report_url(written))
    assert page.count(DRAFT_TEXT) == written.entries.count()
    assert "尚未签发" not in page


def test_the_department_reads_its_own_draft(client_for, written, commerce_reporter, commerce_head):
    services.submit_for_signoff(commerce_reporter, written)
    # The head reads what it is asked to sign; the reporter what it wrote.
    for user in (commerce_head, commerce_reporter):
        page = page_of(client_for(user), report_url(written))
        assert page.count(DRAFT_TEXT) == written.entries.count()
        assert "尚未签发" not in page


def test_the_measure_page_shows_drafts_and_unsigned_reports_without_their_text(
    client_for, coordinator, written, november, commerce_reporter
):
    # 十.3: 市商务局 leads; 市邮政管理局 signs its report off, 市交通运输局 waits for its head.
    post = department("市邮政管理局")
    file_report(
        november.reports.get(organization=post),
        make_user("post_reporter", "reporter", post),
        make_user("post_head", "approver", post),
        text=SUBMITTED_TEXT,
    )
    transport = department("市交通运输局")
    transport_reporter = make_user("transport_r", "reporter", transport)
    waiting = fill(
        november.reports.get(organization=transport), transport_reporter, text=TRANSPORT_TEXT
    )
    services.submit_for_signoff(transport_reporter, waiting)

    page = page_of(client_for(coordinator), reverse("reporting:measure", args=[measure("十.3").pk]))
    assert SUBMITTED_TEXT in page
    assert DRAFT_TEXT not in page and TRANSPORT_TEXT not in page
    rows = {name: row for name, row in _rows(page).items() if name in ("市商务局", "市交通运输局")}
    assert "未报送" in rows["市商务局"] and "尚未签发" in rows["市交通运输局"]


def _rows(page: str) -> dict[str, str]:
    """The measure page's table rows by department name (the row's first link)."""
    rows = {}
    for row in page.split("<tr>")[1:]:
        if "</a>" in row and "reporting/reports/" in row:
            name = row.split("</a>")[0].rsplit(">", 1)[-1]
            rows[name] = row.split("</tr>")[0]
    return rows


def test_the_coordinator_reads_no_co_departments_draft_beside_the_leads_report(
    client_for,
    coordinator,
    commerce_reporter,
    commerce_head,
    commerce_leads,
    commerce_report,
    november,
):
    post = department("市邮政管理局")
    fill(
        november.reports.get(organization=post),
        make_user("post_reporter", "reporter", post),
        text=DRAFT_TEXT,
    )
    lead = file_report(commerce_report, commerce_reporter, commerce_head, text=SUBMITTED_TEXT)

    page = page_of(client_for(coordinator), report_url(lead))
    assert SUBMITTED_TEXT in page and DRAFT_TEXT not in page
    assert 'data-testid="withheld">未报送</div>' in page
    # The lead department reads what its co department is writing (labelled a draft).
    page = page_of(client_for(commerce_reporter), report_url(lead))
    assert DRAFT_TEXT in page


def test_an_entry_or_evidence_of_a_draft_is_not_served_to_the_coordinator(
    client_for, coordinator, leader, written, commerce_reporter
):
    entry = lead_entry(written)
    evidence = services.add_attachment(commerce_reporter, entry, pdf_upload("草稿附件.pdf"))
    for user in (coordinator, leader):
        client = client_for(user)
        card = client.get(reverse("reporting:entry", args=[entry.pk]), headers=HX)
        assert card.status_code == 404
        assert client.get(reverse("reporting:attachment", args=[evidence.pk])).status_code == 404
    # The department keeps both.
    client = client_for(commerce_reporter)
    card = client.get(reverse("reporting:entry", args=[entry.pk]), headers=HX)
    assert card.status_code == 200 and DRAFT_TEXT in card.content.decode()
    download = client.get(reverse("reporting:attachment", args=[evidence.pk]))
    assert download.status_code == 200
    download.close()


def test_the_matrix_and_the_queue_count_no_draft_as_reported(
    client_for, coordinator, written, commerce_reporter, tracked, november
):
    services.submit_for_signoff(commerce_reporter, written)
    client = client_for(coordinator)
    matrix = page_of(client, reverse("reporting:matrix", args=[tracked.pk]))
    cell = matrix.split(f'href="/reporting/reports/{written.pk}/"')[1].split("</td>")[0]
    assert "待签发" in cell and "按时报送" not in cell
    # November: no department has submitted, so none is counted as reported.
    expected = november.reports.count()
    assert f"0 / {expected}" in matrix
    queue = page_of(client, reverse("reporting:queue", args=[tracked.pk]))
    assert f"/reporting/reports/{written.pk}/" not in queue


def test_the_coordinators_view_of_a_draft_has_a_pinned_query_count(
    client_for, coordinator, written, django_assert_num_queries
):
    client = client_for(coordinator)
    # Session, user with its organization, report (with its period, plan and department): no
    # entry is read for a report whose text is withheld (a department's form takes 7).
    with django_assert_num_queries(COORDINATOR_DRAFT_QUERIES):
        client.get(report_url(written))


COORDINATOR_DRAFT_QUERIES = 3
