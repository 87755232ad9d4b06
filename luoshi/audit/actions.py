"""Every action the audit log records: its code, its label, and whether it changes data.

The code is what `record_change()` and `record_event()` are given and what the record stores
(its digest covers it, so a code is never renamed); the label is what the log page shows. An
action that changes no data (a session, a refusal, an export, a user's own account chores)
leaves the cached pages and dashboards alone (`audit.version`). `record_event()` refuses
a code that is not here, so a typo fails the first test that takes that path.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Action:
    code: str
    label: Promise
    changes_data: bool = True


def _event(code: str, label: Promise) -> Action:
    return Action(code, label, changes_data=False)


ACTIONS: dict[str, Action] = {
    action.code: action
    for action in (
        # Any object: what the changes hold says which fields.
        Action("create", pgettext_lazy("audit action", "Create")),
        Action("change", pgettext_lazy("audit action", "Change")),
        Action("delete", pgettext_lazy("audit action", "Delete")),
        # Plans and their import.
        Action("upload", pgettext_lazy("audit action", "Upload plan file")),
        Action("confirm", pgettext_lazy("audit action", "Confirm import")),
        Action("cancel", pgettext_lazy("audit action", "Cancel import")),
        Action("import", pgettext_lazy("audit action", "Import plan")),
        Action("mark sample data", pgettext_lazy("audit action", "Mark sample data")),
        # Reporting: periods, reports and their workflow, attachments, closures.
        Action("generate periods", pgettext_lazy("audit action", "Generate periods")),
        Action("close", pgettext_lazy("audit action", "Close")),
        Action("grant late entry", pgettext_lazy("audit action", "Allow a late entry")),
        Action("start draft", pgettext_lazy("audit action", "Start draft")),
        Action("submit for sign-off", pgettext_lazy("audit action", "Submit for sign-off")),
        Action("send back", pgettext_lazy("audit action", "Send back to the reporter")),
        Action("sign off", pgettext_lazy("audit action", "Sign off")),
        Action("return", pgettext_lazy("audit action", "Return")),
        Action("accept", pgettext_lazy("audit action", "Accept")),
        Action("reopen", pgettext_lazy("audit action", "Reopen")),
        Action("import word template", pgettext_lazy("audit action", "Import Word template")),
        Action("import report file", pgettext_lazy("audit action", "Import report file")),
        Action("attach", pgettext_lazy("audit action", "Attach file")),
        Action("detach", pgettext_lazy("audit action", "Remove file")),
        Action("request closure", pgettext_lazy("audit action", "Request closure")),
        Action("reject closure", pgettext_lazy("audit action", "Reject closure")),
        # Documents: the monthly brief.
        Action("take document number", pgettext_lazy("audit action", "Take document number")),
        Action("accept paragraph", pgettext_lazy("audit action", "Accept brief paragraph")),
        # Supervision.
        Action("change reminder rule", pgettext_lazy("audit action", "Change reminder rule")),
        Action(
            "change reminder channels", pgettext_lazy("audit action", "Change reminder channels")
        ),
        Action("chase", pgettext_lazy("audit action", "Chase")),
        Action("issue notice", pgettext_lazy("audit action", "Issue supervision notice")),
        Action(
            "acknowledge notice", pgettext_lazy("audit action", "Acknowledge supervision notice")
        ),
        Action("change score sheet", pgettext_lazy("audit action", "Change score sheet")),
        # The portal and the API.
        Action("publish", pgettext_lazy("audit action", "Publish")),
        Action("withdraw", pgettext_lazy("audit action", "Withdraw")),
        Action("revoke", pgettext_lazy("audit action", "Revoke")),
        # Accounts administered by others, and the system.
        Action("permission_change", pgettext_lazy("audit action", "Change role")),
        Action("restore", pgettext_lazy("audit action", "Restore backup")),
        # Reporting: a late-entry exception ended before its deadline.
        Action("withdraw late entry", pgettext_lazy("audit action", "Withdraw late entry")),
        # No data changes: sessions, refusals, exports, passwords, two-factor and lockouts (an
        # account's chores, frequent), backups.
        _event("login", pgettext_lazy("audit action", "Log in")),
        _event("logout", pgettext_lazy("audit action", "Log out")),
        _event("login_failed", pgettext_lazy("audit action", "Failed login")),
        _event("session_expired", pgettext_lazy("audit action", "Session expired")),
        _event("denied", pgettext_lazy("audit action", "Access denied")),
        _event("export", pgettext_lazy("audit action", "Export")),
        _event("draft paragraph", pgettext_lazy("audit action", "Draft brief paragraph")),
        _event("read notifications", pgettext_lazy("audit action", "Read notifications")),
        _event("change_password", pgettext_lazy("audit action", "Change password")),
        _event("reset_password", pgettext_lazy("audit action", "Reset password")),
        _event("enrol_2fa", pgettext_lazy("audit action", "Enrol two-factor authentication")),
        _event("unlock", pgettext_lazy("audit action", "Unlock account")),
        _event("backup", pgettext_lazy("audit action", "Back up")),
    )
}

# The codes whose records change no data: the dashboards' data version skips them.
EVENT_CODES = tuple(code for code, action in ACTIONS.items() if not action.changes_data)


def get_action(code: str) -> Action:
    """The registered action of `code`; ValueError for a code luoshi does not record."""
    try:
        return ACTIONS[code]
    except KeyError:
        raise ValueError(
            f"unregistered audit action {code!r}: add it to audit/actions.py"
        ) from None


def actions_labelled(text: str) -> list[str]:
    """The codes whose label, in the active language, contains `text` (case ignored): what the
    log's search finds when its user types what the page shows."""
    text = text.casefold()
    return [code for code, action in ACTIONS.items() if text in str(action.label).casefold()]


def label_of(code: str) -> str:
    """What the log shows for `code`: its label, or the code itself if it is not registered."""
    action = ACTIONS.get(code)
    return str(action.label) if action else code
