"""The workflow buttons of the report page: each role gets its buttons in each state, a double
click acts once, and every step ends on the report with a clear message."""

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.reporting import services
from luoshi.reporting.models import Report
from luoshi.testing import HX, at, fill, report_url

pytestmark = pytest.mark.usefixtures("mid_november", "commerce_leads")


@pytest.fixture
def draft(draft, commerce_reporter):
    """The reporting conftest's draft with every entry written."""
    return fill(draft, commerce_reporter)


@pytest.fixture
def awaiting(draft, commerce_reporter):
    return services.submit_for_signoff(commerce_reporter, draft)


@pytest.fixture
def submitted(awaiting, commerce_head):
    return services.sign_off(commerce_head, awaiting)


def act(client, report, action, **data):
    return client.post(reverse("reporting:action", args=[report.pk, action]), data, headers=HX)


def flashes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def audited(report, action) -> int:
    return AuditRecord.objects.filter(object_id=str(report.pk), action=action).count()


def test_the_reporter_submits_for_sign_off_and_a_double_click_submits_once(
    client_for, commerce_reporter, draft
):
    client = client_for(commerce_reporter)
    page = client.get(report_url(draft)).content.decode()
    assert 'hx-disabled-elt="find button"' in page
    first = act(client, draft, "submit")
    second = act(client, draft, "submit")
    assert first.status_code == second.status_code == 200
    assert first["HX-Redirect"] == report_url(draft)
    assert flashes(first) == ["已提交部门负责人审核签发。"]
    assert flashes(second) == ["已提交部门负责人审核签发。"]  # the first one's, not a second
    draft.refresh_from_db()
    assert draft.status == Report.Status.AWAITING_SIGNOFF
    assert audited(draft, "submit for sign-off") == 1
    page = client.get(report_url(draft)).content.decode()
    assert "等待审核签发" in page
    assert 'name="version"' not in page


def test_an_incomplete_report_is_not_submitted_and_says_why(
    client_for, commerce_reporter, commerce_leads, commerce_report
):
    report = services.start_draft(commerce_reporter, commerce_report)
    response = act(client_for(commerce_reporter), report, "submit")
    assert response.status_code == 200
    [message] = flashes(response)
    assert "十、3." in message
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT


def test_only_the_reporter_submits_and_only_the_head_signs_off(
    client_for, commerce_reporter, commerce_head, awaiting
):
    assert act(client_for(commerce_reporter), awaiting, "signoff").status_code == 403
    client = client_for(commerce_head)
    page = client.get(report_url(awaiting)).content.decode()
    assert "签发并报送市发展改革委" in page
    assert "今天报送属按时" in page
    assert "退回填报人修改" in page
    awaiting.refresh_from_db()
    assert awaiting.status == Report.Status.AWAITING_SIGNOFF


def test_the_head_signs_off_on_time_once(client_for, commerce_head, awaiting):
    client = client_for(commerce_head)
    first = act(client, awaiting, "signoff")
    act(client, awaiting, "signoff")
    assert flashes(first) == ["已签发并按时报送（截止日期 2026-11-28）。"]
    awaiting.refresh_from_db()
    assert awaiting.status == Report.Status.SUBMITTED and not awaiting.late
    assert audited(awaiting, "sign off") == 1


def test_a_sign_off_after_the_due_day_is_flagged_late(client_for, commerce_head, awaiting):
    client = client_for(commerce_head)
    with time_machine.travel(at(2026, 11, 29, 9, 0), tick=False):
        assert "今天报送属逾期" in client.get(report_url(awaiting)).content.decode()
        response = act(client, awaiting, "signoff")
    assert flashes(response) == ["已签发并报送，属逾期报送（截止日期 2026-11-28）。"]
    awaiting.refresh_from_db()
    assert awaiting.late


def test_the_head_sends_a_report_back_to_the_reporter(
    client_for, commerce_head, commerce_reporter, awaiting
):
    act(client_for(commerce_head), awaiting, "send-back", comment="请补充数据")
    awaiting.refresh_from_db()
    assert awaiting.status == Report.Status.DRAFT
    page = client_for(commerce_reporter).get(report_url(awaiting)).content.decode()
    assert "部门负责人退回意见" in page and "请补充数据" in page


def test_an_approver_of_another_department_cannot_sign_off(client_for, transport_head, awaiting):
    assert act(client_for(transport_head), awaiting, "signoff").status_code == 404
    awaiting.refresh_from_db()
    assert awaiting.status == Report.Status.AWAITING_SIGNOFF


def test_the_coordinator_returns_with_comments_and_the_department_sees_them(
    client_for, coordinator, commerce_reporter, submitted
):
    client = client_for(coordinator)
    page = client.get(report_url(submitted)).content.decode()
    assert "验收通过" in page
    assert "退回修改" in page
    response = act(client, submitted, "return", comment="")
    assert flashes(response) == ["请先填写意见或原因。"]
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.SUBMITTED
    response = act(client, submitted, "return", comment="第十项缺少数据。")
    assert flashes(response)[-1] == "已退回部门修改。"
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.RETURNED
    page = client_for(commerce_reporter).get(report_url(submitted)).content.decode()
    assert "统筹单位退回意见" in page and "第十项缺少数据。" in page
    assert 'name="version"' in page  # editable again
    assert "提交部门负责人审核签发" in page


def test_the_coordinator_accepts_once_and_the_report_becomes_read_only(
    client_for, coordinator, commerce_reporter, submitted
):
    client = client_for(coordinator)
    first = act(client, submitted, "accept")
    act(client, submitted, "accept")
    assert flashes(first) == ["报告已验收。"]
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.ACCEPTED
    assert audited(submitted, "accept") == 1
    page = client_for(commerce_reporter).get(report_url(submitted)).content.decode()
    assert "统筹单位已验收，本报告只读。" in page
    assert "<textarea" not in page


def test_the_coordinator_reopens_an_accepted_report_with_a_reason(
    client_for, coordinator, commerce_reporter, submitted
):
    services.accept(coordinator, submitted)
    client = client_for(coordinator)
    assert "重新打开" in client.get(report_url(submitted)).content.decode()
    act(client, submitted, "reopen", comment="")
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.ACCEPTED
    act(client, submitted, "reopen", comment="数据口径有误，请更正。")
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.RETURNED
    page = client_for(commerce_reporter).get(report_url(submitted)).content.decode()
    assert "统筹单位已重新打开本报告" in page and "数据口径有误，请更正。" in page


def test_department_users_cannot_review(client_for, commerce_reporter, commerce_head, submitted):
    for user in (commerce_reporter, commerce_head):
        client = client_for(user)
        assert act(client, submitted, "accept").status_code == 403
        assert act(client, submitted, "return", comment="x").status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.SUBMITTED


def test_without_htmx_a_step_redirects_back_to_the_report(client_for, commerce_reporter, draft):
    url = reverse("reporting:action", args=[draft.pk, "submit"])
    response = client_for(commerce_reporter).post(url)
    assert response.status_code == 302
    assert response["Location"] == report_url(draft)


def test_an_unknown_step_is_a_bad_request(client_for, commerce_reporter, draft):
    assert act(client_for(commerce_reporter), draft, "approve-everything").status_code == 400


def test_an_expired_session_on_a_step_answers_401(client, draft):
    response = act(client, draft, "submit")
    assert response.status_code == 401
    assert "sessionExpired" in response["HX-Trigger"]
    draft.refresh_from_db()
    assert draft.status == Report.Status.DRAFT
