"""The fixtures every app's tests share: the personas and the seed plan set up through the real
services, the seed plan tracked from October 2026 and its months, frozen times, clients, and a
browser page logged in on the live server.

They are built with luoshi/testing.py, where the helpers that tests import live. An app's own
conftest may add fixtures; no test imports names from a conftest.

Django is imported inside the fixtures: the pure-Python importer's tests share this conftest and
must run without Django.
"""

import datetime
import os
from pathlib import Path

import pytest

from luoshi.testing import (
    at,
    department,
    file_report,
    fill_login_form,
    make_commerce_lead,
    make_user,
    measure,
    month,
    require_cjk_font,
    require_program,
    track,
    watch,
)

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


# --- Every test -------------------------------------------------------------------------------


def _uses_django(request) -> bool:
    return request.config.pluginmanager.hasplugin("django")


@pytest.fixture(autouse=True)
def _fast_password_hashing(request):
    # Argon2 is deliberately slow; tests create many accounts.
    if not _uses_django(request):
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_session_timeouts(request):
    # Tests log in once and then travel days ahead in time; the idle and absolute timeouts
    # would log them out. The timeout tests (luoshi/orgs/tests) turn them back on.
    if not _uses_django(request):
        return
    settings = request.getfixturevalue("settings")
    settings.SESSION_TIMEOUTS = False


@pytest.fixture(autouse=True)
def _empty_cache(request):
    # Test databases reuse primary keys, so a cached page or dashboard JSON (keyed by ids and
    # the audit log's head) could outlive its test and answer the next one.
    if not _uses_django(request):
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _uploads_in_tmp(request):
    # Uploaded files (evidence, plan documents) go to the test's own directory.
    if not _uses_django(request):
        return
    settings = request.getfixturevalue("settings")
    settings.MEDIA_ROOT = request.getfixturevalue("tmp_path") / "uploads"
    # So does the audit seal file: each test's database has its own seals.
    settings.AUDIT_SEAL_FILE = str(request.getfixturevalue("tmp_path") / "audit-seals.jsonl")


@pytest.fixture
def english():
    """Messages in English (the msgids), to match them; Chinese is the default language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def mid_november():
    """Frozen on Friday 20 November 2026, 10:30: October is past due, November due on the 28th."""
    import time_machine

    with time_machine.travel(at(2026, 11, 20, 10, 30), tick=False):
        yield


# --- The directory, the seed plan and the personas --------------------------------------------


@pytest.fixture
def region(db):
    from luoshi.orgs.data import DIRECTORY
    from luoshi.orgs.services import load_directory

    return load_directory(DIRECTORY)


@pytest.fixture
def seed_plan(region):
    from luoshi.importing.sources import parse_file
    from luoshi.plans.seed import SEED
    from luoshi.plans.services import import_plan

    parsed, text = parse_file(SEED)
    return import_plan(parsed, source_name=SEED.name, source_text=text)


@pytest.fixture
def office(region):
    """The coordinator of the seed's office (市发展改革委), before any plan is imported."""
    return make_user("coordinator", "coordinator", department("市发展改革委"))


@pytest.fixture
def coordinator(seed_plan):
    return make_user("coordinator", "coordinator", seed_plan.coordinator)


@pytest.fixture
def commerce_reporter(seed_plan):
    return make_user("commerce_reporter", "reporter", department("市商务局"))


@pytest.fixture
def commerce_head(seed_plan):
    return make_user("commerce_head", "approver", department("市商务局"))


@pytest.fixture
def transport_reporter(seed_plan):
    return make_user("transport_reporter", "reporter", department("市交通运输局"))


@pytest.fixture
def transport_head(seed_plan):
    return make_user("transport_head", "approver", department("市交通运输局"))


@pytest.fixture
def leader(seed_plan, region):
    return make_user("leader", "leader", region)


@pytest.fixture
def audit_admin(seed_plan, region):
    return make_user("auditadmin", "audit_admin", region)


@pytest.fixture
def system_admin(seed_plan, region):
    return make_user("sysadmin", "system_admin", region)


@pytest.fixture
def security_admin(seed_plan, region):
    return make_user("secadmin", "security_admin", region)


# --- The seed plan tracked from October 2026 ----------------------------------------------------


@pytest.fixture
def tracked(settings, seed_plan):
    """The seed plan's periods and expected reports from October 2026, generated on 1 November
    (one period ahead: October, November and December, each due on the 28th)."""
    return track(seed_plan, settings, datetime.date(2026, 10, 1), on=at(2026, 11, 1, 9))


@pytest.fixture
def october(tracked):
    return month(tracked, 2026, 10)


@pytest.fixture
def november(tracked):
    return month(tracked, 2026, 11)


@pytest.fixture
def december(tracked):
    return month(tracked, 2026, 12)


@pytest.fixture
def commerce_report(november):
    """市商务局's November report, not started."""
    return november.reports.get(organization=department("市商务局"))


@pytest.fixture
def commerce_leads(coordinator, tracked):
    """The tracked plan, 市商务局 made the lead of 一.2 and 十.3 (testing.make_commerce_lead)."""
    return make_commerce_lead(coordinator, tracked)


@pytest.fixture
def target(coordinator, commerce_leads):
    """十.3's target (不超过2000元), owned by 市商务局 (the lead) and confirmed."""
    from luoshi.plans.models import Target
    from luoshi.reporting import services

    target = measure("十.3").targets.get()
    services.set_target(coordinator, target, owner=department("市商务局"))
    # No service confirms a target after the import: as the import's confirmation does.
    Target.objects.filter(pk=target.pk).update(confirmed=True)
    return target


@pytest.fixture
def reported(
    mid_november,
    coordinator,
    tracked,
    target,
    commerce_reporter,
    commerce_head,
    transport_reporter,
):
    """Seen on 20 November: 市商务局 reported October late (accepted) and November on time with
    an actual of 1500元 (accepted); 市交通运输局 missed October and has a November draft."""
    from luoshi.reporting import services

    commerce = department("市商务局")
    late = file_report(
        month(tracked, 2026, 10).reports.get(organization=commerce),
        commerce_reporter,
        commerce_head,
        text="十月补报。",
    )
    services.accept(coordinator, late)
    on_time = file_report(
        month(tracked, 2026, 11).reports.get(organization=commerce),
        commerce_reporter,
        commerce_head,
        text="十一月按时报送。",
        actuals={target.pk: 1500},
    )
    services.accept(coordinator, on_time)
    transport = month(tracked, 2026, 11).reports.get(organization=transport_reporter.organization)
    services.start_draft(transport_reporter, transport)
    return {"late": late, "on_time": on_time}


# --- Clients and the browser ------------------------------------------------------------------


@pytest.fixture
def client_for(client):
    """client_for(user): the test client logged in as `user` (None: anonymous)."""

    def log_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return log_in


@pytest.fixture
def browser():
    """Debian's Chromium driven by Playwright, headless."""
    require_program("/usr/bin/chromium", "chromium")
    require_cjk_font()
    from playwright.sync_api import sync_playwright

    # The sync API runs an event loop in this thread; the ORM calls of the test stay outside it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
        # ORM calls made while Playwright runs use their own connections (its greenlet has its
        # own context); close them here, or PostgreSQL refuses to drop the test database.
        from django.db import connections

        connections.close_all()


@pytest.fixture
def logged_in_page(live_server, browser):
    """logged_in_page(username, next=None, viewport=(1366, 900), **context_options): a page in
    a new browser context on the live server, logged in as `username` through the real login
    form (then at `next`, else at the user's home). What goes wrong in it collects in
    `page.errors` (testing.watch). The contexts close at the end of the test."""
    from django.urls import reverse

    contexts = []

    def open_page(username, *, next=None, viewport=(1366, 900), **context_options):
        width, height = viewport
        context = browser.new_context(
            viewport={"width": width, "height": height}, **context_options
        )
        contexts.append(context)
        page = watch(context.new_page())
        login = live_server.url + reverse("login")
        page.goto(login + (f"?next={next}" if next else ""))
        fill_login_form(page, username)
        page.wait_for_url(lambda url: not url.startswith(login))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
