"""Pages of the system administrator (accounts, system, backups) and of the security
administrator (roles, lockouts, security settings). 三员分立: each is refused the other's pages
(and the audit administrator's), and every change they make is audited by the services."""

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from luoshi.lib.auth import role_required
from luoshi.orgs import backups
from luoshi.orgs.models import Organization, User
from luoshi.orgs.services import (
    BUSINESS_ROLES,
    AccountRefused,
    change_role,
    create_account,
    get_account_for_admin,
    reset_password,
    set_account_active,
    unlock_account,
)

ROLE_CHOICES = [(role.value, role.label) for role in BUSINESS_ROLES]
system_admin_only = role_required(User.Role.SYSTEM_ADMIN)
security_admin_only = role_required(User.Role.SECURITY_ADMIN)


class AccountForm(forms.Form):
    username = forms.RegexField(
        label=gettext_lazy("User name"),
        regex=r"^[A-Za-z0-9_.-]{3,40}$",
        help_text=gettext_lazy("3 to 40 Latin letters, digits, _ . or -"),
        error_messages={"invalid": gettext_lazy("Use 3 to 40 Latin letters, digits, _ . or -")},
    )
    display_name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Organization"),
        queryset=Organization.objects.filter(
            kind__in=[Organization.Kind.REGION, Organization.Kind.DEPARTMENT]
        ).order_by("kind", "name"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"


def _accounts():
    return User.objects.select_related("organization").order_by("role", "username")


@require_GET
@system_admin_only
def account_list(request):
    return render(request, "orgs/admin/accounts.html", {"accounts": _accounts()})


@require_http_methods(["GET", "POST"])
@system_admin_only
def account_create(request):
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = create_account(request.user, **form.cleaned_data)
        except AccountRefused as error:
            form.add_error(None, str(error))
        else:
            return render(
                request, "orgs/admin/password_issued.html", {"account": user, "password": password}
            )
    return render(request, "orgs/admin/account_form.html", {"form": form})


@require_POST
@system_admin_only
def account_active(request, pk):
    account = get_account_for_admin(request.user, pk)
    try:
        set_account_active(request.user, account, request.POST.get("active") == "1")
    except AccountRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s was saved.") % {"name": account.username})
    return redirect("sysadmin:accounts")


@require_POST
@system_admin_only
def account_reset_password(request, pk):
    account = get_account_for_admin(request.user, pk)
    password = reset_password(request.user, account)
    return render(
        request, "orgs/admin/password_issued.html", {"account": account, "password": password}
    )


@require_GET
@system_admin_only
def system(request):
    """The system's settings as running (read from the environment) and its backups."""
    context = {
        "environment": settings.LUOSHI_ENV,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "media_root": settings.MEDIA_ROOT,
        "attachment_max": settings.REPORTING_ATTACHMENT_MAX_BYTES,
        "backups": backups.list_backups(),
        "backup_dir": backups.backup_dir(),
    }
    return render(request, "orgs/admin/system.html", context)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)


@require_GET
@security_admin_only
def security(request):
    """Accounts and their roles, locked-out accounts, and the security settings in force."""
    lockouts = (
        AccessAttempt.objects.values("username")
        .annotate(failures=Sum("failures_since_start"))
        .order_by("username")
    )
    context = {
        "accounts": _accounts(),
        "role_choices": ROLE_CHOICES,
        "business_roles": [role.value for role in BUSINESS_ROLES],
        "lockouts": lockouts,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "policy": {
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
            "absolute_hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
            "password_policy": settings.LUOSHI_PASSWORD_POLICY,
            "password_days": settings.PASSWORD_MAX_AGE_DAYS,
            "otp": settings.LUOSHI_REQUIRE_OTP,
        },
    }
    return render(request, "orgs/admin/security.html", context)


@require_POST
@security_admin_only
def account_role(request, pk):
    account = get_account_for_admin(request.user, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles offered."))
        return redirect("security:home")
    try:
        change_role(request.user, account, form.cleaned_data["role"])
    except AccountRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s was saved.") % {"name": account.username})
    return redirect("security:home")


@require_POST
@security_admin_only
def unlock(request):
    username = request.POST.get("username", "")[:150]
    if unlock_account(request.user, username):
        messages.success(request, _("%(name)s can log in again.") % {"name": username})
    else:
        messages.info(request, _("%(name)s was not locked.") % {"name": username})
    return redirect("security:home")
