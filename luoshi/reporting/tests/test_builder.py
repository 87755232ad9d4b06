import datetime

import time_machine
from django.core.management import call_command

from luoshi.audit.models import AuditRecord
from luoshi.reporting.builder import build_reports
from luoshi.reporting.models import Period, Report, ReportEntry, TargetActual
from luoshi.reporting.services import ReportState, report_matrix
from luoshi.testing import at

D = datetime.date


def snapshot():
    return list(
        Report.objects.order_by("period__start", "organization__name").values_list(
            "status", "late", "submitted_at"
        )
    )


def test_the_builder_makes_a_realistic_mix_through_the_services(settings, seed_plan, coordinator):
    settings.REPORTING_TRACKING_START = "2026-08-01"
    settings.REPORTING_PERIODS_AHEAD = 1
    outcomes = build_reports(
        seed_plan, D(2026, 8, 1), D(2026, 11, 20), seed=7, today=D(2026, 11, 20)
    )
    counts = outcomes.counts
    assert sum(counts.values()) == 4 * 32
    assert {"accepted", "missing", "draft", "not_started"} <= set(counts)
    late = Report.objects.filter(late=True)
    assert late.exists()
    assert all(r.submitted_at.date() > r.period.due_date for r in late.select_related("period"))
    assert Report.objects.filter(returned_at__isnull=False).exists()
    assert ReportEntry.objects.filter(progress__contains="围绕").exists()
    assert TargetActual.objects.exists()
    assert AuditRecord.objects.filter(action="sign off").exists()
    matrix = report_matrix(coordinator, seed_plan, today=D(2026, 11, 20))
    states = {state for _pk, state in matrix.cells.values()}
    assert {ReportState.MISSING, ReportState.ACCEPTED, ReportState.DRAFT} <= states


def test_the_builder_is_deterministic_and_adds_nothing_when_run_again(settings, seed_plan):
    settings.REPORTING_TRACKING_START = "2026-09-01"
    settings.REPORTING_PERIODS_AHEAD = 0
    build_reports(seed_plan, D(2026, 9, 1), D(2026, 10, 31), seed=3, today=D(2026, 11, 2))
    first = snapshot()
    build_reports(seed_plan, D(2026, 9, 1), D(2026, 10, 31), seed=3, today=D(2026, 11, 2))
    assert snapshot() == first
    Period.objects.all().delete()
    build_reports(seed_plan, D(2026, 9, 1), D(2026, 10, 31), seed=3, today=D(2026, 11, 2))
    assert snapshot() == first


def test_the_command_tracks_an_unscheduled_plan_from_the_first_month_it_builds(
    settings, seed_plan, capsys
):
    settings.REPORTING_PERIODS_AHEAD = 0
    with time_machine.travel(at(2026, 11, 20, 9), tick=False):
        call_command("build_reports", "--months", "1", "--seed", "1")
    assert "枣发改经贸" in capsys.readouterr().out
    assert list(seed_plan.periods.values_list("label", flat=True)) == ["2026年10月", "2026年11月"]
    assert Report.objects.exclude(status="not_started").exists()
