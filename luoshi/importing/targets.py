"""Quantitative targets (量化指标) and deadlines read from a measure's words.

Only what the words state: a number with a unit, the comparison its wording gives, and a
deadline when the same sentence names one. Dates, years and eligibility conditions
(对……3家以上……的站点) are not targets.
"""

import calendar
import datetime as dt
import re

from luoshi.importing.model import ParsedTarget

SENTENCE_END = re.compile(r"(?<=[。；;！!])")
CLAUSE_END = re.compile(r"(?<=[，,。；;：:])")

UNITS = (
    "个工作日",
    "工作日",
    "小时",
    "%",
    "％",
    "平方米",
    "平方公里",
    "公里",
    "千瓦时",
    "千瓦",
    "立方米",
    "吨",
    "元",
    "组",
    "个",
    "户",
    "家",
    "辆",
    "座",
    "台",
    "处",
    "所",
    "项",
    "件",
    "人次",
    "场次",
    "人",
    "名",
    "场",
    "次",
    "套",
    "条",
    "批",
    "亩",
    "栋",
    "间",
    "张",
    "根",
    "部",
    "类",
    "种",
    "枚",
)
# Up to 15 digits, which a float holds exactly; a longer run of digits is no quantity.
NUMBER = r"(?<![\d.])(?P<value>\d{1,15}(?:\.\d+)?)"
UNIT = r"(?P<unit>(?:万|亿)?(?:" + "|".join(re.escape(u) for u in UNITS) + r"))"
COMPARING = (
    r"不低于|不少于|不超过|不高于|不多于|至少|最少|最多|超过|高于|多于|低于|少于|控制在|达到|达"
)
QUANTITY = re.compile(
    r"(?P<before>(?:最多|最少)?(?:"
    + COMPARING
    + r"))?\s*"
    + NUMBER
    + r"\s*"
    + UNIT
    + r"(?P<after>以上|以下|以内|左右|用于|内)?"
)
# 最多不超过六批: a number in characters, read only after words that compare (一批 is no target).
CN_QUANTITY = re.compile(
    r"(?P<before>(?:最多|最少)?(?:"
    + COMPARING
    + r"))\s*(?P<value>[一二两三四五六七八九十百千]{1,6})\s*"
    + UNIT
    + r"(?P<after>以上|以下|以内|左右)?"
)
CN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
CN_POWER = {"十": 10, "百": 100, "千": 1000}
BEFORE = {
    "最多": "<=",
    "最少": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "至少": ">=",
    "不超过": "<=",
    "不高于": "<=",
    "不多于": "<=",
    "控制在": "<=",
    "超过": ">",
    "高于": ">",
    "多于": ">",
    "低于": "<",
    "少于": "<",
}
AFTER = {"以上": ">=", "以下": "<=", "以内": "<=", "内": "<=", "左右": "=", "用于": "="}

# 对……的站点 / 凡……的企业: a condition on who qualifies, not something to achieve.
CONDITION = re.compile(r"^(?:对于?|凡).*的")

FIVE_YEAR_PLANS = {"十四五": 2025, "十五五": 2030, "十三五": 2020}
DATE = re.compile(
    r"(?P<year>20\d\d)\s*年\s*(?:(?P<month>\d{1,2})\s*月\s*(?:(?P<day>\d{1,2})\s*日)?)?"
)
NOT_A_DEADLINE = ("度", "以后", "后", "起", "以来")  # 2022年度目录, 2021年9月1日以后
FIVE_YEAR = re.compile(r"[“\"]?(?P<plan>十[三四五]五)[”\"]?(?:期间|末|时期)")
EXPLICIT_DEADLINE = re.compile(DATE.pattern + r"\s*(?:底|末)?前")


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _month_end(year: int, month: int) -> dt.date:
    """The last day of the month; ValueError for a month that does not exist (0, 13)."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


# 10月底前 / 年内 / 年底前: dates without a year, read in the year the plan is for.
MONTH_DEADLINE = re.compile(
    r"(?<![\d年.])(?P<month>\d{1,2})\s*月\s*(?:(?P<day>\d{1,2})\s*日)?\s*(?:底|末|份)?\s*(?:以)?前"
)
YEAR_END = re.compile(r"(?<![\d一二三四五六七八九十两每几数多])年(?:内|底前|末前|底)")
# A cell of the 完成时限 column also names a bare year or month: 2022年, 2023年6月.
CELL_DATE = re.compile(
    r"(?P<year>20\d\d)\s*年\s*(?:(?P<month>\d{1,2})\s*月)?|(?P<dash>20\d\d)\s*[-—－~～至到]\s*(?P<until>20\d\d)"
)


def _without_year(sentence: str, year: int | None) -> dt.date | None:
    if year is None:
        return None
    match = MONTH_DEADLINE.search(sentence)
    if match:
        try:
            if match["day"]:
                return dt.date(year, int(match["month"]), int(match["day"]))
            return _month_end(year, int(match["month"]))
        except ValueError:
            return None
    if YEAR_END.search(sentence):
        return dt.date(year, 12, 31)
    return None


def sentence_deadline(sentence: str, year: int | None = None) -> dt.date | None:
    """The date a sentence sets: “十四五”期间 → 2025-12-31, 2025年底前 → 2025-12-31; with the
    plan's `year`, 10月底前 → its October and 年内 → its 31 December."""
    match = FIVE_YEAR.search(sentence)
    if match:
        return dt.date(FIVE_YEAR_PLANS[match["plan"]], 12, 31)
    for match in DATE.finditer(sentence):
        rest = sentence[match.end() :].lstrip()
        if rest.startswith(NOT_A_DEADLINE) or (match["day"] and not rest.startswith("前")):
            continue
        year_, month = int(match["year"]), int(match["month"] or 12)
        try:
            if match["day"]:
                return dt.date(year_, month, int(match["day"]))
            return _month_end(year_, month)
        except ValueError:  # 2023年13月: not a date
            continue
    return _without_year(sentence, year)


def deadline_cell(cell: str, year: int | None = None) -> dt.date | None:
    """The date a 完成时限 cell sets (the latest it names): 2025年底前, 2022年, 2023年6月,
    2023—2025年, “十四五”期间; 10月底前 and 年内 in the plan's `year`; None for 长期坚持."""
    match = FIVE_YEAR.search(cell)
    if match:
        return dt.date(FIVE_YEAR_PLANS[match["plan"]], 12, 31)
    found = []
    for match in CELL_DATE.finditer(cell):
        try:
            if match["dash"]:
                found.append(dt.date(int(match["until"]), 12, 31))
            elif match["month"]:
                found.append(_month_end(int(match["year"]), int(match["month"])))
            else:
                found.append(dt.date(int(match["year"]), 12, 31))
        except ValueError:
            continue
    if found:
        return max(found)
    return _without_year(cell, year)


def _cn_value(text: str) -> int | None:
    """六 → 6, 十二 → 12, 二百五十 → 250; None for what is no number (十十)."""
    total, digit = 0, None
    for char in text:
        if char in CN_DIGIT:
            if digit is not None:
                return None
            digit = CN_DIGIT[char]
        else:
            total += (1 if digit is None else digit) * CN_POWER[char]
            digit = None
    return total + (digit or 0)


def _comparator(match: re.Match) -> str:
    before = match["before"] or ""
    # 最多不超过: the last words compare; 最多 alone is at most.
    words = before.removeprefix("最多").removeprefix("最少") or before
    return BEFORE.get(words) or AFTER.get(match["after"] or "") or ">="


def _clause_targets(clause: str) -> list[tuple[int | float, str, str]]:
    if CONDITION.match(clause.strip()):
        return []
    found = []
    # A date (2021 年 9 月 1 日) never holds a target, but its digits would look like one.
    masked = DATE.sub(lambda m: "年" * len(m.group()), clause)
    for match in QUANTITY.finditer(masked):
        unit = match["unit"].replace("％", "%")
        found.append((match.start(), _number(match["value"]), unit, _comparator(match)))
    for match in CN_QUANTITY.finditer(masked):
        value = _cn_value(match["value"])
        if value:
            found.append((match.start(), value, match["unit"], _comparator(match)))
    return [quantity for _, *quantity in sorted(found)]


def find_targets(text: str, year: int | None = None) -> tuple[list[ParsedTarget], dt.date | None]:
    """The targets of a measure and the measure's deadline (the latest its sentences set);
    `year` is the plan's, for dates written without one (10月底前, 年内)."""
    targets = []
    deadlines = []
    for sentence in filter(None, SENTENCE_END.split(text)):
        deadline = None
        sentence_targets = []
        for clause in filter(None, CLAUSE_END.split(sentence)):
            for value, unit, comparator in _clause_targets(clause):
                sentence_targets.append((clause.rstrip("，,。；;：:"), value, unit, comparator))
        if (
            sentence_targets
            or EXPLICIT_DEADLINE.search(sentence)
            or (year and (MONTH_DEADLINE.search(sentence) or YEAR_END.search(sentence)))
        ):
            deadline = sentence_deadline(sentence, year)
        if deadline:
            deadlines.append(deadline)
        targets.extend(
            ParsedTarget(text=words, value=value, unit=unit, comparator=comp, deadline=deadline)
            for words, value, unit, comp in sentence_targets
        )
    return targets, max(deadlines) if deadlines else None
