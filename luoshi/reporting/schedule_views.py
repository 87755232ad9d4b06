"""A plan goes live with its schedule (the import preview's confirmation), and its schedule page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luoshi.lib import clock
from luoshi.lib.auth import role_required
from luoshi.orgs.models import User
from luoshi.plans.access import get_plan_for_coordinator
from luoshi.plans.forms import GoLiveForm
from luoshi.plans.services import (
    DraftConflict,
    DraftNotReady,
    PlanExists,
    can_edit_plan,
    confirmed_plan_of_draft,
    get_draft_for_user,
)
from luoshi.reporting import services
from luoshi.reporting.forms import ScheduleForm
from luoshi.reporting.models import PlanSchedule


def _errors(form) -> list[str]:
    """The form's errors, each after the label of its field."""
    return [
        f"{form.fields[name].label}：{error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    ]


@require_POST
@role_required(User.Role.COORDINATOR)
def go_live(request, pk):
    """The import preview's "confirm": the plan, its schedule and its first periods."""
    if plan := confirmed_plan_of_draft(request.user, pk):
        return redirect("plans:detail", plan.pk)  # a late second click
    draft = get_draft_for_user(request.user, pk)
    form = GoLiveForm(request.POST)
    if not form.is_valid():
        for error in _errors(form):
            messages.error(request, error)
        return redirect("plans:import_preview", draft.pk)
    try:
        plan = services.confirm_import(
            request.user,
            draft,
            form.cleaned_data["version"],
            tracking_start=form.cleaned_data["tracking_start"],
            tracking_end=form.cleaned_data["tracking_end"],
        )
    except (DraftConflict, PlanExists) as error:
        messages.error(request, str(error))
    except DraftNotReady as error:
        for problem in error.problems:
            messages.error(request, problem)
    else:
        messages.success(request, _("The plan is live: %(title)s.") % {"title": plan.title})
        return redirect("plans:detail", plan.pk)
    return redirect("plans:import_preview", draft.pk)


# The periods the schedule page lists: those to come, which follow the rule.
UPCOMING = 6


@require_http_methods(["GET", "POST"])
@login_required
def schedule(request, pk):
    """A plan's reporting rule and tracking months: coordinators change them, leaders read."""
    plan = get_plan_for_coordinator(request.user, pk, leaders_too=True)
    can_change = can_edit_plan(request.user, plan)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    current = PlanSchedule.objects.filter(plan=plan).first()
    has_periods = plan.periods.exists()
    initial = ScheduleForm.initial_for(plan, current, clock.today())
    form = ScheduleForm(request.POST or None, initial=initial)
    form.fields["frequency"].disabled = has_periods
    for field in form.fields.values():
        field.disabled = field.disabled or not can_change
    if request.method == "POST" and form.is_valid():
        try:
            services.change_schedule(request.user, plan, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The schedule of this plan is saved."))
            return redirect("reporting:schedule", plan.pk)
    today = clock.today()
    upcoming = plan.periods.filter(due_date__gte=today, closed_at__isnull=True).order_by("start")
    context = {
        "plan": plan,
        "form": form,
        "schedule": current,
        "has_periods": has_periods,
        "can_change": can_change,
        "upcoming": upcoming[:UPCOMING],
    }
    return render(request, "reporting/schedule.html", context)
