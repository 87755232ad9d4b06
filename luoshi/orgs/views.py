from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from luoshi.lib.auth import role_required
from luoshi.orgs.forms import OrganizationForm
from luoshi.orgs.models import Organization, User
from luoshi.orgs.services import (
    NameTaken,
    create_organization,
    directory_for_user,
    directory_regions,
    get_organization_for_editing,
    set_members,
    update_organization,
)


@require_GET
@login_required
def home(request):
    user = request.user
    if user.is_department_user:
        return redirect("reporting:home")
    if user.is_audit_admin:
        return redirect("audit:log")
    if user.role == User.Role.SECURITY_ADMIN:
        return redirect("security:home")
    if user.role == User.Role.SYSTEM_ADMIN:
        return redirect("sysadmin:accounts")
    if user.is_leader:
        return redirect("insights:index")  # the dashboard: a leader reads, and reads it first
    return redirect("plans:list")


@require_GET
@role_required(User.Role.COORDINATOR, User.Role.LEADER, User.Role.SYSTEM_ADMIN)
def directory(request):
    departments = (
        directory_for_user(request.user)
        .select_related("parent")
        .prefetch_related(Prefetch("members", Organization.objects.select_related("parent")))
        .annotate(
            measure_count=Count("assignments", distinct=True),
            user_count=Count("users", filter=Q(users__is_active=True), distinct=True),
        )
        .order_by("parent__name", "kind", "name")
    )
    context = {
        "departments": departments,
        "can_open": request.user.role in ("coordinator", "leader"),
        "editable_region": _editable_region(request.user),
    }
    return render(request, "orgs/directory.html", context)


def _editable_region(user: User):
    """ "all" for a system administrator, a coordinator's region id, or None."""
    if user.role == User.Role.SYSTEM_ADMIN:
        return "all"
    if user.is_coordinator and user.organization:
        org = user.organization
        return org.pk if org.kind == Organization.Kind.REGION else org.parent_id
    return None


@require_http_methods(["GET", "POST"])
@role_required(User.Role.COORDINATOR, User.Role.SYSTEM_ADMIN)
def organization_create(request):
    regions = directory_regions(request.user)
    form = OrganizationForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = create_organization(
                request.user,
                data["region"],
                kind=data["kind"],
                name=data["name"],
                full_name=data["full_name"],
                aliases=data["aliases"],
            )
        except NameTaken as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(name)s was added.") % {"name": org.name})
            return redirect("orgs:edit", org.pk)
    return render(request, "orgs/organization_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(User.Role.COORDINATOR, User.Role.SYSTEM_ADMIN)
def organization_edit(request, pk):
    org = get_organization_for_editing(request.user, pk)
    initial = {"name": org.name, "full_name": org.full_name, "aliases": "\n".join(org.aliases)}
    if org.kind == Organization.Kind.COLLECTIVE:
        initial["members"] = list(org.members.all())
    form = OrganizationForm(request.POST or None, initial=initial, regions=None, organization=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_organization(
                request.user,
                org,
                name=data["name"],
                full_name=data["full_name"],
                aliases=data["aliases"],
            )
        except NameTaken as error:
            form.add_error(None, str(error))
        else:
            if "members" in data:
                set_members(request.user, org, data["members"])
            messages.success(request, _("%(name)s was saved.") % {"name": org.name})
            return redirect("orgs:directory")
    return render(request, "orgs/organization_form.html", {"form": form, "organization": org})
