"""With the second factor required (production), a password alone opens nothing: not even the
password change, until the TOTP code is confirmed."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from luoshi.testing import password

pytestmark = pytest.mark.django_db

NEW = "Xin-mima-2026-qiang!"


@pytest.fixture
def production_otp(settings):
    settings.LUOSHI_REQUIRE_OTP = True
    settings.LUOSHI_PASSWORD_POLICY = True


def _log_in(client, user):
    client.post(reverse("login"), {"username": user.username, "password": password(user.username)})


def test_a_stolen_password_cannot_change_the_password_before_the_second_factor(
    client, coordinator, production_otp
):
    _log_in(client, coordinator)
    response = client.post(
        reverse("password_change"),
        {"old_password": password("coordinator"), "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor"))
    coordinator.refresh_from_db()
    assert coordinator.check_password(password("coordinator"))
    assert client.get(reverse("password_change")).status_code == 302


def test_the_second_factor_comes_before_a_due_password_change(client, coordinator, production_otp):
    coordinator.must_change_password = True
    coordinator.save(update_fields=["must_change_password"])
    _log_in(client, coordinator)
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("two_factor"))
    assert client.get(reverse("two_factor")).status_code == 200
    # The fragments every page loads by htmx answer nothing while the step is due (a redirect
    # would reload the second-factor page in a loop, with a new secret each time).
    for fragment in ("supervision:bell", "reporting:holiday_banner"):
        quiet = client.get(reverse(fragment), HTTP_HX_REQUEST="true")
        assert quiet.status_code == 204 and not quiet.content, fragment
    device = TOTPDevice.objects.get(user=coordinator)
    client.post(reverse("two_factor"), {"token": f"{totp(device.bin_key):06d}"})
    # Verified: now the password change is the step, and it works.
    assert client.get(reverse("home"))["Location"].startswith(reverse("password_change"))
    client.post(
        reverse("password_change"),
        {"old_password": password("coordinator"), "new_password1": NEW, "new_password2": NEW},
    )
    coordinator.refresh_from_db()
    assert coordinator.check_password(NEW)
    assert client.get(reverse("plans:list")).status_code == 200
