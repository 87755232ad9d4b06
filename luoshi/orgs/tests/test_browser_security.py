"""In a real browser, under the Content-Security-Policy: the lockout page, the second factor's
enrolment (QR code drawn as SVG), the language switch without an inline handler."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from luoshi.testing import fill_login_form, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sixth_login_shows_the_lockout_in_chinese(
    live_server, browser, commerce_reporter, artifacts
):
    # A request the next navigation cancels (net::ERR_ABORTED, e.g. the favicon while the form
    # is sent again) is the browser's doing, not a failure of the page: watch() leaves it out.
    page = watch(browser.new_page(viewport={"width": 1280, "height": 860}))
    for _ in range(5):
        page.goto(live_server.url + "/login/")
        fill_login_form(page, "commerce_reporter", "wrong-password")
    page.goto(live_server.url + "/login/")
    fill_login_form(page, "commerce_reporter")
    expect(page.get_by_role("heading", name="账号已被锁定 15 分钟")).to_be_visible()
    page.screenshot(path=str(artifacts / "security-lockout.png"))
    # The browser reports the refusals' status (429) itself; nothing else may fail.
    refusals = [e for e in page.errors if "status of 429" in e or e.startswith("HTTP 429 ")]
    assert [e for e in page.errors if e not in refusals] == []


def test_a_coordinator_enrols_the_second_factor_and_switches_language(
    live_server, logged_in_page, coordinator, artifacts, settings
):
    settings.LUOSHI_REQUIRE_OTP = True
    # 1440 px: the English menu is unfolded from 1400 px only (navbar-expand-xxl).
    page = logged_in_page("coordinator", viewport=(1440, 860))
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
    expect(page.get_by_role("link", name="Plans").first).to_be_visible()
    assert page.errors == []
