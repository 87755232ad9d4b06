"""REDIS_URL: the cache and the sessions shared by every app host."""

import os
import socket
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings
from django.urls import reverse

from luoshi.testing import require_program

pytestmark = pytest.mark.django_db

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache():
    """The Redis cache settings of a deployment, under a prefix of this test's own."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        require_program("/nonexistent/redis-server-on-6379", "redis-server; start it")
    prefix = f"test-{uuid.uuid4().hex}"
    config = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS}
    yield {"default": {**config, "KEY_PREFIX": prefix}}
    RedisCache(REDIS, {"KEY_PREFIX": prefix}).clear()


def settings_with(**environ) -> str:
    """What luoshi's settings make of this environment, in a fresh process."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE)"
    )
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(environ, DJANGO_SETTINGS_MODULE="luoshi.settings")
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_redis_url_switches_the_cache_and_the_sessions():
    assert settings_with() == (
        "django.core.cache.backends.locmem.LocMemCache django.contrib.sessions.backends.db"
    )
    assert settings_with(REDIS_URL=REDIS) == (
        "django.core.cache.backends.redis.RedisCache django.contrib.sessions.backends.cached_db"
    )


def test_what_one_host_caches_the_other_reads_and_a_deletion_reaches_both(redis_cache):
    options = redis_cache["default"]
    host_a = RedisCache(REDIS, {"KEY_PREFIX": options["KEY_PREFIX"]})
    host_b = RedisCache(REDIS, {"KEY_PREFIX": options["KEY_PREFIX"]})
    host_a.set("dashboard:plan:1:v42", {"green": 3})
    assert host_b.get("dashboard:plan:1:v42") == {"green": 3}
    host_b.delete("dashboard:plan:1:v42")
    assert host_a.get("dashboard:plan:1:v42") is None


def test_a_session_lives_in_redis_with_the_database_behind_it(client, coordinator, redis_cache):
    with override_settings(
        CACHES=redis_cache, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"
    ):
        from django.core.cache import caches

        client.force_login(coordinator)
        session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        assert caches["default"].get(f"django.contrib.sessions.cached_db{session_key}")
        assert client.get(reverse("plans:list")).status_code == 200
        # Redis restarted (emptied): the session is read back from the database.
        caches["default"].clear()
        assert client.get(reverse("plans:list")).status_code == 200
        assert caches["default"].get(f"django.contrib.sessions.cached_db{session_key}")
