"""The audit log in words: an object as its kind and name, a change as 字段：旧值 → 新值.

Read from what the record holds (its object type, name and changes) and from the models' own
verbose names and choices, never from the database: the log page costs the same queries
however many records it shows. The page and the CSV export say the same words.
"""

import datetime as dt

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import pgettext, pgettext_lazy

from luoshi.audit.actions import ACTIONS

EMPTY = "—"

# The object types recorded that are no model.
KINDS = {
    "http.request": pgettext_lazy("audit object", "Request"),
    "system.backup": pgettext_lazy("audit object", "Backup"),
}

# The keys of `changes` that are no field of the object's model (a field says its own
# verbose name).
KEYS = {
    "ip": pgettext_lazy("audit change", "IP address"),
    "prompt": pgettext_lazy("audit change", "Prompt"),
    "answer": pgettext_lazy("audit change", "Answer"),
    "model": pgettext_lazy("audit change", "Model"),
    "error": pgettext_lazy("audit change", "Error"),
    "draft": pgettext_lazy("audit change", "Draft"),
    "status": pgettext_lazy("audit change", "Status"),
    "reason": pgettext_lazy("audit change", "Reason"),
    "count": pgettext_lazy("audit change", "Number"),
    "failures_cleared": pgettext_lazy("audit change", "Failed logins cleared"),
    "rows": pgettext_lazy("audit change", "Rows"),
    "created_at": pgettext_lazy("audit change", "Made at"),
    "department": pgettext_lazy("audit change", "Department"),
    "message": pgettext_lazy("audit change", "Message"),
    "deadline": pgettext_lazy("audit change", "Deadline"),
    "withdrawn_at": pgettext_lazy("audit change", "Withdrawn at"),
    "withdrawn": pgettext_lazy("audit change", "Withdrawn"),
    "replaced": pgettext_lazy("audit change", "Replaced by a new publication"),
    "source": pgettext_lazy("audit change", "Source file"),
    "file": pgettext_lazy("audit change", "File"),
    "sha256": pgettext_lazy("audit change", "SHA-256 checksum"),
    "edit": pgettext_lazy("audit change", "Edit"),
    "key_tasks": pgettext_lazy("audit change", "Key tasks"),
    "measures": pgettext_lazy("audit change", "Measures"),
    "entries": pgettext_lazy("audit change", "Entries"),
    "periods": pgettext_lazy("audit change", "Periods"),
    "expected reports added": pgettext_lazy("audit change", "Expected reports added"),
    "expected reports removed": pgettext_lazy("audit change", "Expected reports removed"),
    "entries added or removed": pgettext_lazy("audit change", "Entries added or removed"),
    "accepted reports": pgettext_lazy("audit change", "Accepted reports"),
    "attachment": pgettext_lazy("audit change", "Attachment"),
    "totp": pgettext_lazy("audit change", "Authenticator app"),
    "password": pgettext_lazy("audit change", "Password"),
    "comment": pgettext_lazy("audit change", "Comment"),
    "q": pgettext_lazy("audit change", "Search"),
    "start": pgettext_lazy("audit change", "From"),
    "end": pgettext_lazy("audit change", "To"),
    "plan": pgettext_lazy("audit change", "Plan"),
    "period": pgettext_lazy("audit change", "Period"),
}

# Coded values of those keys, as people say them.
VALUES = {
    ("reason", "idle"): pgettext_lazy("audit change", "idle for too long"),
    ("reason", "absolute"): pgettext_lazy("audit change", "logged in for too long"),
    ("status", 403): pgettext_lazy("audit change", "403 not allowed"),
    ("status", 404): pgettext_lazy("audit change", "404 not found or not yours"),
    ("totp", "confirmed"): pgettext_lazy("audit change", "turned on"),
}


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_words(object_type: str, object_repr: str) -> str:
    """The object as people name it: 用户 张三, 请求 /plans/5/; never a table name or an id."""
    if object_type == "http.request":
        method, _space, path = object_repr.partition(" ")
        if not path:
            return f"{KINDS[object_type]} {object_repr}".strip()
        if method in ("GET", "HEAD"):
            return f"{KINDS[object_type]} {path}"
        return pgettext("audit object", "%(kind)s %(path)s (%(method)s)") % {
            "kind": KINDS[object_type],
            "path": path,
            "method": method,
        }
    model = _model(object_type)
    kind = KINDS.get(object_type) or (model._meta.verbose_name if model else "")
    return " ".join(str(part) for part in (kind, object_repr) if part)


def object_types_named(text: str) -> list[str]:
    """The object types whose kind, in the active language, contains `text` (case ignored): what
    the log's search finds when its user types the kind the page shows (用户, 报告)."""
    text = text.casefold()
    kinds = {model._meta.label_lower: model._meta.verbose_name for model in apps.get_models()}
    kinds |= KINDS
    return [label for label, kind in kinds.items() if text in str(kind).casefold()]


def _field(model, key: str):
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    # A reverse relation ("periods" of a plan) says nothing: the key is its count.
    return field if hasattr(field, "verbose_name") else None


def _moment(value: str) -> str:
    """An ISO date-time (2026-11-20 02:30:00+00:00) as local time, to the minute."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):
        return value
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _value(key: str, value, field) -> str:
    if value in (None, "", [], {}):
        return EMPTY
    if field is None and isinstance(value, str | int) and (key, value) in VALUES:
        return str(VALUES[key, value])
    if isinstance(field, models.BooleanField) and value in ("True", "False"):
        value = value == "True"  # recorded as text by some services
    if isinstance(value, bool):
        return pgettext("audit change", "yes") if value else pgettext("audit change", "no")
    if isinstance(value, str) and (isinstance(field, models.DateTimeField) or key.endswith("_at")):
        return _moment(value)
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    if isinstance(value, dict):
        return "，".join(f"{name} {item}" for name, item in value.items())
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def change_lines(object_type: str, action: str, changes: dict) -> list[str]:
    """Each change as 字段：旧值 → 新值 ("—" for nothing); an event's fact (a login's IP
    address) as 字段 值. A field neither side of which holds anything is left out."""
    model = _model(object_type)
    event = action in ACTIONS and not ACTIONS[action].changes_data
    lines = []
    for key, change in changes.items():
        if not isinstance(change, dict):
            change = {"new": change}
        field = _field(model, key)
        if field is not None and field.verbose_name != field.name.replace("_", " "):
            label = field.verbose_name
        else:  # no field, or one without a name of its own (a foreign key's "period")
            label = KEYS.get(key, key)
        old, new = _value(key, change.get("old"), field), _value(key, change.get("new"), field)
        if old == new == EMPTY:
            continue
        if event and old == EMPTY:
            lines.append(f"{capfirst(label)} {new}")
        else:
            lines.append(
                pgettext("audit change", "%(field)s: %(old)s → %(new)s")
                % {"field": capfirst(label), "old": old, "new": new}
            )
    return lines
