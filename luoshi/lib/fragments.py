"""Rendered HTML fragments cached while the data they show has not changed.

A page's costly part (a department's measures, a measure's history) is rendered once per data
version and served from the cache until the next change: the version (`audit.version`,
`reporting.version`) moves with every recorded change, so nothing stale is ever shown. The
view checks who may see the page before asking for the fragment; the key holds everything else
that decides what the fragment shows, so that viewers who may see different things never share
one. The fragment is rendered without the request (no user, no CSRF token in it).
"""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from luoshi.lib import clock

# A day at most: the key changes with the day anyway (a page may say "late" from today).
TIMEOUT = 24 * 3600


def cached_fragment(name: str, version: str, parts: tuple, render: Callable[[], str]) -> SafeString:
    """The HTML `render()` makes, from the cache while `version` is the same. `parts`: what,
    besides the data, decides the fragment's content (the object's id, the page number,
    whether the viewer is the object's department...). The language and the day are always
    part of the key."""
    detail = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"fragment:{name}:{version}:{clock.today().isoformat()}:{get_language()}:{detail}"
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 - our own template's output
