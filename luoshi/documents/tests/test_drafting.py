"""Drafting a key task's paragraph on the office's own model, end to end against a local
server on 127.0.0.1 that speaks the OpenAI chat-completions protocol: nothing leaves the machine.
"""

import contextlib
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from docx import Document

from luoshi.audit.models import AuditRecord
from luoshi.documents.models import TaskParagraph
from luoshi.testing import department, file_report, make_user, measure, month

pytestmark = pytest.mark.django_db

DRAFT = "市商务局本月开展家电以旧换新活动12场，带动销售额3.6亿元，回收旧家电1200台。"


class Model(BaseHTTPRequestHandler):
    """Answers POST /v1/chat/completions as the server's `mode` says."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append((self.path, body))
        mode = self.server.mode
        if mode == "slow":
            time.sleep(2)
        if mode == "garbage":
            answer = b"<html>502 Bad Gateway</html>"
        elif mode == "empty":
            answer = json.dumps({"choices": []}).encode()
        else:
            message = {"role": "assistant", "content": f"  {DRAFT}\n"}
            answer = json.dumps({"choices": [{"index": 0, "message": message}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (the timeout test)
            self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def model(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Model)
    server.mode, server.requests = "good", []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.LUOSHI_LLM_BASE_URL = f"http://127.0.0.1:{server.server_port}/v1"
    settings.LUOSHI_LLM_MODEL = "office-model"
    settings.LUOSHI_LLM_TIMEOUT = 1
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def accepted(tracked, coordinator, commerce_reporter, commerce_head):
    """市商务局's October report, filed with figures and accepted."""
    from luoshi.reporting import services

    october = month(tracked, 2026, 10)
    report = october.reports.get(organization=department("市商务局"))
    text = "开展家电以旧换新活动12场，回收旧家电1200台。"
    report = file_report(report, commerce_reporter, commerce_head, text=text)
    services.accept(coordinator, report)
    return october


def _task_url(period, task_pk):
    return reverse("documents:task", args=[period.plan_id, period.pk, task_pk])


def test_a_draft_is_asked_edited_accepted_and_audited(client_for, coordinator, accepted, model):
    task = measure("十.3").key_task
    client = client_for(coordinator)
    url = _task_url(accepted, task.pk)
    page = client.post(url, {"action": "draft"})
    assert page.status_code == 200
    html = page.content.decode()
    assert DRAFT in html and "以下为模型起草的段落" in html
    # The prompt holds this task's entries only, and the endpoint got the protocol's fields.
    path, body = model.requests[0]
    assert path == "/v1/chat/completions"
    assert body["model"] == "office-model"
    prompt = body["messages"][1]["content"]
    assert "十、加快发展绿色物流配送" in prompt and "回收旧家电1200台" in prompt
    assert "措施十、1. 市商务局" in prompt and "措施五." not in prompt
    asked = AuditRecord.objects.get(action="draft paragraph")
    assert asked.username == "coordinator"
    assert asked.changes["answer"] == DRAFT and "回收旧家电1200台" in asked.changes["prompt"]
    # The coordinator edits the draft before it goes in.
    edited = DRAFT.replace("12场", "十二场")
    response = client.post(url, {"action": "accept", "text": edited, "draft": asked.pk})
    assert response.status_code == 302
    paragraph = TaskParagraph.objects.get(period=accepted, key_task=task)
    assert paragraph.text == edited and paragraph.from_model
    assert paragraph.accepted_by == coordinator
    record = AuditRecord.objects.get(action="accept paragraph")
    assert record.changes["text"] == {"old": None, "new": edited}
    assert record.changes["draft"] == {"old": None, "new": asked.pk}
    # The brief carries the accepted words under the task.
    docx = client.get(reverse("documents:report_docx", args=[accepted.plan_id, accepted.pk]))
    texts = [p.text for p in Document(io.BytesIO(docx.content)).paragraphs]
    assert f"（十）加快发展绿色物流配送。{edited}" in texts
    # Emptied, the paragraph goes back to the rules.
    client.post(url, {"action": "accept", "text": "  "})
    assert not TaskParagraph.objects.exists()


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("slow", "模型在 1 秒内没有回答。"),
        ("garbage", "模型的回答不是可用的段落。"),
        ("empty", "模型的回答不是可用的段落。"),
    ],
)
def test_a_failed_draft_says_why_and_keeps_the_rules_text(
    client_for, coordinator, accepted, model, mode, message
):
    model.mode = mode
    task = measure("十.3").key_task
    page = client_for(coordinator).post(_task_url(accepted, task.pk), {"action": "draft"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{message} 段落保持不变。" in html
    # The textarea still holds the paragraph the rules chose from the entries.
    assert "市商务局开展家电以旧换新活动12场，回收旧家电1200台。</textarea>" in html
    assert not TaskParagraph.objects.exists()
    record = AuditRecord.objects.get(action="draft paragraph")
    assert record.changes["error"] == message and "answer" not in record.changes


def test_without_a_model_there_is_no_draft_button(client_for, coordinator, accepted, settings):
    settings.LUOSHI_LLM_BASE_URL = ""
    task = measure("十.3").key_task
    client = client_for(coordinator)
    html = client.get(_task_url(accepted, task.pk)).content.decode()
    assert 'value="draft"' not in html and 'value="accept"' in html
    client.post(_task_url(accepted, task.pk), {"action": "draft"})
    assert not AuditRecord.objects.filter(action="draft paragraph").exists()


def test_only_the_coordinator_edits_paragraphs(
    client_for, accepted, leader, commerce_reporter, audit_admin
):
    url = _task_url(accepted, measure("十.3").key_task_id)
    assert client_for(leader).get(url).status_code == 403
    assert client_for(commerce_reporter).get(url).status_code == 403
    assert client_for(audit_admin).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    other = make_user("other_coordinator", "coordinator", department("市商务局"))
    assert client_for(other).post(url, {"action": "accept", "text": "x"}).status_code in (403, 404)
    assert not TaskParagraph.objects.exists()


def test_a_task_of_another_plan_is_not_found(client_for, coordinator, accepted):
    assert client_for(coordinator).get(_task_url(accepted, 999_999)).status_code == 404


def test_wrong_method_is_refused(client_for, coordinator, accepted):
    url = _task_url(accepted, measure("十.3").key_task_id)
    assert client_for(coordinator).put(url).status_code == 405


def test_the_task_page_costs_constant_queries(
    client_for, coordinator, accepted, django_assert_num_queries
):
    """session, the user with its organization (lib.auth.UserBackend), plan, period, key task,
    the report's (reports, entries, actuals, key tasks, measures, assignments, targets, the
    districts' measures carrying the plan's out: none) and the accepted paragraphs: 14,
    however many reports."""
    client = client_for(coordinator)
    url = _task_url(accepted, measure("十.3").key_task_id)
    with django_assert_num_queries(14):
        assert client.get(url).status_code == 200
