"""The coordinator's and leader's dashboards: pages, the JSON their charts load, who may read
them, and pinned query counts whatever the number of departments and periods."""

import datetime

import pytest
from django.urls import reverse

from luoshi.insights import services as insights
from luoshi.lib import clock
from luoshi.plans.services import set_measure_departments
from luoshi.reporting import services
from luoshi.reporting.models import Report
from luoshi.reporting.services import ReportState
from luoshi.testing import (
    DASHBOARD_ENDPOINTS,
    dashboard_json,
    dashboard_url,
    department,
    make_user,
    measure,
)

pytestmark = pytest.mark.usefixtures("mid_november")


# --- Pages ------------------------------------------------------------------------------------


def test_the_plan_dashboard_has_a_chart_and_a_table_for_each_figure(
    client_for, coordinator, tracked
):
    page = client_for(coordinator).get(dashboard_url("plan", tracked)).content.decode()
    for kind in ["overall", "tasks", "heatmap", "timeliness", "targets"]:
        assert f'data-chart="{kind}"' in page
        assert f'data-table-for="{kind}"' in page
    for name in DASHBOARD_ENDPOINTS:
        assert f'data-url="{dashboard_url(name, tracked)}"' in page
    assert "vendor/echarts/echarts.min.js" in page and "insights/dashboard.js" in page
    assert "<script>" not in page  # no inline script: the CSP allows our files only
    assert reverse("portal:manage", args=[tracked.pk]) in page


def test_the_overview_lists_the_plans_and_a_leader_reads_it_too(
    client_for, coordinator, leader, tracked
):
    for user in (coordinator, leader):
        page = client_for(user).get(dashboard_url("index")).content.decode()
        assert 'data-chart="plans"' in page and 'data-chart="trend"' in page
    data = dashboard_json(client_for(leader), "overview_data")
    assert [p["name"] for p in data["plans"]] == [tracked.title]
    assert data["plans"][0]["url"] == dashboard_url("plan", tracked)
    assert sum(data["plans"][0]["counts"].values()) == 77


def test_a_leader_reads_a_plan_dashboard_without_the_publish_button(client_for, leader, tracked):
    page = client_for(leader).get(dashboard_url("plan", tracked)).content.decode()
    assert reverse("portal:manage", args=[tracked.pk]) not in page
    assert "示例数据" not in page


def test_the_dashboard_of_the_demos_sample_reports_says_so(
    client_for, coordinator, tracked, reported
):
    from luoshi.reporting.builder import SAMPLE_MARK

    # The demo marks its sample texts with one bulk update (luoshi.demo.services); so does this.
    reported["on_time"].entries.filter(pk=reported["on_time"].entries.first().pk).update(
        progress=SAMPLE_MARK + "演示"
    )
    page = client_for(coordinator).get(dashboard_url("plan", tracked)).content.decode()
    assert "示例数据" in page


def test_without_plans_the_overview_says_what_to_do(client_for, region):
    coordinator = make_user("lonely", "coordinator", region)
    page = client_for(coordinator).get(dashboard_url("index")).content.decode()
    assert "先导入方案" in page and 'data-chart="plans"' not in page


@pytest.mark.parametrize("persona", ["commerce_reporter", "commerce_head", "audit_admin"])
def test_departments_and_administrators_cannot_open_dashboards(
    client_for, request, persona, tracked
):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(dashboard_url("index")).status_code == 403
    assert client.get(dashboard_url("overview_data")).status_code == 403
    assert client.get(dashboard_url("plan", tracked)).status_code == 403
    for name in DASHBOARD_ENDPOINTS:
        assert client.get(dashboard_url(name, tracked)).status_code == 403


def test_another_offices_coordinator_does_not_see_the_plan(client_for, tracked):
    other = make_user("other_coordinator", "coordinator", department("市商务局"))
    client = client_for(other)
    assert client.get(dashboard_url("plan", tracked)).status_code == 404
    for name in DASHBOARD_ENDPOINTS:
        assert client.get(dashboard_url(name, tracked)).status_code == 404
    assert dashboard_json(client, "overview_data")["plans"] == []


def test_anonymous_visitors_are_sent_to_log_in(client_for, tracked):
    response = client_for(None).get(dashboard_url("heatmap_data", tracked))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_endpoints_refuse_post(client_for, coordinator, tracked):
    client = client_for(coordinator)
    for name in DASHBOARD_ENDPOINTS:
        assert client.post(dashboard_url(name, tracked)).status_code == 405


# --- The figures ------------------------------------------------------------------------------


def test_progress_counts_every_measure_by_its_latest_reported_state(
    client_for, coordinator, tracked, reported
):
    data = dashboard_json(client_for(coordinator), "progress_data", tracked)
    overall = {item["key"]: item["value"] for item in data["overall"]}
    assert data["total"] == 77 == sum(overall.values())
    commerce = set(
        reported["on_time"].entries.values_list("measure_id", flat=True)
    )  # reported 推进中 by 市商务局
    assert overall["in_progress"] == len(commerce)
    assert overall["not_started"] == 77 - len(commerce)
    assert len(data["tasks"]) == 18
    first = data["tasks"][0]
    assert first["name"].startswith("一、")
    assert first["url"].startswith(reverse("plans:detail", args=[tracked.pk]) + "#measure-")
    assert sum(len(row["cells"]) == 5 for row in data["rows"]) == 18


def test_a_closed_measure_counts_as_done(
    client_for, coordinator, commerce_reporter, tracked, reported
):
    request = services.request_closure(commerce_reporter, measure("十.3"), "已全部完成。")
    services.close_measure(coordinator, request, "同意办结")
    data = dashboard_json(client_for(coordinator), "progress_data", tracked)
    assert {i["key"]: i["value"] for i in data["overall"]}["done"] == 1


def test_the_heatmap_has_a_cell_per_report_of_the_begun_periods_linking_to_it(
    client_for, coordinator, tracked, reported
):
    data = dashboard_json(client_for(coordinator), "heatmap_data", tracked)
    assert data["periods"] == ["2026年10月", "2026年11月"]  # December has not begun
    begun = Report.objects.filter(period__plan=tracked, period__start__lte=clock.today())
    assert len(data["cells"]) == begun.count()
    states = [s["key"] for s in data["states"]]
    names = [d["name"] for d in data["departments"]]
    late_cell = [
        c for c in data["cells"] if c[3] == reverse("reporting:report", args=[reported["late"].pk])
    ]
    assert late_cell and states[late_cell[0][2]] == ReportState.ACCEPTED
    transport = names.index("市交通运输局")
    october_transport = [c for c in data["cells"] if c[0] == 0 and c[1] == transport][0]
    assert states[october_transport[2]] == ReportState.MISSING
    assert data["departments"][transport]["url"].endswith(
        f"?department={department('市交通运输局').pk}"
    )
    # The table lists the departments with something wrong, the worst first.
    assert data["rows"][0]["cells"][1] == 1
    assert "市商务局" not in [row["cells"][0] for row in data["rows"]] or any(
        row["cells"][0] == "市商务局" and row["cells"][2] == 1 for row in data["rows"]
    )


def test_timeliness_counts_on_time_late_and_missing_by_month_due(
    client_for, coordinator, tracked, reported
):
    data = dashboard_json(client_for(coordinator), "timeliness_data", tracked)
    october = tracked.periods.get(start__month=10).reports.count()
    assert data["trend"]["months"] == ["2026年10月"]  # November is not due yet
    assert data["trend"]["late"] == [1]
    assert data["trend"]["on_time"] == [0]
    assert data["trend"]["missing"] == [october - 1]
    assert data["rows"][0]["url"] == reverse("reporting:matrix", args=[tracked.pk])


def test_the_overview_counts_each_plans_reports_and_the_months_due(
    client_for, leader, tracked, reported
):
    data = dashboard_json(client_for(leader), "overview_data")
    october = tracked.periods.get(start__month=10).reports.count()
    [plan] = data["plans"]
    assert (plan["late"], plan["missing"], plan["on_time_percent"]) == (1, october - 1, 0.0)
    assert plan["awaiting_review"] == 0  # both of 市商务局's reports were accepted
    assert data["trend"]["months"] == ["2026年10月"]  # November is not due yet
    assert (data["trend"]["late"], data["trend"]["missing"]) == ([1], [october - 1])
    assert data["rows"][0]["cells"][3:] == [1, october - 1, 0]


def test_target_attainment_shows_the_owners_actual_against_the_target(
    client_for, coordinator, tracked, reported, target
):
    data = dashboard_json(client_for(coordinator), "targets_data", tracked)
    [item] = data["targets"]
    assert item["code"] == "十、3."
    assert item["actual"] == "1500"
    assert item["attainment"] == 75.0
    assert item["schedule"] == 100.0  # a cap holds all along
    assert item["url"] == reverse("reporting:measure", args=[target.measure_id])
    assert item["light"] == "green" and "1500" in item["reason"]


def test_schedule_share_runs_from_the_issue_date_to_the_deadline(target):
    target.kind = "cumulative"
    target.deadline = datetime.date(2026, 12, 31)
    start = datetime.date(2026, 1, 1)
    assert insights.schedule_share(target, start, datetime.date(2026, 7, 2)) == pytest.approx(
        49.9, abs=0.2
    )
    assert insights.schedule_share(target, start, datetime.date(2027, 3, 1)) == 100.0
    target.deadline = None
    assert insights.schedule_share(target, start, datetime.date(2026, 7, 2)) is None


def test_the_red_and_yellow_lists_give_the_reasons_and_link_to_the_pages(
    client_for, coordinator, tracked, reported
):
    data = dashboard_json(client_for(coordinator), "lights_data", tracked)
    departments = {row["cells"][1]: row for row in data["departments"]["rows"]}
    transport = departments["市交通运输局"]
    assert transport["light"] == "red" and "逾期未报送" in transport["cells"][2]
    assert transport["url"] == reverse("plans:department", args=[department("市交通运输局").pk])
    assert departments["市商务局"]["light"] == "yellow"
    assert "逾期补报" in departments["市商务局"]["cells"][2]
    lights = [row["light"] for row in data["measures"]["rows"]]
    assert lights == sorted(lights, key=["red", "yellow"].index)  # red first
    assert data["measures"]["rows"][0]["url"].startswith("/reporting/measures/")


# --- Pinned query counts ----------------------------------------------------------------------
#
# Session, user and the data version (the cache's key, luoshi.insights.views.cached_json),
# then, the cache being empty: the plan, and what each endpoint reads in one query per kind of
# row.
QUERIES = {
    # plan, key tasks, measures, periods, the latest entries of the recent periods, of the others
    "progress_data": 9,
    "heatmap_data": 6,  # plan, periods, reports (reporting.services.report_matrix)
    "timeliness_data": 5,  # plan, reports by month
    "targets_data": 6,  # plan, targets, the owners' actuals
    # plan, supervision's plan_lights (8), flagged measures, the districts' measures (none)
    "lights_data": 14,
}


def more_of_everything(coordinator, tracked, commerce_reporter, transport_reporter):
    """Four more departments on a measure, half a year more of periods, more reports."""
    set_measure_departments(
        coordinator,
        measure("十七.4"),
        [(department(n), "co") for n in ["市妇联", "市教育局", "市卫生健康委", "市文化和旅游局"]],
        needs_review=False,
    )
    services.ensure_periods(tracked, clock.today())
    november = tracked.periods.get(start__month=11)
    for user in (transport_reporter,):
        report = november.reports.get(organization=user.organization)
        if report.status == Report.Status.NOT_STARTED:
            services.start_draft(user, report)


@pytest.mark.parametrize("name", DASHBOARD_ENDPOINTS)
def test_every_endpoint_has_a_pinned_query_count_whatever_the_data(
    name,
    client_for,
    coordinator,
    tracked,
    reported,
    commerce_reporter,
    transport_reporter,
    django_assert_num_queries,
    settings,
):
    client = client_for(coordinator)
    with django_assert_num_queries(QUERIES[name]):
        client.get(dashboard_url(name, tracked))
    settings.REPORTING_PERIODS_AHEAD = 6
    more_of_everything(coordinator, tracked, commerce_reporter, transport_reporter)
    client = client_for(coordinator)
    with django_assert_num_queries(QUERIES[name]):
        client.get(dashboard_url(name, tracked))


def test_the_overview_data_has_a_pinned_query_count_whatever_the_plans(
    client_for, leader, tracked, reported, django_assert_num_queries, settings
):
    client = client_for(leader)
    # Session, user, data version, plans, measures, periods, their latest entries (2), the
    # reports counted by plan and month (timeliness, trend, awaiting review).
    with django_assert_num_queries(9):
        client.get(dashboard_url("overview_data"))
    settings.REPORTING_PERIODS_AHEAD = 6
    services.ensure_periods(tracked, clock.today())
    with django_assert_num_queries(9):
        client.get(dashboard_url("overview_data"))


def test_the_dashboard_pages_have_a_pinned_query_count(
    client_for, coordinator, tracked, django_assert_num_queries
):
    client = client_for(coordinator)
    # Session, user (with its organization), plan, sample data?, regions below?
    with django_assert_num_queries(5):
        client.get(dashboard_url("plan", tracked))
    with django_assert_num_queries(3):
        client.get(dashboard_url("index"))
