"""JSON logs with a request id, passed from the request to the tasks it enqueues."""

import io
import json
import logging
import logging.config
import re

import pytest
from django.conf import settings
from django.urls import reverse

from luoshi.lib import logs

pytestmark = pytest.mark.django_db


def test_the_proxy_s_request_id_is_kept_and_returned(client):
    response = client.get(reverse("ops:healthz"), HTTP_X_REQUEST_ID="nginx-4f2a9c01")
    assert response["X-Request-ID"] == "nginx-4f2a9c01"


@pytest.mark.parametrize("given", ["", "short", "a" * 65, "abc\r\nSet-Cookie: x=1", "../../etc"])
def test_a_missing_or_unusable_request_id_is_replaced_by_a_new_one(client, given):
    response = client.get(reverse("ops:healthz"), HTTP_X_REQUEST_ID=given)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def json_lines(run) -> list[dict]:
    """What the production logging configuration (LOG_FORMAT=json) writes while `run` runs."""
    stream = io.StringIO()
    config = {**settings.LOGGING}
    config["handlers"] = {
        "console": {
            **settings.LOGGING["handlers"]["console"],
            "formatter": "json",
            "stream": stream,
        }
    }
    config["root"] = {"handlers": ["console"], "level": "INFO"}
    logging.config.dictConfig(config)
    try:
        run()
    finally:
        logging.config.dictConfig(settings.LOGGING)
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_every_log_line_is_one_json_object_with_the_request_id():
    def run():
        with logs.bound("nginx-4f2a9c01"):
            logging.getLogger("luoshi.supervision").warning("delivery %s failed", 7)
        logging.getLogger("luoshi.supervision").warning("outside any request")

    first, second = json_lines(run)
    assert first["message"] == "delivery 7 failed"
    assert first["level"] == "WARNING"
    assert first["logger"] == "luoshi.supervision"
    assert first["request_id"] == "nginx-4f2a9c01"
    assert second["request_id"] == ""


# A real commit: the deliveries are enqueued when the chase's transaction commits, inside the
# request, as in production (captured callbacks would run after the request has ended).
@pytest.mark.django_db(transaction=True)
def test_a_chase_s_deliveries_run_under_the_id_of_the_request_that_chased(
    client_for, coordinator, commerce_reporter, november
):
    from unittest import mock

    import time_machine
    from django_tasks_db.models import DBTaskResult

    from luoshi.reporting.models import Report
    from luoshi.supervision import channels
    from luoshi.supervision.tasks import deliver
    from luoshi.testing import at

    commerce_reporter.email = "shangwu@example.gov.cn"
    commerce_reporter.save()
    # 2 December: the November report (due 28 November) is late; the coordinator chases it.
    late = Report.objects.get(period=november, organization=commerce_reporter.organization)
    with time_machine.travel(at(2026, 12, 2, 10), tick=False):
        response = client_for(coordinator).post(
            reverse("supervision:chase", args=[november.plan_id]),
            {"reports": [late.pk], "message": "请于今日报送11月进展"},
            HTTP_X_REQUEST_ID="nginx-4f2a9c01",
        )
    assert response.status_code == 302
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["kwargs"] == {"request_id": "nginx-4f2a9c01"}

    # The worker, later and elsewhere: the e-mail server refuses, and the log line says which
    # request it came from.
    def send():
        refused = channels.ChannelError("邮件服务器拒绝")
        with mock.patch.object(channels, "send_email", side_effect=refused):
            deliver.call(*task.args_kwargs["args"], **task.args_kwargs["kwargs"])

    failure = next(line for line in json_lines(send) if "failed" in line["message"])
    assert failure["request_id"] == "nginx-4f2a9c01"
    assert logs.current_request_id() == ""
