"""The audit log reads in words: an object by its kind and name (never orgs.user#5 or
http.request#), a change as 字段：旧值 → 新值, an event's fact as 字段 值; the CSV export says
the same words, and the page's queries do not grow with its rows."""

import csv
import io
import re

import time_machine
from django.urls import reverse
from django.utils import translation

from luoshi.audit.models import AuditRecord
from luoshi.audit.services import record_event
from luoshi.orgs.services import change_role, create_account, set_account_active
from luoshi.testing import at, department, password


def _log(client, **query) -> str:
    response = client.get(reverse("audit:log"), query)
    assert response.status_code == 200
    return response.content.decode()


def _export(client, **query) -> list[list[str]]:
    response = client.get(reverse("audit:export"), query)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_a_login_and_a_refusal_read_in_words(client, client_for, coordinator, audit_admin):
    client.post(reverse("login"), {"username": "coordinator", "password": password("coordinator")})
    assert client.get(reverse("audit:log")).status_code == 403  # a coordinator is refused
    page = _log(client_for(audit_admin), q="coordinator")
    assert f'<td title="orgs.user#{coordinator.pk}">用户 coordinator</td>' in page
    assert "<div>IP 地址 127.0.0.1</div>" in page
    assert '<td title="http.request#">请求 /audit/</td>' in page
    assert "<div>状态 403 无权访问</div>" in page
    shown = re.sub(r' title="[^"]*"', "", page)  # the table and id stay in a tooltip only
    for raw in ("orgs.user#", "http.request", "ip:", "— → 127.0.0.1"):
        assert raw not in shown


def test_a_change_reads_field_old_and_new_values_with_the_models_own_names(
    client_for, audit_admin, system_admin, security_admin
):
    user, _password = create_account(system_admin, username="wang", display_name="王五")
    change_role(security_admin, user, "reporter", department("市商务局"))
    set_account_active(system_admin, user, False)
    page = _log(client_for(audit_admin), q="王五")
    assert "<div>用户名：— → wang</div>" in page
    assert "<div>角色：— → 等待授权</div>" in page
    assert "<div>角色：等待授权 → 部门填报人</div>" in page
    assert "<div>单位：— → 市商务局</div>" in page
    assert "<div>有效：是 → 否</div>" in page
    assert ">用户 王五</td>" in page


def test_a_request_other_than_a_read_names_its_method(client_for, audit_admin, coordinator):
    record_event(coordinator, "denied", object_type="http.request", object_repr="POST /plans/9/")
    page = _log(client_for(audit_admin), q="POST /plans/9/")
    assert '<td title="http.request#">请求 /plans/9/（POST）</td>' in page


def test_the_export_says_the_same_words_and_keeps_the_object_reference_last(
    client, client_for, coordinator, audit_admin
):
    client.post(reverse("login"), {"username": "coordinator", "password": password("coordinator")})
    rows = _export(client_for(audit_admin), q="coordinator")
    assert rows[0] == [
        "时间",
        "用户",
        "单位",
        "操作",
        "对象",
        "变更内容",
        "操作名称",
        "对象标识",
    ]
    login = next(row for row in rows if row[3] == "login")
    assert login[4:] == [
        "用户 coordinator",
        "IP 地址 127.0.0.1",
        "登录",
        f"orgs.user#{coordinator.pk}",
    ]


def test_the_log_page_costs_the_same_queries_for_one_record_and_fifty(
    client_for, audit_admin, coordinator, django_assert_num_queries
):
    client = client_for(audit_admin)
    with django_assert_num_queries(4):
        assert _log(client, q="coordinator").count("<tr>") < 10  # the account's own creation
    for n in range(30):
        record_event(coordinator, "denied", object_type="http.request", object_repr=f"GET /{n}/")
        record_event(
            coordinator,
            "login",
            object_type="orgs.user",
            object_id=str(coordinator.pk),
            object_repr="coordinator",
            changes={"ip": {"old": None, "new": "10.0.0.1"}},
        )
    assert AuditRecord.objects.filter(username="coordinator").count() == 60
    with django_assert_num_queries(4):
        page = _log(client, q="coordinator")
    assert page.count("<div>IP 地址 10.0.0.1</div>") + page.count(">请求 /") == 50


def test_an_expired_session_says_why(settings, client, client_for, commerce_reporter, audit_admin):
    settings.SESSION_TIMEOUTS = True
    with time_machine.travel(at(2026, 11, 2, 9), tick=False):
        client.force_login(commerce_reporter)
        assert client.get(reverse("reporting:home")).status_code == 200
    with time_machine.travel(at(2026, 11, 2, 11), tick=False):  # two hours idle
        assert client.get(reverse("reporting:home")).status_code == 302
    settings.SESSION_TIMEOUTS = False
    page = _log(client_for(audit_admin), q="commerce_reporter")
    assert "<td>会话超时</td>" in page.replace(' title="session_expired"', "")
    assert "<div>原因 长时间未操作</div>" in page


def test_a_report_and_a_publication_read_in_local_time_yes_no_and_choices(
    client_for, audit_admin, coordinator, reported, november
):
    # Signed off on 20 November 2026 at 10:30 (mid_november), on time.
    client_for(coordinator).post(reverse("portal:publish", args=[november.plan_id, november.pk]))
    page = _log(client_for(audit_admin), q="市商务局 2026年11月")
    assert "<div>状态：待签发 → 已报送</div>" in page
    assert "<div>报送时间：— → 2026-11-20 10:30</div>" in page
    assert "<div>逾期：— → 否</div>" in page
    published = _log(client_for(audit_admin), q="公开发布")  # the kind the page shows
    assert "<div>报送期：— → 2026年11月</div>" in published
    assert "<div>已采纳报告数：— → 1</div>" in published


def test_in_english_the_log_reads_in_english(settings, client_for, audit_admin, coordinator):
    record_event(coordinator, "denied", object_type="http.request", object_repr="POST /plans/9/")
    record_event(
        coordinator,
        "login",
        object_type="orgs.user",
        object_id=str(coordinator.pk),
        object_repr="coordinator",
        changes={"ip": {"old": None, "new": "10.0.0.1"}},
    )
    client = client_for(audit_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override(settings.LANGUAGE_CODE):  # the request's English stays in it
        page = _log(client, q="coordinator")
    assert '<td title="http.request#">Request /plans/9/ (POST)</td>' in page
    assert "<div>IP address 10.0.0.1</div>" in page
    assert "<div>Role: — → Coordinator</div>" in page


def test_any_json_a_record_holds_reads_without_an_error(client_for, audit_admin, coordinator):
    # Values as services store them: lists, objects, numbers, text where a choice is expected.
    record_event(
        coordinator,
        "change",
        object_type="orgs.user",
        object_id=str(coordinator.pk),
        object_repr="coordinator",
        changes={
            "role": {"old": ["x"], "new": {"op": "merge"}},
            "aliases": {"old": [], "new": ["发改委", "市发改委"]},
            "is_active": {"old": "True", "new": None},
            "last_login": {"old": "not a time", "new": "2026-11-20T02:30:00+00:00"},
            "odd": "just a value",
        },
    )
    page = _log(client_for(audit_admin), q="coordinator")
    assert "<div>角色：x → op merge</div>" in page
    assert "<div>有效：是 → —</div>" in page
    assert "<div>上次登录：not a time → 2026-11-20 10:30</div>" in page
    assert "<div>Odd：— → just a value</div>" in page  # a key luoshi does not know: as it is
    assert "<div>Aliases：— → 发改委、市发改委</div>" in page
