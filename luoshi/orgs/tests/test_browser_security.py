"""In a real browser, under the Content-Security-Policy: the lockout page, the second factor's
enrolment (QR code drawn as SVG), the language switch without an inline handler."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from luoshi.conftest import password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser, errors):
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # A request the next navigation cancels (net::ERR_ABORTED, e.g. the favicon while the form
    # is sent again) is the browser's doing, not a failure of the page.
    page.on(
        "requestfailed",
        lambda r: None if r.failure == "net::ERR_ABORTED" else errors.append(f"failed: {r.url}"),
    )
    return page


def _log_in(page, url, username, pw):
    page.goto(url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(pw)
    page.get_by_role("button", name="登录").click()


def test_the_sixth_login_shows_the_lockout_in_chinese(
    live_server, browser, commerce_reporter, artifacts
):
    errors = []
    page = _page(browser, errors)
    for _ in range(5):
        _log_in(page, live_server.url, "commerce_reporter", "wrong-password")
    _log_in(page, live_server.url, "commerce_reporter", password("commerce_reporter"))
    assert page.get_by_role("heading", name="账号已被锁定 15 分钟").is_visible()
    page.screenshot(path=str(artifacts / "security-lockout.png"))
    # The browser reports the refusals' status (429) itself; nothing else may fail.
    assert [e for e in errors if "status of 429" not in e] == []


def test_a_coordinator_enrols_the_second_factor_and_switches_language(
    live_server, browser, coordinator, artifacts, settings
):
    settings.LUOSHI_REQUIRE_OTP = True
    errors = []
    page = _page(browser, errors)
    _log_in(page, live_server.url, "coordinator", password("coordinator"))
    page.wait_for_selector("#qr svg")
    assert page.get_by_role("heading", name="设置第二重验证").is_visible()
    page.screenshot(path=str(artifacts / "security-2fa-enrol.png"))
    device = TOTPDevice.objects.get(user=coordinator)
    page.get_by_label("六位验证码").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="确认").click()
    page.wait_for_url(f"{live_server.url}/plans/")
    # The language switch works without its former inline onchange handler (CSP).
    page.select_option("#language", "en")
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("link", name="Plans").first.is_visible()
    assert errors == []
