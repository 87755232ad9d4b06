"""The covering notice of a plan (版头, 主送, 正文, 成文日期): who issued it, when, under which
number, to whom, implementing what, and how departments report.

Every function takes the document's lines outside the table and reads one thing; none of them
guesses when the words are not there.
"""

import datetime as dt
import re

from luoshi.importing.departments import OFFICE_ENDINGS, top_level_split
from luoshi.importing.model import ReportingRule

DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号")
STANDALONE_DOC_NUMBER = re.compile(r"^\s*" + DOC_NUMBER.pattern + r"\s*$")
ISSUER_LINE = re.compile(r"^[\u4e00-\u9fff（）()]{2,40}$")
DATE_LINE = re.compile(r"^\s*(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日\s*$")
CN_DATE_LINE = re.compile(
    r"^\s*(?P<y>[〇○零一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月"
    r"(?P<d>[一二三四五六七八九十]{1,3})日\s*$"
)
CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}
CN_NUMBER = re.compile(r"(?:(?P<tens>[一二三]?)(?P<ten>十))?(?P<ones>[一二三四五六七八九]?)")
QUOTED_TITLE = re.compile(r"《(?P<title>[^《》]+)》")
# 关于印发枣庄市……工作方案的通知: the plan's title without 《》.
PRINTED_TITLE = re.compile(
    r"印发(?P<title>[^《》]{4,60}?(?:方案|计划|清单|要点|措施|意见|分工))的通知"
)
# A title stands alone: no sentence punctuation, not too long.
TITLE_LIKE = re.compile(
    r"^(?![一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．])"
    r"[^。，,；;：:！？]{4,60}$"
)
ATTACHMENT = re.compile(r"^\s*附\s*件\s*\d*\s*[:：]?\s*$")

# An addressee group starting with 各区（市） or 枣庄高新区 lends that prefix to the short
# names that follow it in the same group
# (各区（市）发展改革局、工业和信息化局 → 各区（市）工业和信息化局).
ADDRESSEE_PREFIX = re.compile(
    r"^(?P<prefix>各[区县市乡镇（）()、]+|\S*?(?:高新区|开发区|新区|园区))\S+"
)

# A unit of its own level, not a department of the prefix's (各镇人民政府、街道办事处).
OWN_UNIT = re.compile(r"^(?:街道|乡镇|乡|镇|社区|村|各)|(?:政府|办事处|管委会)$")

FREQUENCIES = (
    (re.compile(r"每季度|每个季度|季度(?:末|结束)|按季度?"), "quarterly"),
    (re.compile(r"每半年|半年"), "half-yearly"),
    (re.compile(r"每年|每年度|年底前报"), "yearly"),
    (re.compile(r"每月|每个月|次月|按月"), "monthly"),
)
DUE_DAY = re.compile(
    r"(?P<next>次月|下月|次季度首月|下季度首月|次年|结束后|后)?(?:\d{1,2}月)?(?P<day>\d{1,2})日[前内]"
)
REPORT_VERB = re.compile(r"报送|报告|反馈|上报|报至|报给|报|送")
# The longer endings come first, or 市政府办公室 would stop at 市政府办 and 市委组织部 at 市委组.
REPORT_TO = re.compile(
    r"(?:反馈至|反馈给|报送至|报送给|报送|上报至|上报|报至|报给|送至|送|报)"
    r"(?P<to>[市省县区][\u4e00-\u9fff]{1,20}?"
    r"(?:小组办公室|办公室|办公厅|委员会|小组|中心|委|局|办|部|厅|室))"
)


def _nonblank(lines: list[str]) -> list[tuple[int, str]]:
    return [(i, line.strip()) for i, line in enumerate(lines) if line.strip()]


def doc_number(lines: list[str]) -> tuple[str | None, int | None]:
    """The 文号 on a line of its own near the top, and the index of that line."""
    for i, line in _nonblank(lines)[:30]:
        if STANDALONE_DOC_NUMBER.match(line):
            return re.sub(r"\s+", "", line), i
    return None, None


# 关于印发……的通知, with the issuer before it or not; the title has no sentence punctuation.
NOTICE_TITLE = re.compile(r"^(?P<issuer>[^，,。；;：:《]{0,40}?)关于[^，,。；;：:]{2,80}$")
TITLE_ENDINGS = ("通知", "意见", "方案", "函", "决定", "批复", "报告", "计划")


def notice_title_at(lines: list[str]) -> tuple[str, int, int] | None:
    """The 关于……的通知 title wherever it stands near the top, told by its form: the title,
    its first line and the line after it."""
    for i, line in _nonblank(lines)[:30]:
        if not NOTICE_TITLE.match(line):
            continue
        parts, j = [line], i + 1
        while not parts[-1].endswith(TITLE_ENDINGS) and j < len(lines) and len(parts) < 3:
            if not lines[j].strip():
                break
            parts.append(lines[j].strip())
            j += 1
        if parts[-1].endswith(TITLE_ENDINGS):
            return "".join(parts), i, j
    return None


def issuers(
    lines: list[str], number_at: int | None, title: tuple[str, int, int] | None = None
) -> list[str]:
    """The issuing offices, told by their form: the lines naming an office above the end of the
    header (文号 and title, in either order; 枣庄市商务局 文件 → 枣庄市商务局), else the office
    opening the title (广州市人民政府办公厅关于印发……的通知)."""
    ends = [i for i in (number_at, title[2] if title else None) if i is not None]
    if not ends:
        return []
    skipped = {number_at} | (set(range(title[1], title[2])) if title else set())
    names = []
    for i, line in _nonblank(lines[: max(ends)]):
        name = re.sub(r"\s*文\s*件\s*$", "", line)
        if i not in skipped and ISSUER_LINE.match(name) and name.endswith(OFFICE_ENDINGS):
            names.append(name)
    if not names and title:
        opening = NOTICE_TITLE.match(title[0])["issuer"]
        if opening.endswith(OFFICE_ENDINGS):
            names.append(opening)
    return names


def notice_title(lines: list[str], start: int) -> tuple[str, int]:
    """The 关于……的通知 title below the 文号, joined across its lines, and where it ends."""
    parts = []
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    while i < len(lines) and lines[i].strip():
        parts.append(lines[i].strip())
        if parts[-1].endswith(("通知", "意见", "方案", "函")):
            i += 1
            break
        i += 1
    return "".join(parts), i


def addressees(lines: list[str], start: int) -> tuple[list[str], int]:
    """The 主送 units: the lines after the title up to the one ending with a colon."""
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    parts = []
    for j in range(i, min(i + 8, len(lines))):
        line = lines[j].strip()
        if not line:
            break
        parts.append(line)
        if line.endswith(("：", ":")):
            return _split_addressees("".join(parts)[:-1]), j + 1
    return [], start


def _split_addressees(text: str) -> list[str]:
    names = []
    # 各县（市、区）发展改革局: a bracket is never split.
    for group, _ in top_level_split(text, "，,；;"):
        items = [item.strip() for item, _ in top_level_split(group, "、") if item.strip()]
        prefix = ""
        for k, item in enumerate(items):
            if k == 0:
                match = ADDRESSEE_PREFIX.match(item)
                prefix = match["prefix"] if match else ""
            elif prefix and not item.startswith(prefix) and not OWN_UNIT.search(item):
                item = prefix + item  # not 街道办事处: a unit of its own, not the 镇's
            names.append(item)
    return names


def issue_date(lines: list[str]) -> dt.date | None:
    """成文日期: the first date standing on a line of its own (not 2022年9月21日印发)."""
    for _, line in _nonblank(lines):
        match = DATE_LINE.match(line)
        if match:
            parts = int(match["y"]), int(match["m"]), int(match["d"])
        else:
            match = CN_DATE_LINE.match(line)
            if not match:
                continue
            month, day = _cn_number(match["m"]), _cn_number(match["d"])
            if month is None or day is None:
                continue
            parts = int("".join(str(CN_DIGITS[c]) for c in match["y"])), month, day
        try:
            return dt.date(*parts)
        except ValueError:
            continue
    return None


def _cn_number(text: str) -> int | None:
    """一 → 1, 十 → 10, 十二 → 12, 二十一 → 21; None for what no date writes (二二, 十十)."""
    match = CN_NUMBER.fullmatch(text)
    if not text or not match:
        return None
    tens = CN_DIGITS.get(match["tens"], 1) if match["ten"] else 0
    return tens * 10 + CN_DIGITS.get(match["ones"], 0)


def plan_title(lines: list[str], title_of_notice: str) -> str | None:
    """The plan's own title: the line heading the attachment, else the 《》 in the notice's
    title, else the line just above the table."""
    candidates = [line for _, line in _nonblank(lines)]
    for k, line in enumerate(candidates):
        if ATTACHMENT.match(line) and k + 1 < len(candidates):
            return candidates[k + 1]
    match = QUOTED_TITLE.search(title_of_notice) or PRINTED_TITLE.search(title_of_notice)
    if match:
        return match["title"]
    headings = [
        line
        for line in candidates
        if not (
            ATTACHMENT.match(line) or STANDALONE_DOC_NUMBER.match(line) or DATE_LINE.match(line)
        )
    ]
    titles = [line for line in headings if TITLE_LIKE.match(line)]
    return (titles or headings)[-1] if headings else None


def parent_documents(body: str, own_number: str | None) -> list[str]:
    """The document numbers the notice cites, in order, its own number left out."""
    found: dict[str, None] = {}
    for match in DOC_NUMBER.finditer(body):
        number = re.sub(r"\s+", "", match.group())
        if number != own_number:
            found.setdefault(number)
    return list(found)


def reporting(text: str) -> tuple[ReportingRule | None, str | None]:
    """The reporting rule (每月28日前……反馈至市发展改革委) and the office reports go to."""
    for sentence in re.findall(r"[^。；;\n]*[。；;]?", text):
        sentence = sentence.strip()
        if not sentence or not REPORT_VERB.search(sentence):
            continue
        found = [(m.start(), f) for pattern, f in FREQUENCIES if (m := pattern.search(sentence))]
        frequency = min(found)[1] if found else None
        due = DUE_DAY.search(sentence)
        if not frequency or not (due or "报" in sentence or "反馈" in sentence):
            continue
        # 每月5日前报送上月进展: the report for a month is due in the next one.
        offset = 1 if (due and due["next"]) or re.search(r"上月|上季度|上一季度", sentence) else 0
        rule = ReportingRule(
            frequency=frequency,
            due_day=int(due["day"]) if due else None,
            due_offset_months=offset,
            text=sentence,
        )
        to = REPORT_TO.search(sentence)
        return rule, to["to"] if to else None
    return None, None
