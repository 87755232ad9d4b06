"""A measure's history is rendered once per data version (lib.fragments): every saved entry,
submission or new report shows at once, a second request reads nothing of the history, and the
cache lets nobody in whom the page would refuse."""

import re

import pytest
from django.urls import reverse

from luoshi.reporting import services
from luoshi.testing import file_report, fill, measure, month


@pytest.fixture
def submitted(commerce_leads, commerce_report, commerce_reporter, commerce_head):
    return file_report(commerce_report, commerce_reporter, commerce_head)


def measure_url() -> str:
    return reverse("reporting:measure", args=[measure("十.3").pk])


def test_a_second_request_reads_the_session_the_measure_and_the_version(
    client_for, coordinator, commerce_leads, commerce_report, django_assert_num_queries
):
    client, url = client_for(coordinator), measure_url()
    client.get(url)
    # Session, user with organization, the measure (with its plan, checked), data version.
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200


def test_a_draft_then_its_submission_show_at_once(
    client_for, coordinator, commerce_leads, commerce_report, commerce_reporter, commerce_head
):
    client = client_for(coordinator)
    assert "十一月的新进展。" not in client.get(measure_url()).content.decode()
    draft = fill(commerce_report, commerce_reporter, text="十一月的新进展。")
    page = client.get(measure_url()).content.decode()
    # Saved, not submitted: the coordinator sees its state, never its text.
    assert "十一月的新进展。" not in page and 'data-testid="withheld"' in page
    services.submit_for_signoff(commerce_reporter, draft)
    services.sign_off(commerce_head, draft)
    page = client.get(measure_url()).content.decode()
    assert "十一月的新进展。" in page and 'data-testid="withheld"' not in page


def test_a_leader_shares_the_coordinators_fragment_and_departments_stay_out(
    client_for, coordinator, leader, commerce_leads, commerce_reporter, commerce_head, submitted
):
    assert "本月推进顺利。" in client_for(coordinator).get(measure_url()).content.decode()
    assert "本月推进顺利。" in client_for(leader).get(measure_url()).content.decode()
    # The lead department itself may not read every department's entries here.
    for user in (commerce_reporter, commerce_head):
        response = client_for(user).get(measure_url())
        assert response.status_code in (403, 404)
        assert "本月推进顺利。" not in response.content.decode()


def test_each_page_of_periods_has_its_own_fragment(
    client_for, coordinator, commerce_leads, commerce_reporter, commerce_head, tracked, monkeypatch
):
    from luoshi.reporting import views

    for number in (10, 11):
        report = month(tracked, 2026, number).reports.get(
            organization=commerce_reporter.organization
        )
        file_report(report, commerce_reporter, commerce_head)

    monkeypatch.setattr(views, "MEASURE_PERIODS", 1)
    client, url = client_for(coordinator), measure_url()

    def periods(query=""):
        return re.findall(
            r'<h2 class="h5 mt-4"[^>]*>(.+?) <small', client.get(url + query).content.decode()
        )

    first, second = periods(), periods("?page=2")
    assert len(first) == len(second) == 1 and first != second
    assert first + second == ["2026年11月", "2026年10月"]
    # Anything but a number is the first page, as the paginator would have it.
    assert periods("?page=x") == first
