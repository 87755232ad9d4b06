"""The ledger (台账) as .xlsx (openpyxl): one row per measure and department, one column per
period with the report's state and the entry's status and progress, and a sheet of
timeliness per department."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from luoshi.lib.text import strip_control

FIXED_COLUMNS = ["序号", "重点任务", "措施", "措施内容", "责任部门", "角色"]
SUMMARY_COLUMNS = ["责任部门", "应报", "按时", "逾期", "未报", "退回"]
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
WRAP = Alignment(wrap_text=True, vertical="top")


def _print_setup(sheet, title_rows: str):
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows
    sheet.page_margins.left = sheet.page_margins.right = 0.4


def _header(sheet, row: int, values: list[str]):
    for column, value in enumerate(values, start=1):
        cell = _value_cell(sheet, row, column, value)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")


def _value_cell(sheet, row: int, column: int, value):
    """A cell holding `value` as data: a text is always a string (never a formula, whatever it
    starts with) and loses the control characters that XML refuses (older data may hold them)."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = strip_control(value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def build_ledger_xlsx(plan, periods, rows, summary, filters: str = "") -> bytes:
    """`periods`, `rows` and `summary` as `luoshi.documents.services.ledger()` returns them."""
    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    title = f"《{plan.title}》落实情况台账"
    if filters:
        title += f"（{filters}）"
    _value_cell(sheet, 1, 1, title).font = Font(bold=True, size=14)
    header = FIXED_COLUMNS + [p.label for p in periods]
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    _header(sheet, 2, header)
    for index, row in enumerate(rows, start=1):
        measure = row.measure
        values = [
            index,
            f"{measure.key_task.numeral}、{measure.key_task.title}",
            measure.code,
            measure.text,
            row.department.name,
            row.role,
        ]
        values += [f"{state}\n{text}".strip() if state else "—" for state, text in row.cells]
        for column, value in enumerate(values, start=1):
            cell = _value_cell(sheet, index + 2, column, value)
            cell.alignment = WRAP
            cell.border = BORDER
    widths = [6, 20, 8, 40, 16, 8] + [36] * len(periods)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "G3"
    _print_setup(sheet, "1:2")
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(header))}{len(rows) + 2}"

    times = book.create_sheet("报送及时性")
    _value_cell(times, 1, 1, f"《{plan.title}》报送及时性统计").font = Font(bold=True, size=14)
    times.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(SUMMARY_COLUMNS))
    _header(times, 2, SUMMARY_COLUMNS)
    for index, line in enumerate(summary, start=3):
        values = [line.name, line.due, line.on_time, line.late, line.missing, line.returned]
        for column, value in enumerate(values, start=1):
            cell = _value_cell(times, index, column, value)
            cell.border = BORDER
    total = len(summary) + 3
    times.cell(row=total, column=1, value="合计").font = Font(bold=True)
    for column in range(2, len(SUMMARY_COLUMNS) + 1):
        letter = get_column_letter(column)
        cell = times.cell(row=total, column=column, value=f"=SUM({letter}3:{letter}{total - 1})")
        cell.font = Font(bold=True)
    times.column_dimensions["A"].width = 24
    times.freeze_panes = "B3"
    _print_setup(times, "1:2")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
