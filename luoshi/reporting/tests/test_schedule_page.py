"""The schedule page of a plan: its rule, tracking months and holiday rule; later periods follow,
past ones keep what was expected."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.orgs.models import Organization
from luoshi.reporting import services
from luoshi.reporting.models import PlanSchedule
from luoshi.testing import make_user, month


def url(plan) -> str:
    return reverse("reporting:schedule", args=[plan.pk])


def form(**changes) -> dict:
    """The seed's rule (每月28日前) tracked from October 2026, with `changes`."""
    return {
        "frequency": "monthly",
        "due_day": "28",
        "due_offset_months": "0",
        "tracking_start": "2026-10",
        "tracking_end": "",
        "holiday_rule": "keep",
        **changes,
    }


def due_dates(plan) -> dict[str, datetime.date]:
    return {p.label: p.due_date for p in plan.periods.order_by("start")}


# --- A plan without a schedule gets it here ---------------------------------------------------


def test_the_matrix_of_an_untracked_plan_links_the_coordinator_here(
    client_for, coordinator, leader, seed_plan, mid_november
):
    matrix = reverse("reporting:matrix", args=[seed_plan.pk])
    html = client_for(coordinator).get(matrix).content.decode()
    assert "本方案尚未生成报送期" in html
    assert f'href="{url(seed_plan)}">设置报送安排</a>' in html
    assert "设置报送安排" not in client_for(leader).get(matrix).content.decode()


def test_an_untracked_plan_is_tracked_from_the_page(
    client_for, coordinator, seed_plan, mid_november, settings
):
    settings.REPORTING_PERIODS_AHEAD = 1
    client = client_for(coordinator)
    html = client.get(url(seed_plan)).content.decode()
    assert "本方案尚未开始跟踪" in html
    assert 'value="2026-11"' in html  # the month of today proposed

    response = client.post(url(seed_plan), form(tracking_start="2026-11"))
    assert response["Location"] == url(seed_plan)
    assert due_dates(seed_plan) == {
        "2026年11月": datetime.date(2026, 11, 28),
        "2026年12月": datetime.date(2026, 12, 28),
    }
    assert month(seed_plan, 2026, 11).reports.count() > 0
    record = AuditRecord.objects.get(object_type="reporting.planschedule")
    assert (record.action, record.username) == ("create", "coordinator")
    page = client.get(url(seed_plan)).content.decode()
    assert "本方案的报送安排已保存。" in page and "本方案尚未开始跟踪" not in page


# --- Changes follow in later periods ------------------------------------------------------------


def test_a_new_due_day_moves_the_open_periods_and_keeps_the_past(
    client_for, coordinator, tracked, mid_november
):
    october_reports = sorted(month(tracked, 2026, 10).reports.values_list("pk", flat=True))
    client = client_for(coordinator)
    records = AuditRecord.objects.count()
    response = client.post(url(tracked), form(due_day="25"))
    assert response.status_code == 302
    # 20 November: October was due on the 28th and keeps it; November and December follow.
    assert due_dates(tracked) == {
        "2026年10月": datetime.date(2026, 10, 28),
        "2026年11月": datetime.date(2026, 11, 25),
        "2026年12月": datetime.date(2026, 12, 25),
    }
    assert sorted(month(tracked, 2026, 10).reports.values_list("pk", flat=True)) == october_reports
    tracked.refresh_from_db()
    assert tracked.report_due_day == 25
    # One record: the plan's rule. The schedule itself did not change.
    change = AuditRecord.objects.filter(pk__gt=0).order_by("pk")[records:]
    assert [(r.action, r.object_type, r.changes) for r in change] == [
        ("change", "plans.plan", {"report_due_day": {"old": 28, "new": 25}})
    ]


def test_the_holiday_rule_and_the_end_are_saved_and_audited(
    client_for, coordinator, tracked, mid_november
):
    client_for(coordinator).post(
        url(tracked), form(tracking_end="2027-06", holiday_rule="previous_workday")
    )
    schedule = PlanSchedule.objects.get(plan=tracked)
    assert schedule.holiday_rule == "previous_workday"
    assert schedule.tracking_end == datetime.date(2027, 6, 30)
    # The end is set: every month to June 2027 exists.
    assert list(due_dates(tracked))[-1] == "2027年6月"
    # 28 November 2026 is a Saturday: moved to Friday the 27th.
    assert due_dates(tracked)["2026年11月"] == datetime.date(2026, 11, 27)
    record = AuditRecord.objects.get(action="change", object_type="reporting.planschedule")
    assert record.changes == {
        "holiday_rule": {"old": "keep", "new": "previous_workday"},
        "tracking_end": {"old": None, "new": "2027-06-30"},
    }


def test_the_frequency_is_locked_once_periods_exist(client_for, coordinator, tracked, mid_november):
    client = client_for(coordinator)
    html = client.get(url(tracked)).content.decode()
    assert "已生成报送期的，报送频次不能再更改。" in html
    client.post(url(tracked), form(frequency="quarterly"))
    tracked.refresh_from_db()
    assert tracked.report_frequency == "monthly"
    assert set(tracked.periods.values_list("frequency", flat=True)) == {"monthly"}
    with pytest.raises(ValidationError, match="报送频次不能再更改"):
        services.change_schedule(
            coordinator,
            tracked,
            frequency="quarterly",
            due_day=28,
            due_offset_months=0,
            tracking_start=datetime.date(2026, 10, 1),
            tracking_end=None,
            holiday_rule="keep",
        )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"due_day": "三十二"}, "输入整数"),
        ({"due_day": ""}, "请填写每期的报送日"),
        ({"tracking_start": "2026-10-01"}, "请选择月份（YYYY-MM）。"),
        ({"tracking_end": "2026-09"}, "跟踪结束日期不能早于开始日期"),
        ({"holiday_rule": "skip"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(
    client_for, coordinator, tracked, mid_november, changes, message
):
    before = due_dates(tracked)
    client = client_for(coordinator)
    records = AuditRecord.objects.count()
    response = client.post(url(tracked), form(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert due_dates(tracked) == before and AuditRecord.objects.count() == records


# --- Who may see and change it ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["commerce_reporter", "commerce_head"])
def test_departments_are_refused(request, client_for, tracked, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(url(tracked)).status_code == 403
    assert client.post(url(tracked), form(due_day="1")).status_code == 403
    assert tracked.periods.filter(due_date__day=1).count() == 0


def test_a_coordinator_of_another_region_gets_404(client_for, tracked):
    from luoshi.orgs.services import get_or_create_region

    other = get_or_create_region("临沂市")
    office = Organization.objects.create(parent=other, kind="department", name="市发展改革委")
    client = client_for(make_user("linyi", "coordinator", office))
    assert client.get(url(tracked)).status_code == 404
    assert client.post(url(tracked), form(due_day="1")).status_code == 404


def test_a_leader_reads_the_schedule_but_cannot_change_it(client_for, leader, tracked):
    client = client_for(leader)
    html = client.get(url(tracked)).content.decode()
    assert "报送安排" in html and "保存报送安排" not in html
    assert 'name="due_day" value="28"' in html and "disabled" in html
    assert client.post(url(tracked), form(due_day="1")).status_code == 403
    tracked.refresh_from_db()
    assert tracked.report_due_day == 28


def test_anonymous_users_log_in_and_wrong_methods_are_refused(client_for, coordinator, tracked):
    response = client_for(None).get(url(tracked))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client_for(coordinator).put(url(tracked)).status_code == 405


def test_the_page_is_linked_from_the_plan_and_the_matrix(client_for, coordinator, tracked):
    client = client_for(coordinator)
    for page in ["plans:detail", "reporting:matrix"]:
        html = client.get(reverse(page, args=[tracked.pk])).content.decode()
        assert f'href="{url(tracked)}"' in html


def test_the_page_query_count_is_pinned(
    client_for, coordinator, tracked, mid_november, django_assert_num_queries
):
    client = client_for(coordinator)
    with django_assert_num_queries(6):
        assert client.get(url(tracked)).status_code == 200
