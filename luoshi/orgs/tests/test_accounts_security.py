"""Accounts in a government deployment: lockout, session timeouts, password rules, 2FA."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from luoshi.audit.models import AuditRecord
from luoshi.lib import clock
from luoshi.orgs.models import User
from luoshi.testing import at, department, password

START = at(2026, 11, 20, 9, 0)


def post_login(client, username, pw):
    return client.post(reverse("login"), {"username": username, "password": pw})


def test_the_sixth_try_is_refused_even_with_the_right_password(client, commerce_reporter):
    for _ in range(4):
        response = post_login(client, "commerce_reporter", "wrong")
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()
    # The fifth failure locks the account.
    assert post_login(client, "commerce_reporter", "wrong").status_code == 429
    response = post_login(client, "commerce_reporter", password("commerce_reporter"))
    assert response.status_code == 429
    page = response.content.decode()
    assert "账号已被锁定 15 分钟" in page and "安全管理员" in page
    assert "_auth_user_id" not in client.session
    failures = AuditRecord.objects.filter(action="login_failed", username="commerce_reporter")
    assert failures.count() >= 5


def test_the_lockout_ends_after_15_minutes(client, commerce_reporter):
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            post_login(client, "commerce_reporter", "wrong")
    with time_machine.travel(START + dt.timedelta(minutes=14), tick=False):
        assert (
            post_login(client, "commerce_reporter", password("commerce_reporter")).status_code
            == 429
        )
    with time_machine.travel(START + dt.timedelta(minutes=16), tick=False):
        response = post_login(client, "commerce_reporter", password("commerce_reporter"))
    assert response.status_code == 302


def test_the_security_administrator_unlocks_an_account(
    client, client_for, commerce_reporter, security_admin
):
    for _ in range(5):
        post_login(client, "commerce_reporter", "wrong")
    admin = client_for(security_admin)
    page = admin.get(reverse("security:home")).content.decode()
    assert "commerce_reporter" in page and "已锁定" in page
    response = admin.post(reverse("security:unlock"), {"username": "commerce_reporter"})
    assert response.status_code == 302
    assert AuditRecord.objects.filter(action="unlock", object_repr="commerce_reporter").exists()
    client.logout()
    assert post_login(client, "commerce_reporter", password("commerce_reporter")).status_code == 302


def test_unlocking_a_name_with_a_nul_is_a_message_not_an_error(
    client, client_for, commerce_reporter, security_admin
):
    for _ in range(5):
        post_login(client, "commerce_reporter", "wrong")
    admin = client_for(security_admin)
    response = admin.post(reverse("security:unlock"), {"username": "commerce_\x00reporter"})
    assert response.status_code == 302
    client.logout()
    assert post_login(client, "commerce_reporter", password("commerce_reporter")).status_code == 302


# --- Session timeouts ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _timeouts_on(settings):
    settings.SESSION_TIMEOUTS = True  # off for the other tests (luoshi/conftest.py)


def test_thirty_idle_minutes_log_the_user_out(client, commerce_reporter):
    with time_machine.travel(START, tick=False):
        client.force_login(commerce_reporter)
    with time_machine.travel(START + dt.timedelta(minutes=29), tick=False):
        assert client.get(reverse("reporting:home")).status_code == 200
    # Idle time counts from the last request, not from the login.
    with time_machine.travel(START + dt.timedelta(minutes=58), tick=False):
        assert client.get(reverse("reporting:home")).status_code == 200
    with time_machine.travel(START + dt.timedelta(minutes=89), tick=False):
        response = client.get(reverse("reporting:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    expired = AuditRecord.objects.get(action="session_expired")
    assert expired.changes["reason"]["new"] == "idle"
    assert expired.username == "commerce_reporter"


def test_an_expired_htmx_request_gets_the_401_the_report_form_expects(
    client, commerce_reporter, commerce_report
):
    from luoshi.reporting.services import start_draft

    with time_machine.travel(START, tick=False):
        entry = start_draft(commerce_reporter, commerce_report).entries.first()
        client.force_login(commerce_reporter)
    with time_machine.travel(START + dt.timedelta(minutes=31), tick=False):
        response = client.post(
            reverse("reporting:entry", args=[entry.pk]),
            {"progress": "typed before lunch"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_CURRENT_URL="http://testserver/reporting/",
        )
    assert response.status_code == 401
    assert "sessionExpired" in response["HX-Trigger"]


def test_twelve_hours_end_a_session_however_busy(client, commerce_reporter):
    with time_machine.travel(START, tick=False):
        client.force_login(commerce_reporter)
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("reporting:home")).status_code == 200
    with time_machine.travel(START + dt.timedelta(hours=12, minutes=1), tick=False):
        response = client.get(reverse("reporting:home"))
    assert response.status_code == 302
    assert AuditRecord.objects.get(action="session_expired").changes["reason"]["new"] == "absolute"


# --- Password rules (production) ------------------------------------------------------------


@pytest.fixture
def production_passwords(settings):
    settings.LUOSHI_PASSWORD_POLICY = True


def test_a_generated_password_must_be_changed_first(
    client, client_for, system_admin, security_admin, production_passwords, seed_plan
):
    admin = client_for(system_admin)
    response = admin.post(
        reverse("sysadmin:account_create"), {"username": "new_reporter", "display_name": "新填报人"}
    )
    issued = response.context["password"]
    new_reporter = User.objects.get(username="new_reporter")
    grant = {"role": "reporter", "organization": department("市商务局").pk}
    client_for(security_admin).post(reverse("security:account_role", args=[new_reporter.pk]), grant)
    client.logout()
    assert post_login(client, "new_reporter", issued).status_code == 302
    response = client.get(reverse("reporting:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("password_change"))
    change = reverse("password_change")
    weak = {"old_password": issued, "new_password1": "abcdefgh1", "new_password2": "abcdefgh1"}
    page = client.post(change, weak).content.decode()
    assert "至少使用以下三类" in page
    short = {"old_password": issued, "new_password1": "Ab1!", "new_password2": "Ab1!"}
    assert "至少需要 8 个字符" in client.post(change, short).content.decode()
    good = {"old_password": issued, "new_password1": "Zaozhuang#2026", "new_password2": ""}
    good["new_password2"] = good["new_password1"]
    assert client.post(change, good).status_code == 302
    assert client.get(reverse("reporting:home")).status_code == 200
    assert AuditRecord.objects.filter(action="change_password", username="new_reporter").exists()


def test_a_password_older_than_90_days_must_be_changed(
    client, commerce_reporter, production_passwords
):
    client.force_login(commerce_reporter)
    with time_machine.travel(clock.now() + dt.timedelta(days=89)):
        client.force_login(commerce_reporter)
        assert client.get(reverse("reporting:home")).status_code == 200
    with time_machine.travel(clock.now() + dt.timedelta(days=91)):
        client.force_login(commerce_reporter)
        response = client.get(reverse("reporting:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("password_change"))


def test_the_local_demo_keeps_its_printed_passwords(client, commerce_reporter, settings):
    settings.LUOSHI_PASSWORD_POLICY = False
    commerce_reporter.must_change_password = True
    commerce_reporter.save()
    client.force_login(commerce_reporter)
    assert client.get(reverse("reporting:home")).status_code == 200


# --- Second factor (production) -------------------------------------------------------------


@pytest.fixture
def production_otp(settings):
    settings.LUOSHI_REQUIRE_OTP = True


@pytest.mark.parametrize(
    "persona", ["coordinator", "system_admin", "security_admin", "audit_admin"]
)
def test_coordinators_and_administrators_need_a_second_factor(
    request, client, persona, production_otp
):
    user = request.getfixturevalue(persona)
    post_login(client, user.username, password(user.username))
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor"))
    page = response.content.decode()
    qr = page.split('id="qr"', 1)[1].split("</div>", 1)[0]
    assert "<svg" in qr and "设置第二重验证" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"
    page = client.post(reverse("two_factor"), {"token": wrong}).content.decode()
    assert "验证码错误" in page
    assert client.get(reverse("plans:list")).status_code == 302  # still not through
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after a wrong code
    response = client.post(reverse("two_factor"), {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    assert client.get(reverse("home"), follow=True).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    # The next login asks for a code from the enrolled app, not for a new enrolment.
    client.logout()
    post_login(client, user.username, password(user.username))
    page = client.get(reverse("two_factor")).content.decode()
    assert 'id="qr"' not in page and "输入验证码" in page


def test_department_users_need_no_second_factor(client, commerce_reporter, production_otp):
    post_login(client, "commerce_reporter", password("commerce_reporter"))
    assert client.get(reverse("reporting:home")).status_code == 200


def test_the_demo_says_the_second_factor_is_off(client, settings):
    settings.LUOSHI_REQUIRE_OTP = False
    assert "第二重验证（TOTP）已关闭" in client.get(reverse("login")).content.decode()
