"""开始填报 happens inside the report page: through htmx the answer is the report page, whose
body (the entry forms) and state htmx swap in, so the form appears without a page load; without
JavaScript it is a POST and a redirect. The browser walk counting the page loads of filing a
month is test_browser_filing_loads.py."""

import pytest
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.reporting import services
from luoshi.reporting.models import Report
from luoshi.testing import HX, department, lead_entry, report_url

pytestmark = pytest.mark.usefixtures("mid_november")


def start_url(report) -> str:
    return reverse("reporting:action", args=[report.pk, "start"])


def test_starting_through_htmx_answers_the_page_with_the_forms_not_a_redirect(
    client_for, commerce_reporter, commerce_report, commerce_leads
):
    october = commerce_leads.periods.get(start__month=10).reports.get(
        organization=department("市商务局")
    )
    first = lead_entry(services.start_draft(commerce_reporter, october))
    services.save_entry(commerce_reporter, first, {"progress": "十月已完成摸底。"}, first.version)
    client = client_for(commerce_reporter)

    response = client.post(start_url(commerce_report), headers=HX)
    assert response.status_code == 200
    assert "HX-Redirect" not in response.headers and "HX-Location" not in response.headers
    page = response.content.decode()
    commerce_report.refresh_from_db()
    assert commerce_report.status == Report.Status.DRAFT
    # What htmx swaps in: the body with one form per measure (last period's text beside its
    # entry, not copied into it: issue 19), and the state now 草稿.
    assert 'id="report-body"' in page
    assert page.count('id="entry-form-') == commerce_report.entries.count() > 1
    assert "十月已完成摸底。</div>" in page and "十月已完成摸底。</textarea>" not in page
    state = page.split('id="report-state"')[1].split("</span>")[0]
    assert state.endswith(">草稿")
    assert "提交部门负责人审核签发" in page and "开始填报</button>" not in page


def test_a_second_start_from_another_tab_shows_the_same_draft_and_records_once(
    client_for, commerce_reporter, commerce_report, commerce_leads
):
    client = client_for(commerce_reporter)
    first = client.post(start_url(commerce_report), headers=HX).content.decode()
    second = client.post(start_url(commerce_report), headers=HX)
    assert second.status_code == 200
    count = commerce_report.entries.count()
    assert first.count('id="entry-form-') == second.content.decode().count('id="entry-form-')
    assert count > 1
    records = AuditRecord.objects.filter(action="start draft", object_id=str(commerce_report.pk))
    assert records.count() == 1


def test_without_javascript_starting_is_a_post_and_a_redirect(
    client_for, commerce_reporter, commerce_report, commerce_leads
):
    response = client_for(commerce_reporter).post(start_url(commerce_report))
    assert response.status_code == 302 and response["Location"] == report_url(commerce_report)


def test_a_refused_start_goes_back_to_the_page_with_the_reason(
    client_for, coordinator, commerce_reporter, commerce_leads, october
):
    services.close_period(coordinator, october)
    report = october.reports.get(organization=department("市商务局"))
    client = client_for(commerce_reporter)
    response = client.post(start_url(report), headers=HX)
    assert response["HX-Redirect"] == report_url(report)
    page = client.get(report_url(report)).content.decode()
    assert "本报送期已关闭，请向统筹单位申请补报。" in page
    report.refresh_from_db()
    assert report.status == Report.Status.NOT_STARTED


def test_another_department_cannot_start_the_report(
    client_for, transport_reporter, commerce_report, commerce_leads
):
    response = client_for(transport_reporter).post(start_url(commerce_report), headers=HX)
    assert response.status_code == 404
    commerce_report.refresh_from_db()
    assert commerce_report.status == Report.Status.NOT_STARTED


# Session, user (with its organization), report; the start in a savepoint (the role check,
# the report locked, the expected measures, the previous period's report and entries, the
# entries created, the report saved, the report and organization the audit record names, the
# record); then the page (the report re-read, its entries, targets, the co departments'
# entries, the previous report and its texts shown beside the entries, the data version the
# entries are cached under): fewer than the start and the page it redirected to took as two
# requests.
START_IN_PLACE_QUERIES = 21


def test_starting_in_place_has_a_pinned_query_count(
    client_for, commerce_reporter, commerce_report, commerce_leads, django_assert_num_queries
):
    client = client_for(commerce_reporter)
    with django_assert_num_queries(START_IN_PLACE_QUERIES):
        client.post(start_url(commerce_report), headers=HX)
