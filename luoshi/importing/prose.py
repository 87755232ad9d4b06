"""Reading a plan written as running text rather than as a table.

Such a plan numbers its items in up to five levels, 一、 （一） 1. （1） ①, and names the
departments of an item in one of three ways:

- in brackets after it: （市商务局牵头，市财政局配合）, （牵头单位：…；配合单位：…）,
  〔责任单位：…按职责分工负责〕;
- on lines of their own after it: 牵头单位：… / 责任单位：… / 配合单位：…;
- once for a heading, covering every numbered item below it.

A paragraph whose sentences each end with their own department bracket (……运营。（负责部门：
人民银行）支持……业务。（负责部门：商务部）) holds one measure per sentence; measures may also
stand at the top level (一、…三十、) with no groups, the plan then being one task.

A *measure* is an item that carries departments, its own or those of a heading above it that
covers its sub-items (then the measure is a leaf below that heading, and it needs review: the
document does not name its departments for it alone). An item without departments beside
sibling measures that have them is a measure too (with none, flagged), so nothing the
document lists goes missing. Sections that carry no departments anywhere (一、总体要求,
指导思想, 保障措施) are not tasks. Key tasks sit at one level of the document: the level just
above the items whose departments the measures have (or that covering heading itself), the
one most measures agree on; the labels between a task and its measure go into `path`.

The parser works on a simplified-character form of each line for matching, and takes every
text from the line as written (`Source.restore`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from luoshi.importing.departments import (
    ADMINISTRATIVE_PREFIX,
    CLOSING,
    COLLECTIVE,
    DEPARTMENT_WORDS,
    OFFICE_ENDINGS,
    OPENING,
    PLACE_WORDS,
    PLACEHOLDER,
    DocumentRules,
    merge,
    other_fields,
    split_departments,
)
from luoshi.importing.model import ParsedDepartment, ParsedMeasure, ParsedTask
from luoshi.importing.targets import deadline_cell, find_targets

CN = "一二三四五六七八九十百零〇"
# The numbering styles from the top level down; a document may skip levels.
LEVELS = (
    re.compile(rf"^(?P<label>[{CN}]+\s*[、.．，,])\s*"),
    re.compile(rf"^(?P<label>[（(]\s*[{CN}]+\s*[）)]\s*[、.．]?)\s*"),
    re.compile(r"^(?P<label>\d{1,3}\s*[、.．，,](?![\d.．]))\s*"),
    re.compile(r"^(?P<label>[（(]\s*\d{1,3}\s*[）)]|\d{1,3}\s*[）)])\s*"),
    re.compile(r"^(?P<label>[①-⑳])\s*"),
)
ROLE_HEADING = r"(?:牵头|责任|配合|参与|协办|主责|协助|主办|落实|实施)(?:单位|部门)?"
# 牵头单位：… / 责任部门：… / （责任单位：…） on a line of its own.
DEPARTMENT_LINE = re.compile(rf"^[（(〔【\[]?\s*{ROLE_HEADING}\s*[:：]")
# The same headings after the words of an item on its line; 单位/部门 required there.
INLINE_DEPARTMENTS = re.compile(
    r"(?:牵头|责任|配合|参与|协办|主责|协助|主办|落实|实施)(?:单位|部门)\s*[:：]"
)
DEADLINE_HEADING = re.compile(r"(?:完成时限|完成时间|时间节点|时限要求|完成期限|时限)\s*[:：]")
# Words that show a bracket names departments rather than explaining something.
ROLE_WORDS = re.compile(r"牵头|配合|负责|责任|参与|协办|单位[:：]|部门[:：]")
END_OF_TEXT = re.compile(
    r"^(?:附\s*件|抄\s*送|联系人|联系电话|电子邮箱|（此件|\(此件|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$)"
)
# （以下简称市发展改革委）, （含换电站）: a bracket explaining the words before it.
EXPLANATION = re.compile(r"^\s*(?:以下简称|以下统称|简称|统称|含|包括|即|如|例如|指|下同|详见|见)")
# Sections of a plan that are not tasks when they name no department.
SECTION = re.compile(
    r"^(?:总体要求|指导思想|基本原则|工作原则|工作目标|主要目标|发展目标|总体目标|目标任务|"
    r"保障措施|组织保障|工作要求|组织实施|实施步骤|工作步骤|进度安排|工作安排|其他事项)$"
)
TRAILING = "。；;，,.．\u3000 "
# The end of a sentence, before any bracket of fields kept from its department bracket.
SENTENCE_END = re.compile(r"[。；;]\s*(?:[（(][^（()）]*[）)])?$")


@dataclass
class Source:
    """The document's lines as written, and the simplified form used for matching."""

    lines: list[str]  # simplified, for matching
    original: list[str]  # as written

    def restore(self, i: int, text: str) -> str:
        """The words of line `i` as written that read `text` once simplified."""
        if self.lines[i] == self.original[i]:
            return text
        at = self.lines[i].find(text)
        return self.original[i][at : at + len(text)] if at >= 0 else text


@dataclass
class _Item:
    level: int
    label: str
    line: int
    pieces: list[tuple[str, str]]  # (simplified, as written) of its paragraphs, no departments
    departments: list[ParsedDepartment] = field(default_factory=list)
    bracket_groups: int = 0  # department brackets found in its own words
    # (pieces before it, its departments) for each department bracket in its own words
    brackets: list[tuple[int, list[ParsedDepartment]]] = field(default_factory=list)
    deadline: dt.date | None = None
    last_line: int = 0  # the last line holding its words or departments
    parent: _Item | None = None
    children: list[_Item] = field(default_factory=list)
    closed: bool = False  # departments seen: later paragraphs are not its words
    from_line: bool = False  # its departments stand on a line of their own

    @property
    def has_departments(self) -> bool:
        return bool(self.departments)


# 3.10月底前……: a number glued to the text, taken as a label only where the count expects it.
GLUED_NUMBER = re.compile(r"^(?P<label>(?P<n>\d{1,3})\s*[.．])(?=\d)")
NUMBER_LEVEL = 2


def label_of(line: str, expected: set[int] | None = None) -> tuple[int, str, str] | None:
    """(level, label, rest) of a numbered line; None for a line without numbering.

    `expected` are the numbers the 1. level may go on with: 3.10月底前 is item 3 when 3 may
    come next."""
    for level, pattern in enumerate(LEVELS):
        match = pattern.match(line)
        if match and line[match.end() :].strip():
            return level, re.sub(r"\s+", "", match["label"]), line[match.end() :]
    match = GLUED_NUMBER.match(line)
    if match and expected and int(match["n"]) in expected:
        return NUMBER_LEVEL, re.sub(r"\s+", "", match["label"]), line[match.end() :]
    return None


def _bracket_groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of every top-level bracket group of a text."""
    groups = []
    depth = 0
    start = 0
    for i, char in enumerate(text):
        if char in OPENING:
            if depth == 0:
                start = i
            depth += 1
        elif char in CLOSING and depth:
            depth -= 1
            if depth == 0:
                groups.append((start, i + 1))
    return groups


def names_departments(inside: str, rules: DocumentRules | None) -> list[ParsedDepartment]:
    """The departments a bracket's words name, or [] when they explain something else."""
    if not inside.strip() or len(inside) > 200 or EXPLANATION.match(inside):
        return []
    departments = split_departments(inside, rules)
    if not departments:
        return []
    if ROLE_WORDS.search(inside):
        return departments
    if all(_office_like(d.name) for d in departments):
        return departments
    return []


def _office_like(name: str) -> bool:
    """A name that reads as an office (市能源局), not a thing (含换电站)."""
    if PLACEHOLDER.search(name) or COLLECTIVE.search(name):
        return True
    owned = (
        ADMINISTRATIVE_PREFIX.match(name)
        or PLACE_WORDS.search(name)
        or name.startswith(DEPARTMENT_WORDS)
    )
    return 2 <= len(name) <= 30 and name.endswith(OFFICE_ENDINGS) and bool(owned)


def _take_departments(
    text: str, rules: DocumentRules | None, year: int | None
) -> tuple[list[str], list[list[ParsedDepartment]], dt.date | None]:
    """The words of a paragraph without its department brackets, split where one was cut out,
    the departments of each such bracket, and the deadline one of them set
    (（责任单位：市商务局；完成时限：2023年底前）). A bracket's fields that name no unit stay
    in the words: （负责部门：商务部；适用范围：上海自贸试验区） leaves （适用范围：…）."""
    kept, found, at, deadline = [], [], 0, None
    for start, end in _bracket_groups(text):
        inside = text[start + 1 : end - 1]
        heading = DEADLINE_HEADING.search(inside)
        departments = names_departments(inside[: heading.start()] if heading else inside, rules)
        if departments:
            others = other_fields(inside[: heading.start()] if heading else inside)
            kept.append(
                text[at:start] + (f"{text[start]}{others}{text[end - 1]}" if others else "")
            )
            found.append(departments)
            at = end
            if heading:
                deadline = deadline_cell(inside[heading.end() :], year)
    kept.append(text[at:])
    return kept, found, deadline


def _read_items(source: Source, start: int, end: int, rules: DocumentRules | None, year):
    """The numbered items of lines start..end as a forest, in document order."""
    roots: list[_Item] = []
    stack: list[_Item] = []
    last: _Item | None = None
    number = 0  # the last number of the 1. level
    for i in range(start, end):
        line = source.lines[i].strip()
        if not line:
            continue
        if END_OF_TEXT.match(line):
            if last:
                last.closed = True
            continue
        if DEPARTMENT_LINE.match(line) or (
            line[0] in OPENING and _is_department_bracket(line, rules)
        ):
            if last is not None:
                _department_line(last, i, line, rules, year)
            continue
        deadline = DEADLINE_HEADING.match(line.lstrip("（(【[〔"))
        if deadline and last is not None:  # 完成时限：2024年10月底前
            last.deadline = deadline_cell(line[deadline.end() :], year)
            last.last_line = i
            continue
        # The 1. level goes on counting, or starts again under a new heading.
        expected = {number + 1} | ({1} if last and last.level < NUMBER_LEVEL else set())
        labelled = label_of(line, expected)
        if labelled is None:
            if last is not None and not last.closed:
                _add_words(last, i, line, source, rules, year)
            continue
        level, label, rest = labelled
        if level == NUMBER_LEVEL:
            number = int(re.match(r"\d+", label)[0])
        while stack and stack[-1].level >= level:
            stack.pop()
        item = _Item(
            level=level, label=label, line=i, pieces=[], parent=stack[-1] if stack else None
        )
        _add_words(item, i, rest.strip(), source, rules, year)
        (item.parent.children if item.parent else roots).append(item)
        stack.append(item)
        last = item
    return roots


def _is_department_bracket(line: str, rules: DocumentRules | None) -> bool:
    groups = _bracket_groups(line)
    if len(groups) != 1 or groups[0] != (0, len(line.rstrip(TRAILING))):
        return False
    return bool(names_departments(line[1 : groups[0][1] - 1], rules))


def _department_line(item: _Item, i: int, line: str, rules: DocumentRules | None, year) -> None:
    body = line.rstrip(TRAILING)
    if body and body[0] in OPENING and body[-1] in CLOSING:
        body = body[1:-1]
    deadline = DEADLINE_HEADING.search(body)
    if deadline:
        item.deadline = deadline_cell(body[deadline.end() :], year)
        body = body[: deadline.start()]
    item.departments = merge(item.departments, split_departments(body, rules))
    item.closed = True
    item.from_line = True
    item.last_line = i


def _add_words(item: _Item, i: int, text: str, source: Source, rules, year=None) -> None:
    item.last_line = i
    inline = _top_level_match(INLINE_DEPARTMENTS, text)
    if inline is not None and inline.start() > 0:  # ……建设。责任单位：市住房和城乡建设局
        _add_words(item, i, text[: inline.start()], source, rules, year)
        _department_line(item, i, text[inline.start() :], rules, year)
        return
    kept, found, deadline = _take_departments(text, rules, year)
    for k, words in enumerate(kept):
        if words.strip():
            words = words.strip()
            item.pieces.append((words, source.restore(i, words)))
        if k < len(found):
            item.brackets.append((len(item.pieces), found[k]))
    if found:
        item.departments = merge(item.departments, *found)
        item.bracket_groups += len(found)
        item.deadline = deadline or item.deadline
        item.closed = True


def _top_level_match(pattern: re.Pattern, text: str) -> re.Match | None:
    depth = 0
    depths = []
    for char in text:
        if char in OPENING:
            depth += 1
        elif char in CLOSING and depth:
            depth -= 1
        depths.append(depth)
    return next((m for m in pattern.finditer(text) if depths[m.start()] == 0), None)


def _text(item: _Item, written: bool = False, pieces: slice = slice(None)) -> str:
    text = "".join(piece[written] for piece in item.pieces[pieces]).strip()
    # A bracket cut out before the full stop leaves “……建设。” or “……建设” as it should.
    return re.sub(r"[，,；;、\s]+$", "", text)


def targets_as_written(text: str, written: str, year: int | None):
    """The targets and deadline of a measure matched on its simplified `text` (find_targets),
    their words taken from the measure as `written` (of the same length)."""
    targets, deadline = find_targets(text, year)
    if written != text:
        for target in targets:
            at = text.find(target.text)
            if at >= 0:
                target.text = written[at : at + len(target.text)]
    return targets, deadline


def _lift_closing_department_lines(items: list[_Item]) -> None:
    """A department line after the last sub-item of a heading, when no other sub-item names
    any, covers the heading: 1.完善设施 （1）… （2）… 责任单位：… is the departments of 1."""
    for item in items:
        _lift_closing_department_lines(item.children)
        children = item.children
        if item.level == 0 or not _heading_only(item):
            continue  # a department line rarely covers a whole 一、 section
        if item.has_departments or not children or not children[-1].from_line:
            continue
        last = children[-1]
        if last.children or any(_carries_departments(c) for c in children[:-1]):
            continue
        item.departments, item.deadline, item.from_line = last.departments, last.deadline, True
        last.departments, last.deadline, last.from_line = [], None, False


def _heading_only(item: _Item) -> bool:
    """An item that only names a group (完善小区基础设施), not a sentence of work."""
    text = _text(item)
    return len(text) <= 40 and not re.search(r"[。；;]", text.rstrip("。"))


def _leaves(item: _Item) -> list[_Item]:
    if not item.children:
        return [item]
    return [leaf for child in item.children for leaf in _leaves(child)]


def _carries_departments(item: _Item) -> bool:
    return item.has_departments or any(_carries_departments(c) for c in item.children)


@dataclass
class _Measure:
    item: _Item
    departments: list[ParsedDepartment]
    needs_review: bool
    deadline: dt.date | None
    bearer: _Item  # the item whose departments it has: itself or a heading covering it
    # its words among its item's: all, or one sentence of several
    pieces: slice = field(default_factory=lambda: slice(None))


def _sentences(item: _Item) -> list[tuple[slice, list[ParsedDepartment]]] | None:
    """An item whose sentences each end with their own department bracket (……运营。（负责部门：
    人民银行）支持……业务。（负责部门：商务部）) holds one measure per sentence; None otherwise."""
    if item.children or item.from_line or len(item.brackets) < 2:
        return None
    found, start = [], 0
    for end, departments in item.brackets:
        if end <= start or not SENTENCE_END.search(item.pieces[end - 1][0]):
            return None
        found.append((slice(start, end), departments))
        start = end
    if start < len(item.pieces):  # words after the last bracket
        return None
    return found


def _measures(items: list[_Item]) -> list[_Measure]:
    """The measures among sibling items, in document order."""
    found = []
    # Siblings that are measures of their own make an item without departments a gap to flag;
    # siblings that head groups (一、推进绿色建筑（市住建局牵头） 1.… 2.…) do not.
    siblings_carry = any(i.has_departments and not i.children for i in items)
    for item in items:
        if item.has_departments and item.children:
            leaves = _leaves(item)
            for leaf in leaves:
                if leaf.has_departments:
                    found.append(_Measure(leaf, leaf.departments, False, leaf.deadline, item))
                else:
                    shared = len(leaves) > 1
                    found.append(_Measure(leaf, item.departments, shared, item.deadline, item))
        elif sentences := _sentences(item):
            found.extend(
                _Measure(item, departments, False, item.deadline, item, pieces)
                for pieces, departments in sentences
            )
        elif item.has_departments:
            several = item.bracket_groups > 1
            found.append(_Measure(item, item.departments, several, item.deadline, item))
        elif any(_carries_departments(c) for c in item.children):
            found.extend(_measures(item.children))
        elif siblings_carry and not item.children and not SECTION.match(_title(item, False)):
            found.append(_Measure(item, [], True, item.deadline, item))
    return found


def _task_depth(measures: list[_Measure]) -> int:
    """How deep key tasks sit: each measure votes for the level above the item whose
    departments it has, and a heading covering several measures also for itself; the deeper
    level wins a tie (一、重点任务 over （一）… is a wrapper, not the only task)."""
    votes: Counter[int] = Counter()
    for found in measures:
        depth = len(_chain(found.bearer))
        votes[depth - 1] += 1
        if found.bearer is not found.item:
            votes[depth] += 1
    return max(votes, key=lambda depth: (votes[depth], depth))


def _chain(item: _Item) -> list[_Item]:
    chain = []
    while item.parent is not None:
        item = item.parent
        chain.append(item)
    return chain[::-1]


def _title(item: _Item, written: bool = True) -> str:
    """A heading's title: its first sentence, without the full stop (as written, or in the
    simplified form used for matching)."""
    if not item.pieces:
        return ""
    simplified, as_written = item.pieces[0]
    first = as_written if written else simplified
    at = len(re.split(r"[。；;：:]", simplified, maxsplit=1)[0])  # same length in both forms
    return first[:at].strip() or first.strip()


def parse_prose(
    source: Source,
    start: int,
    end: int,
    rules: DocumentRules | None = None,
    year: int | None = None,
) -> tuple[list[ParsedTask], int, int]:
    """The tasks of the numbered items in lines start..end, the line of the first section
    holding a measure and the last line a measure uses (`start` and `end` when there is none)."""
    roots = _read_items(source, start, end, rules, year)
    _lift_closing_department_lines(roots)
    measures = _measures(roots)
    if not measures:
        return [], start, end
    task_depth = _task_depth(measures)
    tasks: list[ParsedTask] = []
    task_of: dict[int, ParsedTask] = {}
    for found in measures:
        chain = _chain(found.item)
        if task_depth >= 0 and len(chain) > task_depth:
            heading, between = chain[task_depth], chain[task_depth + 1 :]
        elif chain:
            heading, between = chain[-1], []
        else:
            heading, between = None, []
        key = id(heading) if heading else -1
        if key not in task_of or (heading is None and tasks[-1] is not task_of[key]):
            task = ParsedTask(
                no=len(tasks) + 1,
                label=heading.label if heading else "",
                title=_title(heading) if heading else "",
            )
            tasks.append(task)
            task_of[key] = task
        task = task_of[key]
        text = _text(found.item, written=True, pieces=found.pieces)
        targets, deadline = targets_as_written(_text(found.item, pieces=found.pieces), text, year)
        for target in targets:  # a target is due when its measure is
            target.deadline = target.deadline or found.deadline
        departments = [ParsedDepartment(d.name, d.role, d.kind) for d in found.departments]
        if rules and rules.always:
            departments = merge(departments, rules.always)
        task.measures.append(
            ParsedMeasure(
                no=len(task.measures) + 1,
                label=found.item.label,
                text=text,
                path=[item.label for item in between],
                departments=departments,
                needs_review=found.needs_review or not found.departments,
                deadline=found.deadline or deadline,
                targets=targets,
            )
        )
    # The plan starts at the first section holding a measure: a notice's own numbered points
    # and the plan's 一、总体要求 stay with the header, where its title is looked for.
    first = min((_chain(m.item) or [m.item])[0].line for m in measures)
    return tasks, first, max(m.item.last_line for m in measures)
