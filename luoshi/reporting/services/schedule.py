"""A plan goes live with its schedule, and its reporting rule changes later (the schedule page).

plans may not import reporting, so the go-live is orchestrated here: the plans service creates
the plan from the import draft, this one gives it its schedule and its first periods, all in one
transaction.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.audit.services import diff, record_change
from luoshi.orgs.models import User
from luoshi.plans.access import require_plan_coordinator
from luoshi.plans.models import ImportDraft, Plan
from luoshi.plans.services import confirm_import_draft
from luoshi.reporting.models import PlanSchedule
from luoshi.reporting.services.periods import set_schedule


@transaction.atomic
def confirm_import(
    user: User,
    draft: ImportDraft,
    version: int,
    *,
    tracking_start: datetime.date,
    tracking_end: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Plan:
    """Put the draft live (plans' `confirm_import_draft`) and track it from `tracking_start`:
    its schedule, periods and expected reports exist when this returns. The second click of a
    double click gets the plan the first one made, its schedule untouched."""
    plan = confirm_import_draft(user, draft, version)
    if not PlanSchedule.objects.filter(plan=plan).exists():
        set_schedule(
            user,
            plan,
            tracking_start=tracking_start,
            tracking_end=tracking_end,
            holiday_rule=PlanSchedule.HolidayRule.KEEP,
            today=today,
        )
    return plan


def _rule_state(plan: Plan) -> dict:
    return {
        "report_frequency": plan.report_frequency,
        "report_due_day": plan.report_due_day,
        "report_due_offset_months": plan.report_due_offset_months,
    }


@transaction.atomic
def change_schedule(
    user: User,
    plan: Plan,
    *,
    frequency: str,
    due_day: int | None,
    due_offset_months: int,
    tracking_start: datetime.date,
    tracking_end: datetime.date | None,
    holiday_rule: str,
    today: datetime.date | None = None,
) -> PlanSchedule:
    """The schedule page's change (coordinator): the plan's rule, then when it is tracked.

    Periods not yet due and still open take the new due dates and new periods follow the new
    rule; past and closed periods keep theirs. The frequency cannot change once periods exist
    (they would overlap the new ones). Each change is audited on its object."""
    require_plan_coordinator(user, plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if frequency not in Plan.Frequency.values:
        raise ValidationError(_("Unknown reporting frequency."))
    if frequency != Plan.Frequency.ONCE and not due_day:
        raise ValidationError(_("Give the day of the month reports are due."))
    if frequency != (plan.report_frequency or Plan.Frequency.MONTHLY) and plan.periods.exists():
        raise ValidationError(
            _("This plan already has reporting periods: its frequency can no longer change.")
        )
    old = _rule_state(plan)
    plan.report_frequency = frequency
    plan.report_due_day = due_day
    plan.report_due_offset_months = due_offset_months
    changes = diff(old, _rule_state(plan))
    if changes:
        plan.save(update_fields=list(changes))
        record_change(user, "change", plan, changes)
    return set_schedule(
        user,
        plan,
        tracking_start=tracking_start,
        tracking_end=tracking_end,
        holiday_rule=holiday_rule,
        today=today,
    )
