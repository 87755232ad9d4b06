"""Parsing a plan from the text of its document, the way an extraction flattens it.

The table of key tasks (重点任务), measures (推进措施) and departments (责任部门) arrives as one
line per table row, cells separated by tabs. Several paragraphs inside one cell arrive as
`<p>…</p>` on one line: they are one cell, not several rows. At a page break the header row
repeats, and so may the title of the task that continues.

A cell of measures with a cell of departments next to it is a *block*. When a block holds
several measures, the text no longer says which department belongs to which measure; each
measure then gets every department of its block and `needs_review`, unless department rows
that survived the extraction (one per measure) or a repeated name opening a new list make
the split plain — and even then a person confirms it.
"""

import re
from dataclasses import dataclass, field

from luoshi.importing import header
from luoshi.importing.departments import groups_by_repeated_name, merge, split_departments
from luoshi.importing.model import ParsedDepartment, ParsedMeasure, ParsedPlan, ParsedTask
from luoshi.importing.targets import find_targets


class ParseError(ValueError):
    """The text is not a plan this importer can read; the message says why, in Chinese."""


TASK_LABEL = re.compile(r"^(?P<label>[一二三四五六七八九十百零〇]+\s*[、.．])\s*(?P<title>.*)$")
MEASURE_LABEL = re.compile(r"^(?P<label>\d+\s*[、.．]|[（(]\d+[）)])\s*(?P<text>.*)$", re.S)
PARAGRAPH = re.compile(r"</?p>")


@dataclass
class _Block:
    measures: list[tuple[str, str]]  # (label, text) as written
    department_cells: list[str] = field(default_factory=list)


@dataclass
class _Columns:
    task: int
    measure: int
    department: int

    @classmethod
    def from_header(cls, cells: list[str]) -> "_Columns | None":
        # A row of the table may use the same words (二、强化保障措施 | 1、分解任务 | 各有关单位);
        # it is told apart by its numbered task or measure.
        if any(_labelled(cell) for cell in cells):
            return None

        def first(*words: str) -> int | None:
            return next((i for i, c in enumerate(cells) if any(w in c for w in words)), None)

        task = first("任务")
        department = first("部门", "单位")
        if task is None or department is None:
            return None
        measure = next(
            (
                i
                for i, c in enumerate(cells)
                if i not in (task, department) and any(w in c for w in ("措施", "内容", "举措"))
            ),
            None,
        )
        if measure is None:
            return None
        return cls(task, measure, department)


def _labelled(cell: str) -> bool:
    text = PARAGRAPH.sub("", cell).strip()
    return bool(TASK_LABEL.match(text) or MEASURE_LABEL.match(text))


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("\t")]


def _find_header(lines: list[str]) -> tuple[int, _Columns] | None:
    for i, line in enumerate(lines):
        if "\t" in line:
            columns = _Columns.from_header(_cells(line))
            if columns:
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


def _read_table(lines: list[str], start: int, columns: _Columns):
    """Tasks with their blocks, and the index of the first line after the table."""
    tasks: list[tuple[ParsedTask, list[_Block]]] = []
    width = max(columns.task, columns.measure, columns.department) + 1
    for i in range(start, len(lines)):
        line = lines[i]
        if not line.strip():
            continue
        if "\t" not in line:
            break
        cells = _cells(line) + [""] * width
        if _Columns.from_header(cells):
            continue  # the header repeats after a page break
        task_cell = cells[columns.task]
        measure_cell = cells[columns.measure]
        department_cell = cells[columns.department]
        if task_cell:
            match = TASK_LABEL.match(task_cell)
            label, title = (match["label"], match["title"].strip()) if match else ("", task_cell)
            label = re.sub(r"\s+", "", label)
            if not (tasks and tasks[-1][0].label == label and tasks[-1][0].title == title):
                tasks.append((ParsedTask(no=len(tasks) + 1, label=label, title=title), []))
        if not tasks:
            raise ParseError(f"第 {i + 1} 行的推进措施前面没有重点任务，无法归入任何任务。")
        blocks = tasks[-1][1]
        measures = _paragraphs(measure_cell)
        if measures:
            if department_cell or not blocks:
                blocks.append(_Block(measures, [department_cell] if department_cell else []))
            else:  # no department cell: it is merged with the one above
                blocks[-1].measures.extend(measures)
        elif department_cell and blocks:
            blocks[-1].department_cells.append(department_cell)  # a row that survived (八)
    else:
        i = len(lines)
    return tasks, i


def _assign(block: _Block) -> list[tuple[list[ParsedDepartment], bool]]:
    """Each measure's departments, and whether a person must confirm them."""
    count = len(block.measures)
    rows = [split_departments(cell) for cell in block.department_cells]
    if count == 1 and len(rows) == 1:
        return [(rows[0], False)]
    if len(rows) == count:
        return [(row, True) for row in rows]
    if len(rows) == 1 and count > 1:
        groups = groups_by_repeated_name(block.department_cells[0])
        if len(groups) == count:
            return [(merge(group), True) for group in groups]
    return [(merge(*rows), True) for _ in range(count)]


def _measures(blocks: list[_Block]) -> list[ParsedMeasure]:
    measures = []
    for block in blocks:
        for (label, text), (departments, needs_review) in zip(
            block.measures, _assign(block), strict=True
        ):
            targets, deadline = find_targets(text)
            measures.append(
                ParsedMeasure(
                    no=len(measures) + 1,
                    label=label,
                    text=text,
                    departments=departments,
                    needs_review=needs_review,
                    deadline=deadline,
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


def parse_text(text: str) -> ParsedPlan:
    """A plan from the text of its document; ParseError when it holds no plan table."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    found = _find_header(lines)
    if not found:
        raise ParseError(
            "没有找到分工表：文档中应有一行表头，列出“重点任务”“推进措施”“责任部门”，"
            "各列之间以制表符分隔。"
        )
    start, columns = found
    tasks, end = _read_table(lines, start + 1, columns)
    if not any(blocks for _, blocks in tasks):
        raise ParseError("分工表中没有读到任何推进措施。")
    before, after = lines[:start], lines[end:]

    number, number_at = header.doc_number(before)
    title_of_notice, body_start = "", 0
    addressees: list[str] = []
    if number_at is not None:
        title_of_notice, after_title = header.notice_title(before, number_at + 1)
        addressees, body_start = header.addressees(before, after_title)
        body_start = body_start or after_title
    body = _body(before, body_start) if number_at is not None else ""
    title = header.plan_title(before, title_of_notice)
    if not title:
        raise ParseError("没有找到方案标题：分工表之前应有方案名称。")
    rule, report_to = header.reporting(body + "\n" + "\n".join(after))

    plan = ParsedPlan(
        title=title,
        doc_number=number,
        issue_date=header.issue_date(before) or header.issue_date(after),
        issuers=header.issuers(before, number_at),
        report_to=report_to,
        reporting=rule,
        parent_documents=header.parent_documents(body, number),
        addressees=addressees,
    )
    for task, blocks in tasks:
        task.measures = _measures(blocks)
        plan.tasks.append(task)
    return plan
