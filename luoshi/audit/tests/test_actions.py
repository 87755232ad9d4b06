"""Every action the audit log records is registered, with a label the log page shows; an
unregistered code is refused, so a typo fails here rather than in the log."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from luoshi.audit.actions import ACTIONS, EVENT_CODES
from luoshi.audit.models import AuditRecord
from luoshi.audit.services import record_change, record_event

ROOT = Path(__file__).resolve().parents[3]

# The functions that write audit records, with the position of their action argument. A
# function passing its own parameter on as the action is added while the code is read
# (reporting's `_transition`); the bench writes records as record_change does (`_audit`).
RECORDERS = {"record_change": 1, "record_event": 1, "_audit": 2}


def _modules():
    for base in (ROOT / "luoshi", ROOT / "bench"):
        for path in sorted(base.rglob("*.py")):
            if "tests" not in path.parts and "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(encoding="utf-8"))


def _functions(tree):
    return [
        node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _action_argument(call: ast.Call, position: int):
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == "action"), None)


def _assigned(function, name: str) -> list:
    """The values assigned to `name` in `function`, unpacking `a, b = "x", {}`."""
    values = []
    for node in ast.walk(function):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == name:
                values.append(node.value)
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                for item, value in zip(target.elts, node.value.elts, strict=False):
                    if isinstance(item, ast.Name) and item.id == name:
                        values.append(value)
    return values


def _codes(expression, function, where: str, forwarders: dict) -> set[str]:
    """The action codes `expression` can hold, read from the code; AssertionError if unknown."""
    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        return {expression.value}
    if isinstance(expression, ast.IfExp):
        return _codes(expression.body, function, where, forwarders) | _codes(
            expression.orelse, function, where, forwarders
        )
    if isinstance(expression, ast.Name) and function is not None:
        parameters = [a.arg for a in function.args.args]
        if expression.id in parameters:  # passed on: the callers name the action
            forwarders[function.name] = parameters.index(expression.id)
            return set()
        values = _assigned(function, expression.id)
        if values:
            return set().union(*(_codes(v, function, where, forwarders) for v in values))
    raise AssertionError(
        f"{where}: the audit action should be a literal: {ast.unparse(expression)}"
    )


def recorded_codes() -> dict[str, set[str]]:
    """{code: the places that record it}, for every call writing an audit record."""
    modules = list(_modules())
    recorders = dict(RECORDERS)
    while True:
        found, forwarders = {}, {}
        for path, tree in modules:
            for function in _functions(tree):
                for call in ast.walk(function):
                    if not isinstance(call, ast.Call) or _called_name(call) not in recorders:
                        continue
                    argument = _action_argument(call, recorders[_called_name(call)])
                    where = f"{path.relative_to(ROOT)}:{call.lineno}"
                    assert argument is not None, f"{where}: no action given"
                    for code in _codes(argument, function, where, forwarders):
                        found.setdefault(code, set()).add(where)
        new = {name: i for name, i in forwarders.items() if name not in recorders}
        if not new:
            return found
        recorders |= new


def test_every_action_recorded_in_the_code_is_registered():
    found = recorded_codes()
    assert "submit for sign-off" in found  # through reporting's _transition()
    unregistered = {code: sorted(where) for code, where in found.items() if code not in ACTIONS}
    assert unregistered == {}


def test_every_registered_action_is_recorded_somewhere():
    assert sorted(set(ACTIONS) - set(recorded_codes())) == []


def test_an_unregistered_action_is_refused(db, coordinator):
    with pytest.raises(ValueError, match="start_draft"):
        record_change(coordinator, "start_draft", coordinator)
    with pytest.raises(ValueError, match="logged in"):
        record_event(coordinator, "logged in")
    assert not AuditRecord.objects.filter(action__in=["start_draft", "logged in"]).exists()


def test_sessions_refusals_exports_and_account_chores_change_no_data():
    assert set(EVENT_CODES) == {
        "login",
        "logout",
        "login_failed",
        "session_expired",
        "denied",
        "export",
        "draft paragraph",  # asking the office's model for a brief paragraph changes nothing
        "read notifications",
        "change_password",
        "reset_password",
        "enrol_2fa",
        "unlock",
        "backup",
    }
    assert all(str(action.label) for action in ACTIONS.values())


def test_the_log_shows_and_finds_actions_by_their_label(client_for, audit_admin, coordinator):
    record_event(coordinator, "login_failed", username="coordinator", object_type="orgs.user")
    client = client_for(audit_admin)
    page = client.get(reverse("audit:log")).content.decode()
    assert '<td title="login_failed">登录失败</td>' in page
    found = client.get(reverse("audit:log"), {"q": "登录失败"})
    assert [r.action for r in found.context["page"]] == ["login_failed"]
    found = client.get(reverse("audit:log"), {"q": "login_failed"})  # the code still finds it
    assert [r.action for r in found.context["page"]] == ["login_failed"]


def test_the_export_keeps_the_code_and_adds_the_label_last(client_for, audit_admin, coordinator):
    record_event(coordinator, "denied", object_type="http.request", object_repr="GET /x/")
    export = client_for(audit_admin).get(reverse("audit:export"), {"q": "GET /x/"})
    rows = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert rows[0] == "时间,用户,单位,操作,对象,变更内容,操作名称,对象标识"
    assert rows[1].split(",")[3] == "denied" and rows[1].endswith(",拒绝访问,http.request#")
