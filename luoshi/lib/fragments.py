"""Rendered HTML fragments cached while the data they show has not changed.

A page's costly part (a department's measures, a measure's history) is rendered once per data
version and served from the cache until the next change: the version (`audit.version`,
`reporting.version`) moves with every recorded change, so nothing stale is ever shown. The
view checks who may see the page before asking for the fragment; the key holds everything else
that decides what the fragment shows, so that viewers who may see different things never share
one. The fragment is rendered without the request: forms in it carry a slot that the view
fills with the viewer's CSRF token (`csrf_slot`, `fill_csrf`).
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from luoshi.lib import clock

# A day at most: the key changes with the day anyway (a page may say "late" from today).
TIMEOUT = 24 * 3600


def cached_value(name: str, version: str, parts: tuple, compute: Callable[[], object]):
    """What `compute()` returns (anything the cache can pickle), from the cache while `version`
    is the same. `parts`: what, besides the data, decides the value (the object's id, the page
    number, whether the viewer is the object's department...). The language and the day are
    always part of the key."""
    detail = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"fragment:{name}:{version}:{clock.today().isoformat()}:{get_language()}:{detail}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def cached_fragment(name: str, version: str, parts: tuple, render: Callable[[], str]) -> SafeString:
    """The HTML `render()` makes, from the cache while `version` is the same (see cached_value)."""
    return mark_safe(cached_value(name, version, parts, render))  # noqa: S308 - our own template's output


def csrf_slot() -> str:
    """What a fragment's forms carry instead of the CSRF token, which is the viewer's own: the
    view puts the request's token in its place (`fill_csrf`) after taking the fragment from the
    cache. Derived from the secret key, so that no text a user writes can contain it, and the
    same on every app host sharing the cache."""
    return hashlib.sha256(f"csrf-slot:{settings.SECRET_KEY}".encode()).hexdigest()


def fill_csrf(request, html: str) -> SafeString:
    return mark_safe(html.replace(csrf_slot(), get_token(request)))  # noqa: S308 - as above
