"""Reading an Excel ledger (.xlsx) into the flattened text `parse_text` reads.

The sheet read is the first one holding a header row with 任务 or 措施 and 部门 or 单位 (else
the first sheet). Rows above the header (the title) and rows with text in their first cell only
become paragraph lines; the table's rows become tab-separated lines. A merged range keeps its
value in the top-left cell; the cells below it are empty, which is how the text marks a cell
continuing the one above. Several lines in one cell (Alt+Enter) become `<p>…</p>`.
"""

import datetime as dt
import io

import openpyxl

from luoshi.importing.office_zip import check_office_zip
from luoshi.importing.text import simplified_lines

# A header row names the work (任务, 措施…) and who does it (部门, 单位) in two cells.
WORK_WORDS = ("任务", "措施", "内容", "举措", "事项")
WHO_WORDS = ("部门", "单位")
HEADER_SEARCH_ROWS = 200
# A plan has hundreds of rows and a handful of columns; a sheet claiming a million is cut here.
MAX_ROWS = 20_000
MAX_COLUMNS = 30


def _value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value).replace("\t", " ").replace("_x000D_", "").strip()


def _cell(value) -> str:
    lines = [line.strip() for line in _value(value).replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    if len(lines) <= 1:
        return "".join(lines)
    return "".join(f"<p>{line}</p>" for line in lines)


def _is_header(cells: list[str]) -> bool:
    # A traditional-character copy (重點任務 | 責任部門) is matched on its simplified form.
    cells = simplified_lines(cells)
    work = {i for i, c in enumerate(cells) if any(w in c for w in WORK_WORDS)}
    who = {i for i, c in enumerate(cells) if any(w in c for w in WHO_WORDS)}
    return bool(work and who and len(work | who) > 1)


def _rows(sheet) -> list[list[str]]:
    rows = []
    for values in sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS, values_only=True):
        row = [_cell(value) for value in values]
        while row and not row[-1]:
            row.pop()
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _header_index(rows: list[list[str]]) -> int | None:
    return next((i for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if _is_header(row)), None)


def read_xlsx(data: bytes) -> str:
    """The text of a workbook; raises what openpyxl raises on a broken file, and ZipBomb."""
    check_office_zip(data)
    # Read-only mode streams the sheet; the cells a merged range covers come back empty, which
    # is what the text wants (the value stays in the top-left cell).
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        visible = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
        chosen: list[list[str]] | None = None
        start = None
        for sheet in visible or workbook.worksheets:
            rows = _rows(sheet)
            start = _header_index(rows)
            if chosen is None or start is not None:
                chosen = rows
            if start is not None:
                break
        lines = []
        for i, row in enumerate(chosen or []):
            # Above the header: the title. Below it, a row with text in its first cell only
            # (a section heading across the table, a note, the 印发 line) is a paragraph.
            if start is None or i < start or len(row) <= 1:
                lines.append(" ".join(cell for cell in row if cell))
            else:
                lines.append("\t".join(row))
        return "\n".join(lines)
    finally:
        workbook.close()
