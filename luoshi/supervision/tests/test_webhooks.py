"""Robot webhooks against a local HTTP server standing in for WeCom / DingTalk (loopback only).

Deliveries go through the real task queue (django-tasks, database backend, `db_worker`).
"""

import datetime
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from luoshi.supervision import channels, services
from luoshi.supervision.models import Delivery, DepartmentChannels
from luoshi.testing import at, department

# The worker closes its database connection when done: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)
D = datetime.date
DAY = D(2026, 11, 25)


class Robot:
    """Records every POST; answers errcode 0, or fails the first `failures` requests."""

    def __init__(self, failures=0):
        self.requests = []
        self.failures = failures
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                body = json.loads(self.rfile.read(length))
                url = urllib.parse.urlsplit(self.path)
                robot.requests.append((url.path, urllib.parse.parse_qs(url.query), body))
                if robot.failures:
                    robot.failures -= 1
                    self.send_response(502)
                    self.end_headers()
                    return
                answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot(settings):
    with Robot() as robot:
        settings.SUPERVISION_WECOM_BASE_URL = robot.url
        settings.SUPERVISION_DINGTALK_BASE_URL = robot.url + "/dingtalk"
        yield robot


def work_queue():
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)


def chooses_robots(name, **fields):
    DepartmentChannels.objects.create(organization=department(name), **fields)


def supervise_and_work(day=DAY, hour=8):
    with time_machine.travel(at(day.year, day.month, day.day, hour), tick=False):
        services.supervise(day)
        work_queue()


def test_wecom_and_dingtalk_robots_get_their_documented_payloads(tracked, robot):
    chooses_robots(
        "市商务局", wecom_key="wk-1", dingtalk_token="dt-1", dingtalk_secret="SEC", email=False
    )
    supervise_and_work()
    by_path = {path: (query, body) for path, query, body in robot.requests}
    assert len(robot.requests) == 2
    query, body = by_path["/cgi-bin/webhook/send"]
    assert query == {"key": ["wk-1"]}
    assert body["msgtype"] == "text"
    assert body["text"]["content"].startswith("【报送提醒】市商务局：《促进绿色消费")
    assert "请于2026-11-28前报送，距截止还有3个工作日" in body["text"]["content"]
    query, body = by_path["/dingtalk/robot/send"]
    assert query["access_token"] == ["dt-1"]
    timestamp = int(query["timestamp"][0])
    assert query["sign"] == [channels.dingtalk_sign("SEC", timestamp)]
    assert body == {
        "msgtype": "text",
        "text": {"content": by_path["/cgi-bin/webhook/send"][1]["text"]["content"]},
        "at": {"atMobiles": [], "isAtAll": False},
    }
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_failing_robot_is_retried_later_not_lost_and_not_duplicated(
    tracked, robot, client_for, coordinator
):
    robot.failures = 1
    chooses_robots("市商务局", wecom_key="wk-1", email=False)
    with time_machine.travel(at(2026, 11, 25, 8), tick=False):
        services.supervise(DAY)
        work_queue()
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 1
    assert "502" in delivery.last_error
    # The coordinator sees it waiting on the plan's reminder page.
    page = client_for(coordinator).get(f"/supervision/plans/{tracked.pk}/reminders/")
    assert "发送失败，稍后重试（1）" in page.content.decode()
    # Two minutes later supervise runs again, but the wait (5 minutes) is not over.
    with time_machine.travel(at(2026, 11, 25, 8, 2), tick=False):
        assert services.supervise(DAY).retried == 0
        work_queue()
    assert len(robot.requests) == 1
    # After the wait the next run retries it; it goes out once.
    with time_machine.travel(at(2026, 11, 25, 8, 10), tick=False):
        assert services.supervise(DAY).retried == 1
        work_queue()
        # Enqueued twice more (a lost worker, an impatient admin): still sent once.
        services.enqueue_deliveries([delivery.pk, delivery.pk])
        work_queue()
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2
    assert len(robot.requests) == 2
    assert robot.requests[0][2] == robot.requests[1][2]


def test_a_robot_that_answers_an_error_code_fails_the_delivery(settings):
    with Robot() as robot:
        robot.server.RequestHandlerClass.do_POST = _refusing_post
        settings.SUPERVISION_WECOM_BASE_URL = robot.url
        with pytest.raises(channels.ChannelError, match="93000"):
            channels.send_wecom("bad-key", "测试")


def _refusing_post(handler):
    answer = json.dumps({"errcode": 93000, "errmsg": "invalid webhook url"}).encode()
    handler.rfile.read(int(handler.headers["Content-Length"]))
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(answer)))
    handler.end_headers()
    handler.wfile.write(answer)


def test_email_and_sms_go_to_the_department(tracked, commerce_reporter, settings):
    commerce_reporter.email = "shangwu@example.gov.cn"
    commerce_reporter.save()
    chooses_robots("市商务局", sms_phone="13800000000")
    channels.LoggingSmsGateway.sent.clear()
    supervise_and_work()
    assert [m.to for m in mail.outbox] == [["shangwu@example.gov.cn"]]
    assert "距截止还有3个工作日" in mail.outbox[0].body
    assert channels.LoggingSmsGateway.sent[0][0] == "13800000000"
    assert len(channels.LoggingSmsGateway.sent) == 1
