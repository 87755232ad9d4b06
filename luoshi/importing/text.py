"""Parsing a plan from the text of its document, the way an extraction flattens it.

A table of key tasks (重点任务), measures (推进措施) and departments (责任部门) arrives as one
line per table row, cells separated by tabs. Several paragraphs inside one cell arrive as
`<p>…</p>` on one line: they are one cell, not several rows. At a page break the header row
repeats, and so may the title of the task that continues. The table may number its rows
(序号), give each measure a deadline (完成时限), split the departments into a lead and a co
column (牵头单位 | 配合单位), or have no task column at all, its tasks then being the numbered
headings between the tables. A plan without such a table is read as running text
(luoshi.importing.prose). A table flattened one cell per line (序号 / 工作内容 / 工作进展 /
责任单位, then 1 / … / … / …) is written back as one line per row first.

A cell of measures with a cell of departments next to it is a *block*. When a block holds
several measures, the text no longer says which department belongs to which measure; each
measure then gets every department of its block and `needs_review`, unless department rows
that survived the extraction (one per measure) or a repeated name opening a new list make
the split plain — and even then a person confirms it.

A copy in traditional characters is matched on its simplified form (opencc), while every
text the plan keeps (titles, measures, target words) is taken from the document as written.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from itertools import zip_longest

from luoshi.importing import header
from luoshi.importing.departments import (
    DocumentRules,
    groups_by_repeated_name,
    merge,
    read_rules,
    split_departments,
)
from luoshi.importing.model import ParsedDepartment, ParsedMeasure, ParsedPlan, ParsedTask
from luoshi.importing.prose import Source, label_of, parse_prose, targets_as_written
from luoshi.importing.targets import deadline_cell


class ParseError(ValueError):
    """The text is not a plan this importer can read; the message says why, in Chinese."""


TASK_LABEL = re.compile(r"^(?P<label>[一二三四五六七八九十百零〇]+\s*[、.．])\s*(?P<title>.*)$")
MEASURE_LABEL = re.compile(r"^(?P<label>\d+\s*[、.．]|[（(]\d+[）)])\s*(?P<text>.*)$", re.S)
PARAGRAPH = re.compile(r"</?p>")

NUMBER_WORDS = ("序号", "编号", "序")
TASK_WORDS = ("任务", "重点工作", "工作重点", "重点领域", "工作事项", "事项", "领域")
MEASURE_WORDS = ("措施", "内容", "举措", "具体工作", "工作要求", "任务分解", "工作目标")
CO_WORDS = ("配合", "协办", "参与", "协助")
DEPARTMENT_WORDS = ("部门", "单位")
DEADLINE_WORDS = ("时限", "完成时间", "时间节点", "时间安排", "进度安排", "完成期限", "时间要求")


@dataclass
class _Block:
    measures: list[tuple[str, str, str]]  # (label, simplified text, text as written)
    department_cells: list[str] = field(default_factory=list)
    deadline: dt.date | None = None


@dataclass
class _Columns:
    task: int | None
    measure: int
    department: int
    co: int | None = None
    number: int | None = None
    deadline: int | None = None
    lead_column: bool = False  # the department column is 牵头单位
    subheader: list[str] | None = None  # the second row of a two-row header
    first_row: int | None = None  # the line of the first row of a two-row header

    @classmethod
    def from_header(cls, cells: list[str]) -> "_Columns | None":
        # A row of the table may use the same words (二、强化保障措施 | 1、分解任务 | 各有关单位);
        # it is told apart by its numbered task or measure, and by its length.
        if any(_labelled(cell) for cell in cells) or any(len(c) > 24 for c in cells):
            return None
        taken: set[int] = set()

        def first(words: tuple[str, ...]) -> int | None:
            """The first cell with the first of `words` found (措施 before 工作目标)."""
            for word in words:
                for i, cell in enumerate(cells):
                    if i not in taken and word in cell:
                        taken.add(i)
                        return i
            return None

        number = next((i for i, c in enumerate(cells) if c in NUMBER_WORDS), None)
        if number is not None:
            taken.add(number)
        deadline = first(DEADLINE_WORDS)
        co = first(CO_WORDS)
        department = first(DEPARTMENT_WORDS)
        measure = first(MEASURE_WORDS)
        task = first(TASK_WORDS)
        if department is None:
            return None
        if measure is None:  # 序号 | 工作任务 | 责任单位: the only text column holds measures
            measure, task = task, None
        if measure is None:
            return None
        lead = co is not None or cells[department].startswith("牵头")
        return cls(task, measure, department, co, number, deadline, lead)

    @property
    def width(self) -> int:
        used = (self.task, self.measure, self.department, self.co, self.number, self.deadline)
        return max(i for i in used if i is not None) + 1


def _labelled(cell: str) -> bool:
    text = PARAGRAPH.sub("", cell).strip()
    return bool(TASK_LABEL.match(text) or MEASURE_LABEL.match(text))


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("\t")]


SUBHEADER_WORDS = re.compile(r"^(?:牵头|配合|协办|参与|责任|主责)(?:单位|部门)?$|时限|时间")


def _subheader(line: str) -> list[str] | None:
    """The second row of a two-row header (责任单位 over 牵头单位 | 配合单位), if it is one."""
    if "\t" not in line:
        return None
    cells = _cells(line)
    filled = [cell for cell in cells if cell]
    if filled and all(SUBHEADER_WORDS.search(cell) for cell in filled):
        return cells
    return None


def _find_header(lines: list[str]) -> tuple[int, _Columns] | None:
    """Where the table's header ends, and its columns; a second header row is merged in."""
    for i, line in enumerate(lines):
        if "\t" not in line:
            continue
        cells = _cells(line)
        columns = _Columns.from_header(cells)
        if not columns:
            continue
        below = next((k for k in range(i + 1, len(lines)) if lines[k].strip()), None)
        sub = _subheader(lines[below]) if below is not None else None
        if sub:
            merged = [b or a for a, b in zip_longest(cells, sub, fillvalue="")]
            both = _Columns.from_header(merged)
            if both:
                both.subheader, both.first_row = list(sub), i
                return below, both
        return i, columns
    return None


def _paragraphs(cell: str) -> list[tuple[str, str]]:
    measures = []
    for paragraph in PARAGRAPH.split(cell):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        match = MEASURE_LABEL.match(paragraph)
        if match:
            measures.append((re.sub(r"\s+", "", match["label"]), match["text"].strip()))
        else:
            measures.append(("", paragraph))
    return measures


def _heading(line: str) -> tuple[str, str] | None:
    """(label, title) of a numbered heading standing between tables (一、 or （一）)."""
    labelled = label_of(line.strip())
    if labelled is None or labelled[0] > 1:
        return None
    return labelled[1], labelled[2].strip()


def _headings_before(lines: list[str], start: int) -> int:
    """The first line of the numbered headings just above a table without a task column."""
    first = start
    for i in range(start - 1, -1, -1):
        if not lines[i].strip():
            continue
        if "\t" in lines[i] or not _heading(lines[i]):
            break
        first = i
    return first


@dataclass
class _Table:
    tasks: list[tuple[ParsedTask, list[_Block]]] = field(default_factory=list)

    def task(self, label: str, title: str) -> None:
        """Open a task, unless it continues the last one (its title repeats after a page break)."""
        last = self.tasks[-1][0] if self.tasks else None
        if not (last and last.label == label and last.title == title):
            self.tasks.append((ParsedTask(no=len(self.tasks) + 1, label=label, title=title), []))


def _department_cell(cells: list[str], columns: _Columns) -> str:
    """The department cell, with the roles a 牵头单位 | 配合单位 pair of columns gives."""
    department = cells[columns.department]
    if not columns.lead_column:
        return department
    co = cells[columns.co] if columns.co is not None else ""
    parts = [f"牵头单位：{department}"] if department else []
    if co:
        parts.append(f"配合单位：{co}")
    return "；".join(parts)


def _read_table(source: Source, start: int, columns: _Columns, year: int | None):
    """Tasks with their blocks, and the index of the first line after the table."""
    lines = source.lines
    table = _Table()
    last_header = max(
        (i for i in range(start, len(lines)) if "\t" in lines[i] and _is_header(lines[i])),
        default=start,
    )
    if columns.task is None:
        for i in range(_headings_before(lines, start), start):
            if lines[i].strip():
                table.task(*_restored_heading(source, i))
    deadline: dt.date | None = None
    end = len(lines)
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if not line.strip():
            continue
        filled = [cell for cell in _cells(line) if cell]
        if "\t" not in line or (len(filled) > 1 and len(set(filled)) == 1):
            # A line between rows, or a row merged across the table (一、推广绿色建筑 in every
            # cell): a heading opens a task, anything else is a note or a page number.
            if _heading(filled[0]) and (columns.task is None or "\t" in line):
                table.task(*_restored_heading(source, i, filled[0]))
                deadline = None
                continue
            if "\t" not in line and i > last_header and not _rows_follow(lines, i):
                end = i
                break
            continue
        cells = _cells(line) + [""] * columns.width
        if _Columns.from_header(cells) or _cells(line) == columns.subheader:
            continue  # the header repeats after a page break
        if columns.task is not None and cells[columns.task]:
            label, title = _heading(cells[columns.task]) or ("", cells[columns.task])
            table.task(label, source.restore(i, title))
            deadline = None
        elif columns.task is None and _task_row(cells, columns):
            # 一 | 推广绿色建筑 | (no department): a task heading inside a numbered list
            label = re.sub(r"\s+", "", cells[columns.number])
            table.task(label, source.restore(i, PARAGRAPH.sub("", cells[columns.measure]).strip()))
            deadline = None
            continue
        if not table.tasks and columns.task is None:
            table.task("", "")  # a list of measures under the plan's own title
        if not table.tasks:
            raise ParseError(f"第 {i + 1} 行的推进措施前面没有重点任务，无法归入任何任务。")
        blocks = table.tasks[-1][1]
        measures = [
            (label or _number(cells, columns), text, source.restore(i, text))
            for label, text in _paragraphs(cells[columns.measure])
        ]
        department_cell = _department_cell(cells, columns)
        if columns.deadline is not None and cells[columns.deadline]:
            deadline = deadline_cell(cells[columns.deadline], year)
        if measures:
            if department_cell or not blocks:
                cells_of_block = [department_cell] if department_cell else []
                blocks.append(_Block(measures, cells_of_block, deadline))
            else:  # no department cell: it is merged with the one above
                blocks[-1].measures.extend(measures)
        elif department_cell and blocks:
            blocks[-1].department_cells.append(department_cell)  # a row that survived (八)
    return table.tasks, end


CN_NUMBER_CELL = re.compile(r"^[（(]?[一二三四五六七八九十百零〇]+[）)]?[、.．]?$")


def _task_row(cells: list[str], columns: _Columns) -> bool:
    """A row numbered 一 / （一） with words and no department: a task, not a measure."""
    if columns.number is None or not cells[columns.measure]:
        return False
    return bool(CN_NUMBER_CELL.match(cells[columns.number])) and not _department_cell(
        cells, columns
    )


def _number(cells: list[str], columns: _Columns) -> str:
    return cells[columns.number] if columns.number is not None else ""


def _is_header(line: str) -> bool:
    return _Columns.from_header(_cells(line)) is not None


def _restored_heading(source: Source, i: int, text: str | None = None) -> tuple[str, str]:
    label, title = _heading(text if text is not None else source.lines[i])
    return label, source.restore(i, title)


def _rows_follow(lines: list[str], i: int, window: int = 3) -> bool:
    """Whether table rows go on within the next few lines (after a page number, a note)."""
    following = [line for line in lines[i + 1 :] if line.strip()][:window]
    return any("\t" in line for line in following)


def _assign(block: _Block, rules: DocumentRules) -> list[tuple[list[ParsedDepartment], bool]]:
    """Each measure's departments, and whether a person must confirm them."""
    count = len(block.measures)
    rows = [split_departments(cell, rules) for cell in block.department_cells]
    if count == 1 and len(rows) == 1:
        return [(rows[0], False)]
    if len(rows) == count:
        return [(row, True) for row in rows]
    if len(rows) == 1 and count > 1:
        groups = groups_by_repeated_name(block.department_cells[0])
        if len(groups) == count:
            return [(merge(group), True) for group in groups]
    return [(merge(*rows), True) for _ in range(count)]


def _measures(blocks: list[_Block], rules: DocumentRules, year: int | None) -> list[ParsedMeasure]:
    measures = []
    for block in blocks:
        for (label, text, written), (departments, needs_review) in zip(
            block.measures, _assign(block, rules), strict=True
        ):
            targets, deadline = targets_as_written(text, written, year)
            for target in targets:  # a target is due when its measure is
                target.deadline = target.deadline or block.deadline
            if rules.always:
                departments = merge(departments, rules.always)
            measures.append(
                ParsedMeasure(
                    no=len(measures) + 1,
                    label=label,
                    text=written,
                    departments=departments,
                    needs_review=needs_review,
                    deadline=block.deadline or deadline,
                    targets=targets,
                )
            )
    return measures


def _body(lines: list[str], start: int) -> str:
    """The notice's text from after its addressees to the attachment note, lines rejoined."""
    body = []
    for line in lines[start:]:
        line = line.strip()
        if re.match(r"^(附\s*件|联系|电子邮箱|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)", line):
            break
        body.append(line)
    return "".join(body)


@cache
def _converters():
    import opencc  # noqa: PLC0415 (loaded only when a document holds traditional characters)

    return opencc.OpenCC("tw2sp"), opencc.OpenCC("t2s")


def simplified_lines(lines: list[str]) -> list[str]:
    """Each line in simplified characters, of the same length as the line as written, so that
    a match on the simplified form finds the original words at the same place."""
    whole = "\n".join(lines)
    if whole.isascii():
        return list(lines)
    phrases, characters = _converters()
    if characters.convert(whole) == whole:
        return list(lines)
    found = []
    for line in lines:
        for converter in (phrases, characters):
            converted = converter.convert(line)
            if len(converted) == len(line):
                break
        else:
            converted = "".join(c if len(s := characters.convert(c)) != 1 else s for c in line)
        found.append(converted)
    return found


def _year(lines: list[str]) -> int | None:
    """The year dates without one are read in: the issue date's, else the first one named."""
    issued = header.issue_date(lines)
    if issued:
        return issued.year
    for line in lines[:60]:
        match = re.search(r"(20\d\d)\s*年", line)
        if match:
            return int(match[1])
    return None


ROW_NUMBER = re.compile(r"^(?P<n>\d{1,3})\s*[、.．]?$")


def _flattened_rows(lines: list[str]) -> list[tuple[int, int, int]]:
    """Tables flattened one cell per line (序号 / 工作内容 / 工作进展 / 责任单位, then 1 / … / …
    / …, repeating), as (first line, last line + 1, cells per row) of each."""
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    found = []
    k = 0
    while k < len(nonblank):
        table = _flattened_at(lines, nonblank, k)
        if table:
            width, rows = table
            after = k + width * (rows + 1)
            found.append((nonblank[k], nonblank[after - 1] + 1, width))
            k = after
        else:
            k += 1
    return found


def _flattened_at(lines: list[str], nonblank: list[int], k: int) -> tuple[int, int] | None:
    """(cells per row, rows) of a flattened table whose header starts at nonblank line k."""
    for width in range(3, 9):
        cells = [lines[i].strip() for i in nonblank[k : k + width]]
        if len(cells) < width or any("\t" in c or len(c) > 12 for c in cells):
            return None
        columns = _Columns.from_header(cells)
        if columns is None or columns.number is None:
            continue
        rows, at = 0, k + width
        while at + width <= len(nonblank):
            number = ROW_NUMBER.match(lines[nonblank[at + columns.number]].strip())
            if not number or int(number["n"]) != rows + 1:
                break
            rows += 1
            at += width
        if rows:
            return width, rows
    return None


def _unflattened(lines: list[str], tables: list[tuple[int, int, int]]) -> list[str]:
    """The lines with each flattened table written back as one line per row, cells tabbed."""
    result, at = [], 0
    for start, end, width in tables:
        result.extend(lines[at:start])
        cells = [line.strip() for line in lines[start:end] if line.strip()]
        result.extend("\t".join(cells[i : i + width]) for i in range(0, len(cells), width))
        at = end
    return result + lines[at:]


def parse_text(text: str) -> ParsedPlan:
    """A plan from the text of its document; ParseError when it holds no plan."""
    original = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    simplified = simplified_lines(original)
    tables = _flattened_rows(simplified)
    if tables:
        original, simplified = _unflattened(original, tables), _unflattened(simplified, tables)
    source = Source(lines=simplified, original=original)
    lines = source.lines
    rules = read_rules("\n".join(lines))
    year = _year(lines)
    found = _find_header(lines)
    if found:
        start, columns = found
        tasks_and_blocks, end = _read_table(source, start, columns, year)
        tasks = []
        for task, blocks in tasks_and_blocks:
            task.measures = _measures(blocks, rules, year)
            if task.measures:
                task.no = len(tasks) + 1
                tasks.append(task)
        if not tasks:
            raise ParseError("分工表中没有读到任何推进措施。")
        top = start if columns.first_row is None else columns.first_row
        first = _headings_before(lines, top) if columns.task is None else top
        before, after = lines[:first], lines[end:]
    else:
        tasks, first, last = parse_prose(source, 0, len(lines), rules, year)
        if not tasks:
            raise ParseError(
                "没有找到分工表或带责任单位的任务条目：文档中应有一行表头，列出“重点任务”"
                "“推进措施”“责任部门”（各列之间以制表符分隔），或在各项任务后注明"
                "牵头单位、责任单位。"
            )
        before, after = lines[:first], lines[last + 1 :]
    return _plan(source, before, after, tasks)


def _plan(source: Source, before: list[str], after: list[str], tasks: list[ParsedTask]):
    number, number_at = header.doc_number(before)
    title_of_notice, body_start = "", 0
    addressees: list[str] = []
    # The 文号 and the 关于……的通知 title are told by their form, in whichever order they come.
    found_title = header.notice_title_at(before)
    if found_title is not None or number_at is not None:
        if found_title is not None:
            title_of_notice, after_title = found_title[0], found_title[2]
            after_title = max(after_title, (number_at or 0) + 1)
        else:
            title_of_notice, after_title = header.notice_title(before, number_at + 1)
        addressees, body_start = header.addressees(before, after_title)
        body_start = body_start or after_title
    body = _body(before, body_start) if body_start else ""
    title = header.plan_title(before, title_of_notice)
    if not title:
        raise ParseError("没有找到方案标题：分工表或任务条目之前应有方案名称。")
    title = _restore_anywhere(source, title)
    rule, report_to = header.reporting(body + "\n" + "\n".join(after))
    if rule:
        rule.text = _restore_anywhere(source, rule.text)
    for task in tasks:
        task.title = task.title or title
    return ParsedPlan(
        title=title,
        doc_number=_restore_anywhere(source, number) if number else None,
        issue_date=header.issue_date(before) or header.issue_date(after),
        issuers=header.issuers(before, number_at, found_title),
        report_to=report_to,
        reporting=rule,
        parent_documents=header.parent_documents(body, number),
        addressees=addressees,
        tasks=tasks,
    )


def _restore_anywhere(source: Source, text: str) -> str:
    """Words as written for words matched on the simplified form of some line(s)."""
    if source.lines == source.original:
        return text
    for i, line in enumerate(source.lines):
        if text in line:
            return source.restore(i, text)
    whole, written = "".join(source.lines), "".join(source.original)
    at = whole.find(text)
    return written[at : at + len(text)] if at >= 0 else text
