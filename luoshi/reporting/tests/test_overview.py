"""The coordinator's matrix, the review queue and the lead's view of co departments."""

import datetime

import pytest
import time_machine

from luoshi.plans.models import Measure
from luoshi.plans.services import set_measure_departments
from luoshi.reporting import services
from luoshi.reporting.services import ReportState
from luoshi.testing import at, department, fill

D = datetime.date


def test_the_matrix_shows_every_state(
    tracked,
    november,
    coordinator,
    commerce_reporter,
    commerce_head,
    transport_reporter,
    transport_head,
):
    october = tracked.periods.get(label="2026年10月")
    commerce, transport = commerce_reporter.organization, transport_reporter.organization
    with time_machine.travel(at(2026, 10, 20, 9), tick=False):
        r = fill(october.reports.get(organization=commerce), commerce_reporter)
        services.submit_for_signoff(commerce_reporter, r)
        services.sign_off(commerce_head, r)
    with time_machine.travel(at(2026, 10, 30, 9), tick=False):
        r = fill(october.reports.get(organization=transport), transport_reporter)
        services.submit_for_signoff(transport_reporter, r)
        services.sign_off(transport_head, r)
    with time_machine.travel(at(2026, 11, 20, 9), tick=False):
        fill(november.reports.get(organization=commerce), commerce_reporter)
        r = fill(november.reports.get(organization=transport), transport_reporter)
        services.submit_for_signoff(transport_reporter, r)
    matrix = services.report_matrix(coordinator, tracked, today=D(2026, 11, 20))
    assert [p.label for p in matrix.periods] == ["2026年10月", "2026年11月", "2026年12月"]
    assert len(matrix.departments) == 32
    states = {(org, period): state for (org, period), (_pk, state) in matrix.cells.items()}
    assert states[(commerce.pk, october.pk)] == ReportState.ON_TIME
    assert states[(transport.pk, october.pk)] == ReportState.LATE
    assert states[(commerce.pk, november.pk)] == ReportState.DRAFT
    assert states[(transport.pk, november.pk)] == ReportState.AWAITING_SIGNOFF
    other = department("市财政局")
    assert states[(other.pk, october.pk)] == ReportState.MISSING
    assert states[(other.pk, november.pk)] == ReportState.NOT_STARTED
    assert [state for _pk, state in filter(None, matrix.row(commerce.pk))] == [
        ReportState.ON_TIME,
        ReportState.DRAFT,
        ReportState.NOT_STARTED,
    ]
    queue = list(services.review_queue(coordinator, tracked))
    assert [r.organization for r in queue] == [commerce, transport]


@pytest.mark.parametrize("ahead", [1, 6])
def test_the_matrix_takes_two_queries_however_many_periods(
    settings, seed_plan, coordinator, django_assert_num_queries, ahead
):
    settings.REPORTING_TRACKING_START = "2026-06-01"
    settings.REPORTING_PERIODS_AHEAD = ahead
    services.ensure_periods(seed_plan, D(2026, 11, 1))
    with django_assert_num_queries(2):
        matrix = services.report_matrix(coordinator, seed_plan, today=D(2026, 11, 1))
        assert len(matrix.periods) == 6 + ahead
        assert len(matrix.cells) == 32 * (6 + ahead)


def test_the_lead_sees_the_co_departments_entries_and_a_co_department_does_not(
    tracked, november, coordinator, commerce_reporter, transport_reporter
):
    commerce, transport = commerce_reporter.organization, transport_reporter.organization
    measure = Measure.objects.filter(assignments__organization=commerce).filter(
        assignments__organization=transport
    )[0]
    roles = [
        (a.organization, "lead" if a.organization == commerce else "co")
        for a in measure.assignments.all()
    ]
    set_measure_departments(coordinator, measure, roles, needs_review=False)
    lead = services.start_draft(commerce_reporter, november.reports.get(organization=commerce))
    co = services.start_draft(transport_reporter, november.reports.get(organization=transport))
    co_entry = co.entries.get(measure=measure)
    services.save_entry(transport_reporter, co_entry, {"progress": "配合单位进展"}, 1)
    lead_entry = lead.entries.get(measure=measure)
    assert lead_entry.role == "lead"
    seen = services.co_entries(commerce_reporter, lead_entry)
    assert [e.progress for e in seen if e.report.organization == transport] == ["配合单位进展"]
    assert not services.co_entries(transport_reporter, co_entry).exists()
