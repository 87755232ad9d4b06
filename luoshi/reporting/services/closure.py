"""Measures and targets: closing a measure (办结) on the lead department's request, and
whose actual value counts for a target."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from luoshi.audit.services import diff, record_change
from luoshi.lib import clock
from luoshi.lib.text import strip_control
from luoshi.orgs.models import Organization, User
from luoshi.plans.access import plan_visible, require_plan_coordinator
from luoshi.plans.models import Assignment, Measure, Target
from luoshi.reporting.models import ClosureRequest, safe_attachment_name
from luoshi.reporting.services.attachments import ALLOWED_TYPES, sniff_content_type
from luoshi.reporting.services.periods import ensure_periods
from luoshi.reporting.services.workflow import WorkflowError


def answers_for(organization_id: int | None, assignments) -> bool:
    """Whether the organization answers for the measure's closure (销号), given the measure's
    assignments: its lead department (牵头), or, when the plan names no lead, its only
    department (a plan that lists one department for a measure often marks no role)."""
    leads = [a for a in assignments if a.role == Assignment.Role.LEAD]
    if leads:
        return any(a.organization_id == organization_id for a in leads)
    return len(assignments) == 1 and assignments[0].organization_id == organization_id


def is_lead(organization_id: int | None, measure: Measure) -> bool:
    """Whether the organization answers for the measure's closure now (answers_for)."""
    return answers_for(organization_id, list(measure.assignments.all()))


@transaction.atomic
def request_closure(user: User, measure: Measure, evidence: str, upload=None) -> ClosureRequest:
    """The lead department asks for the measure to be closed (办结), with evidence: a text and
    optionally a file (PDF, PNG, JPEG, .docx or .xlsx, told by its bytes). One request of a
    measure waits at a time: a second one is refused with a WorkflowError."""
    plan = measure.key_task.plan
    if not plan_visible(user, plan):
        raise Http404("no such measure for this user")
    if not user.is_department_user:
        raise PermissionDenied
    if not is_lead(user.organization_id, measure):
        raise PermissionDenied(_("Only the lead department can ask to close a measure."))
    Measure.objects.select_for_update().filter(pk=measure.pk).first()  # one request at a time
    measure.refresh_from_db(fields=["closed_at"])
    if measure.closed_at:
        raise WorkflowError(_("This measure is already closed."))
    evidence = strip_control(evidence).strip()
    if not evidence:
        raise ValidationError(_("Describe the evidence that the measure is done."))
    if ClosureRequest.objects.filter(
        measure=measure, status=ClosureRequest.Status.PENDING
    ).exists():
        raise WorkflowError(_("A closure request for this measure is already waiting."))
    request = ClosureRequest(
        measure=measure, organization=user.organization, evidence=evidence, requested_by=user
    )
    if upload is not None:
        if upload.size > settings.REPORTING_ATTACHMENT_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.REPORTING_ATTACHMENT_MAX_BYTES // (1024 * 1024)}
            )
        content_type = sniff_content_type(upload)
        if content_type is None:
            raise ValidationError(_("Only PDF, PNG, JPEG, Word (.docx) and Excel (.xlsx) files."))
        request.evidence_file_name = safe_attachment_name(upload.name or "", content_type)
        request.evidence_file.save(f"closure{ALLOWED_TYPES[content_type]}", upload, save=False)
    request.save()
    changes = {"evidence": {"old": None, "new": evidence}}
    if request.evidence_file_name:
        changes["evidence_file"] = {"old": None, "new": request.evidence_file_name}
    record_change(user, "request closure", measure, changes)
    return request


def _decide(user: User, request: ClosureRequest, status: str, comment: str) -> None:
    """Claim the pending request for the coordinator's decision with a conditional UPDATE, so
    that two coordinators (or a double click) decide it once; the loser gets a WorkflowError."""
    require_plan_coordinator(user, request.measure.key_task.plan)
    claimed = ClosureRequest.objects.filter(
        pk=request.pk, status=ClosureRequest.Status.PENDING
    ).update(status=status, decided_at=clock.now(), decided_by=user, comment=comment)
    request.refresh_from_db()
    if not claimed:
        raise WorkflowError(_("This closure request has already been decided."))


@transaction.atomic
def close_measure(
    user: User, request: ClosureRequest, comment: str = "", today: datetime.date | None = None
) -> Measure:
    """The coordinator approves a closure request: the measure is closed (Measure.closed_at)
    and leaves the expected entries of the periods that start afterwards."""
    _decide(user, request, ClosureRequest.Status.APPROVED, strip_control(comment).strip())
    measure = request.measure
    now = clock.now()
    Measure.objects.filter(pk=measure.pk, closed_at__isnull=True).update(closed_at=now)
    measure.refresh_from_db()
    record_change(
        user,
        "close",
        measure,
        {"closed_at": {"old": None, "new": str(now)}, "comment": {"old": None, "new": comment}},
    )
    ensure_periods(measure.key_task.plan, today, user=user)
    return measure


@transaction.atomic
def reject_closure(user: User, request: ClosureRequest, comment: str) -> ClosureRequest:
    """The coordinator refuses a closure request, saying why (required): the department sees
    the reason and may ask again."""
    comment = strip_control(comment).strip()
    if not comment:
        require_plan_coordinator(user, request.measure.key_task.plan)
        raise ValidationError(_("Say why the measure cannot be closed yet."))
    _decide(user, request, ClosureRequest.Status.REJECTED, comment)
    record_change(
        user, "reject closure", request.measure, {"comment": {"old": None, "new": comment}}
    )
    return request


@transaction.atomic
def set_target(
    user: User, target: Target, *, owner: Organization | None = None, kind: str | None = None
) -> Target:
    """The coordinator sets whose actual value counts for a target, and its kind."""
    require_plan_coordinator(user, target.measure.key_task.plan)
    old = {"owner": target.owner.name if target.owner else None, "kind": target.kind}
    if owner is not None:
        if not target.measure.assignments.filter(organization=owner).exists():
            raise ValidationError(_("The owner must be a department of the measure."))
        target.owner = owner
    if kind is not None:
        if kind not in Target.Kind.values:
            raise ValidationError(_("Unknown target kind."))
        target.kind = kind
    target.save(update_fields=["owner", "kind"])
    changes = diff(old, {"owner": target.owner.name if target.owner else None, "kind": target.kind})
    if changes:
        record_change(user, "change", target, changes)
    return target
