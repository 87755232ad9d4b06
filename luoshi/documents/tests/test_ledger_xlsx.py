"""The ledger as .xlsx: one sheet per chosen period with the same measures as the ledger page
and the same states as the matrix, laid out to print on A4 landscape, and never a word of a
report its department has not sent."""

import io
from collections import Counter

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from luoshi.documents.ledger_xlsx import line_count, row_height
from luoshi.reporting import services
from luoshi.reporting.queries import SUBMITTED_STATES
from luoshi.reporting.services import ReportState
from luoshi.testing import department, file_report, fill, month

pytestmark = pytest.mark.django_db

HEADER = ["序号", "重点任务", "推进措施", "责任单位", "进展情况", "存在问题", "状态"]
MONTHS = ["2026年10月", "2026年11月", "2026年12月"]  # the periods begun by 5 December
# A4 landscape less the 0.4 in side margins: 297 mm − 20.3 mm = 276.7 mm = 1046 px at 96 dpi.
PRINTABLE_PX = 1046
PX_PER_UNIT = 8  # a column unit in 11 pt 宋体, the workbook's default font


def _workbook(client, plan, **filters):
    response = client.get(reverse("documents:ledger_xlsx", args=[plan.pk]), filters)
    assert response.status_code == 200
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.content))


def _rows(sheet):
    """The data rows as dicts by header."""
    return [
        dict(zip(HEADER, row, strict=True))
        for row in sheet.iter_rows(min_row=3, max_col=len(HEADER), values_only=True)
    ]


def _row_of(sheet, name: str, code: str):
    """The sheet's row number of department `name` and measure `code`."""
    for number, row in enumerate(_rows(sheet), start=3):
        if row["责任单位"].startswith(name) and row["推进措施"].split(" ")[0] == code:
            return number
    raise AssertionError(f"no row of {name} {code}")


def test_one_sheet_per_period_set_up_to_print_on_a4_landscape(client_for, coordinator, reported):
    book = _workbook(client_for(coordinator), reported)
    assert book.sheetnames == [*MONTHS, "报送及时性"]
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert int(setup.paperSize) == 9  # A4
        assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0  # 1 page wide
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$2"
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    sheet = book["2026年10月"]
    assert [c.value for c in sheet[2]] == HEADER
    assert "2026年10月落实情况台账" in sheet["A1"].value
    assert sheet.freeze_panes == "A3"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFG"]
    # The columns fill the printable width without passing it: printed at (nearly) 100 %.
    assert 0.9 * PRINTABLE_PX <= sum(widths) * PX_PER_UNIT <= PRINTABLE_PX
    cells = [cell for row in sheet.iter_rows(min_row=3) for cell in row]
    assert len(cells) > 7 * 100
    for cell in cells:
        assert cell.alignment.wrap_text
        if isinstance(cell.value, str):
            assert cell.data_type == "s"
    # LibreOffice and WPS do not grow rows: every row has its height written.
    for number in range(3, sheet.max_row + 1):
        assert sheet.row_dimensions[number].height >= 2 * 16 + 4  # 重点任务 takes two lines


def test_rows_are_the_measures_the_ledger_page_shows_with_its_filters(
    client_for, coordinator, reported
):
    client = client_for(coordinator)
    commerce = department("市商务局")
    for filters in ({}, {"department": commerce.pk}, {"needs_review": "on"}):
        page = client.get(reverse("plans:detail", args=[reported.pk]), filters)
        shown = page.context["shown_count"]
        book = _workbook(client, reported, **filters)
        for label in MONTHS:
            codes = {row["推进措施"].split(" ")[0] for row in _rows(book[label])}
            assert len(codes) == shown, (filters, label)
    book = _workbook(client, reported, department=commerce.pk)
    names = {row["责任单位"] for row in _rows(book["2026年11月"])}
    assert {name.split("（")[0] for name in names} == {"市商务局"}
    assert "市商务局" in book["2026年11月"]["A1"].value


def test_only_the_chosen_periods_have_a_sheet_and_count_in_the_timeliness(
    client_for, coordinator, reported, october
):
    client = client_for(coordinator)
    book = _workbook(client, reported, periods=[october.pk])
    assert book.sheetnames == ["2026年10月", "报送及时性"]
    summary = {row[0]: row for row in book["报送及时性"].iter_rows(min_row=3, values_only=True)}
    due = sum(row[1] for name, row in summary.items() if name != "合计")
    assert due == october.reports.count()  # one report per department: October's only


def test_a_period_that_is_not_the_plans_is_refused_with_a_message(
    client_for, coordinator, reported, seed_plan
):
    client = client_for(coordinator)
    url = reverse("documents:ledger_xlsx", args=[reported.pk])
    for bad in ("abc", "999999", "99999999999999999999999", "-1", "\x00"):
        response = client.get(url, {"periods": bad}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("documents:plan", args=[reported.pk])
        assert "所选报送期不是本方案已开始的报送期" in response.content.decode()


def test_states_and_timeliness_are_the_matrix_ones(client_for, coordinator, reported):
    client = client_for(coordinator)
    matrix = client.get(reverse("reporting:matrix", args=[reported.pk])).context
    periods = [total["period"].label for total in matrix["totals"]]
    book = _workbook(client, reported)
    states = {}
    for label in MONTHS:
        for row in _rows(book[label]):
            name = row["责任单位"].split("（")[0]
            # 状态: the report's state last ("推进中\n按时报送", or "未报送" alone).
            states[(name, label)] = row["状态"].split("\n")[-1]
            if row["进展情况"] == "未报送":
                assert "\n" not in row["状态"]
    labels = ReportState.LABELS
    checked = 0
    for name, cells in matrix["rows"]:
        for label, cell in zip(periods, cells, strict=True):
            if cell and (name, label) in states:
                assert states[(name, label)] == str(cell[2]), (name, label)
                checked += 1
    assert checked > 60
    summary = {row[0]: row for row in book["报送及时性"].iter_rows(min_row=3, values_only=True)}
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


def test_line_count_and_row_height_follow_the_written_rule():
    # A 40-unit column: (40 − 2) × 6 pt / 11 pt = 20.7, so 20 CJK characters a line.
    assert line_count("推" * 20, 40) == 1
    assert line_count("推" * 21, 40) == 2
    assert line_count("a" * 40, 40) == 1  # ASCII counts half
    assert line_count("a" * 41, 40) == 2
    assert line_count("2026年12月", 40) == 1  # 6 digits (3) + 2
    assert line_count("甲\n\n乙", 40) == 3  # every explicit line, even an empty one
    assert line_count("", 40) == 1
    # A 10-unit column: (10 − 2) × 6 / 11 = 4.4, so 4 a line: "按时报送" fits one.
    assert line_count("推进中\n按时报送", 10) == 2
    # The tallest cell: 3 lines × 16 pt + 4 pt.
    assert row_height([("推" * 41, 40), ("短", 10)]) == 52
    assert row_height([("推" * 100_000, 40)]) == 409  # Excel's largest row


def test_a_row_grows_with_its_progress_text(
    client_for, coordinator, commerce_reporter, commerce_head, tracked, commerce_december
):
    report = fill(commerce_december, commerce_reporter)
    long, short = report.entries.select_related("measure").order_by("measure__no")[:2]
    text = "推" * 300 + "\nOK 2026"  # 300 / 20 = 15 lines, then 3.5 wide: 1 line
    services.save_entry(commerce_reporter, long, {"progress": text}, long.version)
    services.submit_for_signoff(commerce_reporter, report)
    services.sign_off(commerce_head, report)
    sheet = _workbook(client_for(coordinator), tracked)["2026年12月"]
    row = _row_of(sheet, "市商务局", long.measure.code)
    assert sheet.cell(row=row, column=5).value == text
    assert sheet.row_dimensions[row].height == 16 * 16 + 4
    other = _row_of(sheet, "市商务局", short.measure.code)
    assert sheet.cell(row=other, column=5).value == "本月推进顺利。"
    assert sheet.row_dimensions[other].height < 16 * 16 + 4


def test_a_report_not_sent_shows_nothing_of_its_text_in_the_ledger_or_the_report(
    client_for,
    coordinator,
    commerce_reporter,
    commerce_head,
    transport_reporter,
    transport_head,
    tracked,
    commerce_december,
):
    november, december = month(tracked, 2026, 11), month(tracked, 2026, 12)
    commerce, transport = department("市商务局"), department("市交通运输局")
    fill(commerce_december, commerce_reporter, text="商务局草稿甲，尚未报送。")
    file_report(
        december.reports.get(organization=transport),
        transport_reporter,
        transport_head,
        text="交通运输局已报送的进展。",
    )
    returned = file_report(
        november.reports.get(organization=commerce), commerce_reporter, commerce_head
    )
    returned = services.return_report(coordinator, returned, "请补充数据。")
    for entry in returned.entries.all():
        data = {"progress": "商务局退回后改写乙，尚未重报。"}
        services.save_entry(commerce_reporter, entry, data, entry.version)
    waiting = fill(
        november.reports.get(organization=transport),
        transport_reporter,
        text="交通运输局待签发丙。",
    )
    services.submit_for_signoff(transport_reporter, waiting)
    secrets = ["草稿甲", "退回后改写乙", "待签发丙"]

    client = client_for(coordinator)
    book = _workbook(client, tracked)
    values = [str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row]
    assert not [v for v in values if any(secret in v for secret in secrets)]
    assert "交通运输局已报送的进展。" in values
    rows = {
        (label, row["责任单位"].split("（")[0]): row
        for label in MONTHS
        for row in _rows(book[label])
    }
    assert rows[("2026年12月", "市商务局")]["进展情况"] == "未报送"
    assert rows[("2026年12月", "市商务局")]["状态"] == "草稿"
    assert rows[("2026年11月", "市商务局")]["进展情况"] == "未报送"
    assert rows[("2026年11月", "市商务局")]["状态"] == "已退回"
    assert rows[("2026年11月", "市交通运输局")]["进展情况"] == "未报送"
    assert rows[("2026年12月", "市交通运输局")]["状态"].startswith("推进中\n")

    for period in (november, december):
        url = reverse("documents:report_docx", args=[tracked.pk, period.pk])
        response = client.get(url, {"include_submitted": "on"})
        document = Document(io.BytesIO(response.content))
        paragraphs = [p.text for p in document.paragraphs]
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        text = "\n".join(paragraphs + cells)
        assert not [secret for secret in secrets if secret in text]
        if period == december:
            assert "交通运输局已报送的进展。" in text


def test_departments_cannot_download_the_ledger(client_for, commerce_reporter, reported):
    url = reverse("documents:ledger_xlsx", args=[reported.pk])
    assert client_for(commerce_reporter).get(url).status_code == 403


def test_ledger_export_queries_do_not_grow_with_the_data(
    client_for, coordinator, reported, october, django_assert_num_queries
):
    client = client_for(coordinator)
    url = reverse("documents:ledger_xlsx", args=[reported.pk])
    # session, user, plan, periods, reports, measures, assignments, targets, entries
    with django_assert_num_queries(9):
        client.get(url)
    with django_assert_num_queries(11):  # constant too with a department chosen
        client.get(url, {"department": department("市商务局").pk})
    with django_assert_num_queries(9):  # the chosen periods instead of every period
        client.get(url, {"periods": [october.pk]})
