"""/healthz, /readyz for the load balancer; /metrics for Prometheus (system administrator)."""

import os

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from luoshi.lib.auth import role_required
from luoshi.ops import services
from luoshi.orgs.models import User


@never_cache
@require_GET
def healthz(request):
    """The process is up and answers: no database, no cache, nothing that can be slow."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_GET
def readyz(request):
    """200 when this host can serve (database, cache, migrations, background loop); else 503
    with what failed, so the load balancer takes the host out of rotation."""
    checks = services.readiness()
    ready = all(check.ok for check in checks)
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in checks},
    }
    return JsonResponse(body, status=200 if ready else 503)


class _TaskQueue:
    """The task queue's depth, read when Prometheus scrapes."""

    def collect(self):
        depth = GaugeMetricFamily(
            "luoshi_task_queue_depth", "Tasks waiting for the worker (django-tasks-db)."
        )
        depth.add_metric([], services.task_queue_depth())
        yield depth


@never_cache
@require_GET
@role_required(User.Role.SYSTEM_ADMIN)
def metrics(request):
    """Requests, latency, database, reminders sent and failed (django-prometheus and luoshi's
    own counters), merged over every gunicorn worker when PROMETHEUS_MULTIPROC_DIR is set."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    on_scrape = CollectorRegistry()
    on_scrape.register(_TaskQueue())
    return HttpResponse(
        generate_latest(registry) + generate_latest(on_scrape), content_type=CONTENT_TYPE_LATEST
    )
