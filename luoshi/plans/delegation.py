"""Delegation down (下发): a plan's coordinating office sends the plan to the regions below its
own; each region's coordinator turns it into a draft of the region's implementing plan, which
it edits in the preview and puts live like an imported one (docs/decisions.md, "Delegation").

The draft carries the plan's key tasks and measures, each linked to its parent, and each
department mapped to its counterpart in the region's directory (`counterpart_key`): 市商务局 →
薛城区商务局. A collective is replaced by its members in the region (各区（市）政府 →
薛城区人民政府). A department without a counterpart keeps the plan's name, which the region's
directory does not know: the preview lists it to map or create before going live.
"""

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from luoshi.audit.services import record_change
from luoshi.orgs.models import Organization, User
from luoshi.plans.models import Delegation, ImportDraft, Measure, Plan, Target
from luoshi.plans.services import (
    can_edit_plan,
    parsed_plan_from_db,
    save_new_draft,
)

# Names of the same office in two regions differ by these words (市发展改革委, 区发展和改革局).
SAME_OFFICE = [("发展和改革", "发展改革"), ("委员会", "委"), ("人民政府", "政府")]
# The one-character level a short name starts with: 市商务局, 区商务局, 县商务局.
LEVELS = ("市", "区", "县")


def counterpart_key(name: str, region: Organization) -> str:
    """What is left of a department's name once its region is taken off and the words of
    SAME_OFFICE made the same, a final 委 read 局: 枣庄市发展改革委, 市发展改革委 and
    薛城区发展和改革局 all read 发展改革局."""
    if name.startswith(region.name):
        name = name[len(region.name) :]
    elif name.startswith(LEVELS):
        name = name[1:]
    for written, same in SAME_OFFICE:
        name = name.replace(written, same)
    if name.endswith("委"):
        name = name[:-1] + "局"
    return name


def counterparts(region: Organization) -> dict[str, Organization]:
    """The region's organizations by the counterpart key of each of their names."""
    found = {}
    for org in region.children.exclude(kind=Organization.Kind.PLACEHOLDER):
        for name in org.names:
            found.setdefault(counterpart_key(name, region), org)
    return found


def counterpart(org: Organization, region: Organization, known: dict) -> Organization | None:
    """`org`'s counterpart among `known` (counterparts(region)), by any of its names."""
    for name in org.names:
        if found := known.get(counterpart_key(name, org.parent)):
            return found
    return None


def child_regions(plan: Plan):
    """The regions directly below the plan's: those it can be sent down to."""
    return Organization.objects.filter(
        kind=Organization.Kind.REGION, parent=plan.region_id
    ).order_by("name")


def plan_for_sending(user: User, pk: int) -> Plan:
    """The plan `pk`, which only its coordinating office sends down."""
    plan = Plan.objects.select_related("region").filter(pk=pk).first()
    if plan is None:
        raise Http404("no such plan")
    if not can_edit_plan(user, plan):
        raise PermissionDenied
    return plan


@transaction.atomic
def send_down(user: User, plan: Plan, regions: list[Organization]) -> list[Delegation]:
    """Send `plan` to each of `regions` (below the plan's) not sent yet; audited. Sending again
    (a double click, a second tab) adds nothing."""
    if not can_edit_plan(user, plan):
        raise PermissionDenied
    allowed = set(child_regions(plan).values_list("pk", flat=True))
    if not regions or any(region.pk not in allowed for region in regions):
        raise ValueError(_("Pick one or more of the regions below this plan's."))
    sent = []
    for region in regions:
        try:
            with transaction.atomic():
                delegation = Delegation.objects.create(plan=plan, region=region, sent_by=user)
        except IntegrityError:
            continue  # sent already
        record_change(
            user, "create", delegation, {"plan": {"new": plan.pk}, "region": {"new": region.name}}
        )
        sent.append(delegation)
    return sent


def delegations_of_plan(plan: Plan):
    return plan.delegations.select_related("region", "draft__plan")


def delegations_for_user(user: User):
    """The plans sent down to the region the user coordinates plans of."""
    org = user.organization if user.is_coordinator else None
    if org is None:
        return Delegation.objects.none()
    region = org.pk if org.kind == Organization.Kind.REGION else org.parent_id
    return Delegation.objects.filter(region=region).select_related(
        "plan__region", "draft__plan", "draft__uploaded_by"
    )


def implementing_title(region: Organization, plan: Plan) -> str:
    return f"{region.name}贯彻落实《{plan.title}》分工方案"


@transaction.atomic
def create_delegated_draft(user: User, pk: int) -> ImportDraft:
    """The draft of the region's implementing plan for delegation `pk`, made by a coordinator
    of that region (Http404 for anyone else); the one made before when there is one."""
    delegation = delegations_for_user(user).select_for_update(of=("self",)).filter(pk=pk).first()
    if delegation is None:
        raise Http404("no such delegation for this user")
    if delegation.draft_id:
        return delegation.draft
    plan, region = delegation.plan, delegation.region
    data = _implementing_data(plan, region, user)
    content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    title = implementing_title(region, plan)
    draft = ImportDraft(
        original_name=f"{title[:240]}.json",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
        region=region,
        data=data,
        source_text="",
    )
    open_drafts = ImportDraft.objects.filter(
        uploaded_by=user, sha256=draft.sha256, status=ImportDraft.Status.DRAFT
    )
    draft = save_new_draft(user, draft, draft.original_name, content, open_drafts)
    delegation.draft = draft
    delegation.save(update_fields=["draft"])
    record_change(user, "change", delegation, {"draft": {"old": None, "new": draft.pk}})
    return draft


def _implementing_data(plan: Plan, region: Organization, user: User) -> dict:
    """The draft's plan: `plan`'s tasks and measures, linked to them as parents, with the
    region's counterparts of their departments."""
    data = parsed_plan_from_db(plan).to_dict()
    data.update(
        title=implementing_title(region, plan),
        doc_number=None,
        issue_date=None,
        issuers=[],
        report_to=user.organization.name,
        parent_documents=[plan.doc_number] if plan.doc_number else [],
        addressees=[],
    )
    task_pks = dict(plan.key_tasks.values_list("no", "pk"))
    measures = Measure.objects.filter(key_task__plan=plan)
    measure_pks = {(t, m): pk for pk, t, m in measures.values_list("pk", "key_task__no", "no")}
    confirmed: dict[tuple, list[bool]] = {}
    targets = Target.objects.filter(measure__key_task__plan=plan).order_by(
        "measure", "position", "id"
    )
    for t, m, flag in targets.values_list("measure__key_task__no", "measure__no", "confirmed"):
        confirmed.setdefault((t, m), []).append(flag)
    orgs = _plan_organizations(plan)
    known = counterparts(region)
    lineage = {"tasks": {}, "measures": {}}
    for t, task in enumerate(data["tasks"]):
        lineage["tasks"][str(t)] = task_pks[task["no"]]
        for m, measure in enumerate(task["measures"]):
            lineage["measures"][f"{t}-{m}"] = measure_pks[task["no"], measure["no"]]
            measure["departments"] = _mapped(measure["departments"], orgs, region, known)
            flags = confirmed.get((task["no"], measure["no"]), [])
            for target, flag in zip(measure["targets"], flags, strict=True):
                target["accepted"] = flag
    data["lineage"] = lineage
    return data


def _plan_organizations(plan: Plan) -> dict[str, Organization]:
    """The organizations the plan assigns, by name, with their names and collectives' members."""
    orgs = Organization.objects.filter(assignments__measure__key_task__plan=plan).distinct()
    return {org.name: org for org in orgs.prefetch_related("members").select_related("parent")}


def _mapped(departments: list[dict], orgs: dict, region: Organization, known: dict) -> list:
    """The region's counterparts of `departments`, in order, each once."""
    mapped, seen = [], set()
    for department in departments:
        org = orgs[department["name"]]
        members = [member for member in org.members.all() if member.parent_id == region.pk]
        if members:
            names = [(member.name, member.kind) for member in members]
        elif found := counterpart(org, region, known):
            names = [(found.name, found.kind)]
        else:  # left to the region to assign: its directory does not know the name
            names = [(department["name"], Organization.Kind.DEPARTMENT)]
        for name, kind in names:
            if name not in seen:
                seen.add(name)
                mapped.append({"name": name, "role": department["role"], "kind": kind})
    return mapped
