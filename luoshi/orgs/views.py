from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from luoshi.lib.auth import role_required
from luoshi.orgs.models import Organization, User
from luoshi.orgs.services import get_department_for_user
from luoshi.plans.services import measures_with_details


@require_GET
@login_required
def home(request):
    user = request.user
    if user.is_department_user:
        return redirect("orgs:department", user.organization_id)
    if user.is_audit_admin:
        return redirect("audit:log")
    if user.role in (User.Role.SYSTEM_ADMIN, User.Role.SECURITY_ADMIN):
        return redirect("orgs:directory")
    return redirect("plans:list")


@require_GET
@login_required
def department_detail(request, pk):
    department = get_department_for_user(request.user, pk)
    measures = (
        measures_with_details()
        .filter(assignments__organization=department)
        .select_related("key_task__plan")
        .order_by("-key_task__plan__issue_date", "key_task__plan", "key_task__no", "no")
    )
    context = {"department": department, "measures": measures}
    return render(request, "orgs/department_detail.html", context)


@require_GET
@role_required(
    User.Role.COORDINATOR, User.Role.LEADER, User.Role.SYSTEM_ADMIN, User.Role.SECURITY_ADMIN
)
def directory(request):
    departments = (
        Organization.objects.filter(kind=Organization.Kind.DEPARTMENT)
        .select_related("parent")
        .annotate(
            measure_count=Count("assignments", distinct=True),
            user_count=Count("users", filter=Q(users__is_active=True), distinct=True),
        )
        .order_by("parent__name", "name")
    )
    context = {
        "departments": departments,
        "can_open": request.user.role in ("coordinator", "leader"),
    }
    return render(request, "orgs/directory.html", context)
