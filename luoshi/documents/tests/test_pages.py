"""The documents pages: who may open them, what they offer, and what they cost in queries."""

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document

from luoshi.reporting.models import Report

pytestmark = pytest.mark.django_db


def _report_url(plan, period, name="documents:report"):
    return reverse(name, args=[plan.pk, period.pk])


def test_coordinator_sees_the_figures_and_downloads_the_word_report(
    client_for, coordinator, reported, october
):
    client = client_for(coordinator)
    page = client.get(_report_url(reported, october))
    assert page.status_code == 200
    report = page.context["report"]
    accepted = october.reports.filter(status=Report.Status.ACCEPTED).count()
    assert report.figures.included == accepted
    html = page.content.decode()
    assert "关于《促进绿色消费重点任务贯彻落实分工方案》2026年10月落实情况的报告" in html
    assert "枣庄市人民政府" in html  # the default 主送机关
    response = client.get(_report_url(reported, october, "documents:report_docx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    assert "枣庄市人民政府：" in texts


def test_the_chosen_options_reach_the_document(client_for, coordinator, reported, october):
    client = client_for(coordinator)
    query = {
        "include_submitted": "on",
        "full": "on",  # the full compilation: every department's text under its measure
        "as_document": "on",
        "doc_number": "枣发改经贸〔2026〕9号",
        "addressee": "市政府办公室",
        "copy_to": "市委办公室",
        "signed_by": "枣庄市发展和改革委员会",
        "printed_by": "枣庄市发展和改革委员会办公室",
        "date": "2026-12-08",
    }
    response = client.get(_report_url(reported, october, "documents:report_docx"), query)
    document = Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "枣庄市发展和改革委员会文件"
    assert "枣发改经贸〔2026〕9号" in texts and "市政府办公室：" in texts
    assert "2026年12月8日" in texts
    assert document.tables[-1].rows[0].cells[0].text == "抄送：市委办公室。"
    submitted = october.reports.filter(status=Report.Status.SUBMITTED).first()
    assert any(p.text.startswith("1.") for p in document.paragraphs)
    body = "\n".join(texts)
    assert submitted.organization.name in body


def test_issuing_as_a_document_needs_a_number(client_for, coordinator, reported, october):
    client = client_for(coordinator)
    query = {
        "as_document": "on",
        "addressee": "市政府",
        "signed_by": "市发展改革委",
        "printed_by": "市发展改革委办公室",
        "date": "2026-12-08",
    }
    page = client.get(_report_url(reported, october), query)
    assert page.status_code == 400
    assert "以正式公文印发时，请填写文号。" in page.content.decode()
    download = client.get(_report_url(reported, october, "documents:report_docx"), query)
    assert download.status_code == 302
    bad_date = client.get(_report_url(reported, october), {**query, "date": "2026-13-40"})
    assert bad_date.status_code == 400


def test_pdf_link_or_a_clear_message(client_for, coordinator, tracked, october, monkeypatch):
    client = client_for(coordinator)
    monkeypatch.setattr("luoshi.importing.libreoffice.shutil.which", lambda name: None)
    page = client.get(_report_url(tracked, october))
    html = page.content.decode()
    assert "暂不能生成 PDF：服务器未安装 LibreOffice" in html
    assert _report_url(tracked, october, "documents:report_pdf") not in html
    response = client.get(_report_url(tracked, october, "documents:report_pdf"), follow=True)
    assert "服务器未安装 LibreOffice，无法生成 PDF" in response.content.decode()


def test_leader_may_export_but_departments_and_administrators_may_not(
    client_for, leader, commerce_reporter, audit_admin, tracked, october
):
    assert client_for(leader).get(_report_url(tracked, october)).status_code == 200
    for name in ("documents:report", "documents:report_docx"):
        assert (
            client_for(commerce_reporter).get(_report_url(tracked, october, name)).status_code
            == 403
        )
        assert client_for(audit_admin).get(_report_url(tracked, october, name)).status_code == 404
    ledger = reverse("documents:ledger_xlsx", args=[tracked.pk])
    assert client_for(commerce_reporter).get(ledger).status_code == 403
    assert client_for(None).get(ledger).status_code == 302


def test_a_period_of_another_plan_is_not_found(client_for, coordinator, tracked, october):
    url = reverse("documents:report", args=[tracked.pk, october.pk + 1000])
    assert client_for(coordinator).get(url).status_code == 404


def test_wrong_method_is_refused(client_for, coordinator, tracked, october):
    assert client_for(coordinator).post(_report_url(tracked, october)).status_code == 405


def test_report_export_costs_the_same_queries_whatever_the_number_of_reports(
    client_for, coordinator, reported, october, django_assert_num_queries
):
    """Accepted only (fewer departments) or also submitted (more): the same 13 queries —
    session, user, plan, period, reports, entries, actuals, key tasks, measures, assignments,
    targets, the districts' measures carrying the plan's out (none), and the brief's accepted
    paragraphs (not read for the full compilation)."""
    client = client_for(coordinator)
    url = _report_url(reported, october, "documents:report_docx")
    accepted = october.reports.filter(status=Report.Status.ACCEPTED).count()
    submitted = october.reports.filter(status=Report.Status.SUBMITTED).count()
    assert accepted > 20 and submitted > 0
    with django_assert_num_queries(13):
        assert client.get(url, _defaults()).status_code == 200
    with django_assert_num_queries(13):
        assert client.get(url, {"include_submitted": "on", **_defaults()}).status_code == 200
    with django_assert_num_queries(12):
        assert client.get(url, {"full": "on", **_defaults()}).status_code == 200


def _defaults():
    return {
        "addressee": "枣庄市人民政府",
        "signed_by": "枣庄市发展和改革委员会",
        "printed_by": "枣庄市发展和改革委员会办公室",
        "date": "2026-12-05",
    }


def test_home_lists_the_plans_and_the_plan_page_its_periods(
    client_for, coordinator, tracked, django_assert_num_queries
):
    client = client_for(coordinator)
    home = client.get(reverse("documents:home"))
    assert tracked.title in home.content.decode()
    url = reverse("documents:plan", args=[tracked.pk])
    # session, the user with its organization (lib.auth.UserBackend), plan, periods, the
    # filter's departments
    with django_assert_num_queries(5):
        plan = client.get(url)
    html = plan.content.decode()
    assert "2026年10月" in html and "2026年12月" in html
    assert reverse("documents:ledger_xlsx", args=[tracked.pk]) in html
    # The ledger's periods, every one ticked: one sheet each.
    periods = tracked.periods.filter(start__lte=datetime.date(2026, 12, 5)).order_by("start")
    for period in periods:
        assert f'name="periods" value="{period.pk}" id="ledger-period-{period.pk}" checked' in html
    # A link that chose some keeps them ticked, the others not.
    html = client.get(url, {"periods": [periods[0].pk]}).content.decode()
    assert f'value="{periods[0].pk}" id="ledger-period-{periods[0].pk}" checked' in html
    assert f'value="{periods[1].pk}" id="ledger-period-{periods[1].pk}">' in html


def test_a_link_with_one_choice_keeps_the_other_defaults(
    client_for, coordinator, reported, october
):
    page = client_for(coordinator).get(_report_url(reported, october), {"include_submitted": "on"})
    assert page.status_code == 200
    report = page.context["report"]
    assert report.options.include_submitted
    assert report.options.addressee == "枣庄市人民政府"
    submitted = october.reports.filter(status=Report.Status.SUBMITTED).count()
    accepted = october.reports.filter(status=Report.Status.ACCEPTED).count()
    assert report.figures.included == accepted + submitted


def test_the_report_page_costs_constant_queries(
    client_for, coordinator, reported, october, django_assert_num_queries
):
    """session, the user with its organization (lib.auth.UserBackend), plan, period, the
    report's 8 (reports, entries, actuals, key tasks, measures, assignments, targets, the
    districts' measures carrying the plan's out: none), the brief's accepted paragraphs and
    the preset: 14, whether accepted reports only or submitted
    ones too."""
    client = client_for(coordinator)
    url = _report_url(reported, october)
    with django_assert_num_queries(14):
        page = client.get(url)
    assert "简报中的重点任务" in page.content.decode()
    with django_assert_num_queries(14):
        assert client.get(url, {"include_submitted": "on", **_defaults()}).status_code == 200
