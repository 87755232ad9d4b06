"""The supervision pages: chasing, the bell, rules with a dry run, channels, notices, scores.

Each page: the happy path, bad input answered in Chinese, the wrong method, the users who must
be refused, and a pinned number of queries.
"""

import datetime

import pytest
import time_machine

from luoshi.audit.models import AuditRecord
from luoshi.supervision.models import DepartmentChannels, Notice, Notification, Reminder
from luoshi.testing import at, department, file_report, make_user

D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    # 2 November 2026: the October period (due 28 October) is late for every department.
    with time_machine.travel(at(2026, 11, 2, 10), tick=False):
        yield


@pytest.fixture
def other_coordinator(seed_plan, region):
    from luoshi.orgs.models import Organization

    office = Organization.objects.create(kind="department", name="市统计局测试", parent=region)
    return make_user("other_coordinator", "coordinator", office)


def url(name, *args):
    from django.urls import reverse

    return reverse(f"supervision:{name}", args=args)


# --- Chasing --------------------------------------------------------------------------------


def test_the_coordinator_sees_the_late_departments_with_their_lights(
    client_for, coordinator, tracked, django_assert_num_queries
):
    client = client_for(coordinator)
    with django_assert_num_queries(13):
        response = client.get(url("chase", tracked.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "市商务局 · 2026年10月" in page
    assert "市商务局逾期未报送（截止 2026-10-28）" in page


def test_chasing_all_late_departments_notifies_them_and_is_audited(
    client_for, coordinator, commerce_reporter, transport_reporter, tracked
):
    late = tracked.periods.get(start=D(2026, 10, 1)).reports.all()
    client = client_for(coordinator)
    response = client.post(
        url("chase", tracked.pk),
        {"reports": [r.pk for r in late], "message": "请于11月5日前补报。"},
    )
    assert response.status_code == 302
    assert Reminder.objects.filter(kind="chase").count() == late.count()
    note = Notification.objects.get(user=commerce_reporter)
    assert note.body == "【催办】市商务局：2026年10月。请于11月5日前补报。"
    assert Notification.objects.filter(user=transport_reporter).count() == 1
    assert AuditRecord.objects.filter(action="chase").count() == late.count()


def test_chasing_one_department_leaves_the_others_alone(
    client_for, coordinator, commerce_reporter, transport_reporter, tracked
):
    report = tracked.periods.get(start=D(2026, 10, 1)).reports.get(
        organization=department("市商务局")
    )
    client_for(coordinator).post(
        url("chase", tracked.pk), {"reports": [report.pk], "message": "请补报"}
    )
    assert Notification.objects.filter(user=commerce_reporter).count() == 1
    assert not Notification.objects.filter(user=transport_reporter).exists()


def test_a_chase_without_a_message_is_refused_in_chinese(client_for, coordinator, tracked):
    late = tracked.periods.get(start=D(2026, 10, 1)).reports.first()
    response = client_for(coordinator).post(
        url("chase", tracked.pk), {"reports": [late.pk], "message": "  "}
    )
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()
    assert not Reminder.objects.exists()


def test_a_chase_of_a_report_that_is_not_late_is_refused(client_for, coordinator, tracked):
    on_time = tracked.periods.get(start=D(2026, 11, 1)).reports.first()
    response = client_for(coordinator).post(
        url("chase", tracked.pk), {"reports": [on_time.pk], "message": "催办"}
    )
    assert response.status_code == 200
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("who", ["commerce_reporter", "leader", "commerce_head"])
def test_only_the_coordinator_chases(client_for, tracked, who, request):
    user = request.getfixturevalue(who)
    assert client_for(user).get(url("chase", tracked.pk)).status_code == 403


def test_another_plans_coordinator_does_not_find_the_plan(client_for, other_coordinator, tracked):
    assert client_for(other_coordinator).get(url("chase", tracked.pk)).status_code == 404


def test_chase_refuses_the_wrong_method_and_anonymous(client_for, coordinator, tracked):
    assert client_for(coordinator).put(url("chase", tracked.pk)).status_code == 405
    assert client_for(None).get(url("chase", tracked.pk)).status_code == 302


# --- The bell -------------------------------------------------------------------------------


def test_the_bell_counts_unread_notifications(
    client_for, commerce_reporter, coordinator, tracked, django_assert_num_queries
):
    from luoshi.supervision import services

    late = tracked.periods.get(start=D(2026, 10, 1)).reports.all()
    services.chase(coordinator, tracked, [r.pk for r in late], "请补报")
    page = client_for(commerce_reporter).get(url("notifications")).content.decode()
    # Every page carries the bell, which loads its count after the page has shown.
    assert url("bell") in page
    client = client_for(commerce_reporter)
    with django_assert_num_queries(3):  # session, user, the count
        badge = client.get(url("bell")).content.decode()
    assert 'data-unread="1"' in badge
    assert "data-unread" not in client_for(coordinator).get(url("bell")).content.decode()
    # After the session ended: an empty badge, not the login page inside the navbar.
    anonymous = client_for(None).get(url("bell"))
    assert anonymous.status_code == 200 and anonymous.content.strip() == b""


def test_the_reporter_reads_and_clears_notifications(
    client_for, commerce_reporter, coordinator, tracked, django_assert_num_queries
):
    from luoshi.supervision import services

    late = tracked.periods.get(start=D(2026, 10, 1)).reports.all()
    services.chase(coordinator, tracked, [r.pk for r in late], "请补报")
    client = client_for(commerce_reporter)
    with django_assert_num_queries(3):
        page = client.get(url("notifications")).content.decode()
    assert "【催办】市商务局：2026年10月。请补报" in page
    assert "1 条未读" in page
    assert client.post(url("notifications")).status_code == 302
    assert not Notification.objects.filter(user=commerce_reporter, read_at__isnull=True).exists()
    assert "0 条未读" in client.get(url("notifications")).content.decode()


def test_the_unread_count_is_red_only_when_something_is_unread(
    client_for, commerce_reporter, coordinator, tracked
):
    from luoshi.supervision import services

    client = client_for(commerce_reporter)
    empty = client.get(url("notifications")).content.decode()
    assert '<span class="badge text-bg-secondary" id="unread-count">0 条未读</span>' in empty
    late = tracked.periods.get(start=D(2026, 10, 1)).reports.all()
    services.chase(coordinator, tracked, [r.pk for r in late], "请补报")
    unread = client.get(url("notifications")).content.decode()
    assert '<span class="badge text-bg-danger" id="unread-count">1 条未读</span>' in unread


def test_nobody_reads_anothers_notifications(client_for, transport_reporter, coordinator, tracked):
    from luoshi.supervision import services

    report = tracked.periods.get(start=D(2026, 10, 1)).reports.get(
        organization=department("市商务局")
    )
    services.chase(coordinator, tracked, [report.pk], "请补报")
    page = client_for(transport_reporter).get(url("notifications")).content.decode()
    assert "请补报" not in page


# --- Rule and dry run ------------------------------------------------------------------------


def test_the_dry_run_lists_what_a_day_would_send(
    client_for, coordinator, tracked, django_assert_num_queries
):
    client = client_for(coordinator)
    client.get(url("rule", tracked.pk))  # creates the rule, starting today
    with django_assert_num_queries(9):
        response = client.get(url("rule", tracked.pk), {"date": "2026-11-25"})
    page = response.content.decode()
    assert "【报送提醒】市商务局" in page
    assert "距截止还有3个工作日" in page
    assert not Reminder.objects.exists()


def test_a_bad_dry_run_date_is_explained(client_for, coordinator, tracked):
    page = client_for(coordinator).get(url("rule", tracked.pk), {"date": "11/25"}).content
    assert "请按 YYYY-MM-DD 格式填写 2000 年至 2099 年之间的日期" in page.decode()


def test_the_coordinator_changes_the_rule(client_for, coordinator, tracked):
    client = client_for(coordinator)
    response = client.post(
        url("rule", tracked.pk),
        {
            "days_before": "5，2",
            "daily_when_late": "on",
            "escalate_after": "2",
            "starts_on": "2026-10-01",
        },
    )
    assert response.status_code == 302
    rule = tracked.reminder_rule
    assert (rule.days_before, rule.escalate_after, rule.starts_on) == ([5, 2], 2, D(2026, 10, 1))
    assert AuditRecord.objects.filter(action="change reminder rule").exists()
    bad = client.post(
        url("rule", tracked.pk),
        {"days_before": "abc", "escalate_after": "0", "starts_on": "2026-10-01"},
    )
    assert "请填写以逗号分隔的整数" in bad.content.decode()


def test_the_rule_is_the_coordinators(client_for, commerce_reporter, leader, tracked):
    assert client_for(commerce_reporter).get(url("rule", tracked.pk)).status_code == 403
    assert client_for(leader).get(url("rule", tracked.pk)).status_code == 403


# --- Channels -------------------------------------------------------------------------------


def test_the_department_head_chooses_the_channels(client_for, commerce_head, tracked):
    client = client_for(commerce_head)
    assert client.get(url("channels")).status_code == 200
    response = client.post(
        url("channels"), {"email": "on", "wecom_key": "abc-123", "dingtalk_secret": "s3cret"}
    )
    assert response.status_code == 302
    setup = DepartmentChannels.objects.get(organization=department("市商务局"))
    assert setup.wecom_key == "abc-123"
    record = AuditRecord.objects.get(action="change reminder channels")
    assert "s3cret" not in str(record.changes)


def test_a_reporter_neither_sees_nor_changes_the_channels(client_for, commerce_reporter, tracked):
    client = client_for(commerce_reporter)
    assert client.get(url("channels")).status_code == 403
    assert client.post(url("channels"), {"wecom_key": "x"}).status_code == 403
    assert not DepartmentChannels.objects.exists()


def test_coordinators_have_no_channels_page(client_for, coordinator, tracked):
    assert client_for(coordinator).get(url("channels")).status_code == 403


# --- Supervision notices --------------------------------------------------------------------


def issue(client, plan, **extra):
    data = {
        "organization": department("市商务局").pk,
        "colour": "red",
        "subject": "关于2026年10月进展情况逾期未报送的督办",
        "body": "你单位2026年10月进展情况逾期未报送，请于11月6日前报送并说明原因。",
        "reply_by": "2026-11-06",
    }
    data.update(extra)
    return client.post(url("notice_new", plan.pk), data)


def test_the_coordinator_issues_a_printable_red_notice(
    client_for, coordinator, commerce_reporter, tracked, django_assert_num_queries
):
    response = issue(client_for(coordinator), tracked)
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert str(notice) == "督办〔2026〕1号"
    assert Notification.objects.filter(user=commerce_reporter, notice=notice).exists()
    client = client_for(commerce_reporter)
    with django_assert_num_queries(4):
        page = client.get(url("notice", notice.pk)).content.decode()
    assert "督办〔2026〕1号" in page and "红色（逾期）" in page
    assert "supervision/supervision.css" in page
    second = issue(client_for(coordinator), tracked, colour="blue")
    assert second.status_code == 302
    assert str(Notice.objects.order_by("-number").first()) == "督办〔2026〕2号"


def test_the_department_acknowledges_the_notice_once(
    client_for, coordinator, commerce_head, tracked
):
    issue(client_for(coordinator), tracked)
    notice = Notice.objects.get()
    client = client_for(commerce_head)
    client.post(url("acknowledge", notice.pk), {"response": "已于11月3日补报。"})
    notice.refresh_from_db()
    assert notice.acknowledged_by == commerce_head and notice.response == "已于11月3日补报。"
    again = client.post(url("acknowledge", notice.pk), {"response": "再次"}, follow=True)
    assert "该督办单已签收" in again.content.decode()
    assert AuditRecord.objects.filter(action="acknowledge notice").count() == 1


def test_a_notice_with_a_past_reply_date_is_refused(client_for, coordinator, tracked):
    response = issue(client_for(coordinator), tracked, reply_by="2026-10-01")
    assert "反馈期限不能早于今天" in response.content.decode()
    assert not Notice.objects.exists()


def test_other_departments_do_not_see_or_acknowledge_a_notice(
    client_for, coordinator, transport_reporter, commerce_reporter, tracked
):
    issue(client_for(coordinator), tracked)
    notice = Notice.objects.get()
    client = client_for(transport_reporter)
    assert client.get(url("notice", notice.pk)).status_code == 404
    assert client.post(url("acknowledge", notice.pk), {"response": "x"}).status_code == 404
    assert client_for(commerce_reporter).post(url("notice_new", tracked.pk)).status_code == 403


# --- Timeliness and ranking -----------------------------------------------------------------


def test_the_ranking_scores_missing_late_and_returned_reports(
    client_for,
    coordinator,
    commerce_reporter,
    commerce_head,
    tracked,
    django_assert_num_queries,
):
    october = tracked.periods.get(start=D(2026, 10, 1))
    report = october.reports.get(organization=department("市商务局"))
    file_report(report, commerce_reporter, commerce_head, when=at(2026, 10, 30, 9))  # late
    from luoshi.reporting.services import return_report

    with time_machine.travel(at(2026, 10, 31, 9), tick=False):
        return_report(coordinator, report, "请补充数据")
    client = client_for(coordinator)
    # Five queries and the count of flagged entries per department (issue 19).
    with django_assert_num_queries(6):
        page = client.get(url("scores", tracked.pk), {"year": "2026"}).content.decode()
    # 市商务局: late (−1) and returned (−2): 97, ranked first; every other department: 90. Its
    # every entry, "本月推进顺利。", is too short (flagged), which costs nothing by default.
    flagged = report.entries.count()
    assert (
        "<td>1</td><td>市商务局</td><td>1</td><td>0</td><td>1</td><td>0</td><td>1</td>"
        f"<td>{flagged}</td><td><strong>97</strong>" in page
    )
    assert "<td>2</td>" in page and "<strong>90</strong>" in page


def test_the_coordinator_edits_the_score_sheet(client_for, coordinator, leader, tracked):
    client = client_for(coordinator)
    response = client.post(
        url("scores", tracked.pk) + "?year=2026",
        {"start": "100", "per_missing": "20", "per_late": "1", "per_returned": "2"},
    )
    assert response.status_code == 302
    assert "<strong>80</strong>" in client.get(url("scores", tracked.pk)).content.decode()
    assert AuditRecord.objects.filter(action="change score sheet").exists()
    leader_client = client_for(leader)
    assert leader_client.get(url("scores", tracked.pk)).status_code == 200
    assert leader_client.post(url("scores", tracked.pk), {"start": "1"}).status_code == 403


def test_the_ranking_refuses_departments_and_explains_a_bad_year(
    client_for, coordinator, commerce_reporter, tracked
):
    assert client_for(commerce_reporter).get(url("scores", tracked.pk)).status_code == 403
    page = client_for(coordinator).get(url("scores", tracked.pk), {"year": "abc"})
    assert "请填写年份" in page.content.decode()
