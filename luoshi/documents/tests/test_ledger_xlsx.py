"""The ledger as .xlsx: the same measures as the ledger page, the same states as the matrix."""

import io
from collections import Counter

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from luoshi.reporting.queries import SUBMITTED_STATES
from luoshi.reporting.services import ReportState
from luoshi.testing import department

pytestmark = pytest.mark.django_db


def _workbook(client, plan, **filters):
    response = client.get(reverse("documents:ledger_xlsx", args=[plan.pk]), filters)
    assert response.status_code == 200
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.content))


def test_layout_frozen_header_wrapped_text_landscape_and_title_rows(
    client_for, coordinator, reported
):
    book = _workbook(client_for(coordinator), reported)
    sheet = book["台账"]
    assert sheet.freeze_panes == "G3"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$1:$2"
    header = [c.value for c in sheet[2]]
    assert header[:6] == ["序号", "重点任务", "措施", "措施内容", "责任部门", "角色"]
    assert header[6:] == ["2026年10月", "2026年11月", "2026年12月"]
    assert sheet.cell(row=3, column=4).alignment.wrap_text
    assert book["报送及时性"].page_setup.orientation == "landscape"


def test_rows_are_the_measures_the_ledger_page_shows_with_its_filters(
    client_for, coordinator, reported
):
    client = client_for(coordinator)
    commerce = department("市商务局")
    for filters in ({}, {"department": commerce.pk}, {"needs_review": "on"}):
        page = client.get(reverse("plans:detail", args=[reported.pk]), filters)
        shown = page.context["shown_count"]
        sheet = _workbook(client, reported, **filters)["台账"]
        codes = {row[2] for row in sheet.iter_rows(min_row=3, values_only=True)}
        assert len(codes) == shown, filters
    sheet = _workbook(client, reported, department=commerce.pk)["台账"]
    assert {row[4] for row in sheet.iter_rows(min_row=3, values_only=True)} == {"市商务局"}
    assert "市商务局" in sheet.cell(row=1, column=1).value


def test_states_and_timeliness_are_the_matrix_ones(client_for, coordinator, reported):
    client = client_for(coordinator)
    matrix = client.get(reverse("reporting:matrix", args=[reported.pk])).context
    periods = [total["period"].label for total in matrix["totals"]]
    book = _workbook(client, reported)
    sheet = book["台账"]
    header = [c.value for c in sheet[2]]
    states = {}
    for row in sheet.iter_rows(min_row=3, values_only=True):
        for label, cell in zip(header[6:], row[6:], strict=True):
            if cell != "—":
                states[(row[4], label)] = cell.split("\n")[0]
    checked = 0
    for name, cells in matrix["rows"]:
        for label, cell in zip(periods, cells, strict=True):
            if cell and (name, label) in states:
                assert states[(name, label)] == str(cell[2]), (name, label)
                checked += 1
    assert checked > 60
    summary = {row[0]: row for row in book["报送及时性"].iter_rows(min_row=3, values_only=True)}
    labels = ReportState.LABELS
    due_periods = [
        t["period"].label for t in matrix["totals"] if t["period"].due_date < matrix["today"]
    ]
    for name, cells in matrix["rows"]:
        due_cells = [
            c for label, c in zip(periods, cells, strict=True) if c and label in due_periods
        ]
        counts = Counter(c[1] for c in due_cells)
        _name, due, on_time, late, missing, returned = summary[name]
        assert due == len(due_cells)
        assert missing == counts[ReportState.MISSING]
        assert (
            on_time + late + missing + counts[ReportState.RETURNED]
            >= due - counts[ReportState.RETURNED]
        )
        assert late >= counts[ReportState.LATE]
    assert summary["合计"][1] == f"=SUM(B3:B{len(summary) + 1})"
    done = {t["period"].label: t["done"] for t in matrix["totals"]}
    for label in periods:
        shown = sum(
            1
            for (_n, period), state in states.items()
            if period == label and state in [str(labels[s]) for s in SUBMITTED_STATES]
        )
        assert shown == done[label]


def test_departments_cannot_download_the_ledger(client_for, commerce_reporter, reported):
    url = reverse("documents:ledger_xlsx", args=[reported.pk])
    assert client_for(commerce_reporter).get(url).status_code == 403


def test_ledger_export_queries_do_not_grow_with_the_data(
    client_for, coordinator, reported, django_assert_num_queries
):
    client = client_for(coordinator)
    url = reverse("documents:ledger_xlsx", args=[reported.pk])
    # session, user, plan, periods, reports, measures, assignments, targets, entries
    with django_assert_num_queries(9):
        client.get(url)
    with django_assert_num_queries(11):  # constant too with a department chosen
        client.get(url, {"department": department("市商务局").pk})
