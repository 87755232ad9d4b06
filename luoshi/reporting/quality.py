"""Quality flags of a progress-report entry: plain Python (no Django), so that the benchmark
(bench/entry_flags.py) measures the very rules the application applies.

`entry_flags(facts, rules)` returns the codes of what looks weak in one entry's 进展情况:

- `same_as_last`: (nearly) last period's text, with no figure it did not already have;
- `names_other_period`: names an earlier month than the period's ("2026年11月" in December's,
  or a sentence opening with "11月，");
- `same_as_other`: (nearly) another department's text on the same measure this period;
- `no_figures`: the measure has targets, the text has no figure or date;
- `boilerplate`: stock phrases (积极推进, 稳步推进…) and the measure's own words, no fact;
- `status_mismatch`: 已完成 while the text says it is still under way, or the reverse;
- `missing_actual`: a target of the measure has no actual value;
- `too_short`: fewer characters than the minimum.

Only the first two stop a submission (unless the entry is marked 本月无新进展 with a reason);
the others are shown to the reporter, the head and the coordinator.
"""

import datetime
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

FLAGS = (
    "same_as_last",
    "names_other_period",
    "same_as_other",
    "no_figures",
    "boilerplate",
    "status_mismatch",
    "missing_actual",
    "too_short",
)
# The flags that stop an unchanged submission (issue 19, point 1).
BLOCKING = ("same_as_last", "names_other_period")

# Text saying the work goes on, in an entry marked done; text saying it is done, in one that is not.
ONGOING = ("正在", "进行中", "推进中", "尚未", "仍在", "未完成", "等待")
FINISHED = (
    "已全面完成",
    "已全部完成",
    "全部完成",
    "圆满完成",
    "任务已完成",
    "已完成全部",
    "已办结",
)

# A figure: Arabic digits (dates included), or a Chinese number with a measure word (三家, 十二个).
_FIGURE = re.compile(
    r"[0-9０-９]|[一二三四五六七八九十百千万两]+(?:个|家|组|项|辆|座|台|吨|批|次|人|户|处|场|条|名|成|倍)"
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# "2026年11月", not the start of a range ("2026年1月至11月", "2026年1-11月" never matches).
_YEAR_MONTH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*[-—–~～至到]\s*\d)")
# A sentence dated by a bare month, as a copied report opens: "11月，…", "11月份，…".
_SENTENCE_MONTH = re.compile(r"(?:^|[。；;！!\n])\s*(\d{1,2})\s*月份?\s*[，,：:、]")
# Characters a fact needs: at most this many outside stock phrases and the measure's words.
_BOILERPLATE_REST = 6


@dataclass(frozen=True)
class Rules:
    """What the coordinator may tune: the stock phrases and the thresholds."""

    phrases: Sequence[str] = ()
    min_length: int = 15
    # rapidfuzz ratio (0–100) from which two texts are (nearly) the same.
    similarity: float = 90


@dataclass(frozen=True)
class EntryFacts:
    text: str
    status: str  # ReportEntry.Status value: not_started, in_progress, done, behind
    period_start: datetime.date
    period_end: datetime.date
    measure: str = ""
    last_text: str = ""
    other_texts: Sequence[str] = ()
    has_targets: bool = False
    actual_missing: bool = False


def _plain(text: str) -> str:
    """The text without spaces and punctuation: what is compared and counted."""
    return "".join(c for c in text if not unicodedata.category(c).startswith(("P", "Z", "C", "S")))


def is_copy(text: str, other: str, rules: Rules) -> bool:
    """Nearly the same words and not one figure that `other` lacks."""
    a, b = _plain(text), _plain(other)
    if not a or not b or fuzz.ratio(a, b) < rules.similarity:
        return False
    return set(_NUMBER.findall(text)) <= set(_NUMBER.findall(other))


def earlier_months(text: str, start: datetime.date, end: datetime.date) -> list[str]:
    """The months the text names that fall before the period (later ones are plans)."""
    first = (start.year, start.month)
    found = []
    for match in _YEAR_MONTH.finditer(text):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and (year, month) < first:
            found.append(match[0].strip())
    for match in _SENTENCE_MONTH.finditer(text):
        month = int(match[1])
        if not 1 <= month <= 12:
            continue
        year = end.year if month <= end.month else end.year - 1
        if (year, month) < first:
            found.append(f"{month}月")
    return found


def has_figures(text: str) -> bool:
    return bool(_FIGURE.search(text))


def is_boilerplate(text: str, measure: str, phrases: Sequence[str]) -> bool:
    """Stock phrases and the measure's own words with no figure and next to nothing else."""
    plain = _plain(text)
    if not plain or has_figures(plain):
        return False
    covered = [False] * len(plain)
    found = False
    for phrase in filter(None, (_plain(p) for p in phrases)):
        for match in re.finditer(re.escape(phrase), plain):
            found = True
            covered[match.start() : match.end()] = [True] * len(phrase)
    if not found:
        return False
    measure_pairs = {measure[i : i + 2] for i in range(len(measure) - 1)}
    for i in range(len(plain) - 1):
        if plain[i : i + 2] in measure_pairs:
            covered[i] = covered[i + 1] = True
    return covered.count(False) <= _BOILERPLATE_REST


def status_mismatch(text: str, status: str) -> bool:
    if status == "done":
        return any(word in text for word in ONGOING)
    return any(word in text for word in FINISHED)


def entry_flags(facts: EntryFacts, rules: Rules) -> list[str]:
    """The flag codes of one entry, in the order of FLAGS."""
    text = facts.text
    flags = set()
    if facts.last_text and is_copy(text, facts.last_text, rules):
        flags.add("same_as_last")
    if earlier_months(text, facts.period_start, facts.period_end):
        flags.add("names_other_period")
    if any(is_copy(text, other, rules) for other in facts.other_texts if other):
        flags.add("same_as_other")
    if facts.has_targets and not has_figures(text):
        flags.add("no_figures")
    if is_boilerplate(text, _plain(facts.measure), rules.phrases):
        flags.add("boilerplate")
    if status_mismatch(text, facts.status):
        flags.add("status_mismatch")
    if facts.actual_missing:
        flags.add("missing_actual")
    if len(_plain(text)) < rules.min_length:
        flags.add("too_short")
    return [flag for flag in FLAGS if flag in flags]


# The stock phrases the coordinator starts with (a data migration copies them into the
# database, where the coordinator edits them).
DEFAULT_PHRASES = (
    "积极推进",
    "稳步推进",
    "扎实推进",
    "持续推进",
    "全力推进",
    "有序推进",
    "扎实有序推进",
    "有序开展",
    "各项工作",
    "各项措施",
    "高度重视",
    "认真贯彻落实",
    "认真落实",
    "部署要求",
    "按照上级要求",
    "强化组织领导",
    "加强组织领导",
    "加大工作力度",
    "进一步加强",
    "进一步压实",
    "压实主体责任",
    "主体责任",
    "持续加大",
    "督导检查力度",
    "加强统筹协调",
    "狠抓工作落实",
    "狠抓落实",
    "宣传引导",
    "确保按时完成任务",
    "确保完成目标任务",
    "取得明显成效",
    "取得积极成效",
    "取得积极进展",
    "成效明显",
    "效果良好",
)
