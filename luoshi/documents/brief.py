"""The brief: what a leader reads of a month in five minutes, chosen from the consolidated report
by written rules (docs/decisions.md, "The monthly brief").

Pure functions over a `ConsolidatedReport`: no query. The sentences of a key task are taken
from its departments' progress texts:

1. A text is cut into sentences at 。！？； (not inside “quotes” or （brackets）) and each
   sentence loses its leading date ("2026年10月，", "本月，"), the demo's sample mark, and a
   leading 我局/我委/本单位.
2. A sentence *with figures* holds a number that is not part of a date (1200个, 35%, 3.5亿元).
   Those come first, in the report's order (key task's measures in the plan's order, the lead
   department before the others); then the sentences without figures, in the same order.
   The same sentence said twice is kept once.
3. A sentence over `SENTENCE_LIMIT` characters first loses its leading context clauses
   (围绕“…”，按照…，) unless they hold figures, then keeps its first clause and its clauses with
   figures, in order, while they fit. Numbers inside “quotes” repeat the plan: not figures.
4. A task takes sentences until it has `MAX_SENTENCES`, or until `TASK_BUDGET` characters are
   used once it has `MIN_SENTENCES`. Each is credited to its department (the name is put in
   front unless the sentence starts with it; a department's second sentence follows unnamed).
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from luoshi.documents.services import ConsolidatedReport
from luoshi.reporting.builder import SAMPLE_MARK
from luoshi.reporting.rollup import BEHIND, LATE, MISSING

MIN_SENTENCES = 2
MAX_SENTENCES = 4
SENTENCE_LIMIT = 32
TASK_BUDGET = 36
# Above this many targets the brief's table shows only those not green (the rest are counted).
TARGET_ROWS = 12
# How many distinct problems and next steps the brief names.
MAX_PROBLEMS = 2
MAX_BEHIND = 2
MAX_NEXT_STEPS = 1
# How many departments a problem or a next step names before "等N个部门".
NAMED_DEPARTMENTS = 2
# How many departments behind schedule or with red targets are named (missing and late: all).
NAMED_FLAGS = 5

LEADING_DATE = re.compile(
    r"^(?:(?:\d{4}年)?\d{1,2}月(?:份|以来|中旬|上旬|下旬)?[，,]|(?:本月|本期|近期|当月)(?:以来)?[，,]?)\s*"
)
SELF = re.compile(r"^(?:我局|我委|我办|本局|本委|本单位|我单位)")
# A number that is not a year, a month, a day or an ordinal: 1200个, 35%, 3.5亿元, 第2批 too.
FIGURE = re.compile(r"(?<![\d.])\d+(?:[.,]\d+)*(?![\d.,]*\s*(?:年|月|日|时|号))")


QUOTED = re.compile(r"“[^”]*”")
# A leading clause that only says what the work was about (围绕“…”，按照…，): dropped first.
CONTEXT = re.compile(r"^(?:围绕|按照|根据|依据|对照|为了|为)")


def has_figures(text: str) -> bool:
    """A number outside quotation marks (a quote repeats the plan, not the month's facts)."""
    return FIGURE.search(QUOTED.sub("", text)) is not None


def sentences_of(text: str) -> list[str]:
    """The sentences of a progress text, cleaned as rule 1 says."""
    text = text.replace(SAMPLE_MARK, "").strip()
    out = []
    for raw in _split(text, "。！？；!?;"):
        sentence = LEADING_DATE.sub("", raw.strip())
        sentence = SELF.sub("", sentence).strip("，, ")
        if len(sentence.rstrip("。！？；!?;")) >= 4:
            out.append(sentence)
    return out


def trimmed(sentence: str, limit: int = SENTENCE_LIMIT) -> str:
    """Rule 3: a long sentence keeps its first clause and its clauses with figures that fit."""
    body = sentence.rstrip("。！？；!?;")
    if len(body) <= limit:
        return body + "。"
    clauses = _clauses(body)
    while len(clauses) > 1 and CONTEXT.match(clauses[0]) and not has_figures(clauses[0]):
        clauses.pop(0)
    kept = [clauses[0]]
    for clause in clauses[1:]:
        if has_figures(clause) and len("".join(kept)) + len(clause) <= limit:
            kept.append(clause)
    text = "".join(kept).rstrip("，,、")
    if len(text) > limit:
        text = text[:limit].rstrip("，,、") + "……"
    return text + "。"


def _clauses(body: str) -> list[str]:
    return _split(body, "，,、")


def _split(text: str, marks: str) -> list[str]:
    """`text` cut after each of `marks`, never inside “quotes” or （brackets）."""
    parts, start, depth = [], 0, 0
    for index, char in enumerate(text):
        depth += {"“": 1, "”": -1, "（": 1, "）": -1}.get(char, 0)
        if char in marks and depth <= 0:
            parts.append(text[start : index + 1])
            start = index + 1
    if start < len(text):
        parts.append(text[start:])
    return parts


@dataclass
class Candidate:
    department: str
    sentence: str
    figures: bool


def task_candidates(sections) -> list[Candidate]:
    """Every usable sentence of a task's included texts, with figures first (rule 2)."""
    seen, found = set(), []
    for section in sections:
        for text in section.texts:
            for sentence in sentences_of(text.progress):
                key = sentence.rstrip("。！？；!?;")
                if key in seen:
                    continue
                seen.add(key)
                found.append(Candidate(text.name, sentence, has_figures(sentence)))
    return [c for c in found if c.figures] + [c for c in found if not c.figures]


def task_paragraph(sections) -> str:
    """Two to four sentences of a key task's entries (rule 4); "" when nothing was reported."""
    chosen, used = [], 0
    for candidate in task_candidates(sections):
        if len(chosen) >= MAX_SENTENCES:
            break
        if len(chosen) >= MIN_SENTENCES and used >= TASK_BUDGET:
            break
        sentence = trimmed(candidate.sentence)
        chosen.append((candidate.department, sentence))
        used += len(sentence)
    parts, previous = [], None
    for department, sentence in chosen:
        if department != previous and not sentence.startswith(department):
            sentence = department + sentence
        parts.append(sentence)
        previous = department
    return "".join(parts)


@dataclass
class Grouped:
    text: str
    departments: list[str] = field(default_factory=list)

    @property
    def said_by(self) -> str:
        """（市商务局、市财政局、市税务局等5个部门）"""
        names = "、".join(self.departments[:NAMED_DEPARTMENTS])
        more = len(self.departments) - NAMED_DEPARTMENTS
        return f"（{names}等{len(self.departments)}个部门）" if more > 0 else f"（{names}）"


def grouped(pairs, limit: int) -> tuple[list[Grouped], int]:
    """The same text said by several departments, once with their names; the most said first.
    Returns the `limit` first and how many distinct texts there were."""
    by_text: dict[str, Grouped] = {}
    for department, text in pairs:
        key = text.strip().rstrip("。；;")
        if not key:
            continue
        group = by_text.setdefault(key, Grouped(key))
        if department not in group.departments:
            group.departments.append(department)
    ordered = sorted(by_text.values(), key=lambda g: -len(g.departments))
    return ordered[:limit], len(ordered)


@dataclass
class Flag:
    reason: str
    departments: list[str]
    more: int = 0  # how many more departments, not named

    @property
    def said(self) -> str:
        names = "、".join(self.departments)
        return f"{names}等{len(self.departments) + self.more}个部门" if self.more else names


@dataclass
class Brief:
    report: ConsolidatedReport
    paragraphs: list[tuple[object, str, bool]]  # (key task, paragraph, accepted by a person)
    lights: Counter
    problems: list[Grouped]
    problem_count: int
    behind: list[Grouped]
    next_steps: list[Grouped]
    flags: list[Flag]
    districts: list[str] = field(default_factory=list)  # one sentence per measure


def light_counts(report: ConsolidatedReport) -> Counter:
    counts = Counter({"green": 0, "yellow": 0, "red": 0, "none": 0})
    counts.update(row.light.colour for row in report.targets)
    return counts


def build_brief(report: ConsolidatedReport, accepted: dict[int, str] | None = None) -> Brief:
    """The brief of `report`; `accepted` maps a key task's id to the paragraph the coordinator
    accepted for this period (it replaces the rule-based one)."""
    accepted = accepted or {}
    paragraphs = []
    for task, sections in report.tasks:
        if task.pk in accepted:
            paragraphs.append((task, accepted[task.pk], True))
        else:
            paragraphs.append((task, task_paragraph(sections), False))
    texts = [t for _task, sections in report.tasks for s in sections for t in s.texts]
    problems, problem_count = grouped(((t.name, t.problems) for t in texts), MAX_PROBLEMS)
    behind, _count = grouped(((t.name, t.behind_reason) for t in texts), MAX_BEHIND)
    next_steps, _count = grouped(((t.name, t.next_steps) for t in texts), MAX_NEXT_STEPS)
    return Brief(
        report=report,
        paragraphs=paragraphs,
        lights=light_counts(report),
        problems=problems,
        problem_count=problem_count,
        behind=behind,
        next_steps=next_steps,
        flags=flags_of(report, texts),
        districts=district_sentences(report),
    )


# What the brief says of a district behind or late (luoshi.reporting.rollup's reasons).
DISTRICT_REASONS = {MISSING: "逾期未报送", LATE: "逾期报送", BEHIND: "进度滞后"}


def district_sentences(report: ConsolidatedReport) -> list[str]:
    """Per measure of the plan with districts behind or late, one sentence naming them by
    reason (措施十、3.：南区逾期未报送；西区逾期报送), never their texts; in the plan's order."""
    if report.districts is None:
        return []
    sentences = []
    for measure, _reported, lagging in report.districts.summary():
        if lagging:
            said = "；".join(
                "、".join(names) + DISTRICT_REASONS[why]
                for why, names in report.districts.lagging(measure.pk)
            )
            sentences.append(f"措施{measure.code}：{said}。")
    return sentences


def _counted(reason: str, counts: Counter) -> Flag:
    """The departments with the most first, `NAMED_FLAGS` of them named with their count."""
    named = [f"{name}{n}项" for name, n in counts.most_common(NAMED_FLAGS)]
    return Flag(reason, named, max(len(counts) - NAMED_FLAGS, 0))


def flags_of(report: ConsolidatedReport, texts) -> list[Flag]:
    """Departments to watch, by reason: every one missing or late; those with the most measures
    behind schedule and the most red targets."""
    figures = report.figures
    behind = Counter(t.name for t in texts if t.behind)
    red = Counter(row.owner for row in report.targets if row.light.colour == "red" and row.owner)
    flags = [
        Flag("逾期未报送", figures.missing_names),
        Flag("逾期报送", figures.late_names),
        _counted("有推进措施进度滞后", behind),
        _counted("有量化指标红灯", red),
    ]
    return [flag for flag in flags if flag.departments]
