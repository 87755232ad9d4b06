"""Shared test fixtures: the seed plan and the personas, set up through the real services."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

# Django models are imported inside the fixtures: the pure-Python importer's tests share this
# conftest and must run without Django.

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def require_program(program: str, package: str):
    """Skip when a system program is missing; fail instead under LUOSHI_REQUIRE_ALL=1 (CI)."""
    if shutil.which(program) or Path(program).exists():
        return
    message = f"{program} is not installed (apt-get install {package})"
    if os.environ.get("LUOSHI_REQUIRE_ALL") == "1":
        pytest.fail(f"{message}, and LUOSHI_REQUIRE_ALL=1 forbids skipping")
    pytest.skip(message)


def require_cjk_font():
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    if not fonts.strip():
        require_program("/nonexistent/fonts-noto-cjk", "fonts-noto-cjk")


@pytest.fixture(autouse=True)
def _fast_password_hashing(request):
    # Argon2 is deliberately slow; tests create many accounts.
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_session_timeouts(request):
    # Tests log in once and then travel days ahead in time; the idle and absolute timeouts
    # would log them out. The timeout tests (luoshi/orgs/tests) turn them back on.
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.SESSION_TIMEOUTS = False


@pytest.fixture(autouse=True)
def _empty_cache(request):
    # Test databases reuse primary keys, so a cached page or dashboard JSON (keyed by ids and
    # the audit log's head) could outlive its test and answer the next one.
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def region(db):
    from luoshi.orgs.services import load_directory
    from luoshi.plans.demo import DIRECTORY

    return load_directory(DIRECTORY)


@pytest.fixture
def seed_plan(region):
    from luoshi.importing.sources import parse_file
    from luoshi.plans.demo import SEED
    from luoshi.plans.services import import_plan

    parsed, text = parse_file(SEED)
    return import_plan(parsed, source_name=SEED.name, source_text=text)


def department(name: str):
    from luoshi.orgs.models import Organization

    return Organization.objects.get(kind=Organization.Kind.DEPARTMENT, name=name)


def make_user(username: str, role: str, organization):
    from luoshi.orgs.services import ensure_account

    return ensure_account(
        username, password(username), role=role, organization=organization, display_name=username
    )


def password(username: str) -> str:
    return f"Test-{username}-42"


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
def leader(seed_plan, region):
    return make_user("leader", "leader", region)


@pytest.fixture
def audit_admin(seed_plan, region):
    return make_user("auditadmin", "audit_admin", region)


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
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def system_admin(seed_plan, region):
    return make_user("sysadmin", "system_admin", region)


@pytest.fixture
def security_admin(seed_plan, region):
    return make_user("secadmin", "security_admin", region)
