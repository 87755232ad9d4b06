"""The dashboards' JSON is cached until the data change: a second request reads only the data
version, a change made through the services shows at once, a new day or another language is
computed afresh, and nobody is ever served another user's JSON."""

import pytest
import time_machine
from django.conf import settings

from luoshi.audit.actions import ACTIONS
from luoshi.audit.services import record_change
from luoshi.lib import clock
from luoshi.reporting import services
from luoshi.reporting.version import data_version
from luoshi.testing import (
    DASHBOARD_ENDPOINTS,
    at,
    dashboard_json,
    dashboard_url,
    department,
    fill,
    make_user,
)

pytestmark = pytest.mark.usefixtures("mid_november")


def endpoint_url(name, plan):
    return dashboard_url(name) if name == "overview_data" else dashboard_url(name, plan)


@pytest.mark.parametrize("name", ["overview_data", *DASHBOARD_ENDPOINTS])
def test_a_second_request_reads_only_the_data_version(
    name, client_for, coordinator, tracked, reported, django_assert_num_queries
):
    client = client_for(coordinator)
    first = client.get(endpoint_url(name, tracked))
    # Session, user, data version.
    with django_assert_num_queries(3):
        second = client.get(endpoint_url(name, tracked))
    assert second.status_code == 200
    assert second["Content-Type"] == "application/json"
    assert second.content == first.content


def test_a_report_signed_off_shows_at_once(
    client_for, coordinator, tracked, reported, transport_reporter, transport_head
):
    client = client_for(coordinator)
    overview = dashboard_json(client, "overview_data")["plans"][0]
    progress = dashboard_json(client, "progress_data", tracked)["overall"]
    assert overview["awaiting_review"] == 0
    report = tracked.periods.get(start__month=11).reports.get(
        organization=transport_reporter.organization
    )
    fill(report, transport_reporter)
    services.submit_for_signoff(transport_reporter, report)
    services.sign_off(transport_head, report)

    assert dashboard_json(client, "overview_data")["plans"][0]["awaiting_review"] == 1
    in_progress = {item["key"]: item["value"] for item in progress}["in_progress"]
    now = dashboard_json(client, "progress_data", tracked)["overall"]
    assert {item["key"]: item["value"] for item in now}["in_progress"] > in_progress


def test_a_coordinator_accepting_a_report_moves_the_overview(
    client_for, coordinator, tracked, reported, transport_reporter, transport_head
):
    report = tracked.periods.get(start__month=11).reports.get(
        organization=transport_reporter.organization
    )
    fill(report, transport_reporter)
    services.submit_for_signoff(transport_reporter, report)
    report = services.sign_off(transport_head, report)
    client = client_for(coordinator)
    assert dashboard_json(client, "overview_data")["plans"][0]["awaiting_review"] == 1
    services.accept(coordinator, report)
    assert dashboard_json(client, "overview_data")["plans"][0]["awaiting_review"] == 0


def test_nobody_is_served_another_users_cached_json(
    client_for, coordinator, commerce_reporter, tracked
):
    other = make_user("other_coordinator", "coordinator", department("市商务局"))
    mine = dashboard_json(client_for(coordinator), "overview_data")
    assert [plan["name"] for plan in mine["plans"]] == [tracked.title]
    # Logging in changes no data: the version is the same, the user is not.
    client = client_for(other)
    assert dashboard_json(client, "overview_data")["plans"] == []
    assert client_for(commerce_reporter).get(dashboard_url("overview_data")).status_code == 403
    for name in DASHBOARD_ENDPOINTS:
        assert client_for(coordinator).get(dashboard_url(name, tracked)).status_code == 200
        assert client_for(other).get(dashboard_url(name, tracked)).status_code == 404
        assert client_for(commerce_reporter).get(dashboard_url(name, tracked)).status_code == 403


def test_the_next_day_is_computed_afresh(client_for, coordinator, tracked, reported):
    # November is due on the 28th: late that evening it is not in the trend yet, the next
    # morning (well within the cache's lifetime) it is.
    with time_machine.travel(at(2026, 11, 28, 22), tick=False):
        months = dashboard_json(client_for(coordinator), "timeliness_data", tracked)["trend"][
            "months"
        ]
    assert months == ["2026年10月"]
    with time_machine.travel(at(2026, 11, 29, 8), tick=False):
        months = dashboard_json(client_for(coordinator), "timeliness_data", tracked)["trend"][
            "months"
        ]
    assert months == ["2026年10月", "2026年11月"]


def test_each_language_has_its_own_json(client_for, coordinator, tracked):
    client = client_for(coordinator)
    chinese = dashboard_json(client, "progress_data", tracked)["states"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = dashboard_json(client, "progress_data", tracked)["states"]
    assert chinese[0]["label"] != english[0]["label"] == "Done"


def test_the_data_version_moves_with_every_change_but_not_with_a_login(
    client_for, coordinator, tracked
):
    before = data_version()
    client_for(coordinator)  # a logout and a login: events, not changes
    # As supervision.services.mark_read() records it.
    record_change(coordinator, "read notifications", coordinator, {"count": {"old": 0, "new": 1}})
    assert data_version() == before
    record_change(coordinator, "close", tracked, {"closed_at": {"old": None, "new": "now"}})
    assert data_version() != before


@pytest.mark.parametrize("code", sorted(ACTIONS))
def test_the_data_version_moves_with_the_actions_that_change_data(code, coordinator, tracked):
    before = data_version()
    record_change(coordinator, code, tracked)
    assert (data_version() != before) is ACTIONS[code].changes_data


def test_new_expected_reports_move_the_data_version(coordinator, tracked, settings):
    before = data_version()
    settings.REPORTING_PERIODS_AHEAD = 3
    services.ensure_periods(tracked, clock.today())
    assert data_version() != before
