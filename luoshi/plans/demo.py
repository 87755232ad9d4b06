"""The demo that `make run` loads: the seed plan, its departments and an account for each role."""

from pathlib import Path

from django.utils.translation import gettext as _

from luoshi.importing.sources import parse_file
from luoshi.orgs.models import Organization, User
from luoshi.orgs.services import ensure_account, generate_password, load_directory
from luoshi.plans.models import Plan
from luoshi.plans.services import import_plan

SEED = Path(__file__).resolve().parent / "seed" / "zaozhuang-2022-243.txt"
DIRECTORY = Path(__file__).resolve().parents[1] / "orgs" / "data" / "zaozhuang.json"


def load_demo(credentials_path: Path) -> list[tuple[str, str, str, str]]:
    """Load the demo (again: every step is idempotent) and return the accounts' credentials.

    Passwords already written to `credentials_path` are kept, so the file stays valid.
    """
    region = load_directory(DIRECTORY)
    parsed, text = parse_file(SEED)
    plan = Plan.objects.filter(region=region, doc_number=parsed.doc_number).first()
    if plan is None:
        plan = import_plan(parsed, source_name=SEED.name, source_text=text)
    known = read_credentials(credentials_path)
    rows = []
    for username, role, organization, display_name in demo_accounts(region, plan):
        password = known.get(username) or generate_password()
        ensure_account(
            username, password, role=role, organization=organization, display_name=display_name
        )
        rows.append((username, password, str(User.Role(role).label), str(organization or "")))
    write_credentials(credentials_path, rows)
    return rows


def demo_accounts(region: Organization, plan: Plan):
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
