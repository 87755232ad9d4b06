"""Reading the responsible-department cell (责任部门) of a plan's table.

A cell lists short names separated by spaces or punctuation, sometimes with the office's other
name in brackets (市发展改革委(市粮食和储备局)), sometimes with a role (市商务局牵头, 市商务局
（牵头）) or a role heading the names after it (牵头单位：市商务局；配合单位：市财政局). Folding
to the canonical short name here is purely textual; the directory maps the remaining aliases
(市住建局 → 市住房城乡建设局) when the plan is stored.
"""

import re

from luoshi.importing.model import ParsedDepartment

# One name ends where a space or list punctuation starts; brackets stay inside the name.
SEPARATORS = re.compile(r"[\s、，,；;：:/]+")
TAGS = re.compile(r"</?p>")

# 市文化和旅游局（市广电局） or 市发展改革委(市粮食和储备局): the bracket names the same office.
BRACKETED_ALIAS = re.compile(r"^(?P<name>.+?)[（(](?P<alias>[^（）()]+)[）)]$")
OFFICE_ENDINGS = ("局", "委", "办", "中心", "部", "厅", "会", "社", "所", "院", "行", "署", "联")

ROLE_MARKERS = (
    (re.compile(r"[（(]?牵头(?:单位|部门)?[）)]?$"), "lead"),
    (re.compile(r"[（(]?(?:配合|参与)(?:单位|部门)?[）)]?$"), "co"),
)
# 责任单位：… heads names without giving them a role.
PLAIN_HEADING = re.compile(r"^责任(?:单位|部门)$")

# 市有关部门, 各有关单位, 相关部门: someone must say which offices are meant.
PLACEHOLDER = re.compile(r"(?:有关|相关)(?:部门|单位)|等部门$|等单位$")
# 各区（市）政府, 各县区: one entry standing for several organizations.
COLLECTIVE = re.compile(r"^各")


def canonical_name(name: str) -> str:
    """The short name with a bracketed alias of the same office folded away."""
    match = BRACKETED_ALIAS.match(name)
    if match and match["name"].endswith(OFFICE_ENDINGS):
        return match["name"]
    return name


def kind_of(name: str) -> str:
    if PLACEHOLDER.search(name):
        return "placeholder"
    if COLLECTIVE.match(name):
        return "collective"
    return "department"


def _with_role(token: str) -> tuple[str, str | None]:
    """The name without its role marker, and the role; the name is empty for a bare role."""
    for pattern, role in ROLE_MARKERS:
        stripped = pattern.sub("", token)
        if stripped != token:
            return stripped, role
    return token, None


def _entries(cell: str) -> list[tuple[str, str | None]]:
    """(canonical name, role) for every name of a cell as written, repeats included."""
    entries: list[tuple[str, str | None]] = []
    heading_role = None
    for token in SEPARATORS.split(TAGS.sub(" ", cell)):
        if not token:
            continue
        if PLAIN_HEADING.match(token):
            heading_role = None
            continue
        name, role = _with_role(token)
        if name:
            entries.append((canonical_name(name), role or heading_role))
        elif token.startswith(("（", "(")):  # 市商务局 （牵头）: the role of the name before
            if entries:
                entries[-1] = (entries[-1][0], role)
        else:  # 牵头单位：市商务局
            heading_role = role
    return entries


def split_departments(cell: str) -> list[ParsedDepartment]:
    """The departments of one cell in the order written, each once."""
    found: dict[str, ParsedDepartment] = {}
    for name, role in _entries(cell):
        if name not in found:
            found[name] = ParsedDepartment(name=name, role=role, kind=kind_of(name))
    return list(found.values())


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
