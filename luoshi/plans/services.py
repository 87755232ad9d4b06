"""Plans: creating a plan from a parsed document, correcting it, and who may see it."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _

from luoshi.audit.services import diff, record_change
from luoshi.importing import (
    ParsedDepartment,
    ParsedMeasure,
    ParsedPlan,
    ParsedTarget,
    ParsedTask,
    ReportingRule,
)
from luoshi.orgs.models import Organization, User
from luoshi.orgs.services import Directory, get_or_create_region, region_name_for
from luoshi.plans.models import Assignment, KeyTask, Measure, Plan, Target


class PlanExists(Exception):
    def __init__(self, plan: Plan):
        self.plan = plan
        super().__init__(_("Plan %(doc)s has already been imported.") % {"doc": plan.doc_number})


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
    parsed: ParsedPlan, *, user: User | None = None, source_name: str = "", source_text: str = ""
) -> Plan:
    """Create a live plan with its tasks, measures, assignments and targets, all or nothing."""
    region = find_region(parsed, user=user)
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


def plans_for_user(user: User):
    plans = Plan.objects.select_related("coordinator", "region")
    if user.is_leader:
        return plans
    if user.is_coordinator:
        return plans.filter(coordinator=user.organization_id)
    if user.is_department_user:
        return plans.filter(
            key_tasks__measures__assignments__organization=user.organization_id
        ).distinct()
    return plans.none()


def get_plan_for_user(user: User, pk: int) -> Plan:
    plan = plans_for_user(user).filter(pk=pk).first()
    if plan is None:
        raise Http404("no such plan for this user")
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
