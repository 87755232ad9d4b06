"""Organizations: the department directory, resolving the names plans use, access to them."""

import json
import re
import secrets
from pathlib import Path

from django.db import transaction
from django.db.models import Case, F, Q, When
from django.http import Http404
from django.utils.translation import gettext as _

from luoshi.audit.services import diff, record_change, record_event
from luoshi.orgs.models import Organization, User

# The region a plan belongs to, read from its first issuer: 枣庄市发展和改革委员会 → 枣庄市.
# A 州 is the region's end unless 市/区/县 follows (滕州市, 通州区 are the region's names).
REGION_IN_NAME = re.compile(
    r"^(?:中共)?(\w{1,6}?(?:省|自治区|自治州|地区|盟|市|州(?![市区县])|县|区))"
)


class Directory:
    """The organizations of one region, found by every name plans use for them (its units, not
    the regions below it)."""

    def __init__(self, region: Organization):
        self.region = region
        self._by_name: dict[str, Organization] = {}
        for org in region.children.exclude(kind=Organization.Kind.REGION):
            self._remember(org)

    def _remember(self, org: Organization):
        for name in org.names:
            self._by_name.setdefault(name, org)

    def find(self, name: str) -> Organization | None:
        return self._by_name.get(name)

    def names(self) -> list[str]:
        """Every name of every organization: short, full and other names."""
        return list(self._by_name)

    def organizations(self) -> list[Organization]:
        """Every organization of the region once, by kind and name."""
        return sorted(set(self._by_name.values()), key=lambda org: (org.kind, org.name))

    def get_or_create(self, name: str, kind: str, *, user=None) -> Organization:
        org = self.find(name)
        if org is None:
            org = Organization.objects.create(
                parent=self.region, kind=kind, name=name, full_name=self._full_name(name)
            )
            record_change(user, "create", org, {"name": {"old": None, "new": name}})
            self._remember(org)
        return org

    def _full_name(self, name: str) -> str:
        # 市商务局 in 枣庄市 is 枣庄市商务局; other names are full already.
        region = self.region.name
        if name.startswith("市") and region.endswith("市"):
            return region + name[1:]
        return name


def region_name_for(issuers: list[str]) -> str | None:
    for issuer in issuers:
        match = REGION_IN_NAME.match(issuer)
        if match:
            return match.group(1)
    return None


def get_or_create_region(
    name: str, *, full_name: str = "", parent: Organization | None = None, user=None
) -> Organization:
    """The region called `name` wherever it sits in the tree (枣庄市 under 山东省), else a new
    one under `parent` (a top-level region without)."""
    region = Organization.objects.filter(kind=Organization.Kind.REGION, name=name).first()
    if region is None:
        region = Organization.objects.create(
            kind=Organization.Kind.REGION, name=name, full_name=full_name or name, parent=parent
        )
        record_change(user, "create", region, {"name": {"old": None, "new": name}})
    return region


@transaction.atomic
def load_directory(path: Path, *, user=None) -> Organization:
    """Create or update a region's departments from a directory file (orgs/data/*.json)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    region = get_or_create_region(
        data["region"]["name"], full_name=data["region"]["full_name"], user=user
    )
    existing = {org.name: org for org in region.children.all()}
    for entry in data["departments"]:
        new = {
            "full_name": entry["full_name"],
            "aliases": entry["aliases"],
            "code": entry["code"],
        }
        org = existing.get(entry["name"])
        if org is None:
            org = Organization.objects.create(
                parent=region, kind=Organization.Kind.DEPARTMENT, name=entry["name"], **new
            )
            record_change(user, "create", org, {"name": {"old": None, "new": org.name}})
            continue
        old = {key: getattr(org, key) for key in new}
        if old != new:
            Organization.objects.filter(pk=org.pk).update(**new)
            changes = {k: {"old": old[k], "new": new[k]} for k in new if old[k] != new[k]}
            record_change(user, "change", org, changes)
    return region


def _place_region(name: str, full_name: str, code: str, parent, user) -> Organization:
    region = get_or_create_region(name, full_name=full_name, parent=parent, user=user)
    new = {"code": code, "parent_id": parent.pk if parent else region.parent_id}
    old = {"code": region.code, "parent_id": region.parent_id}
    if old != new:
        Organization.objects.filter(pk=region.pk).update(**new)
        record_change(user, "change", region, diff(old, new))
        region.code, region.parent_id = code, new["parent_id"]
    return region


def _load_units(region: Organization, entries, user) -> dict[str, Organization]:
    units = {org.name: org for org in region.children.all()}
    for entry in entries:
        if entry["name"] not in units:
            org = Organization.objects.create(
                parent=region,
                kind=Organization.Kind.DEPARTMENT,
                name=entry["name"],
                full_name=entry.get("full_name", entry["name"]),
                aliases=entry["aliases"],
            )
            record_change(user, "create", org, {"name": {"old": None, "new": org.name}})
            units[org.name] = org
    return units


@transaction.atomic
def load_region_tree(path: Path, *, user=None) -> list[tuple[Organization, Organization]]:
    """Place a loaded region in its tree from a file (orgs/data/zaozhuang_tree.json): the
    region above it and the regions below, each with its units, and the region's collective
    units (各区（市）政府) standing for each region below's government. Idempotent.

    Returns (region, its coordinating unit) for the region above and each region below.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    above = data["parent"]
    parent = _place_region(above["name"], above["full_name"], above["code"], None, user)
    region = Organization.objects.get(kind=Organization.Kind.REGION, name=data["region"])
    region = _place_region(region.name, region.full_name, region.code, parent, user)
    placed = [(parent, _load_units(parent, above["units"], user)[above["coordinator"]])]
    governments = []
    for entry in data["children"]:
        child = _place_region(entry["name"], entry["full_name"], entry["code"], region, user)
        units = _load_units(child, entry["units"], user)
        placed.append((child, units[entry["coordinator"]]))
        governments.append(units[entry["government"]])
    directory = Directory(region)
    for entry in data["collectives"]:
        collective = directory.get_or_create(entry, Organization.Kind.COLLECTIVE, user=user)
        if collective.kind == Organization.Kind.COLLECTIVE:
            set_members(user, collective, governments)
    return placed


# --- Editing the directory ---------------------------------------------------------------------


def _names_in_use(region: Organization, names: list[str], exclude: Organization | None) -> list:
    others = region.children.exclude(pk=exclude.pk) if exclude else region.children.all()
    taken = set()
    for org in others:
        taken.update(org.names)
    return [name for name in names if name in taken]


class NameTaken(ValueError):
    pass


def _check_names(region, org, name, full_name, aliases):
    taken = _names_in_use(region, [n for n in (name, full_name, *aliases) if n], org)
    if taken:
        raise NameTaken(
            _("Another organization of %(region)s is already called %(names)s.")
            % {"region": region.name, "names": "、".join(taken)}
        )


@transaction.atomic
def create_organization(
    user, region: Organization, *, kind: str, name: str, full_name: str = "", aliases=()
) -> Organization:
    """Add a department, collective unit or placeholder to a region's directory; audited."""
    aliases = [a for a in dict.fromkeys(aliases) if a and a != name]
    _check_names(region, None, name, full_name, aliases)
    org = Organization.objects.create(
        parent=region, kind=kind, name=name, full_name=full_name or name, aliases=aliases
    )
    record_change(
        user,
        "create",
        org,
        {
            "name": {"old": None, "new": name},
            "kind": {"old": None, "new": kind},
            "full_name": {"old": None, "new": org.full_name},
            "aliases": {"old": None, "new": aliases},
        },
    )
    return org


@transaction.atomic
def update_organization(
    user, org: Organization, *, name: str, full_name: str, aliases
) -> Organization:
    """Change a directory entry's short name, full name and other names; audited."""
    aliases = [a for a in dict.fromkeys(aliases) if a and a != name]
    _check_names(org.parent, org, name, full_name, aliases)
    old = {"name": org.name, "full_name": org.full_name, "aliases": org.aliases}
    new = {"name": name, "full_name": full_name or name, "aliases": aliases}
    changes = diff(old, new)
    if changes:
        Organization.objects.filter(pk=org.pk).update(**new)
        for key, value in new.items():
            setattr(org, key, value)
        record_change(user, "change", org, changes)
    return org


@transaction.atomic
def set_members(user, collective: Organization, members) -> Organization:
    """The organizations a collective unit stands for (各区（市）政府 → each district); audited."""
    if collective.kind != Organization.Kind.COLLECTIVE:
        raise ValueError("only a collective unit has members")
    members = [m for m in members if m.pk != collective.pk]
    old = sorted(collective.members.values_list("name", flat=True))
    collective.members.set(members)
    changes = diff({"members": old}, {"members": sorted(m.name for m in members)})
    if changes:
        record_change(user, "change", collective, changes)
    return collective


# --- The region tree ----------------------------------------------------------------------------
#
# Regions nest in one deployment: 山东省 → 枣庄市 → 薛城区. A region's REGION children are its
# sub-regions; its other children are its units. Each level sees its own and reads below.

# How deep the tree reaches below a region in the permission filters, which follow `parent` by
# joins rather than queries: province → city → district/county, and one level spare (乡镇).
TREE_DEPTH = 3


def region_id_of(user: User) -> int | None:
    """The pk of `region_of(user)`, read from the account's unit with no further query."""
    org = user.organization
    if org is None:
        return None
    return org.pk if org.kind == Organization.Kind.REGION else org.parent_id


def regions_below(region: Organization) -> list[Organization]:
    """`region` and every region under it, level by level: one query per level."""
    found, level = [region], [region]
    while level:
        level = list(
            Organization.objects.filter(kind=Organization.Kind.REGION, parent__in=level).order_by(
                "name"
            )
        )
        found += level
    return found


def under(field: str, region_id: int, *, itself: bool = True) -> Q:
    """Rows whose `field` (a region) is `region_id` or a region under it (no extra query):
    `under("region", city.pk)` matches a plan of the city and of each of its districts."""
    q = Q(**{field: region_id}) if itself else Q()
    for depth in range(1, TREE_DEPTH + 1):
        q |= Q(**{field + "__parent" * depth: region_id})
    return q


def region_label(org: Organization, home_id: int | None = None) -> str:
    """A unit named with its region, unless that is `home_id` (the region the page is about):
    a collective's member from a district reads 薛城区 · 薛城区人民政府."""
    if org.parent_id and org.parent_id != home_id and org.kind != Organization.Kind.REGION:
        return f"{org.parent.name} · {org.name}"
    return org.name


def plan_units(region: Organization):
    """The units a plan of `region` may assign: its own (placeholders and collectives too) and
    the units of the regions directly below (山东省's plan → 枣庄市's 市发展改革委, which then
    reports on it in the province's cycle), the region's own first."""
    below = Q(parent__parent=region.pk, parent__kind=Organization.Kind.REGION) & ~Q(
        kind=Organization.Kind.PLACEHOLDER
    )
    return (
        Organization.objects.filter(Q(parent=region.pk) | below)
        .exclude(kind=Organization.Kind.REGION)
        .select_related("parent")
        .order_by(Case(When(parent=region.pk, then=0), default=1), "parent__name", "kind", "name")
    )


def member_choices(collective: Organization):
    """What a collective unit may stand for: the units of its region and of the regions
    directly below (各区（市）政府 → 薛城区人民政府…), placeholders and itself left out."""
    region = collective.parent_id
    below = Q(parent__parent=region, parent__kind=Organization.Kind.REGION)
    return (
        Organization.objects.filter(Q(parent=region) | below)
        .exclude(pk=collective.pk)
        .exclude(kind__in=[Organization.Kind.PLACEHOLDER, Organization.Kind.REGION])
        .select_related("parent")
        .order_by("parent__name", "kind", "name")
    )


def directory_for_user(user: User):
    """The directory entries a user's page lists: a coordinator's or leader's region and the
    regions below it; every region's for the system administrator."""
    entries = Organization.objects.exclude(kind=Organization.Kind.REGION)
    if user.role == User.Role.SYSTEM_ADMIN:
        return entries
    region_id = region_id_of(user)
    if region_id is None:
        return entries.none()
    return entries.filter(under("parent", region_id))


def directory_regions(user: User):
    """The regions whose directory `user` may edit: a coordinator's own, any for a sysadmin."""
    regions = Organization.objects.filter(kind=Organization.Kind.REGION)
    if user.role == User.Role.SYSTEM_ADMIN:
        return regions
    if user.is_coordinator and user.organization_id:
        org = user.organization
        return regions.filter(pk=org.pk if org.kind == Organization.Kind.REGION else org.parent_id)
    return regions.none()


def get_organization_for_editing(user: User, pk: int) -> Organization:
    org = (
        Organization.objects.exclude(kind=Organization.Kind.REGION)
        .filter(pk=pk, parent__in=directory_regions(user))
        .select_related("parent")
        .first()
    )
    if org is None:
        raise Http404("no such organization for this user")
    return org


def visible_departments(user: User):
    """The departments whose pages `user` may open."""
    departments = Organization.objects.filter(kind=Organization.Kind.DEPARTMENT)
    if user.is_coordinator or user.is_leader:
        region_id = region_id_of(user)
        if region_id is None:
            return departments.none()
        return departments.filter(under("parent", region_id))
    if user.is_department_user:
        return departments.filter(pk=user.organization_id)
    return departments.none()


def get_department_for_user(user: User, pk: int) -> Organization:
    department = visible_departments(user).select_related("parent").filter(pk=pk).first()
    if department is None:
        raise Http404("no such department for this user")
    return department


# --- Accounts ---------------------------------------------------------------------------------


def generate_password() -> str:
    """12 characters from three classes, easy to read off a printed sheet (no 0/O, 1/l)."""
    lower, upper, digits = "abcdefghjkmnpqrstuvwxyz", "ABCDEFGHJKMNPQRSTUVWXYZ", "23456789"
    chars = [secrets.choice(lower) for _ in range(5)]
    chars += [secrets.choice(upper) for _ in range(4)] + [secrets.choice(digits) for _ in range(3)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


@transaction.atomic
def ensure_account(
    username: str,
    password: str,
    *,
    role: str,
    organization: Organization | None,
    display_name: str,
    by=None,
) -> User:
    """Create the account, or bring it back to this role, organization and password."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username)
        action, old = "create", {}
    else:
        action = "change"
        old = {"role": user.role, "organization": str(user.organization or "")}
    if action == "change" and (user.role != role or not user.is_active):
        user.credentials_version += 1
    user.role, user.organization, user.display_name = role, organization, display_name
    user.is_active = True
    # A new account has no password to compare (checking would hash it in vain: ~0.2 s).
    password_changed = action == "create" or not user.check_password(password)
    if password_changed:
        user.set_password(password)
    user.save()
    new = {"role": user.role, "organization": str(user.organization or "")}
    changes = diff(old, new)
    if password_changed and action == "change":
        changes["password"] = {"old": "***", "new": "***"}
    if changes:
        record_change(by, action, user, changes)
    return user


# --- Account administration (三员分立: system and security administrators) ----------------
#
# The system administrator creates accounts, with no business role, and disables or re-enables
# them; the security administrator grants and changes business roles and issues new passwords,
# so no one administrator can both make an account able to act and know its password.
# Administrators' accounts are created and reset on the server (docs/deploy.md), never here.

BUSINESS_ROLES = (
    User.Role.COORDINATOR,
    User.Role.REPORTER,
    User.Role.APPROVER,
    User.Role.LEADER,
)
# The accounts the administrators' pages manage: business accounts and those awaiting a role.
MANAGED_ROLES = (*BUSINESS_ROLES, User.Role.PENDING)


class AccountRefused(ValueError):
    """An account change the rules forbid; the message says why, in Chinese."""


def _require(by: User | None, role: str):
    # `by` None is the server's operator (a management command), outside the 三员 pages.
    if by is not None and by.role != role:
        raise AccountRefused(_("Only the %(role)s may do this.") % {"role": User.Role(role).label})


@transaction.atomic
def create_account(by: User, *, username: str, display_name: str):
    """A new account awaiting a role, with a generated password that must be changed at the
    first login. Returns (user, password); the password is shown once to the system
    administrator. Until the security administrator grants a role it can do nothing else.
    """
    _require(by, User.Role.SYSTEM_ADMIN)
    if User.objects.filter(username__iexact=username).exists():
        raise AccountRefused(_("The user name %(name)s is taken.") % {"name": username})
    password = generate_password()
    user = User(
        username=username,
        display_name=display_name,
        role=User.Role.PENDING,
        must_change_password=True,
    )
    user.set_password(password)
    user.save()
    record_change(
        by,
        "create",
        user,
        {
            "username": {"old": None, "new": username},
            "role": {"old": None, "new": User.Role.PENDING.value},
        },
    )
    return user, password


@transaction.atomic
def set_account_active(by: User, user: User, active: bool) -> User:
    if user.pk == by.pk:
        raise AccountRefused(_("You cannot disable your own account."))
    if user.is_active != active:
        User.objects.filter(pk=user.pk).update(
            is_active=active, credentials_version=F("credentials_version") + 1
        )
        user.refresh_from_db(fields=["credentials_version"])
        record_change(by, "change", user, {"is_active": {"old": user.is_active, "new": active}})
        user.is_active = active
    return user


# What a new password writes: set_password also moves the credentials version on, so that the
# API tokens issued before stop working.
PASSWORD_FIELDS = ("password", "password_changed_at", "credentials_version")


@transaction.atomic
def reset_password(by: User | None, user: User) -> str:
    """A new generated password, to be changed at the next login; lifts a lockout too.

    The security administrator's (or, for any account, the server operator's: `by` None): the
    system administrator, who creates accounts, must not also learn a business account's
    password. The new password hashes differently, so the account's sessions end with it.
    """
    from axes.utils import reset as axes_reset

    _require(by, User.Role.SECURITY_ADMIN)
    if by is not None and user.role not in MANAGED_ROLES:
        raise AccountRefused(_("Administrators' passwords are reset on the server."))
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=[*PASSWORD_FIELDS, "must_change_password"])
    axes_reset(username=user.username)
    record_change(by, "reset_password", user, {"password": {"old": "***", "new": "***"}})
    return password


@transaction.atomic
def change_password(user: User, new_password: str) -> User:
    """The user's own new password (already validated by the form)."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=[*PASSWORD_FIELDS, "must_change_password"])
    record_change(user, "change_password", user, {"password": {"old": "***", "new": "***"}})
    return user


def organizations_for_role(by: User):
    """The organizations the security administrator `by` may give an account: their region,
    the regions below it and the departments of each (any region's if `by` has none): the
    city's administrator makes the districts' coordinators and leaders."""
    kinds = (Organization.Kind.REGION, Organization.Kind.DEPARTMENT)
    organizations = Organization.objects.filter(kind__in=kinds).select_related("parent")
    if by.organization_id:
        org = by.organization
        below = regions_below(org if org.kind == Organization.Kind.REGION else org.parent)
        regions = [region.pk for region in below]
        organizations = organizations.filter(Q(pk__in=regions) | Q(parent__in=regions))
    return organizations.order_by("kind", "parent__name", "name")


@transaction.atomic
def change_role(by: User, user: User, role: str, organization: Organization | None = None):
    """The security administrator grants an account awaiting a role a business role and its
    organization, or gives a business account another one (its organization kept unless
    given). A leader belongs to a region, anyone else to a department."""
    _require(by, User.Role.SECURITY_ADMIN)
    if user.pk == by.pk or user.role not in MANAGED_ROLES or role not in BUSINESS_ROLES:
        raise AccountRefused(_("Administrator roles are not changed here."))
    organization = organization or user.organization
    if organization is None:
        raise AccountRefused(_("Choose the organization the account belongs to."))
    if not organizations_for_role(by).filter(pk=organization.pk).exists():
        raise AccountRefused(_("Choose an organization of your region."))
    wanted = Organization.Kind.REGION if role == User.Role.LEADER else Organization.Kind.DEPARTMENT
    if organization.kind != wanted:
        raise AccountRefused(_("A leader belongs to a region, any other role to a department."))
    old = {"role": user.role, "organization": str(user.organization or "")}
    changes = diff(old, {"role": role, "organization": str(organization)})
    if changes:
        User.objects.filter(pk=user.pk).update(
            role=role, organization=organization, credentials_version=F("credentials_version") + 1
        )
        user.refresh_from_db(fields=["credentials_version"])
        user.role, user.organization = role, organization
        record_change(by, "permission_change", user, changes)
    return user


def unlock_account(by: User, username: str) -> int:
    """Lift django-axes' lockout of `username`; how many lockout records were cleared."""
    from axes.utils import reset as axes_reset

    cleared = axes_reset(username=username)
    record_event(
        by,
        "unlock",
        object_type="orgs.user",
        object_repr=username,
        changes={"failures_cleared": {"old": None, "new": cleared}},
    )
    return cleared


def get_account_for_admin(by: User, pk: int) -> User:
    """An account a system or security administrator may manage: any but the administrators."""
    user = User.objects.filter(pk=pk, role__in=MANAGED_ROLES).select_related("organization")
    user = user.first()
    if user is None:
        raise Http404
    return user
