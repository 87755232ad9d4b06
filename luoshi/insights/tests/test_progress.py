"""A measure's state on the dashboards: its latest reported entry, the lead's first, read in a
fixed number of queries whether it was reported in the latest period due or long before."""

import datetime

import pytest

from luoshi.insights import services as insights
from luoshi.reporting import services
from luoshi.testing import department, file_report, measure

pytestmark = pytest.mark.usefixtures("mid_november")

D = datetime.date
NOVEMBER_20 = D(2026, 11, 20)  # October is the latest period due: read with the recent ones
NEXT_SUMMER = D(2027, 6, 30)  # every period is due: October and November are read as older


def state(plan, code, today):
    states = {pk: s for _plan, _task, pk, s in insights.measure_states([plan.pk], today)}
    return states[measure(code).pk]


def report_of(plan, month, name):
    return plan.periods.get(start__month=month).reports.get(organization=department(name))


def test_a_measure_keeps_the_state_of_its_latest_report_until_the_next_one(
    commerce_leads, commerce_reporter, commerce_head
):
    assert commerce_leads.periods.filter(due_date__gte=NEXT_SUMMER).count() == 0
    ten_3 = measure("十.3").pk
    file_report(
        report_of(commerce_leads, 10, "市商务局"),
        commerce_reporter,
        commerce_head,
        statuses={ten_3: "behind"},
    )
    assert state(commerce_leads, "十.3", NOVEMBER_20) == insights.BEHIND
    assert state(commerce_leads, "十.3", NEXT_SUMMER) == insights.BEHIND
    file_report(report_of(commerce_leads, 11, "市商务局"), commerce_reporter, commerce_head)
    assert state(commerce_leads, "十.3", NOVEMBER_20) == insights.IN_PROGRESS
    assert state(commerce_leads, "十.3", NEXT_SUMMER) == insights.IN_PROGRESS


def test_the_lead_departments_word_comes_first_in_a_period(
    commerce_leads, commerce_reporter, commerce_head, transport_reporter, transport_head
):
    ten_3 = measure("十.3").pk
    file_report(
        report_of(commerce_leads, 11, "市交通运输局"),
        transport_reporter,
        transport_head,
        statuses={ten_3: "done"},
    )
    assert state(commerce_leads, "十.3", NOVEMBER_20) == insights.DONE  # the only word on it so far
    lead = file_report(
        report_of(commerce_leads, 11, "市商务局"),
        commerce_reporter,
        commerce_head,
        statuses={ten_3: "behind"},
    )
    assert lead.entries.get(measure=ten_3).role == "lead"
    for day in (NOVEMBER_20, NEXT_SUMMER):
        assert state(commerce_leads, "十.3", day) == insights.BEHIND


def test_an_entry_not_submitted_does_not_count(commerce_leads, commerce_reporter):
    report = services.start_draft(commerce_reporter, report_of(commerce_leads, 11, "市商务局"))
    entry = report.entries.get(measure=measure("十.3"))
    services.save_entry(commerce_reporter, entry, {"status": "done"}, entry.version)
    for day in (NOVEMBER_20, NEXT_SUMMER):
        assert state(commerce_leads, "十.3", day) == insights.NOT_STARTED


def test_the_states_take_four_queries_however_old_the_reports(
    commerce_leads, commerce_reporter, commerce_head, django_assert_num_queries
):
    file_report(report_of(commerce_leads, 10, "市商务局"), commerce_reporter, commerce_head)
    # Measures, periods, the latest entries of the recent periods, those of the others.
    for day in (NOVEMBER_20, NEXT_SUMMER):
        with django_assert_num_queries(4):
            states = insights.measure_states([commerce_leads.pk], day)
        assert {s for *_rest, s in states} == {insights.IN_PROGRESS, insights.NOT_STARTED}
