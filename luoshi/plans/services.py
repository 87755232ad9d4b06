"""Plans: creating a plan from a parsed document, correcting it, and who may see it."""

import copy
import hashlib
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from luoshi.audit.services import diff, record_change
from luoshi.importing import (
    ParsedDepartment,
    ParsedMeasure,
    ParsedPlan,
    ParsedTarget,
    ParsedTask,
    ParseError,
    ReportingRule,
    ocr,
    parse_text,
)
from luoshi.importing.sources import UnreadableFile, is_scan, parse_document, scan_pages
from luoshi.lib import clock
from luoshi.orgs.models import Organization, User
from luoshi.orgs.services import (
    Directory,
    get_or_create_region,
    region_id_of,
    region_name_for,
    under,
)
from luoshi.plans import draft_edits, lineage
from luoshi.plans.models import (
    Assignment,
    ImportDraft,
    KeyTask,
    Measure,
    Plan,
    ScanReading,
    ScanState,
    Target,
    measure_code,
    measure_number,
)


class PlanExists(Exception):
    def __init__(self, plan: Plan):
        self.plan = plan
        super().__init__(_("Plan %(doc)s has already been imported.") % {"doc": plan.doc_number})


def foreign_region(region: Organization, issuers: list[str]) -> str | None:
    """The first other region an issuer names, when `region` is the one the plan must be in."""
    for issuer in issuers:
        named = region_name_for([issuer])
        if named and named != region.name:
            return named
    return None


def _issued_elsewhere(region: Organization | None, named: str) -> str:
    return _("This plan was issued in %(named)s; you coordinate plans of %(region)s.") % {
        "named": named,
        "region": region.name if region else "—",
    }


def find_region(parsed: ParsedPlan, *, user=None) -> Organization:
    name = region_name_for(parsed.issuers)
    if name:
        return get_or_create_region(name, user=user)
    regions = Organization.objects.filter(kind=Organization.Kind.REGION)
    if regions.count() == 1:
        return regions.get()
    raise ValueError(_("Cannot tell which region the plan belongs to: it names no issuer."))


@transaction.atomic
def import_plan(
    parsed: ParsedPlan,
    *,
    user: User | None = None,
    region: Organization | None = None,
    source_name: str = "",
    source_text: str = "",
    lineage_choices: dict | None = None,
) -> Plan:
    """Create a live plan with its tasks, measures, assignments and targets, all or nothing.

    With `region` (the importing coordinator's), everything is made in it and issuers naming
    another region are refused (ValueError); without, the issuers tell the region. The plan is
    linked to the parent plans it cites, its key tasks and measures to the parents proposed
    (or, with `lineage_choices`, chosen in the preview: plans/lineage.py)."""
    if region is None:
        region = find_region(parsed, user=user)
    elif named := foreign_region(region, parsed.issuers):
        raise ValueError(_issued_elsewhere(region, named))
    existing = Plan.objects.filter(region=region, doc_number=parsed.doc_number or "").first()
    if parsed.doc_number and existing:
        raise PlanExists(existing)
    directory = Directory(region)
    rule = parsed.reporting
    plan = Plan.objects.create(
        title=parsed.title,
        doc_number=parsed.doc_number or "",
        issuers=parsed.issuers,
        issue_date=parsed.issue_date,
        region=region,
        coordinator=(
            directory.get_or_create(parsed.report_to, Organization.Kind.DEPARTMENT, user=user)
            if parsed.report_to
            else None
        ),
        report_frequency=rule.frequency if rule else "",
        report_due_day=rule.due_day if rule else None,
        report_due_offset_months=rule.due_offset_months if rule else 0,
        report_rule_text=rule.text if rule else "",
        parent_documents=parsed.parent_documents,
        addressees=parsed.addressees,
        source_name=source_name,
        source_text=source_text,
        created_by=user,
    )
    for parsed_task in parsed.tasks:
        task = KeyTask.objects.create(
            plan=plan, no=parsed_task.no, label=parsed_task.label, title=parsed_task.title
        )
        for parsed_measure in parsed_task.measures:
            _create_measure(task, parsed_measure, directory, user)
    record_change(
        user,
        "import",
        plan,
        {
            "source": {"old": None, "new": source_name},
            "key_tasks": {"old": None, "new": len(parsed.tasks)},
            "measures": {"old": None, "new": len(parsed.measures)},
        },
    )
    save_lineage(user, plan, {**parsed.to_dict(), "lineage": lineage_choices or {}})
    return plan


def _create_measure(task: KeyTask, parsed: ParsedMeasure, directory: Directory, user) -> Measure:
    measure = Measure.objects.create(
        key_task=task,
        no=parsed.no,
        label=parsed.label,
        path=parsed.path,
        text=parsed.text,
        needs_review=parsed.needs_review,
        deadline=parsed.deadline,
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(
            measure=measure,
            organization=directory.get_or_create(dep.name, dep.kind, user=user),
            role=dep.role or Assignment.Role.UNKNOWN,
            position=position,
        )
        for position, dep in enumerate(parsed.departments)
    )
    leads = [a.organization for a in assignments if a.role == Assignment.Role.LEAD]
    Target.objects.bulk_create(
        Target(
            measure=measure,
            text=target.text[:300],
            value=Decimal(str(target.value)),
            unit=target.unit,
            comparator=target.comparator,
            deadline=target.deadline,
            kind=Target.kind_for(target.comparator, target.unit),
            owner=leads[0] if len(leads) == 1 else None,
            position=position,
        )
        for position, target in enumerate(parsed.targets)
    )
    return measure


def _assignment_state(measure: Measure) -> dict:
    return {
        "departments": [
            f"{a.organization.name}:{a.role}"
            for a in measure.assignments.select_related("organization")
        ],
        "needs_review": measure.needs_review,
    }


@transaction.atomic
def set_measure_departments(
    user: User,
    measure: Measure,
    departments: list[tuple[Organization, str]],
    *,
    needs_review: bool,
) -> Measure:
    """Replace a measure's responsible departments (in order, with roles); audited."""
    if not can_edit_plan(user, measure.key_task.plan):
        raise PermissionDenied
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    old = _assignment_state(measure)
    measure.assignments.all().delete()
    Assignment.objects.bulk_create(
        Assignment(measure=measure, organization=org, role=role, position=position)
        for position, (org, role) in enumerate(departments)
    )
    Measure.objects.filter(pk=measure.pk).update(needs_review=needs_review)
    measure.needs_review = needs_review
    changes = diff(old, _assignment_state(measure))
    if changes:
        record_change(user, "change", measure, changes)
    return measure


# --- Who may see and change what -------------------------------------------------------------


def plan_reach(user: User, field: str = "") -> Q:
    """The plans a coordinator or leader reads, as a filter on `field` (a path to a plan, ""
    for plans): a leader's region and the regions below it; a coordinator's own plans and
    those of the regions below its region (read only: `can_edit_plan` says who acts). No query.
    """
    prefix = field + "__" if field else ""
    region_id = region_id_of(user)
    if region_id is None or not (user.is_leader or user.is_coordinator):
        return Q(pk__in=[])
    if user.is_leader:
        return under(prefix + "region", region_id)
    own = Q(**{prefix + "coordinator": user.organization_id})
    return own | under(prefix + "region", region_id, itself=False)


def plans_for_user(user: User):
    plans = Plan.objects.select_related("coordinator", "region")
    if user.is_leader or user.is_coordinator:
        return plans.filter(plan_reach(user))
    if user.is_department_user:
        return plans.filter(
            key_tasks__measures__assignments__organization=user.organization_id
        ).distinct()
    return plans.none()


def get_plan_for_user(user: User, pk: int) -> Plan:
    plan = plans_for_user(user).filter(pk=pk).first()
    if plan is None:
        raise Http404("no such plan for this user")
    plan.seen_by = user.pk  # luoshi.plans.access need not ask again
    return plan


def can_edit_plan(user: User, plan: Plan) -> bool:
    return user.is_coordinator and plan.coordinator_id == user.organization_id


def get_measure_for_editing(user: User, pk: int) -> Measure:
    measure = Measure.objects.select_related("key_task__plan__region").filter(pk=pk).first()
    if measure is None or not can_edit_plan(user, measure.key_task.plan):
        raise Http404("no such measure for this user")
    return measure


def measures_with_details():
    """Measures with everything the ledger shows of them, in two queries."""
    return Measure.objects.prefetch_related(
        Prefetch("assignments", Assignment.objects.select_related("organization")),
        "targets",
    )


def plan_departments(plan: Plan):
    """The departments a plan assigns measures to: the choices of the ledger's filter."""
    return Organization.objects.filter(
        kind=Organization.Kind.DEPARTMENT, assignments__measure__key_task__plan=plan
    ).distinct()


# --- The ledger (台账) page ---------------------------------------------------------------------
# Built as plain dicts and tuples, in a fixed number of queries: a province plan assigns each
# measure to dozens of departments. The page's HTML is made from them in plans/ledger.py.


def plan_ledger(plan: Plan, shown) -> dict:
    """What the ledger page shows of `plan`: the key tasks with the measures of `shown` (a
    queryset of the plan's measures, filtered), each with its departments as
    (organization id, name, kind, role) tuples and its targets as display strings; the plan's
    counts and the departments of its filter."""
    tasks = list(
        plan.key_tasks.order_by("no").values(
            "pk", "label", "title", "parent__label", "parent__plan_id", "parent__plan__doc_number"
        )
    )
    measures = list(
        Measure.objects.filter(key_task__plan=plan)
        .order_by("key_task__no", "no")
        .values(
            "pk",
            "key_task_id",
            "label",
            "no",
            "text",
            "needs_review",
            "deadline",
            "parent_id",
            "parent__label",
            "parent__no",
            "parent__path",
            "parent__key_task__label",
            "parent__key_task__plan_id",
            "parent__key_task__plan__doc_number",
        )
    )
    shown_ids = set(shown.order_by().values_list("pk", flat=True))
    departments, organizations = {}, {}
    for measure_id, org_id, name, kind, role in (
        Assignment.objects.filter(measure__key_task__plan=plan)
        .order_by("measure_id", "position", "pk")
        .values_list(
            "measure_id", "organization_id", "organization__name", "organization__kind", "role"
        )
    ):
        departments.setdefault(measure_id, []).append((org_id, name, kind, role))
        if kind == Organization.Kind.DEPARTMENT:
            organizations[org_id] = name
    targets = {}
    for target in Target.objects.filter(measure__key_task__plan=plan).order_by(
        "measure_id", "position", "pk"
    ):
        targets.setdefault(target.measure_id, []).append(_target_display(target))
    rows = {task["pk"]: [] for task in tasks}
    for measure in measures:
        if measure["pk"] in shown_ids:
            measure["number"] = measure_number(measure["label"], measure["no"])
            measure["departments"] = departments.get(measure["pk"], [])
            measure["targets"] = targets.get(measure["pk"], [])
            if measure["parent__key_task__plan_id"]:
                measure["parent"] = _parent_reference(
                    measure["parent__key_task__plan_id"],
                    measure["parent__key_task__plan__doc_number"],
                    measure["parent_id"],
                    measure_code(
                        measure["parent__key_task__label"],
                        measure["parent__path"],
                        measure["parent__label"],
                        measure["parent__no"],
                    ),
                )
            rows[measure["key_task_id"]].append(measure)
    return {
        "tasks": [
            {
                "heading": task["label"] + task["title"],
                "measures": rows[task["pk"]],
                "parent": _parent_reference(
                    task["parent__plan_id"],
                    task["parent__plan__doc_number"],
                    None,
                    task["parent__label"],
                )
                if task["parent__plan_id"]
                else None,
            }
            for task in tasks
            if rows[task["pk"]]
        ],
        "task_count": len(tasks),
        "measure_count": len(measures),
        "to_review_count": sum(1 for measure in measures if measure["needs_review"]),
        "shown_count": sum(len(task_rows) for task_rows in rows.values()),
        "departments": [
            {"value": str(pk), "name": name}
            for pk, name in sorted(organizations.items(), key=lambda item: (item[1], item[0]))
        ],
    }


def _parent_reference(plan_id: int, doc_number: str, measure_id: int | None, code: str) -> dict:
    """What a key task or measure carries out (鲁发改经贸〔2022〕518号 三、2.) and where."""
    url = reverse("plans:detail", args=[plan_id])
    return {
        "plan_id": plan_id,
        "text": f"{doc_number} {code}",
        "url": f"{url}#measure-{measure_id}" if measure_id else url,
    }


def plan_lineage(plan: Plan, user: User) -> dict:
    """The plan's parent documents, each with its plan here if the user may open it (a level
    reads down, not up: the province's plan is named to the city, not linked), and the plans
    that implement it."""
    parents = list(plans_for_user(user).filter(implemented_by=plan))
    return {
        "parents": _parent_documents(plan.parent_documents, parents),
        "children": plan.implemented_by.select_related("region").order_by("region__name", "pk"),
    }


def _target_display(target: Target) -> str:
    text = f"{target.get_comparator_display()} {target.value_display}{target.unit}"
    return f"{text} · {target.deadline:%Y-%m-%d}" if target.deadline else text


def parsed_plan_from_db(plan: Plan) -> ParsedPlan:
    """The plan as it stands now, in the importer's JSON contract (for the download)."""
    tasks = plan.key_tasks.prefetch_related(
        Prefetch("measures", measures_with_details().order_by("no"))
    )
    rule = None
    if plan.report_frequency:
        rule = ReportingRule(
            frequency=plan.report_frequency,
            due_day=plan.report_due_day,
            due_offset_months=plan.report_due_offset_months,
            text=plan.report_rule_text,
        )
    return ParsedPlan(
        title=plan.title,
        doc_number=plan.doc_number or None,
        issue_date=plan.issue_date,
        issuers=plan.issuers,
        report_to=plan.coordinator.name if plan.coordinator else None,
        reporting=rule,
        parent_documents=plan.parent_documents,
        addressees=plan.addressees,
        tasks=[
            ParsedTask(
                no=task.no,
                label=task.label,
                title=task.title,
                measures=[_parsed_measure(m) for m in task.measures.all()],
            )
            for task in tasks
        ],
    )


def _parsed_measure(measure: Measure) -> ParsedMeasure:
    return ParsedMeasure(
        no=measure.no,
        label=measure.label,
        path=measure.path,
        text=measure.text,
        departments=[
            ParsedDepartment(
                name=a.organization.name,
                role=None if a.role == Assignment.Role.UNKNOWN else a.role,
                kind=a.organization.kind,
            )
            for a in measure.assignments.all()
        ],
        needs_review=measure.needs_review,
        deadline=measure.deadline,
        targets=[
            ParsedTarget(
                text=t.text,
                value=int(t.value) if t.value == t.value.to_integral() else float(t.value),
                unit=t.unit,
                comparator=t.comparator,
                deadline=t.deadline,
            )
            for t in measure.targets.all()
        ],
    )


# --- Importing through the preview -----------------------------------------------------------


class DraftConflict(Exception):
    """The draft changed since the page was loaded (another tab, another colleague)."""

    def __init__(self):
        super().__init__(
            _(
                "Someone changed this import since you opened the page (perhaps in another tab). "
                "Your change was not saved: the page now shows the latest version."
            )
        )


class DraftNotReady(Exception):
    """The draft cannot go live yet; `problems` says why, for the coordinator."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


class UploadRefused(Exception):
    pass


def coordinator_region(user: User) -> Organization | None:
    org = user.organization
    if org is None:
        return None
    return org if org.kind == Organization.Kind.REGION else org.parent


def drafts_for_user(user: User):
    """Open drafts a user may see: those of the user's own coordinating office."""
    if not user.is_coordinator:
        return ImportDraft.objects.none()
    return ImportDraft.objects.filter(
        status=ImportDraft.Status.DRAFT, uploaded_by__organization=user.organization_id
    )


def get_draft_for_user(user: User, pk: int) -> ImportDraft:
    draft = drafts_for_user(user).select_related("region", "uploaded_by").filter(pk=pk).first()
    if draft is None:
        raise Http404("no such import draft for this user")
    return draft


def create_import_draft(user: User, filename: str, data: bytes) -> ImportDraft:
    """Read an uploaded document into a draft; UnreadableFile, ParseError, PlanExists or
    UploadRefused when it cannot be imported, and then nothing is kept. A scan is read by OCR
    in the background: its draft comes back empty, `scan_state` queued."""
    sha256 = hashlib.sha256(data).hexdigest()
    open_drafts = drafts_for_user(user).filter(uploaded_by=user, sha256=sha256)
    if existing := open_drafts.first():  # a second click, or the same file again
        return existing
    if is_scan(data):
        return _create_scan_draft(user, filename, data, sha256, open_drafts)
    parsed, text = parse_document(filename, data)
    region = coordinator_region(user)
    _check_new_plan(region, parsed)
    if not parsed.report_to:
        parsed.report_to = user.organization.name
    draft = ImportDraft(
        original_name=Path(filename).name[:255],
        size=len(data),
        sha256=sha256,
        uploaded_by=user,
        region=region,
        data=parsed.to_dict(),
        source_text=text,
    )
    return save_new_draft(user, draft, filename, data, open_drafts)


def _check_new_plan(region: Organization | None, parsed: ParsedPlan):
    """UploadRefused when the plan is another region's, PlanExists when it was imported."""
    named = region_name_for(parsed.issuers)
    if region is None or (named := foreign_region(region, parsed.issuers)):
        raise UploadRefused(_issued_elsewhere(region, named))
    existing_plan = Plan.objects.filter(region=region, doc_number=parsed.doc_number or "").first()
    if parsed.doc_number and existing_plan:
        raise PlanExists(existing_plan)


def save_new_draft(user: User, draft: ImportDraft, filename: str, data: bytes, open_drafts):
    """Save `draft` with its file, audited; the draft of `open_drafts` the other click of a
    double click made first, if it did."""
    draft.file.save(filename, ContentFile(data), save=False)
    try:
        with transaction.atomic():
            draft.save()
            record_change(
                user,
                "upload",
                draft,
                {
                    "file": {"old": None, "new": draft.original_name},
                    "sha256": {"new": draft.sha256},
                },
            )
    except IntegrityError:
        # The other click of a double click made the draft first; keep only its file.
        draft.file.delete(save=False)
        return open_drafts.get()
    except BaseException:
        draft.file.delete(save=False)
        raise
    return draft


# --- Scans, read by OCR in the background ------------------------------------------------------


def _create_scan_draft(user: User, filename: str, data: bytes, sha256: str, open_drafts):
    region = coordinator_region(user)
    if region is None:
        raise UploadRefused(_issued_elsewhere(region, "—"))
    draft = ImportDraft(
        original_name=Path(filename).name[:255],
        size=len(data),
        sha256=sha256,
        uploaded_by=user,
        region=region,
        data={},
        source_text="",
        scan_state=ScanState.QUEUED,
    )
    draft = save_new_draft(user, draft, filename, data, open_drafts)
    if draft.scan_state == ScanState.QUEUED:
        pk = draft.pk
        transaction.on_commit(lambda: _enqueue_scan(pk))
    return draft


def _enqueue_scan(pk: int):
    from luoshi.plans.tasks import read_scanned_draft

    read_scanned_draft.enqueue(pk)


def read_scan_of_draft(pk: int) -> str:
    """OCR the draft's scan (or take what was read of the same file before), then parse it:
    the draft gets its plan, every measure marked for review, or the reason it failed. Runs
    in a task; claims the draft first, so a task run twice reads it once."""
    claimed = ImportDraft.objects.filter(
        pk=pk, status=ImportDraft.Status.DRAFT, scan_state=ScanState.QUEUED
    ).update(scan_state=ScanState.READING)
    if not claimed:
        return "skipped"
    draft = ImportDraft.objects.select_related("region", "uploaded_by__organization").get(pk=pk)
    try:
        with draft.file.open("rb") as file:
            data = file.read()
        pages = _scan_pages(pk, draft.sha256, data)
        text = ocr.scan_text(pages, Directory(draft.region).names())
        parsed = parse_text(text)
        _check_new_plan(draft.region, parsed)
    except (UnreadableFile, ParseError, UploadRefused, PlanExists) as error:
        _scan_failed(pk, str(error))
        return "failed"
    except Exception:
        _scan_failed(pk, _("The scan could not be read. Upload it again, or upload the .docx."))
        raise  # logged by the worker
    if not parsed.report_to:
        parsed.report_to = draft.uploaded_by.organization.name
    data = parsed.to_dict()
    _mark_read_by_ocr(data, text, pages)
    ImportDraft.objects.filter(pk=pk).update(
        data=data, source_text=text, scan_state=ScanState.READ, updated_at=clock.now()
    )
    return "read"


def _scan_failed(pk: int, message: str):
    ImportDraft.objects.filter(pk=pk).update(
        scan_state=ScanState.FAILED, scan_error=message, updated_at=clock.now()
    )


def _scan_pages(pk: int, sha256: str, data: bytes) -> list[ocr.PageReading]:
    """The scan's pages read by OCR, or as they were read before (by the file's hash)."""
    known = ScanReading.objects.filter(sha256=sha256).values_list("pages", flat=True).first()
    if known is not None:
        ImportDraft.objects.filter(pk=pk).update(scan_pages=len(known), scan_done=len(known))
        return [ocr.PageReading.from_dict(page) for page in known]

    def progress(done: int, total: int):
        ImportDraft.objects.filter(pk=pk).update(scan_pages=total, scan_done=done)

    pages = scan_pages(data, progress)
    ScanReading.objects.get_or_create(
        sha256=sha256, defaults={"pages": [page.to_dict() for page in pages]}
    )
    return pages


def scan_page_image(draft: ImportDraft, number: int) -> bytes | None:
    """Page `number` (from 0) of a draft's scan as a PNG; None when there is no such page."""
    if draft.scan_state == ScanState.NONE or number < 0:
        return None
    with draft.file.open("rb") as file:
        data = file.read()
    if number >= ocr.page_count(data):
        return None
    return ocr.page_png(data, number)


def _mark_read_by_ocr(data: dict, text: str, pages: list[ocr.PageReading]):
    """Every measure OCR read is to be reviewed, with the page it was read from beside it."""
    page_texts = ["".join(box[4] for box in page.boxes).replace(" ", "") for page in pages]
    for measure in draft_edits.measures(data):
        measure["needs_review"] = True
        measure["ocr_page"] = ocr.page_of(measure["text"], page_texts)


def _department_kind(directory: Directory, name: str) -> str:
    org = directory.find(name)
    if org is not None:
        return org.kind
    if name.endswith(("有关部门", "有关单位")):
        return Organization.Kind.PLACEHOLDER
    return Organization.Kind.DEPARTMENT


def _collective_members(collective: Organization) -> list[tuple[str, str]]:
    return [(org.name, org.kind) for org in collective.members.order_by("name")]


def _apply_edit(data: dict, directory: Directory, op: str, params: dict):
    p = dict(params)
    if op == "set_header" and (named := foreign_region(directory.region, p["issuers"])):
        raise draft_edits.EditError(_issued_elsewhere(directory.region, named))
    if op == "add_department":
        p["kind"] = _department_kind(directory, p["name"].strip())
    elif op == "expand_collective":
        department = draft_edits.get_measure(data, p["t"], p["m"])["departments"]
        name = department[p["i"]]["name"] if 0 <= p["i"] < len(department) else ""
        collective = directory.find(name)
        p["members"] = _collective_members(collective) if collective else []
    elif op == "map_name":
        org = directory.find(p["target"])
        if org is None or org.kind == Organization.Kind.PLACEHOLDER:
            raise draft_edits.EditError(_("Pick a department of the directory."))
        p["target"], p["kind"] = org.name, org.kind
    elif op == "set_parent":
        _set_draft_parent(data, **p)
        return
    elif op == "add_measure" and "lineage" in data:
        # The region's own measure implements nothing above unless the coordinator links it.
        m = len(data["tasks"][p["t"]]["measures"]) if 0 <= p["t"] < len(data["tasks"]) else 0
        data["lineage"].setdefault("measures", {})[f"{p['t']}-{m}"] = 0
    elif op in RENUMBERING:
        # The measures of the task move: their choices of parent start again from proposals.
        choices = data.get("lineage", {}).get("measures", {})
        for key in [key for key in choices if key.split("-")[0] == str(p["t"])]:
            del choices[key]
    EDITS[op](data, **p)


RENUMBERING = ("merge_with_next", "split", "split_at_paragraph")


def _set_draft_parent(data: dict, t: int, m: int | None, parent: int):
    """Choose the parent of key task `t` (or of its measure `m`) among the parent plans' own;
    0 leaves it unlinked."""
    if not 0 <= t < len(data["tasks"]) or (
        m is not None and not 0 <= m < len(data["tasks"][t]["measures"])
    ):
        raise draft_edits.EditError(_("There is no such item in the draft."))
    candidates = lineage.Candidates.of(lineage.parent_plans(data.get("parent_documents", [])))
    known = candidates.task_by_pk if m is None else candidates.measure_by_pk
    if parent and parent not in known:
        raise draft_edits.EditError(_("Pick a key task or measure of a parent plan."))
    choices = data.setdefault("lineage", {"tasks": {}, "measures": {}})
    if m is None:
        choices.setdefault("tasks", {})[str(t)] = parent
    else:
        choices.setdefault("measures", {})[f"{t}-{m}"] = parent


EDITS = {
    "set_header": draft_edits.set_header,
    "set_text": draft_edits.set_text,
    "set_needs_review": draft_edits.set_needs_review,
    "merge_with_next": draft_edits.merge_with_next,
    "split": draft_edits.split,
    "split_at_paragraph": draft_edits.split_at_paragraph,
    "move_last_sentence": draft_edits.move_last_sentence,
    "add_department": draft_edits.add_department,
    "remove_department": draft_edits.remove_department,
    "set_role": draft_edits.set_role,
    "keep_placeholder": draft_edits.keep_placeholder,
    "expand_collective": draft_edits.expand_collective,
    "map_name": draft_edits.map_name,
    "create_name": draft_edits.create_name,
    "accept_target": draft_edits.accept_target,
    "edit_target": draft_edits.edit_target,
    "delete_target": draft_edits.delete_target,
    "first_is_lead": draft_edits.first_is_lead,
    "add_measure": draft_edits.add_measure,
}


def _locked_draft(draft: ImportDraft, version: int) -> ImportDraft:
    draft = ImportDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.status != ImportDraft.Status.DRAFT or draft.version != version:
        raise DraftConflict
    return draft


@transaction.atomic
def edit_import_draft(user: User, draft: ImportDraft, version: int, op: str, **params):
    """Apply one edit (a name of EDITS, or `set_parent`) to the draft seen at `version`; audited.

    DraftConflict when the draft moved on since; EditError when the edit cannot be made."""
    draft = _locked_draft(draft, version)
    if draft.scan_state not in (ScanState.NONE, ScanState.READ):
        raise draft_edits.EditError(_("The scan has not been read yet."))
    data = copy.deepcopy(draft.data)
    _apply_edit(data, Directory(draft.region), op, params)
    updated = ImportDraft.objects.filter(pk=draft.pk, version=version).update(
        data=data, version=version + 1, updated_at=clock.now()
    )
    if not updated:
        raise DraftConflict
    record_change(
        user,
        "change",
        draft,
        {
            "version": {"old": version, "new": version + 1},
            "edit": {"old": None, "new": {"op": op, **_jsonable(params)}},
        },
    )
    draft.data, draft.version = data, version + 1
    return draft


def _jsonable(params: dict) -> dict:
    """The edit's parameters as the audit log stores them (dates and decimals as text)."""
    plain = int | str | bool | list | None
    return {key: value if isinstance(value, plain) else str(value) for key, value in params.items()}


def draft_problems(data: dict, directory: Directory) -> list[str]:
    """What must be settled before the draft can go live, in words for the coordinator."""
    unknown, placeholders = {}, {}
    new = set(data.get("new_departments", []))
    for measure in draft_edits.measures(data):
        for department in measure["departments"]:
            name = department["name"]
            if department["kind"] == Organization.Kind.PLACEHOLDER:
                if not department.get("kept"):
                    placeholders.setdefault(name)
            elif directory.find(name) is None and name not in new:
                unknown.setdefault(name)
    problems = []
    if named := foreign_region(directory.region, data.get("issuers", [])):
        problems.append(_issued_elsewhere(directory.region, named))
    if unknown:
        problems.append(
            _("Map or create the unrecognised departments: %(names)s.")
            % {"names": "、".join(unknown)}
        )
    if placeholders:
        problems.append(
            _("Resolve or keep the placeholders: %(names)s.") % {"names": "、".join(placeholders)}
        )
    rule = data.get("reporting") or {}
    if not rule.get("frequency") or (rule["frequency"] != "once" and not rule.get("due_day")):
        problems.append(
            _(
                "The document states no reporting rule: fill in the reporting frequency and the "
                "due day under “Plan” and save them before confirming."
            )
        )
    report_to = data.get("report_to")
    office = directory.find(report_to) if report_to else None
    if office is None:
        problems.append(
            _("“Reports to” must name a department of the directory: %(name)s is not one.")
            % {"name": report_to or "—"}
        )
    return problems


@transaction.atomic
def confirm_import_draft(user: User, draft: ImportDraft, version: int) -> Plan:
    """Create the live plan from the draft, all or nothing; the draft keeps the file."""
    locked = ImportDraft.objects.select_for_update().get(pk=draft.pk)
    if locked.status == ImportDraft.Status.CONFIRMED and locked.plan_id:
        return locked.plan  # the second click of a double click
    draft = _locked_draft(draft, version)
    if draft.scan_state not in (ScanState.NONE, ScanState.READ):
        raise DraftNotReady([_("The scan has not been read yet.")])
    region = coordinator_region(user)
    if region is None or draft.region_id != region.pk:
        raise DraftNotReady([_issued_elsewhere(region or draft.region, draft.region.name)])
    directory = Directory(region)
    problems = draft_problems(draft.data, directory)
    if note := coordinated_elsewhere(user, draft.data, directory):
        problems.append(note)
    if problems:
        raise DraftNotReady(problems)
    _remember_aliases(user, directory, draft.data.get("aliases", {}))
    parsed = draft_edits.from_dict(draft.data)
    try:
        plan = import_plan(
            parsed,
            user=user,
            region=region,
            source_name=draft.original_name,
            source_text=draft.source_text,
            lineage_choices=draft.data.get("lineage"),
        )
    except ValueError as error:
        raise DraftNotReady([str(error)]) from error
    _confirm_accepted_targets(plan, draft.data)
    draft.status, draft.plan, draft.version = ImportDraft.Status.CONFIRMED, plan, version + 1
    draft.save(update_fields=["status", "plan", "version", "updated_at"])
    record_change(
        user,
        "confirm",
        draft,
        {"status": {"old": "draft", "new": "confirmed"}, "plan": {"old": None, "new": plan.pk}},
    )
    return plan


def save_lineage(user: User, plan: Plan, data: dict):
    """Link a new plan to the parent plans it cites and its key tasks and measures to the
    parents proposed or chosen in the draft; audited."""
    parents = lineage.parent_plans(data.get("parent_documents", []), exclude=plan)
    if not parents:
        return
    plan.implements.set(parents)
    links = lineage.draft_lineage(data, lineage.Candidates.of(parents))
    tasks = {task.no: task for task in plan.key_tasks.prefetch_related("measures")}
    linked_tasks, linked_measures = [], []
    for t, data_task in enumerate(data["tasks"]):
        task = tasks[data_task["no"]]
        task.parent = links[t].chosen
        linked_tasks.append(task)
        measures = {measure.no: measure for measure in task.measures.all()}
        for m, data_measure in enumerate(data_task["measures"]):
            measure = measures[data_measure["no"]]
            measure.parent = links[t, m].chosen
            linked_measures.append(measure)
    KeyTask.objects.bulk_update(linked_tasks, ["parent"])
    Measure.objects.bulk_update(linked_measures, ["parent"])
    record_change(
        user,
        "change",
        plan,
        {
            "implements": {"old": [], "new": [p.doc_number for p in parents]},
            "linked_key_tasks": {"old": 0, "new": sum(1 for t in linked_tasks if t.parent)},
            "linked_measures": {"old": 0, "new": sum(1 for m in linked_measures if m.parent)},
        },
    )


@transaction.atomic
def set_measure_parent(user: User, measure: Measure, parent: Measure | None) -> Measure:
    """Link a live measure to a measure of a plan its plan implements (None: unlink); audited."""
    if not can_edit_plan(user, measure.key_task.plan):
        raise PermissionDenied
    if parent is not None and parent.pk not in parent_measure_choices(measure.key_task.plan):
        raise ValueError(_("Pick a measure of a parent plan."))
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    old = _measure_reference(measure.parent) if measure.parent_id else None
    measure.parent = parent
    measure.save(update_fields=["parent"])
    new = _measure_reference(parent) if parent else None
    record_change(user, "change", measure, {"parent": {"old": old, "new": new}})
    return measure


def _measure_reference(measure: Measure) -> str:
    return f"{measure.key_task.plan.doc_number} {measure.code}"


def parent_measure_choices(plan: Plan) -> dict[int, Measure]:
    """The measures of the plans `plan` implements, in their order, by pk."""
    if not plan.parent_documents:
        return {}
    return {
        measure.pk: measure
        for measure in Measure.objects.filter(key_task__plan__in=plan.implements.all())
        .select_related("key_task__plan")
        .order_by("key_task__plan__doc_number", "key_task__no", "no")
    }


def _remember_aliases(user: User, directory: Directory, aliases: dict):
    for name, canonical in aliases.items():
        org = directory.find(canonical)
        if org is None or name in org.aliases or name in (org.name, org.full_name):
            continue
        old = list(org.aliases)
        org.aliases = [*old, name]
        Organization.objects.filter(pk=org.pk).update(aliases=org.aliases)
        record_change(user, "change", org, {"aliases": {"old": old, "new": org.aliases}})
        directory._remember(org)


def _confirm_accepted_targets(plan: Plan, data: dict):
    accepted = {
        (task["no"], measure["no"], position)
        for task in data["tasks"]
        for measure in task["measures"]
        for position, target in enumerate(measure["targets"])
        if target.get("accepted")
    }
    if not accepted:
        return
    targets = Target.objects.filter(measure__key_task__plan=plan).values_list(
        "pk", "measure__key_task__no", "measure__no", "position"
    )
    pks = [pk for pk, *key in targets if tuple(key) in accepted]
    Target.objects.filter(pk__in=pks).update(confirmed=True)


@transaction.atomic
def cancel_import_draft(user: User, draft: ImportDraft):
    """Drop the draft and its file; only the audit record of the cancel remains."""
    draft = ImportDraft.objects.select_for_update().filter(pk=draft.pk).first()
    if draft is None or draft.status != ImportDraft.Status.DRAFT:
        return
    record_change(
        user,
        "cancel",
        draft,
        {"status": {"old": "draft", "new": "cancelled"}, "file": {"old": draft.original_name}},
    )
    name, storage = draft.file.name, draft.file.storage
    draft.delete()
    transaction.on_commit(lambda: storage.delete(name))


def get_plan_source_file(user: User, pk: int) -> ImportDraft:
    """The import record holding a plan's original file, for users who may read the plan."""
    plan = get_plan_for_user(user, pk)
    draft = ImportDraft.objects.filter(plan=plan, status=ImportDraft.Status.CONFIRMED).first()
    if draft is None or not draft.file:
        raise Http404("this plan was not imported from an uploaded file")
    return draft


def confirmed_plan_of_draft(user: User, pk: int) -> Plan | None:
    """The plan a draft of the user's office already became (a late second click on confirm)."""
    if not user.is_coordinator:
        return None
    draft = (
        ImportDraft.objects.filter(
            pk=pk,
            status=ImportDraft.Status.CONFIRMED,
            uploaded_by__organization=user.organization_id,
        )
        .select_related("plan")
        .first()
    )
    return draft.plan if draft else None


def coordinated_elsewhere(user: User, data: dict, directory: Directory) -> str | None:
    """Who will coordinate a plan reporting to another office than the importer's: the office
    the document names (its 报送单位) runs the plan, so one of its coordinators puts it live.
    The document is right as it is; nothing in it is to be corrected."""
    office = directory.find(data.get("report_to") or "")
    if office is None or office.pk == user.organization_id:
        return None
    return _(
        "%(office)s will coordinate this plan: the document names it as the office reports go "
        "to, so it reviews the reports, chases and publishes. A coordinator of %(office)s "
        "imports the document and puts the plan live; your office (%(own)s) cannot run a plan "
        "another office coordinates."
    ) % {"office": office.name, "own": user.organization.name}


def preview_of_draft(draft: ImportDraft, user: User) -> dict:
    """What the preview page shows: each department with what the directory knows of it."""
    directory = Directory(draft.region)
    memberships = Organization.members.through.objects.filter(
        from_organization__parent=draft.region
    ).values_list("from_organization_id", flat=True)
    member_counts: dict[int, int] = {}
    for collective_id in memberships:
        member_counts[collective_id] = member_counts.get(collective_id, 0) + 1
    new = set(draft.data.get("new_departments", []))
    unknown: dict[str, int] = {}
    parents = lineage.parent_plans(draft.data.get("parent_documents", []))
    candidates = lineage.Candidates.of(parents)
    links = lineage.draft_lineage(draft.data, candidates) if parents else {}
    tasks = []
    for t, task in enumerate(draft.data["tasks"]):
        measures = []
        for m, measure in enumerate(task["measures"]):
            departments = []
            for i, department in enumerate(measure["departments"]):
                org = directory.find(department["name"])
                status = _department_status(department, org, new)
                if status == "unknown":
                    unknown[department["name"]] = unknown.get(department["name"], 0) + 1
                departments.append(
                    {
                        **department,
                        "i": i,
                        "status": status,
                        "members": member_counts.get(org.pk, 0) if org else 0,
                    }
                )
            targets = [
                {**target, "i": i, "comparator_label": _comparator_label(target["comparator"])}
                for i, target in enumerate(measure["targets"])
            ]
            measures.append(
                {
                    **measure,
                    "t": t,
                    "m": m,
                    "departments": departments,
                    "targets": targets,
                    "last": m == len(task["measures"]) - 1,
                    "paragraphs": "\n" in measure["text"],
                    "link": links.get((t, m)),
                }
            )
        tasks.append({**task, "t": t, "measures": measures, "link": links.get(t)})
    choices = [
        org for org in directory.organizations() if org.kind != Organization.Kind.PLACEHOLDER
    ]
    return {
        "tasks": tasks,
        "unknown": unknown,
        "directory": choices,
        "problems": draft_problems(draft.data, directory),
        "coordinated_elsewhere": coordinated_elsewhere(user, draft.data, directory),
        "offer_first_is_lead": draft_edits.offers_first_is_lead(draft.data, draft.source_text),
        "parent_documents": _parent_documents(draft.data.get("parent_documents", []), parents),
        # The parent plans the user may open (a district does not open the city's plan).
        "openable": set(
            plans_for_user(user).filter(pk__in=[p.pk for p in parents]).values_list("pk", flat=True)
        )
        if parents
        else set(),
        "parent_tasks": candidates.tasks,
        "several_parents": len(parents) > 1,
    }


def _parent_documents(numbers: list[str], parents: list[Plan]) -> list[tuple[str, Plan | None]]:
    """Each 文号 a plan cites, with the plan of the deployment it names (None: outside)."""
    found = {lineage.normalize_doc_number(plan.doc_number): plan for plan in parents}
    return [(number, found.get(lineage.normalize_doc_number(number))) for number in numbers]


def _comparator_label(comparator: str) -> str:
    try:
        return Target.Comparator(comparator).label
    except ValueError:
        return comparator


def _department_status(department: dict, org: Organization | None, new: set) -> str:
    if department["kind"] == Organization.Kind.PLACEHOLDER:
        return "kept" if department.get("kept") else "placeholder"
    if org is None:
        return "new" if department["name"] in new else "unknown"
    return "collective" if org.kind == Organization.Kind.COLLECTIVE else "known"
