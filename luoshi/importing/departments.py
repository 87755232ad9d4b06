"""Reading a list of responsible departments (责任部门) as plans write it.

A list names short names separated by spaces or punctuation (、，；), sometimes joined by 及/和
(市发展改革委和市财政局), sometimes with the office's other name in brackets
(市发展改革委(市粮食和储备局)), with a role after the names (市商务局牵头，市财政局、市能源局配合;
市商务局（牵头）) or a heading before them (牵头单位：市商务局；配合单位：市财政局). A 市 written
once may serve the names after it (市发展改革委、财政局、商务局). Brackets are never split:
各县（市、区）政府 is one unit. Folding to the canonical short name here is purely textual; the
directory maps the remaining aliases (市住建局 → 市住房城乡建设局) when the plan is stored.

A document may state a rule once for all its lists (排在第一位的为牵头单位; 各区（市）政府……以下不再
列出); `read_rules` finds it and `split_departments` applies it. A clause stating a rule is never
a unit (具体任务均涉及相关市（州）人民政府，不再做分工), nor a deadline's words (持续推进).

State Council and ministry documents label the fields of a bracket (负责部门：…；适用范围：…):
only the fields that name units are read. Roles also come from verbs: A会同B负责 (A leads, B
takes part), A牵头，B参与, A、B指导 (no role). A collective may hold 、 or brackets of its own:
各区、县级市人民政府 and 各县（市、区）政府（管委会） are one unit each.
"""

import re
from dataclasses import dataclass, field

from luoshi.importing.model import ParsedDepartment

OPENING, CLOSING = "（(〔[［【", "）)〕]］】"
# Where one name ends, outside brackets; the first group also ends a role clause.
CLAUSE_SEPARATORS = "，,；;：:。"
NAME_SEPARATORS = " \t\u3000、/"
TAGS = re.compile(r"</?p>")

# How an office's name ends; a 和/及 joins two names only between two such endings.
OFFICE_ENDINGS = (
    "局",
    "委",
    "办",
    "厅",
    "中心",
    "政府",
    "管委会",
    "委员会",
    "公司",
    "集团",
    "部",
    "会",
    "社",
    "院",
    "所",
    "行",
    "署",
    "联",
    "室",
    "处",
    "站",
    "队",
    "团",
    "校",
    "馆",
    "区",
)
LONE_PREFIXES = ("市", "省", "县", "区", "各")
CONJUNCTIONS = re.compile(r"以及|及|和|与")
# A name opening with one of these already says whose office it is.
ADMINISTRATIVE_PREFIX = re.compile(r"^(?:市|省|县|区|镇|乡|街道|各|国家|中国|中共|共青团|团市委)")
PLACE_WORDS = re.compile(r"[市省县州旗]")
# The first words of a city's departments, written without 市 after a 市-prefixed name
# (市发展改革委、财政局、商务局).
DEPARTMENT_WORDS = (
    "发展",
    "发改",
    "财政",
    "商务",
    "教育",
    "科技",
    "科学技术",
    "工业",
    "工信",
    "经信",
    "公安",
    "民政",
    "司法",
    "人力",
    "人社",
    "自然资源",
    "生态",
    "环保",
    "住房",
    "住建",
    "城乡",
    "城市",
    "城管",
    "交通",
    "水利",
    "水务",
    "农业",
    "农村",
    "文化",
    "文旅",
    "卫生",
    "卫健",
    "退役",
    "应急",
    "审计",
    "国资",
    "市场",
    "体育",
    "统计",
    "医保",
    "医疗",
    "信访",
    "林业",
    "能源",
    "粮食",
    "邮政",
    "税务",
    "气象",
    "供销",
    "总工会",
    "妇联",
    "残联",
    "科协",
    "侨联",
    "文联",
    "机关事务",
    "行政审批",
    "大数据",
    "金融",
    "地方金融",
    "海关",
    "消防",
    "广电",
    "旅游",
    "外办",
    "档案",
    "宣传",
    "组织部",
    "统战",
    "政法",
    "网信",
    "编办",
    "人防",
    "规划",
    "人民银行",
    "融媒体",
    "数据",
    "营商",
    "投资促进",
    "口岸",
    "港航",
    "交警",
    "公积金",
    "住房公积金",
    "红十字",
    "工商联",
    "贸促会",
    "市监",
    "文广",
    "新闻出版",
    "广播电视",
    "检察",
    "法院",
    "中级人民法院",
    "人民检察院",
    "团委",
    "社科联",
    "调查队",
    "党校",
    "史志",
    "机要",
    "保密",
    "民族宗教",
    "民宗",
    "侨务",
    "外事",
    "招商",
    "自贸",
    "综合执法",
    "综合行政执法",
    "园林",
    "环卫",
    "港口",
    "交通",
    "畜牧",
    "渔业",
    "海洋",
    "储备",
    "药监",
    "食药",
    "知识产权",
    "中医药",
    "疾控",
    "乡村振兴",
    "老龄",
    "残疾人",
    "工会",
    "教体",
    "农业农村",
)

ROLE_SUFFIXES = (
    (re.compile(r"[（(]?牵头(?:单位|部门)?[）)]?(?:负责|落实)?$"), "lead"),
    (re.compile(r"[（(]?(?:配合|参与|协助|协同)(?:单位|部门)?[）)]?$"), "co"),
    (
        re.compile(
            r"(?:按职责分工负责|按职责分工|按照职责分工负责|分别负责|共同负责|负责落实|负责|抓好落实|"
            r"落实|指导|组织实施|推进)$"
        ),
        None,
    ),
)
# 责任单位：… heads names without giving them a role; 牵头单位：… and 配合单位：… give theirs.
PLAIN_HEADING = re.compile(r"^(?:责任|主责|实施|负责)(?:单位|部门)$")
# A labelled field of a bracket that names no unit: （负责部门：…；适用范围：…自贸试验区）.
OTHER_FIELD = re.compile(r"^[^：:，,；;、]{2,8}[:：]")
UNIT_FIELD = re.compile(
    r"^(?:牵头|责任|配合|参与|协办|主责|协助|主办|落实|实施|负责)(?:单位|部门)?\s*[:：]"
)
# A sentence of a list that states a rule rather than naming units: 排在第一位的部门为牵头部门;
# 具体任务均涉及相关市（州）人民政府，不再做分工.
RULE_CLAUSE = re.compile(r"不再|涉及|排在|排名|列第|第一位|首位|以下简称|以下统称")
# A 完成时限 cell's words where a department was expected: 持续推进, 长期坚持.
NOT_A_UNIT = re.compile(
    r"^(?:持续|长期|常态化|定期|逐步|分阶段|按年度)(?:推进|坚持|开展|实施)?(?:中)?$|^\d{4}\s*年|^\d{1,2}\s*月"
)
# A heading of a collective cut by its 、 (各区、县级市人民政府): one unit, glued to what follows.
COLLECTIVE_HEAD = re.compile(r"^各(?:区|县|市|镇|乡|街道|县级市|市辖区|旗)$")
# A会同B负责: A leads and B takes part.
TOGETHER = re.compile(
    r"(?P<lead>[^，,；;。:：]+?)会同(?P<co>[^，,；;。:：]+?)(?:共同)?(?:负责|落实|推进|实施)?(?=[，,；;。]|$)"
)
ETC = re.compile(r"等(?:有关|相关)?(?:部门|单位)?$")

# 市有关部门, 各有关单位, 相关部门: someone must say which offices are meant.
PLACEHOLDER = re.compile(r"(?:有关|相关)(?:部门|单位|方面)|^其他(?:部门|单位)")
# 各区（市）政府, 各开发区管委会, 试点城市政府: one entry standing for several organizations.
COLLECTIVE = re.compile(
    r"^各|试点(?:城市|县|区)|^(?:区|县|乡镇|镇街)(?:[（(][^）)]*[）)])?(?:人民)?政府$|各级"
)
# An annotation after a name: （含枣庄高新区，下同）, （以下简称市发展改革委）.
ANNOTATION = re.compile(r"下同|以下简称|以下统称|含|包括")


def top_level_split(text: str, separators: str) -> list[tuple[str, str]]:
    """(piece, the separator that ended it) for the pieces between separators outside brackets."""
    pieces = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char in OPENING:
            depth += 1
        elif char in CLOSING and depth:
            depth -= 1
        if depth == 0 and char in separators:
            pieces.append(("".join(current), char))
            current = []
        else:
            current.append(char)
    pieces.append(("".join(current), ""))
    return pieces


def _top_level_positions(text: str, pattern: re.Pattern) -> list[re.Match]:
    depths = []
    depth = 0
    for char in text:
        if char in OPENING:
            depth += 1
        elif char in CLOSING and depth:
            depth -= 1
        depths.append(depth)
    return [m for m in pattern.finditer(text) if depths[m.start()] == 0]


def _strip_role(token: str) -> tuple[str, str | None, bool]:
    """The name without its role words, the role, and whether the token named a role."""
    for pattern, role in ROLE_SUFFIXES:
        stripped = pattern.sub("", token)
        if stripped != token:
            return stripped, role, True
    return token, None, False


def _looks_like_office(text: str) -> bool:
    name = _strip_role(ETC.sub("", text))[0]
    return len(name) >= 2 and (name.endswith(OFFICE_ENDINGS) or bool(COLLECTIVE.search(name)))


def _split_conjunctions(token: str) -> list[str]:
    """市发展改革委和市财政局 → two names; 市工业和信息化局 stays one (市工业 is no office)."""
    names, at = [], 0
    for match in _top_level_positions(token, CONJUNCTIONS):
        if match.start() < at:
            continue
        left, right = token[at : match.start()], token[match.end() :]
        if _looks_like_office(left) and _looks_like_office(right):
            names.append(left)
            at = match.end()
    return [*names, token[at:]]


def canonical_name(name: str) -> str:
    """The short name, a bracketed alias of the same office or an annotation folded away."""
    name = name.strip()
    while name and name[-1] in CLOSING:
        opened = _opening_of_last_group(name)
        if opened is None:
            break
        before, inside = name[:opened], name[opened + 1 : -1]
        if not (before.endswith(OFFICE_ENDINGS) or (before and ANNOTATION.search(inside))):
            break
        if COLLECTIVE.search(before) and not ANNOTATION.search(inside):
            break  # 各县（市、区）政府（管委会）: the bracket adds units, it names no alias
        name = before.strip()
    return name


def _opening_of_last_group(name: str) -> int | None:
    """Where the bracket group closing a name opens; None when it never does."""
    depth = 0
    for i in range(len(name) - 1, -1, -1):
        if name[i] in CLOSING:
            depth += 1
        elif name[i] in OPENING:
            depth -= 1
            if depth == 0:
                return i
    return None


def kind_of(name: str) -> str:
    if PLACEHOLDER.search(name):
        return "placeholder"
    if COLLECTIVE.search(name):
        return "collective"
    return "department"


@dataclass
class DocumentRules:
    """What a document states once for all its department lists."""

    first_is_lead: bool = False  # 排在第一位的为牵头单位
    others_are_co: bool = False  # ……其他为配合单位
    always: list[ParsedDepartment] = field(default_factory=list)  # ……以下不再列出


FIRST_IS_LEAD = re.compile(
    r"(?:排在?|列在?|排名)?(?:第一位|第一个|首位|首个|第一)(?:的|者|单位|部门)*(?:为|是)"
    r"(?:牵头|主责)(?:单位|部门)"
    r"|(?:牵头|主责)(?:单位|部门)(?:排|列)在?(?:第一位|首位)"
)
OTHERS_ARE_CO = re.compile(
    r"(?:其他|其余|其它)(?:的|单位|部门)*(?:为|是)(?:配合|参与)(?:单位|部门)"
)
# （市商务局牵头，各区（市）政府负责落实，下同）: the clause before 下同 holds for the rest.
SAME_BELOW = re.compile(r"^(?:以)?下同$")
NOT_LISTED_AGAIN = re.compile(r"(?:以下|下文|后文)?不再(?:一一)?(?:列出|列举|重复|单独列出)")
# The subject of 各区（市）政府是各项任务的责任主体，以下不再列出: the names before the verb.
SUBJECT_END = re.compile(r"(?:均|都|是|为|作为|负责|承担|要|对)")


def read_rules(text: str) -> DocumentRules:
    """The rules for department lists a document states once (in simplified characters)."""
    rules = DocumentRules()
    for clause in _clauses_before_same_below(text):
        if re.search(r"牵头|配合|负责|落实|责任", clause):
            rules.always.extend(
                ParsedDepartment(d.name, None, d.kind)
                for d in split_departments(clause)
                if d.kind != "placeholder" and _looks_like_office(d.name)
            )
    for sentence in re.split(r"[。\n]", text):
        if FIRST_IS_LEAD.search(sentence):
            rules.first_is_lead = True
            rules.others_are_co = bool(OTHERS_ARE_CO.search(sentence))
        match = NOT_LISTED_AGAIN.search(sentence)
        if match:
            for clause, _ in reversed(top_level_split(sentence[: match.start()], "，,；;")):
                subject = SUBJECT_END.split(clause, maxsplit=1)[0]
                found = [
                    ParsedDepartment(d.name, None, d.kind)
                    for d in split_departments(subject)
                    if d.kind != "placeholder" and _looks_like_office(d.name)
                ]
                if found:
                    rules.always.extend(found)
                    break
    return rules


def _clauses_before_same_below(text: str) -> list[str]:
    """The clause before a closing 下同 in every bracket of a text that has one."""
    found = []
    depth, opened = 0, 0
    for i, char in enumerate(text):
        if char in OPENING:
            if depth == 0:
                opened = i
            depth += 1
        elif char in CLOSING and depth:
            depth -= 1
            if depth == 0:
                pieces = [p.strip() for p, _ in top_level_split(text[opened + 1 : i], "，,；;")]
                same_below = len(pieces) > 1 and SAME_BELOW.match(pieces[-1])
                if same_below and pieces[-2] and not ANNOTATION.match(pieces[-2]):
                    found.append(pieces[-2])
    return found


def _entries(cell: str) -> list[tuple[str, str | None]]:
    """(canonical name, role) for every name of a list as written, repeats included.

    A role written after names (市商务局、市财政局配合) is the role of the names since the last
    role in the same clause; a heading (牵头单位：) gives the names after it its role.
    """
    names: list[str] = []
    roles: list[str | None] = []
    heading_role: str | None = None
    has_heading = False
    pending: list[int] = []  # names of this clause still waiting for a role
    prefix = ""
    for clause, separator in top_level_split(_unit_fields(TAGS.sub(" ", cell)), CLAUSE_SEPARATORS):
        clause_names: list[str] = []
        if RULE_CLAUSE.search(_outside_brackets(clause)):
            clause = ""  # not 市发展改革委（以下简称市发改委）
        glued = ""  # 市 商务局: a prefix the extraction cut off its name
        for piece, cut in top_level_split(clause, NAME_SEPARATORS):
            piece = piece.strip()
            if piece in LONE_PREFIXES:
                glued += piece
                continue
            if glued.endswith("、") and piece.startswith("各"):  # 各区、各部门: two units
                clause_names.append(glued[:-1])
                glued = ""
            if COLLECTIVE_HEAD.match(glued + piece) and cut == "、":
                glued += piece + cut
                continue
            if piece:
                clause_names.extend(_split_conjunctions(glued + piece))
                glued = ""
        for token in clause_names:
            token = re.sub(r"^(?:由|请)", "", token.strip())
            if not token or SAME_BELOW.match(token) or NOT_A_UNIT.match(token):
                continue
            if PLAIN_HEADING.match(token):
                heading_role, has_heading, pending = None, True, []
                continue
            name, role, marked = _strip_role(token)
            name = canonical_name(ETC.sub("", name))
            if not name:
                if not marked:
                    continue
                if token[0] in OPENING or not (separator in "：:" and token is clause_names[-1]):
                    before = pending or ([len(names) - 1] if names else [])
                    for k in before:  # 市商务局 （牵头）: the names before
                        roles[k] = role
                    pending = []
                else:  # 牵头单位：市商务局
                    heading_role, has_heading, pending = role, True, []
                continue
            if (
                name.startswith("市")
                and not name.startswith("市场")
                and not PLACEHOLDER.search(name)
            ):
                prefix = "市"
            elif (
                prefix
                and name.startswith(DEPARTMENT_WORDS)  # 城市管理局, 乡村振兴局
                and not PLACE_WORDS.search(name.replace("城市", ""))  # 人民银行广州分行
                and not name.endswith(("总局", "部"))  # 市场监管总局、商务部: a ministry
            ):
                name = prefix + name
            elif ADMINISTRATIVE_PREFIX.match(name) or PLACE_WORDS.search(name):
                prefix = ""
            names.append(name)
            roles.append(role if marked else heading_role)
            if marked:
                for k in pending:
                    roles[k] = role
                pending = []
            elif not has_heading:
                pending.append(len(names) - 1)
        if separator not in NAME_SEPARATORS:
            pending = []
        if separator in "；;。":
            has_heading, heading_role = False, None
    return list(zip(names, roles, strict=True))


def _outside_brackets(text: str) -> str:
    kept, depth = [], 0
    for char in text:
        if char in OPENING:
            depth += 1
        elif char in CLOSING and depth:
            depth -= 1
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


def _owned_office(name: str) -> bool:
    """市商务局, 商务部: an office's name, not a field's label (实施地区)."""
    owned = ADMINISTRATIVE_PREFIX.match(name) or name.startswith(DEPARTMENT_WORDS)
    return bool(owned) and name.endswith(OFFICE_ENDINGS)


def _other_field(text: str) -> bool:
    """适用范围：… is a field naming no unit; 牵头单位：… and 市商务局：… name one."""
    label = OTHER_FIELD.match(text.strip())
    return bool(label) and not UNIT_FIELD.match(text.strip()) and not _owned_office(label[0][:-1])


def other_fields(inside: str) -> str:
    """The labelled fields of a bracket that name no unit (适用范围：上海自贸试验区), joined."""
    fields = [text.strip() for text, _ in top_level_split(inside, "；;")]
    return "；".join(text for text in fields if _other_field(text))


def _unit_fields(cell: str) -> str:
    """The list without the labelled fields of a bracket that name no unit (适用范围：…), and
    with A会同B负责 written as the roles it gives (A牵头，B配合)."""
    text = "".join(
        field_text + separator
        for field_text, separator in top_level_split(cell, "；;")
        if not _other_field(field_text)
    ).rstrip("；;")
    if "会同" not in text:
        return text
    return "".join(
        TOGETHER.sub(r"\g<lead>牵头，\g<co>配合", piece) + separator
        for piece, separator in top_level_split(text, "，,；;。")
    )


def split_departments(cell: str, rules: DocumentRules | None = None) -> list[ParsedDepartment]:
    """The departments of one list in the order written, each once."""
    found: dict[str, ParsedDepartment] = {}
    for name, role in _entries(cell):
        if name not in found:
            found[name] = ParsedDepartment(name=name, role=role, kind=kind_of(name))
    departments = list(found.values())
    # A role written in the list, or 按职责分工负责, is more specific than the document's rule.
    explicit = any(d.role for d in departments) or "职责分工" in cell
    if rules and rules.first_is_lead and departments and not explicit:
        departments[0].role = "lead"
        if rules.others_are_co:
            for department in departments[1:]:
                department.role = "co"
    return departments


def names_in_order(cell: str) -> list[str]:
    """Every name of a cell as written, repeats included (a repeat can start a new group)."""
    return [name for name, _ in _entries(cell)]


def groups_by_repeated_name(cell: str) -> list[list[ParsedDepartment]]:
    """Split a shared cell where a name already listed in the current group appears again.

    市商务局 市自然资源和规划局 市商务局 市市场监管局 reads as two lists, each led by 市商务局.
    """
    groups: list[list[str]] = [[]]
    for name in names_in_order(cell):
        if name in groups[-1]:
            groups.append([])
        groups[-1].append(name)
    by_name = {d.name: d for d in split_departments(cell)}
    return [[by_name[name] for name in group] for group in groups if group]


def merge(*lists: list[ParsedDepartment]) -> list[ParsedDepartment]:
    """The union of several department lists, first mention first."""
    found: dict[str, ParsedDepartment] = {}
    for departments in lists:
        for dep in departments:
            found.setdefault(dep.name, dep)
    return [ParsedDepartment(d.name, d.role, d.kind) for d in found.values()]
