"""The demo that `make run` loads: the seed plan, its departments, an account for each role,
the province above and the districts below (a coordinator and a leader each), and (unless
asked for the plan alone) a year of sample reports and one portal publication.

It sits above every app (docs/architecture.md): it fills them all, and none of them imports it.
"""

import datetime
from pathlib import Path

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _

from luoshi.audit.services import record_change
from luoshi.importing.sources import parse_file
from luoshi.lib import clock
from luoshi.orgs.data import DIRECTORY, TREE
from luoshi.orgs.models import Organization, User
from luoshi.orgs.services import (
    ensure_account,
    generate_password,
    load_directory,
    load_region_tree,
)
from luoshi.plans.models import Plan
from luoshi.plans.seed import SEED
from luoshi.plans.services import import_plan
from luoshi.portal.models import Publication
from luoshi.portal.services import publish
from luoshi.reporting import calendar
from luoshi.reporting.builder import SAMPLE_MARK, build_reports
from luoshi.reporting.models import Report, ReportEntry
from luoshi.reporting.services import ensure_periods, get_schedule

SAMPLE_MONTHS = 12


def load_demo(
    credentials_path: Path, *, plan_only: bool = False
) -> list[tuple[str, str, str, str]]:
    """Load the demo (again: every step is idempotent) and return the accounts' credentials.

    Passwords already written to `credentials_path` are kept, so the file stays valid. Unless
    `plan_only`, the plan gets sample reports for the last twelve months and a publication.
    """
    region = load_directory(DIRECTORY)
    tree = load_region_tree(TREE)
    parsed, text = parse_file(SEED)
    plan = Plan.objects.filter(region=region, doc_number=parsed.doc_number).first()
    if plan is None:
        plan = import_plan(parsed, source_name=SEED.name, source_text=text)
    known = read_credentials(credentials_path)
    rows = []
    for username, role, organization, display_name in demo_accounts(region, plan, tree):
        password = known.get(username) or generate_password()
        ensure_account(
            username, password, role=role, organization=organization, display_name=display_name
        )
        rows.append((username, password, str(User.Role(role).label), str(organization or "")))
    write_credentials(credentials_path, rows)
    if not plan_only:
        load_sample_reports(plan)
    return rows


def load_sample_reports(plan: Plan, today: datetime.date | None = None) -> dict[str, int]:
    """A year of reports made by the reporting builder (on time, late, missing, returned, with
    target actuals), marked 示例数据; the period not yet due is left for the departments to
    write. Then the latest period with accepted reports is published on the portal, once.
    """
    today = today or clock.today()
    start = calendar.add_months(today.replace(day=1), -SAMPLE_MONTHS)
    get_schedule(plan, tracking_start=start)
    periods = ensure_periods(plan, today)
    due = [p for p in periods if p.due_date < today]
    if not due:
        return {}
    # One transaction: the builder's per-report transactions become savepoints (much faster
    # on SQLite), and a crash leaves nothing half-built.
    with transaction.atomic():
        outcomes = build_reports(plan, start, due[-1].end, seed=0, today=today)
        marked = (
            ReportEntry.objects.filter(report__period__plan=plan)
            .exclude(progress="")
            .exclude(progress__startswith=SAMPLE_MARK)
            .update(progress=Concat(Value(SAMPLE_MARK), F("progress")))
        )
        if marked:
            record_change(None, "mark sample data", plan, {"entries": {"old": 0, "new": marked}})
    accepted = [
        p
        for p in reversed(due)
        if Report.objects.filter(period=p, status=Report.Status.ACCEPTED).exists()
    ]
    if accepted and not Publication.objects.filter(plan=plan).exists():
        publish(None, accepted[0])
    return outcomes.counts


def demo_accounts(region: Organization, plan: Plan, tree):
    yield "coordinator", User.Role.COORDINATOR, plan.coordinator, _("Coordinator")
    yield "leader", User.Role.LEADER, region, _("Leader")
    yield "sysadmin", User.Role.SYSTEM_ADMIN, region, _("System administrator")
    yield "secadmin", User.Role.SECURITY_ADMIN, region, _("Security administrator")
    yield "auditadmin", User.Role.AUDIT_ADMIN, region, _("Audit administrator")
    departments = region.children.filter(kind=Organization.Kind.DEPARTMENT).order_by("pk")
    for dep in departments:
        code = dep.code or f"dept{dep.pk}"
        yield f"{code}_reporter", User.Role.REPORTER, dep, dep.name + _(" reporter")
        yield f"{code}_head", User.Role.APPROVER, dep, dep.name + _(" head")
    # The province above and the districts below: a coordinator and a leader each, who see
    # their own region and read the regions below it (xuecheng_coordinator, shandong_leader).
    for other, office in tree:
        yield (
            f"{other.code}_coordinator",
            User.Role.COORDINATOR,
            office,
            other.name + _(" coordinator"),
        )
        yield f"{other.code}_leader", User.Role.LEADER, other, other.name + _(" leader")


def read_credentials(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    rows = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines())
    return {row[0]: row[1] for row in rows if len(row) >= 2 and not row[0].startswith("#")}


def write_credentials(path: Path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# " + "\t".join([_("User name"), _("Password"), _("Role"), _("Organization")])
    lines = [header, *("\t".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
