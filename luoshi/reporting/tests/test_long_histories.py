"""Pages that stay small however long a plan runs: the department's home shows its reports a page
at a time, the matrix a window of periods and a page of departments; and the report form,
written without a Django form per entry, keeps the fields, names and ids of EntryForm."""

import datetime
import re

import pytest
from django.urls import reverse

from luoshi.reporting import services, views
from luoshi.reporting.forms import EntryForm
from luoshi.reporting.models import Report
from luoshi.reporting.queries import period_window
from luoshi.testing import (
    at,
    department,
    file_report,
    fill,
    lead_entry,
    make_user,
    measure,
    report_url,
)

pytestmark = pytest.mark.usefixtures("mid_november")
D = datetime.date


def matrix_url(plan, query: str = "") -> str:
    return reverse("reporting:matrix", args=[plan.pk]) + query


# --- The report form in plain HTML ------------------------------------------------------------


def test_every_entry_has_the_fields_of_the_entry_form_with_their_values(
    client_for, commerce_reporter, draft
):
    entry = lead_entry(draft)
    target = entry.measure.targets.get()
    data = {"progress": "进展<一>", "status": "behind", "behind_reason": "原因"}
    services.save_entry(
        commerce_reporter, entry, data | {"actuals": {target.pk: "1500"}}, entry.version
    )
    page = client_for(commerce_reporter).get(report_url(draft)).content.decode()
    entry = lead_entry(draft)
    form = EntryForm(entry=entry)
    assert len(form.fields) == 8  # five texts, "no new progress" and its reason, the target
    for field in form:
        assert f'name="{field.html_name}"' in page
        assert f'id="{field.auto_id}"' in page
        assert f'for="{field.auto_id}"' in page
    # The values as the Django form would show them (escaped), the status selected.
    assert "\n进展&lt;一&gt;</textarea>" in page
    assert '<option value="behind" selected>滞后</option>' in page
    assert f'name="e{entry.pk}-target_{target.pk}" value="1500"' in page
    # The reason field shows only for a measure behind schedule.
    assert 'class="col-md-9 behind-reason">' in page
    assert page.count('class="col-md-9 behind-reason d-none">') == draft.entries.count() - 1


def test_the_save_messages_are_written_once_for_the_page(client_for, commerce_reporter, draft):
    page = client_for(commerce_reporter).get(report_url(draft)).content.decode()
    assert draft.entries.count() > 10
    assert page.count("data-msg-saving=") == 1
    assert re.search(r'<div id="report-body"[^>]*data-msg-saving="正在保存…"', page)


def test_an_entry_card_fetched_alone_has_the_same_fields(client_for, commerce_reporter, draft):
    entry = lead_entry(draft)
    client = client_for(commerce_reporter)
    card = client.get(reverse("reporting:entry", args=[entry.pk]), HTTP_HX_REQUEST="true")
    html = card.content.decode()
    for field in EntryForm(entry=entry):
        assert f'name="{field.html_name}"' in html
    assert f'action="/reporting/entries/{entry.pk}/attachments/"' in html
    assert "实际完成值" in html and "保存" in html


# --- The department's home ------------------------------------------------------------------


def test_the_department_home_shows_its_reports_a_page_at_a_time(
    client_for, commerce_reporter, commerce_report, tracked, monkeypatch
):
    monkeypatch.setattr(views, "HOME_PAGE_SIZE", 1)
    october = tracked.periods.get(start=D(2026, 10, 1)).reports.get(
        organization=commerce_reporter.organization
    )
    client = client_for(commerce_reporter)
    first = client.get(reverse("reporting:home")).content.decode()
    # Newest first: November on the first page, October (older) on the next one.
    assert f'href="{report_url(commerce_report)}"' in first
    assert f'href="{report_url(october)}"' not in first
    assert 'href="?page=2"' in first and "1 / 2" in first
    second = client.get(reverse("reporting:home") + "?page=2").content.decode()
    assert f'href="{report_url(october)}"' in second
    assert 'href="?page=1"' in second
    # A page past the end shows the last one.
    assert f'href="{report_url(october)}"' in client.get("/reporting/?page=9").content.decode()


def test_a_returned_report_stays_on_the_home_page_however_old(
    client_for, coordinator, commerce_reporter, commerce_head, tracked, monkeypatch
):
    monkeypatch.setattr(views, "HOME_PAGE_SIZE", 1)
    october = tracked.periods.get(start=D(2026, 10, 1)).reports.get(
        organization=commerce_reporter.organization
    )
    services.return_report(
        coordinator, file_report(october, commerce_reporter, commerce_head), "十月的请补充。"
    )
    page = client_for(commerce_reporter).get(reverse("reporting:home")).content.decode()
    assert "十月的请补充。" in page
    assert f'href="{report_url(october)}"' in page  # in the card, although not on this page


# --- The matrix ---------------------------------------------------------------------------------


def test_the_window_is_the_periods_begun_and_the_next_one(tracked):
    # October and November have begun on 20 November; December is the next one.
    labels = [p.label for p in period_window(tracked, D(2026, 11, 20), size=2).periods]
    assert labels == ["2026年11月", "2026年12月"]
    window = period_window(tracked, D(2026, 11, 20), size=2)
    assert window.earlier.label == "2026年10月" and window.later is None
    window = period_window(tracked, D(2026, 11, 20), start="2026-10-01", size=2)
    assert [p.label for p in window.periods] == ["2026年10月", "2026年11月"]
    assert window.earlier is None and window.later.label == "2026年12月"
    # A window asked past the end shows the last periods; a wrong date the default window.
    assert period_window(tracked, D(2026, 11, 20), "2030-01-01", 2).periods == window_of(
        tracked, "2026-11-01"
    )
    assert period_window(tracked, D(2026, 11, 20), "not-a-date", 2).periods == window_of(
        tracked, "2026-11-01"
    )


def window_of(plan, start):
    return period_window(plan, D(2026, 11, 20), start, 2).periods


def test_the_matrix_shows_a_window_of_periods_with_links_to_the_others(
    client_for, coordinator, tracked, monkeypatch
):
    monkeypatch.setattr(views, "MATRIX_PERIODS", 1)
    client = client_for(coordinator)
    page = client.get(matrix_url(tracked)).content.decode()
    december = tracked.periods.get(start=D(2026, 12, 1))
    november = tracked.periods.get(start=D(2026, 11, 1))
    assert "2026年12月<div" in page and "2026年11月<div" not in page
    assert page.count('href="/reporting/reports/') == december.reports.count()
    assert 'href="?from=2026-11-01"' in page
    page = client.get(matrix_url(tracked, "?from=2026-11-01")).content.decode()
    assert page.count('href="/reporting/reports/') == november.reports.count()
    assert f'href="{report_url(november.reports.first())}"' in page
    assert 'href="?from=2026-10-01"' in page and 'href="?from=2026-12-01"' in page


def test_the_matrix_shows_a_page_of_departments_and_totals_of_all(
    client_for, coordinator, tracked, monkeypatch
):
    monkeypatch.setattr(views, "MATRIX_DEPARTMENTS", 5)
    client = client_for(coordinator)
    reports = Report.objects.filter(period__plan=tracked)
    departments = sorted(set(reports.values_list("organization__name", flat=True)))
    assert len(departments) == 32
    first = client.get(matrix_url(tracked)).content.decode()
    assert all(name in first for name in departments[:5])
    assert departments[5] not in first
    assert "1 / 7" in first and 'href="?page=2"' in first
    # The totals count every department, not only the page's.
    assert "0 / 32" in first
    last = client.get(matrix_url(tracked, "?from=2026-10-01&page=7")).content.decode()
    assert all(name in last for name in departments[30:])
    assert departments[0] not in last
    assert 'href="?from=2026-10-01&amp;page=6"' in last


def test_the_matrix_has_the_same_query_count_on_every_page(
    client_for, coordinator, tracked, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(views, "MATRIX_DEPARTMENTS", 5)
    monkeypatch.setattr(views, "MATRIX_PERIODS", 1)
    client = client_for(coordinator)
    for query in ["", "?page=3", "?from=2026-10-01&page=7"]:
        with django_assert_num_queries(7):
            assert client.get(matrix_url(tracked, query)).status_code == 200


# --- The review queue and the measure view --------------------------------------------------


def test_the_review_queue_shows_a_page_at_a_time_oldest_first(
    client_for,
    coordinator,
    tracked,
    commerce_reporter,
    commerce_head,
    transport_reporter,
    transport_head,
    monkeypatch,
):
    november = tracked.periods.get(start=D(2026, 11, 1))
    # Filed at different times: with the clock frozen, equal times would leave the order to the
    # ids, which the databases need not give in the departments' order.
    first = file_report(
        november.reports.get(organization=commerce_reporter.organization),
        commerce_reporter,
        commerce_head,
        when=at(2026, 11, 20, 9),
    )
    second = file_report(
        november.reports.get(organization=transport_reporter.organization),
        transport_reporter,
        transport_head,
        when=at(2026, 11, 20, 10),
    )
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 1)
    client = client_for(coordinator)
    url = reverse("reporting:queue", args=[tracked.pk])
    page = client.get(url).content.decode()
    assert f'value="{first.pk}"' in page and f'value="{second.pk}"' not in page
    assert 'href="?page=2"' in page
    page = client.get(url + "?page=2").content.decode()
    assert f'value="{second.pk}"' in page and f'value="{first.pk}"' not in page


def test_the_measure_view_shows_a_page_of_periods_newest_first(
    client_for, coordinator, tracked, commerce_reporter, commerce_head, commerce_leads, monkeypatch
):
    for start in [D(2026, 10, 1), D(2026, 11, 1)]:
        report = tracked.periods.get(start=start).reports.get(
            organization=commerce_reporter.organization
        )
        file_report(report, commerce_reporter, commerce_head, text=f"{start.month}月的进展。")
    monkeypatch.setattr(views, "MEASURE_PERIODS", 1)
    client = client_for(coordinator)
    url = reverse("reporting:measure", args=[measure("十.3").pk])
    page = client.get(url).content.decode()
    assert "11月的进展。" in page and "10月的进展。" not in page
    assert 'href="?page=2"' in page
    page = client.get(url + "?page=2").content.decode()
    assert "10月的进展。" in page and "11月的进展。" not in page


def test_the_matrix_of_a_plan_without_periods_says_so_whatever_is_asked(
    client_for, coordinator, seed_plan
):
    for query in ["", "?from=2026-10-01&page=3"]:
        response = client_for(coordinator).get(matrix_url(seed_plan, query))
        assert response.status_code == 200
        assert "table matrix" not in response.content.decode()


def test_the_lead_sees_the_first_co_departments_entries_and_a_link_to_all(
    client_for, commerce_reporter, draft, november, monkeypatch
):
    for name in ["市邮政管理局", "市供销合作社"]:
        reporter = make_user(f"co_{name}", "reporter", department(name))
        report = november.reports.get(organization=department(name))
        fill(report, reporter, text=f"{name}的配合文字")
    monkeypatch.setattr(views, "CO_ENTRIES_SHOWN", 1)
    client = client_for(commerce_reporter)
    entry = lead_entry(draft)
    page = client.get(report_url(draft)).content.decode()
    # Alphabetical order of the names: 市供销合作社 before 市邮政管理局.
    assert "市供销合作社的配合文字" in page and "市邮政管理局的配合文字" not in page
    assert f'<a href="?co=all#entry-{entry.pk}">查看全部 2 个配合部门的填报内容</a>' in page
    page = client.get(report_url(draft) + "?co=all").content.decode()
    assert "市供销合作社的配合文字" in page and "市邮政管理局的配合文字" in page
    assert "?co=all#entry-" not in page
