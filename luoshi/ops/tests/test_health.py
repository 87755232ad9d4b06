"""/healthz, /readyz and /metrics: what the load balancer and Prometheus read."""

import datetime
import io
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse

from luoshi.ops.models import Heartbeat
from luoshi.ops.services import beat
from luoshi.testing import at

pytestmark = pytest.mark.django_db

NOON = at(2026, 11, 25, 12)


def readyz(client):
    response = client.get(reverse("ops:readyz"))
    return response.status_code, response.json()


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("ops:healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_ready_when_database_cache_migrations_and_background_loop_are_fine(client):
    with time_machine.travel(NOON, tick=False):
        beat()
    with time_machine.travel(NOON + datetime.timedelta(minutes=4), tick=False):
        status, body = readyz(client)
    assert status == 200
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "cache", "migrations", "background"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["background"]["detail"] == "last cycle 240 s ago"


def test_not_ready_before_the_background_loop_ever_ran(client):
    status, body = readyz(client)
    assert status == 503
    assert body["checks"]["background"] == {"ok": False, "detail": "no cycle recorded"}
    assert body["checks"]["database"]["ok"]


def test_not_ready_when_the_background_loop_stopped_beating(client, settings):
    settings.READINESS_HEARTBEAT_MINUTES = 15
    with time_machine.travel(NOON, tick=False):
        beat()
    with time_machine.travel(NOON + datetime.timedelta(minutes=15), tick=False):
        assert readyz(client)[0] == 200  # exactly the limit: still alive
    with time_machine.travel(NOON + datetime.timedelta(minutes=16), tick=False):
        status, body = readyz(client)
    assert status == 503
    assert body["checks"]["background"] == {"ok": False, "detail": "last cycle 16 min ago"}


def test_not_ready_when_the_database_is_down(client):
    beat()
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=OperationalError("connection refused"),
    ):
        status, body = readyz(client)
    assert status == 503
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == {"ok": False, "detail": "OperationalError"}
    # The checks that read the database are not run against a database that is down.
    assert "background" not in body["checks"]


def test_supervise_records_the_heartbeat_that_readiness_reads(client, tracked):
    with time_machine.travel(NOON, tick=False):
        call_command("supervise", stdout=io.StringIO())
        assert Heartbeat.objects.get(name="supervise").beat_at == NOON
        assert readyz(client)[0] == 200


def test_a_dry_run_of_supervise_is_no_heartbeat(tracked):
    call_command("supervise", "--dry-run", stdout=io.StringIO())
    assert not Heartbeat.objects.exists()


def test_metrics_are_for_the_system_administrator_only(
    client_for, commerce_reporter, coordinator, system_admin
):
    url = reverse("ops:metrics")
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert client_for(commerce_reporter).get(url).status_code == 403
    assert client_for(coordinator).get(url).status_code == 403
    response = client_for(system_admin).get(url)
    assert response.status_code == 200
    text = response.content.decode()
    # Requests and latency (django-prometheus' middleware), the database, the task queue.
    assert "django_http_requests_total_by_method_total" in text
    assert "django_http_requests_latency_seconds_by_view_method" in text
    assert "django_db_execute_total" in text
    assert "luoshi_task_queue_depth 0.0" in text


def test_metrics_count_the_task_queue_and_the_reminders_sent(
    client_for, system_admin, tracked, commerce_reporter, django_capture_on_commit_callbacks
):
    from luoshi.supervision.models import Delivery
    from luoshi.supervision.tasks import DELIVERIES, deliver

    commerce_reporter.email = "shangwu@example.gov.cn"
    commerce_reporter.save()
    # Three working days before the November period's due day: the reminder goes out, by email
    # to the one reporter with an address, and its delivery waits in the task queue: twice, as
    # the same run's retry pass enqueues every pending delivery again (the send is claimed once).
    with (
        time_machine.travel(at(2026, 11, 25, 8), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("supervise", stdout=io.StringIO())
    delivery = Delivery.objects.get(recipient="shangwu@example.gov.cn")
    text = client_for(system_admin).get(reverse("ops:metrics")).content.decode()
    assert "luoshi_task_queue_depth 2.0" in text
    before = DELIVERIES.labels("email", "sent")._value.get()
    with time_machine.travel(at(2026, 11, 25, 9), tick=False):
        deliver.call(delivery.pk)
    text = client_for(system_admin).get(reverse("ops:metrics")).content.decode()
    assert DELIVERIES.labels("email", "sent")._value.get() == before + 1
    assert 'luoshi_reminder_deliveries_total{channel="email",status="sent"}' in text
