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
from luoshi.orgs.models import Organization, User
from luoshi.plans.access import plan_visible, require_plan_coordinator
from luoshi.plans.models import Assignment, Measure, Target
from luoshi.reporting.models import ClosureRequest
from luoshi.reporting.services.attachments import ALLOWED_TYPES, sniff_content_type
from luoshi.reporting.services.periods import ensure_periods
from luoshi.reporting.services.workflow import WorkflowError


@transaction.atomic
def request_closure(user: User, measure: Measure, evidence: str, upload=None) -> ClosureRequest:
    """The lead department asks for the measure to be closed (办结), with evidence."""
    plan = measure.key_task.plan
    if not user.is_department_user or not plan_visible(user, plan):
        if not plan_visible(user, plan):
            raise Http404("no such measure for this user")
        raise PermissionDenied
    is_lead = measure.assignments.filter(
        organization=user.organization_id, role=Assignment.Role.LEAD
    ).exists()
    if not is_lead:
        raise PermissionDenied(_("Only the lead department can ask to close a measure."))
    if measure.closed_at:
        raise WorkflowError(_("This measure is already closed."))
    if not evidence.strip():
        raise ValidationError(_("Describe the evidence that the measure is done."))
    if ClosureRequest.objects.filter(
        measure=measure, status=ClosureRequest.Status.PENDING
    ).exists():
        raise WorkflowError(_("A closure request for this measure is already waiting."))
    request = ClosureRequest(
        measure=measure,
        organization=user.organization,
        evidence=evidence.strip(),
        requested_by=user,
    )
    if upload is not None:
        content_type = sniff_content_type(upload)
        if content_type is None or upload.size > settings.REPORTING_ATTACHMENT_MAX_BYTES:
            raise ValidationError(_("Only PDF, PNG, JPEG, Word (.docx) and Excel (.xlsx) files."))
        request.evidence_file_name = (upload.name or "file")[-255:]
        request.evidence_file.save(f"closure{ALLOWED_TYPES[content_type]}", upload, save=False)
    request.save()
    record_change(user, "request closure", measure, {"evidence": {"old": None, "new": evidence}})
    return request


@transaction.atomic
def close_measure(
    user: User, request: ClosureRequest, comment: str = "", today: datetime.date | None = None
) -> Measure:
    """The coordinator approves a closure request: the measure is closed (Measure.closed_at)
    and leaves the expected entries of the periods that start afterwards."""
    measure = request.measure
    plan = measure.key_task.plan
    require_plan_coordinator(user, plan)
    claimed = ClosureRequest.objects.filter(
        pk=request.pk, status=ClosureRequest.Status.PENDING
    ).update(
        status=ClosureRequest.Status.APPROVED,
        decided_at=clock.now(),
        decided_by=user,
        comment=comment,
    )
    if not claimed:
        raise WorkflowError(_("This closure request has already been decided."))
    now = clock.now()
    Measure.objects.filter(pk=measure.pk, closed_at__isnull=True).update(closed_at=now)
    measure.refresh_from_db()
    record_change(user, "close", measure, {"closed_at": {"old": None, "new": str(now)}})
    ensure_periods(plan, today, user=user)
    return measure


@transaction.atomic
def reject_closure(user: User, request: ClosureRequest, comment: str) -> ClosureRequest:
    require_plan_coordinator(user, request.measure.key_task.plan)
    claimed = ClosureRequest.objects.filter(
        pk=request.pk, status=ClosureRequest.Status.PENDING
    ).update(
        status=ClosureRequest.Status.REJECTED,
        decided_at=clock.now(),
        decided_by=user,
        comment=comment,
    )
    if not claimed:
        raise WorkflowError(_("This closure request has already been decided."))
    request.refresh_from_db()
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
