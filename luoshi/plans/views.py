from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from luoshi.orgs.models import Organization
from luoshi.plans.forms import AssignmentFormSet, LedgerFilterForm, ReviewForm
from luoshi.plans.models import Measure
from luoshi.plans.services import (
    can_edit_plan,
    get_measure_for_editing,
    get_plan_for_user,
    measures_with_details,
    parsed_plan_from_db,
    plans_for_user,
    set_measure_departments,
)


@require_GET
@login_required
def plan_list(request):
    plans = plans_for_user(request.user).annotate(
        task_count=Count("key_tasks", distinct=True),
        measure_count=Count("key_tasks__measures", distinct=True),
        review_count=Count(
            "key_tasks__measures", filter=Q(key_tasks__measures__needs_review=True), distinct=True
        ),
    )
    return render(request, "plans/plan_list.html", {"plans": plans})


@require_GET
@login_required
def plan_detail(request, pk):
    plan = get_plan_for_user(request.user, pk)
    departments = Organization.objects.filter(
        kind=Organization.Kind.DEPARTMENT, assignments__measure__key_task__plan=plan
    ).distinct()
    form = LedgerFilterForm(request.GET or None, departments=departments)
    measures = form.filter(measures_with_details()).order_by("no")
    tasks = list(plan.key_tasks.prefetch_related(Prefetch("measures", measures, to_attr="shown")))
    counts = Measure.objects.filter(key_task__plan=plan).aggregate(
        measures=Count("pk"), to_review=Count("pk", filter=Q(needs_review=True))
    )
    context = {
        "plan": plan,
        "tasks": tasks,
        "form": form,
        "counts": counts,
        "shown_count": sum(len(task.shown) for task in tasks),
        "department_count": departments.count(),
        "can_edit": can_edit_plan(request.user, plan),
    }
    return render(request, "plans/plan_detail.html", context)


@require_GET
@login_required
def plan_json(request, pk):
    plan = get_plan_for_user(request.user, pk)
    response = JsonResponse(
        parsed_plan_from_db(plan).to_dict(), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}.json"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def measure_edit(request, pk):
    measure = get_measure_for_editing(request.user, pk)
    plan = measure.key_task.plan
    organizations = plan.region.children.order_by("kind", "name")
    initial = [
        {"organization": a.organization, "role": a.role}
        for a in measure.assignments.select_related("organization")
    ]
    formset = AssignmentFormSet(
        request.POST or None, initial=initial, form_kwargs={"organizations": organizations}
    )
    review = ReviewForm(request.POST or None, initial={"needs_review": measure.needs_review})
    if request.method == "POST" and formset.is_valid() and review.is_valid():
        set_measure_departments(
            request.user,
            measure,
            formset.departments(),
            needs_review=review.cleaned_data["needs_review"],
        )
        messages.success(request, _("Measure %(code)s saved.") % {"code": measure.code})
        return redirect(reverse("plans:detail", args=[plan.pk]) + f"#measure-{measure.pk}")
    context = {
        "plan": plan,
        "measure": measure,
        "formset": formset,
        "review": review,
        "organizations": list(organizations),  # one query for every row's choices
    }
    return render(request, "plans/measure_edit.html", context)
