"""The public portal (no login) and the coordinator's publishing pages.

Public pages read only `Publication` snapshots. They are cached: the cache key carries
`services.version_stamp()`, which changes on every publish and withdrawal, so the one query
that reads the stamp is all a cached page costs, on any number of server processes.
"""

import json
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from luoshi.lib.auth import role_required
from luoshi.lib.text import attachment_disposition
from luoshi.orgs.models import User
from luoshi.plans.access import get_plan_for_coordinator
from luoshi.portal import services

CACHE_SECONDS = 24 * 3600


def cached_page(view):
    """Serve the view from the cache while nothing is published or withdrawn."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        # The path, not the query string, which no public page reads: a visitor varying it
        # would otherwise fill the cache with copies, under keys too long for memcached.
        key = f"portal:{services.version_stamp()}:{get_language()}:{request.path}"
        cached = cache.get(key)
        if cached is not None:
            content, content_type, disposition = cached
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            disposition = response.get("Content-Disposition", "")
            if response.status_code == 200:
                cache.set(
                    key,
                    (response.content, response["Content-Type"], disposition),
                    CACHE_SECONDS,
                )
        if disposition:
            response["Content-Disposition"] = disposition
        response["Cache-Control"] = "public, max-age=300"
        return response

    return wrapped


# --- Public pages -------------------------------------------------------------------------------


@require_GET
@cached_page
def index(request):
    return render(request, "portal/index.html", {"publications": services.published_plans()})


def _render_publication(request, publication):
    context = {
        "publication": publication,
        "data": publication.data,
        "periods": services.other_periods(publication),
    }
    return render(request, "portal/publication.html", context)


@require_GET
@cached_page
def plan(request, pk):
    return _render_publication(request, services.latest_for_plan(pk))


@require_GET
@cached_page
def publication(request, pk):
    return _render_publication(request, services.get_live_publication(pk))


def _filename(publication, extension: str) -> str:
    return f"plan-{publication.plan_id}-{publication.period.start:%Y-%m}.{extension}"


@require_GET
@cached_page
def publication_csv(request, pk):
    publication = services.get_live_publication(pk)
    response = HttpResponse(
        services.to_csv(publication.data).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = attachment_disposition(_filename(publication, "csv"))
    return response


@require_GET
@cached_page
def publication_json(request, pk):
    publication = services.get_live_publication(pk)
    body = dict(publication.data, published_at=publication.published_at.isoformat())
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = attachment_disposition(_filename(publication, "json"))
    return response


# --- The coordinator's publishing -----------------------------------------------------------

coordinator_view = role_required(User.Role.COORDINATOR)


@require_GET
@coordinator_view
def manage(request, pk):
    plan = get_plan_for_coordinator(request.user, pk)
    publications = list(services.publications_of(plan))
    live = {p.period_id: p for p in publications if p.is_live}
    periods = list(services.publishable_periods(plan))
    for period in periods:
        period.live = live.get(period.pk)
    context = {"plan": plan, "periods": periods, "publications": publications}
    return render(request, "portal/manage.html", context)


@require_GET
@coordinator_view
def preview(request, pk, period_pk):
    period = services.get_period_to_publish(request.user, pk, period_pk)
    context = {
        "plan": period.plan,
        "period": period,
        "data": services.snapshot(period.plan, period),
    }
    return render(request, "portal/preview.html", context)


@require_POST
@coordinator_view
def publish(request, pk, period_pk):
    period = services.get_period_to_publish(request.user, pk, period_pk)
    publication = services.publish(request.user, period)
    messages.success(
        request,
        _("%(period)s is published on the portal.") % {"period": period.label},
    )
    return redirect(reverse("portal:manage", args=[publication.plan_id]))


@require_POST
@coordinator_view
def withdraw(request, pk):
    publication = services.get_publication_to_manage(request.user, pk)
    services.withdraw(request.user, publication)
    messages.success(
        request,
        _("%(period)s is withdrawn from the portal.") % {"period": publication.period.label},
    )
    return redirect(reverse("portal:manage", args=[publication.plan_id]))
