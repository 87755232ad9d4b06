"""The ledger page's repeated HTML, made once per distinct value (docs/architecture.md, "Fast
rendering"): a province plan lists thousands of responsible departments, and rendering each
through template tags cost most of the page's time. The data come from
`services.plan_ledger()`; only the view calls this module."""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from luoshi.lib.urls import UrlTemplate
from luoshi.orgs.models import Organization, User
from luoshi.plans.models import Assignment


class DepartmentItems:
    """A responsible department as an item of the ledger's list (HTML, escaped): its name, the
    user's own department highlighted, the lead in bold, badges for the role and for a unit to
    resolve. Each (department, role) is written once per page."""

    ROLES = {Assignment.Role.LEAD: "text-bg-primary", Assignment.Role.CO: "text-bg-secondary"}
    KINDS = {
        Organization.Kind.PLACEHOLDER: ("text-bg-danger", gettext_lazy("to resolve")),
        Organization.Kind.COLLECTIVE: ("text-bg-info", gettext_lazy("collective")),
    }

    def __init__(self, user: User):
        self.organization_id = user.organization_id
        self.made = {}
        # Translated once per page, not once per department.
        self.roles = {
            role: format_html(' <span class="badge {}">{}</span>', css, role.label)
            for role, css in self.ROLES.items()
        }
        self.kinds = {
            kind: format_html(' <span class="badge {}">{}</span>', css, label)
            for kind, (css, label) in self.KINDS.items()
        }

    def __call__(self, org_id: int, name: str, kind: str, role: str) -> SafeString:
        key = (org_id, role)
        if key not in self.made:  # a department comes back in many measures
            classes = ["mine"] if org_id == self.organization_id else []
            if role == Assignment.Role.LEAD:
                classes.append("role-lead")
            self.made[key] = format_html(
                "<li{}>{}{}{}</li>",
                format_html(' class="{}"', " ".join(classes)) if classes else "",
                name,
                self.roles.get(role, ""),
                self.kinds.get(kind, ""),
            )
        return self.made[key]


def add_html(ledger: dict, user: User, edit_url: UrlTemplate | None) -> None:
    """Give each measure of `ledger` its departments as `<li>` items (`department_items`) and,
    if `edit_url` is given, the URL of its correction page (`edit_url`)."""
    item = DepartmentItems(user)
    for task in ledger["tasks"]:
        for measure in task["measures"]:
            # Items made by format_html: escaped already.
            measure["department_items"] = mark_safe(
                "".join([item(*department) for department in measure["departments"]])
            )
            if edit_url:
                measure["edit_url"] = edit_url(measure["pk"])
