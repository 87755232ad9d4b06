"""Edits of an import draft: plain functions on the parsed-plan dict of docs/import-json.md.

Measures are addressed by position: `t` is the index of the key task, `m` the index of the
measure inside it, `i` the index of a department or target inside the measure. Every function
changes `data` in place or raises `EditError` with a message for the coordinator.

The draft keeps a few keys of its own beside the contract: `aliases` ({name written in the
document: existing department it was mapped to}), `new_departments` (unknown names the
coordinator chose to create), `kept` on a placeholder kept on purpose and `accepted` on a
target the coordinator confirmed. `from_dict()` ignores them.
"""

import datetime as dt
import re

from django.utils.translation import gettext as _

from luoshi.importing import (
    ParsedDepartment,
    ParsedMeasure,
    ParsedPlan,
    ParsedTarget,
    ParsedTask,
    ReportingRule,
)
from luoshi.importing.model import COMPARATORS, FREQUENCIES

ROLES = ("lead", "co", None)
# A sentence ends with 。；！？ (or their ASCII forms); the mark stays with its sentence.
SENTENCE = re.compile(r"[^。；！？;!?]+[。；！？;!?]*")


class EditError(ValueError):
    """An edit that cannot be made; the message is shown to the coordinator."""


# --- From the JSON back to the importer's dataclasses -----------------------------------------


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def from_dict(data: dict) -> ParsedPlan:
    """The inverse of `ParsedPlan.to_dict()`; keys outside the contract are ignored."""
    rule = data.get("reporting")
    return ParsedPlan(
        title=data["title"],
        doc_number=data.get("doc_number") or None,
        issue_date=_date(data.get("issue_date")),
        issuers=list(data.get("issuers", [])),
        report_to=data.get("report_to") or None,
        reporting=ReportingRule(
            frequency=rule["frequency"],
            due_day=rule.get("due_day"),
            due_offset_months=rule.get("due_offset_months", 0),
            text=rule.get("text", ""),
        )
        if rule
        else None,
        parent_documents=list(data.get("parent_documents", [])),
        addressees=list(data.get("addressees", [])),
        tasks=[
            ParsedTask(
                no=task["no"],
                label=task["label"],
                title=task["title"],
                measures=[_measure_from_dict(m) for m in task["measures"]],
            )
            for task in data["tasks"]
        ],
    )


def _measure_from_dict(data: dict) -> ParsedMeasure:
    return ParsedMeasure(
        no=data["no"],
        label=data["label"],
        text=data["text"],
        path=list(data.get("path", [])),
        departments=[
            ParsedDepartment(name=d["name"], role=d.get("role"), kind=d.get("kind", "department"))
            for d in data.get("departments", [])
        ],
        needs_review=data.get("needs_review", False),
        deadline=_date(data.get("deadline")),
        targets=[
            ParsedTarget(
                text=t["text"],
                value=t["value"],
                unit=t.get("unit", ""),
                comparator=t["comparator"],
                deadline=_date(t.get("deadline")),
            )
            for t in data.get("targets", [])
        ],
    )


# --- Finding things ---------------------------------------------------------------------------


def get_measure(data: dict, t: int, m: int) -> dict:
    try:
        if t < 0 or m < 0:
            raise IndexError
        return data["tasks"][t]["measures"][m]
    except (IndexError, KeyError, TypeError):
        raise EditError(_("This measure no longer exists; reload the page.")) from None


def _item(items: list, i: int, what: str) -> dict:
    if not 0 <= i < len(items):
        raise EditError(_("This %(what)s no longer exists; reload the page.") % {"what": what})
    return items[i]


def _next_measure(data: dict, t: int, m: int) -> dict:
    measures = data["tasks"][t]["measures"]
    if m + 1 >= len(measures):
        raise EditError(_("This is the last measure of its key task: there is no next measure."))
    return measures[m + 1]


def _renumber(task: dict):
    """Number the measures 1, 2, … again, in the labels too (3、 → 4、)."""
    for no, measure in enumerate(task["measures"], start=1):
        measure["no"] = no
        measure["label"] = re.sub(r"\d+", str(no), measure["label"], count=1)


# --- The header -------------------------------------------------------------------------------


def set_header(data: dict, **fields):
    """Title, document number, issue date (a date), issuers (a list), report_to and the rule."""
    data["title"] = fields["title"]
    data["doc_number"] = fields["doc_number"] or None
    data["issue_date"] = fields["issue_date"].isoformat() if fields["issue_date"] else None
    data["issuers"] = list(fields["issuers"])
    data["report_to"] = fields["report_to"] or None
    if fields["frequency"]:
        if fields["frequency"] not in FREQUENCIES:
            raise EditError(_("Unknown reporting frequency."))
        data["reporting"] = {
            "frequency": fields["frequency"],
            "due_day": fields["due_day"],
            "due_offset_months": fields["due_offset_months"] or 0,
            "text": fields["rule_text"],
        }
    else:
        data["reporting"] = None


# --- A measure's text -------------------------------------------------------------------------


def set_text(data: dict, t: int, m: int, text: str):
    text = text.strip()
    if not text:
        raise EditError(_("A measure needs a text."))
    get_measure(data, t, m)["text"] = text


def set_needs_review(data: dict, t: int, m: int, needs_review: bool):
    get_measure(data, t, m)["needs_review"] = needs_review


def add_measure(data: dict, t: int, text: str):
    """A measure of the coordinator's own at the end of key task `t`, numbered after the last;
    its departments are added like any other's."""
    if not 0 <= t < len(data["tasks"]):
        raise EditError(_("This key task no longer exists; reload the page."))
    text = text.strip()
    if not text:
        raise EditError(_("Write the text of the measure."))
    measures = data["tasks"][t]["measures"]
    no = max((measure["no"] for measure in measures), default=0) + 1
    measures.append(
        {
            "no": no,
            "label": f"{no}.",
            "path": [],
            "text": text,
            "departments": [],
            "needs_review": False,
            "deadline": None,
            "targets": [],
        }
    )


def merge_with_next(data: dict, t: int, m: int):
    """Join a measure and the next one of its task: texts, departments and targets."""
    measure = get_measure(data, t, m)
    following = _next_measure(data, t, m)
    measure["text"] = measure["text"].rstrip() + "\n" + following["text"].lstrip()
    names = {d["name"] for d in measure["departments"]}
    measure["departments"] += [d for d in following["departments"] if d["name"] not in names]
    measure["targets"] += following["targets"]
    deadlines = [d for d in (measure["deadline"], following["deadline"]) if d]
    measure["deadline"] = max(deadlines) if deadlines else None
    measure["needs_review"] = True
    task = data["tasks"][t]
    del task["measures"][m + 1]
    _renumber(task)


def split(data: dict, t: int, m: int, position: int):
    """Cut a measure's text at `position`; the second part becomes a new measure after it."""
    measure = get_measure(data, t, m)
    text = measure["text"]
    first, second = text[:position].rstrip(), text[position:].lstrip()
    if not 0 < position < len(text) or not first or not second:
        raise EditError(
            _("Split at a position inside the text: between 1 and %(last)d.")
            % {"last": len(text) - 1}
        )
    _divide(data, t, m, first, second)


def split_at_paragraph(data: dict, t: int, m: int):
    """Cut a measure at its first line break (where merged measures were joined)."""
    text = get_measure(data, t, m)["text"]
    first, _sep, second = text.partition("\n")
    if not first.strip() or not second.strip():
        raise EditError(_("This measure has only one paragraph."))
    _divide(data, t, m, first.rstrip(), second.strip())


def _divide(data: dict, t: int, m: int, first: str, second: str):
    measure = get_measure(data, t, m)
    new = {
        **measure,
        "text": second,
        "path": list(measure["path"]),
        "departments": [dict(d) for d in measure["departments"]],
        "targets": [x for x in measure["targets"] if _belongs_to(x, second, first)],
        "needs_review": True,
    }
    measure["text"] = first
    measure["targets"] = [x for x in measure["targets"] if x not in new["targets"]]
    measure["needs_review"] = True
    task = data["tasks"][t]
    task["measures"].insert(m + 1, new)
    _renumber(task)


def _belongs_to(target: dict, text: str, other: str) -> bool:
    return target["text"] in text and target["text"] not in other


def move_last_sentence(data: dict, t: int, m: int):
    """Move the last sentence of a measure to the start of the next measure."""
    measure = get_measure(data, t, m)
    following = _next_measure(data, t, m)
    sentences = SENTENCE.findall(measure["text"])
    if len(sentences) < 2:
        raise EditError(_("This measure has only one sentence; merge it instead."))
    last = sentences[-1].strip()
    measure["text"] = "".join(sentences[:-1]).rstrip()
    following["text"] = last + following["text"]
    moving = [x for x in measure["targets"] if _belongs_to(x, last, measure["text"])]
    measure["targets"] = [x for x in measure["targets"] if x not in moving]
    following["targets"] = moving + following["targets"]
    measure["needs_review"] = following["needs_review"] = True


# --- Departments ------------------------------------------------------------------------------


def _check_role(role: str | None):
    if role not in ROLES:
        raise EditError(_("Unknown role."))


def add_department(data: dict, t: int, m: int, name: str, role: str | None, kind: str):
    name = name.strip()
    if not name:
        raise EditError(_("Enter a department."))
    _check_role(role)
    measure = get_measure(data, t, m)
    if any(d["name"] == name for d in measure["departments"]):
        raise EditError(_("%(name)s is listed twice.") % {"name": name})
    measure["departments"].append({"name": name, "role": role, "kind": kind})


def remove_department(data: dict, t: int, m: int, i: int):
    departments = get_measure(data, t, m)["departments"]
    _item(departments, i, _("department"))
    del departments[i]


def set_role(data: dict, t: int, m: int, i: int, role: str | None):
    _check_role(role)
    _item(get_measure(data, t, m)["departments"], i, _("department"))["role"] = role


def _units(measure: dict) -> list[dict]:
    return [d for d in measure["departments"] if d["kind"] != "placeholder"]


def offers_first_is_lead(data: dict, source_text: str) -> bool:
    """Whether to offer “the first listed leads”: the document names no lead anywhere, states
    no rule for it (排在第一位的为牵头单位; 按职责分工负责 says no unit leads) and some measure
    lists several units."""
    if "职责分工" in source_text:
        return False
    found = measures(data)
    return not any(d["role"] == "lead" for m in found for d in m["departments"]) and any(
        len(_units(m)) > 1 for m in found
    )


def first_is_lead(data: dict):
    """The first unit listed for each measure (a placeholder never) leads it, as documents
    that state 排在第一位的为牵头单位 mean; a measure that names its lead keeps it."""
    changed = False
    for measure in measures(data):
        units = _units(measure)
        if units and not any(d["role"] == "lead" for d in measure["departments"]):
            units[0]["role"] = "lead"
            changed = True
    if not changed:
        raise EditError(_("Every measure already names its lead."))


def keep_placeholder(data: dict, t: int, m: int, i: int):
    department = _item(get_measure(data, t, m)["departments"], i, _("department"))
    if department["kind"] != "placeholder":
        raise EditError(_("Only a placeholder can be kept as it is."))
    department["kept"] = True


def expand_collective(data: dict, t: int, m: int, i: int, members: list[tuple[str, str]]):
    """Replace a collective unit by its members (name, kind), with the collective's role."""
    departments = get_measure(data, t, m)["departments"]
    collective = _item(departments, i, _("department"))
    if collective["kind"] != "collective":
        raise EditError(_("Only a collective unit can be expanded."))
    if not members:
        raise EditError(
            _("%(name)s has no members in the department directory yet.")
            % {"name": collective["name"]}
        )
    names = {d["name"] for d in departments}
    replacement = [
        {"name": name, "role": collective["role"], "kind": kind}
        for name, kind in members
        if name not in names
    ]
    departments[i : i + 1] = replacement


def map_name(data: dict, name: str, target: str, kind: str, *, remember: bool):
    """Write `target` (a department of the directory) wherever the plan names `name`."""
    if name == target:
        raise EditError(_("Pick a different department to map to."))
    found = False
    for task in data["tasks"]:
        for measure in task["measures"]:
            kept = []
            for department in measure["departments"]:
                if department["name"] == name:
                    found = True
                    department = {**department, "name": target, "kind": kind}
                    department.pop("kept", None)
                if all(d["name"] != department["name"] for d in kept):
                    kept.append(department)
            measure["departments"] = kept
    if not found:
        raise EditError(_("%(name)s is no longer named in this plan.") % {"name": name})
    if remember:
        data.setdefault("aliases", {})[name] = target
    if name in data.get("new_departments", []):
        data["new_departments"].remove(name)


def create_name(data: dict, name: str):
    """Accept an unknown name as a new department: it is created when the plan is confirmed."""
    if not any(d["name"] == name for measure in measures(data) for d in measure["departments"]):
        raise EditError(_("%(name)s is no longer named in this plan.") % {"name": name})
    new = data.setdefault("new_departments", [])
    if name not in new:
        new.append(name)


def measures(data: dict):
    return [measure for task in data["tasks"] for measure in task["measures"]]


# --- Targets ----------------------------------------------------------------------------------


def accept_target(data: dict, t: int, m: int, i: int):
    _item(get_measure(data, t, m)["targets"], i, _("target"))["accepted"] = True


def edit_target(data: dict, t: int, m: int, i: int, *, value, unit, comparator, deadline):
    target = _item(get_measure(data, t, m)["targets"], i, _("target"))
    if comparator not in COMPARATORS:
        raise EditError(_("Unknown comparator."))
    number = int(value) if value == value.to_integral() else float(value)
    target.update(
        value=number,
        unit=unit,
        comparator=comparator,
        deadline=deadline.isoformat() if deadline else None,
        accepted=True,
    )


def delete_target(data: dict, t: int, m: int, i: int):
    targets = get_measure(data, t, m)["targets"]
    _item(targets, i, _("target"))
    del targets[i]
