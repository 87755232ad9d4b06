"""The ledger (台账) as .xlsx (openpyxl), laid out to print as offices print it: one sheet per
period (序号 / 重点任务 / 推进措施 / 责任单位 / 进展情况 / 存在问题 / 状态, one row per measure and
department) and a sheet of timeliness per department.

Each sheet prints on A4 landscape, one page wide (as many pages tall as it takes), the title and
header rows repeated on every page, "第 1 页 共 3 页" in the footer. The columns add up to the
printable width, so the scale stays near 100 %. LibreOffice and WPS do not grow a row to fit
wrapped text when they open a file, so every row is given the height its text needs
(`row_height`).
"""

import io
import math
import re
import unicodedata

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

from luoshi.lib.text import strip_control

# (header, width in Excel's units). A unit is a digit of the workbook's default font plus
# padding: with 11 pt 宋体 (as WPS's own files) 8 px = 6 pt in Excel and WPS (their default
# column, 8.38 units, is 72 px), about the same in LibreOffice with its stand-in for 宋体 (Noto
# Serif CJK, fonts/fonts.conf). 130 units fill the A4 landscape line at about 97 %.
COLUMNS = [
    ("序号", 6),
    ("重点任务", 14),
    ("推进措施", 30),
    ("责任单位", 12),
    ("进展情况", 40),
    ("存在问题", 18),
    ("状态", 10),
]
SUMMARY_COLUMNS = ["责任部门", "应报", "按时", "逾期", "未报", "退回"]

FONT_NAME = "宋体"
FONT_PT = 11
# Row heights (see row_height): an 11 pt CJK character is 11 pt wide and a unit 6 pt; 2 units
# of a column go to the cell's padding and to the character that line-breaking rules may push
# to the next line (no line starts with "，"). A line of 11 pt CJK text takes 14.3 pt in WPS
# (SimSun) and 15.8 pt in LibreOffice (Noto CJK's taller line), hence 16 pt.
POINTS_PER_UNIT = 6
LINE_PT = 16
PADDING_PT = 4
MAX_ROW_PT = 409  # Excel's largest row height

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
TEXT_FONT = Font(name=FONT_NAME, size=FONT_PT)
BOLD_FONT = Font(name=FONT_NAME, size=FONT_PT, bold=True)
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, horizontal="center", vertical="center")
TOP_CENTER = Alignment(wrap_text=True, horizontal="center", vertical="top")
# The cells' styles, named once: setting a font, border and alignment cell by cell costs
# openpyxl a lookup each, which a ledger of a few thousand rows feels.
TEXT_STYLE = "台账文字"
CENTERED_STYLE = "台账居中"
FOOTER = "第 &P 页 共 &N 页"
# What a sheet name may not hold (Excel refuses these), and its longest length.
_SHEET_NAME_UNSAFE = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31


def text_width(line: str) -> float:
    """The width of `line` in CJK characters: a wide or ambiguous (“”、—) character counts 1,
    any other (Latin letters, digits, ASCII punctuation) 0.5."""
    return sum(1 if unicodedata.east_asian_width(c) in "WFA" else 0.5 for c in line)


def line_count(text: str, width: float) -> int:
    """How many lines `text` takes wrapped in a column `width` units wide: each of its lines
    (explicit newlines) takes ceil(its width in CJK characters / the characters a line holds),
    at least 1."""
    per_line = max(1, math.floor((width - 2) * POINTS_PER_UNIT / FONT_PT))
    return sum(max(1, math.ceil(text_width(line) / per_line)) for line in text.split("\n"))


def row_height(cells: list[tuple[str, float]]) -> float:
    """The height in points of a row of (text, column width) cells: its tallest cell's lines ×
    16 pt plus 4 pt of padding, at most Excel's 409 pt."""
    lines = max(line_count(text, width) for text, width in cells)
    return min(MAX_ROW_PT, lines * LINE_PT + PADDING_PT)


def _print_setup(sheet, title_rows: str):
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = title_rows
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.footer = 0.3
    sheet.oddFooter.center.text = FOOTER
    sheet.oddFooter.center.font = FONT_NAME
    sheet.oddFooter.center.size = 10


def _header(sheet, row: int, values: list[str]):
    for column, value in enumerate(values, start=1):
        cell = _value_cell(sheet, row, column, value)
        cell.font = BOLD_FONT
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = CENTER


def _title(sheet, text: str, columns: int):
    cell = _value_cell(sheet, 1, 1, text)
    cell.font = TITLE_FONT
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    sheet.row_dimensions[1].height = 30


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


def _sheet_name(label: str, taken: set[str]) -> str:
    name = _SHEET_NAME_UNSAFE.sub("_", label).strip("'")[:SHEET_NAME_MAX] or "期次"
    base, number = name, 2
    while name in taken:
        suffix = f"({number})"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        number += 1
    taken.add(name)
    return name


def _period_sheet(book, name: str, title: str, rows, index: int):
    sheet = book.create_sheet(name)
    _title(sheet, title, len(COLUMNS))
    _header(sheet, 2, [header for header, _width in COLUMNS])
    sheet.row_dimensions[2].height = LINE_PT + PADDING_PT
    widths = [width for _header_text, width in COLUMNS]
    previous = None
    for number, row in enumerate(rows, start=1):
        measure, cell = row.measure, row.cells[index]
        department = f"{row.department.name}（{row.role}）" if row.role else row.department.name
        # A measure's text once, on its first department's row; the next rows name its code.
        wording = measure.code if measure == previous else f"{measure.code} {measure.text}"
        previous = measure
        values = [
            number,
            f"{measure.key_task.numeral}、{measure.key_task.title}",
            wording,
            department,
            cell.progress,
            cell.problems,
            cell.status,
        ]
        line = number + 2
        for column, value in enumerate(values, start=1):
            written = _value_cell(sheet, line, column, value)
            written.style = CENTERED_STYLE if column in (1, 7) else TEXT_STYLE
        texts = list(zip(map(str, values), widths, strict=True))
        sheet.row_dimensions[line].height = row_height(texts)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A3"
    _print_setup(sheet, "1:2")
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(COLUMNS))}{len(rows) + 2}"


def build_ledger_xlsx(plan, periods, rows, summary, filters: str = "") -> bytes:
    """`periods`, `rows` and `summary` as `luoshi.documents.services.ledger()` returns them."""
    book = Workbook()
    # The default font, whose digits are the column widths' unit: 宋体 as in WPS's own files.
    book._named_styles["Normal"].font = TEXT_FONT  # openpyxl has no public way to set it
    for name, alignment in ((TEXT_STYLE, WRAP), (CENTERED_STYLE, TOP_CENTER)):
        style = NamedStyle(name, font=TEXT_FONT, border=BORDER, alignment=alignment)
        book.add_named_style(style)
    book.remove(book.active)
    suffix = f"（{filters}）" if filters else ""
    taken: set[str] = set()
    for index, period in enumerate(periods):
        title = f"《{plan.title}》{period.label}落实情况台账{suffix}"
        _period_sheet(book, _sheet_name(period.label, taken), title, rows, index)

    times = book.create_sheet(_sheet_name("报送及时性", taken))
    _title(times, f"《{plan.title}》报送及时性统计{suffix}", len(SUMMARY_COLUMNS))
    _header(times, 2, SUMMARY_COLUMNS)
    for index, line in enumerate(summary, start=3):
        values = [line.name, line.due, line.on_time, line.late, line.missing, line.returned]
        for column, value in enumerate(values, start=1):
            _value_cell(times, index, column, value).style = TEXT_STYLE
    total = len(summary) + 3
    _value_cell(times, total, 1, "合计").font = BOLD_FONT
    for column in range(2, len(SUMMARY_COLUMNS) + 1):
        letter = get_column_letter(column)
        cell = times.cell(row=total, column=column, value=f"=SUM({letter}3:{letter}{total - 1})")
        cell.font = BOLD_FONT
        cell.border = BORDER
    times.cell(row=total, column=1).border = BORDER
    times.column_dimensions["A"].width = 28
    for column in range(2, len(SUMMARY_COLUMNS) + 1):
        times.column_dimensions[get_column_letter(column)].width = 10
    times.freeze_panes = "B3"
    _print_setup(times, "1:2")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
