"""The user's own account: changing the password, enrolling and confirming the second factor,
waiting for a role."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from luoshi.audit.services import record_change
from luoshi.orgs.services import change_password


def _next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


@require_http_methods(["GET", "POST"])
@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        change_password(request.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password was changed."))
        return redirect(_next(request))
    context = {"form": form, "next": _next(request, ""), "user_obj": request.user}
    return render(request, "orgs/password_change.html", context)


@require_GET
@login_required
def awaiting_role(request):
    """What an account awaiting a role sees (AccountPolicyMiddleware sends it here)."""
    if not request.user.is_pending:
        return redirect("home")
    return render(request, "orgs/awaiting_role.html", {"user_obj": request.user})


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=gettext_lazy("Six-digit code"),
        regex=r"^\d{6}$",
        error_messages={"invalid": gettext_lazy("Enter the six digits the app shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    # Made here from our own otpauth:// URL: no user text in it.
    return mark_safe(image.to_string(encoding="unicode"))


@require_http_methods(["GET", "POST"])
@login_required
def two_factor(request):
    """Enrol a TOTP app (QR code, no external service), or confirm a code from it."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="totp", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                record_change(user, "enrol_2fa", user, {"totp": {"old": None, "new": "confirmed"}})
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("The code is wrong or has expired. Try the current one."))
    context = {
        "form": form,
        "enrolling": enrolling,
        "qr": _qr_svg(device.config_url) if enrolling else "",
        "secret": b32encode(device.bin_key).decode() if enrolling else "",
        "next": _next(request, ""),
        "required": settings.LUOSHI_REQUIRE_OTP,
    }
    return render(request, "orgs/two_factor.html", context)
