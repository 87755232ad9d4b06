"""Pages of the system administrator (accounts without a role, system, backups) and of the
security administrator (granting roles, new passwords, lockouts, security settings). 三员分立:
each is refused the other's pages (and the audit administrator's), and every change they make is
audited by the services."""

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
from luoshi.lib.text import strip_control
from luoshi.orgs import backups
from luoshi.orgs.models import Organization, User
from luoshi.orgs.services import (
    BUSINESS_ROLES,
    AccountRefused,
    change_role,
    create_account,
    get_account_for_admin,
    organizations_for_role,
    region_label,
    reset_password,
    set_account_active,
    unlock_account,
)

ROLE_CHOICES = [(role.value, role.label) for role in BUSINESS_ROLES]
system_admin_only = role_required(User.Role.SYSTEM_ADMIN)
security_admin_only = role_required(User.Role.SECURITY_ADMIN)


def _styled(form):
    for field in form.fields.values():
        select = isinstance(field.widget, forms.Select)
        field.widget.attrs["class"] = "form-select" if select else "form-control"


class AccountForm(forms.Form):
    """A new account: a name only. Its role and organization are the security administrator's
    to grant; a role or organization posted here is ignored."""

    username = forms.RegexField(
        label=gettext_lazy("User name"),
        regex=r"^[A-Za-z0-9_.-]{3,40}$",
        help_text=gettext_lazy("3 to 40 Latin letters, digits, _ . or -"),
        error_messages={"invalid": gettext_lazy("Use 3 to 40 Latin letters, digits, _ . or -")},
    )
    display_name = forms.CharField(label=gettext_lazy("Name"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


def _accounts():
    return User.objects.select_related("organization").order_by("role", "username")


def _password_issued(request, account, password, back):
    context = {"account": account, "password": password, "back": back}
    return render(request, "orgs/admin/password_issued.html", context)


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
            return _password_issued(request, user, password, "sysadmin:accounts")
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


class OrganizationChoice(forms.ModelChoiceField):
    """A unit named with its region (薛城区 · 薛城区商务局): names repeat from region to region."""

    def label_from_instance(self, obj):
        return region_label(obj)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)
    # Required to grant a first role; a business account keeps its own when none is chosen.
    organization = OrganizationChoice(
        label=gettext_lazy("Organization"), queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_for_role(by)
        _styled(self)


@require_GET
@security_admin_only
def security(request):
    """Accounts awaiting a role and the grant, every account's role and a new password,
    locked-out accounts, and the security settings in force."""
    lockouts = (
        AccessAttempt.objects.values("username")
        .annotate(failures=Sum("failures_since_start"))
        .order_by("username")
    )
    accounts = list(_accounts())
    context = {
        "pending": [account for account in accounts if account.is_pending],
        "accounts": [account for account in accounts if not account.is_pending],
        "organizations": list(organizations_for_role(request.user)),
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
    form = RoleForm(request.POST, by=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles and organizations offered."))
        return redirect("security:home")
    try:
        change_role(request.user, account, **form.cleaned_data)
    except AccountRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s was saved.") % {"name": account.username})
    return redirect("security:home")


@require_POST
@security_admin_only
def account_reset_password(request, pk):
    account = get_account_for_admin(request.user, pk)
    password = reset_password(request.user, account)
    return _password_issued(request, account, password, "security:home")


@require_POST
@security_admin_only
def unlock(request):
    username = strip_control(request.POST.get("username", ""))[:150]
    if unlock_account(request.user, username):
        messages.success(request, _("%(name)s can log in again.") % {"name": username})
    else:
        messages.info(request, _("%(name)s was not locked.") % {"name": username})
    return redirect("security:home")
