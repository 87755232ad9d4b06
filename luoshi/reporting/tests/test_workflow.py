"""A full month of the seed plan through the services, with the clock under control."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from luoshi.audit.models import AuditRecord
from luoshi.lib import clock
from luoshi.reporting import services
from luoshi.reporting.models import Report, ReportEntry
from luoshi.testing import at, fill, make_user

# Messages are matched in English (the msgids); Chinese is the default language.
pytestmark = pytest.mark.usefixtures("english")


def test_a_month_runs_from_draft_to_a_late_submission_return_resubmission_and_acceptance(
    commerce_report, commerce_reporter, commerce_head, coordinator
):
    with time_machine.travel(at(2026, 11, 20, 10, 0), tick=False):
        report = fill(commerce_report, commerce_reporter)
        assert report.status == Report.Status.DRAFT
        assert report.entries.count() == 24  # every measure 市商务局 is assigned
        report = services.submit_for_signoff(commerce_reporter, report)
        assert report.status == Report.Status.AWAITING_SIGNOFF
    # The head signs off a day after the due day (28 Nov 2026, a Saturday kept as it is).
    with time_machine.travel(at(2026, 11, 29, 0, 1), tick=False):
        report = services.sign_off(commerce_head, report)
    assert report.status == Report.Status.SUBMITTED
    assert report.late is True
    assert report.signed_off_by == commerce_head
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        report = services.return_report(coordinator, report, "请补充第1.2项数据。")
        assert report.status == Report.Status.RETURNED
        entry = report.entries.first()
        services.save_entry(commerce_reporter, entry, {"progress": "已补充。"}, entry.version)
        services.submit_for_signoff(commerce_reporter, report)
        report = services.sign_off(commerce_head, report)
        assert report.status == Report.Status.SUBMITTED
        assert report.late is True  # judged by the first submission
        assert report.resubmitted_at is not None
        report = services.accept(coordinator, report)
    assert report.status == Report.Status.ACCEPTED
    assert report.accepted_by == coordinator
    # Accepted reports are read-only.
    entry = report.entries.first()
    with pytest.raises(services.WorkflowError):
        services.save_entry(commerce_reporter, entry, {"progress": "改"}, entry.version)
    actions = list(
        AuditRecord.objects.filter(object_type="reporting.report", object_id=str(report.pk))
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "start draft",
        "submit for sign-off",
        "sign off",
        "return",
        "submit for sign-off",
        "sign off",
        "accept",
    ]


def test_submitted_at_23_59_on_the_due_day_is_on_time(
    commerce_report, commerce_reporter, commerce_head
):
    report = fill(commerce_report, commerce_reporter)
    services.submit_for_signoff(commerce_reporter, report)
    with time_machine.travel(at(2026, 11, 28, 23, 59), tick=False):
        report = services.sign_off(commerce_head, report)
    assert report.late is False


def test_an_accepted_report_can_be_reopened_with_a_reason(
    commerce_report, commerce_reporter, commerce_head, coordinator
):
    report = fill(commerce_report, commerce_reporter)
    services.submit_for_signoff(commerce_reporter, report)
    services.sign_off(commerce_head, report)
    services.accept(coordinator, report)
    with pytest.raises(Exception, match="reason"):
        services.reopen(coordinator, report, " ")
    report = services.reopen(coordinator, report, "数据口径有误")
    assert report.status == Report.Status.RETURNED
    assert report.reopen_reason == "数据口径有误"
    record = AuditRecord.objects.filter(action="reopen").get()
    assert record.changes["reopen_reason"]["new"] == "数据口径有误"


def test_comments_and_reasons_are_kept_without_control_characters(
    commerce_report, commerce_reporter, commerce_head, coordinator
):
    # Sent through the page or the API: PostgreSQL refuses a NUL in text, Word most controls.
    report = fill(commerce_report, commerce_reporter)
    services.submit_for_signoff(commerce_reporter, report)
    report = services.send_back(commerce_head, report, "请\x00补充\x07")
    assert report.return_comment == "请补充"
    services.submit_for_signoff(commerce_reporter, report)
    report = services.sign_off(commerce_head, report)
    with pytest.raises(ValidationError, match="must be changed"):  # nothing written
        services.return_report(coordinator, report, "\x00\x1b ")
    report = services.return_report(coordinator, report, "数据\x00有误")
    assert report.return_comment == "数据有误"
    services.submit_for_signoff(commerce_reporter, report)
    services.accept(coordinator, services.sign_off(commerce_head, report))
    report = services.reopen(coordinator, report, "口径\x0b有误")
    assert (report.reopen_reason, report.return_comment) == ("口径有误", "口径有误")


def test_a_new_draft_is_not_a_copy_only_the_status_carries_over(
    tracked, commerce_reporter, commerce_head, november
):
    october = tracked.periods.get(start=datetime.date(2026, 10, 1))
    old = october.reports.get(organization=commerce_reporter.organization)
    fill(old, commerce_reporter, text="十月进展。")
    entry = old.entries.first()
    services.save_entry(
        commerce_reporter,
        entry,
        {"problems": "资金不足", "next_steps": "争取资金", "status": "behind"},
        entry.version,
    )
    new = november.reports.get(organization=commerce_reporter.organization)
    new = services.start_draft(commerce_reporter, new)
    started = new.entries.get(measure=entry.measure)
    # Issue 19: last period's text is shown beside the entry, never copied into it.
    assert (started.progress, started.problems, started.next_steps) == ("", "", "")
    assert started.status == "behind"
    # Starting twice changes nothing.
    assert services.start_draft(commerce_reporter, new).entries.count() == new.entries.count()


def test_behind_needs_a_reason_and_progress_must_be_written(commerce_report, commerce_reporter):
    report = services.start_draft(commerce_reporter, commerce_report)
    with pytest.raises(services.WorkflowError, match="progress is empty"):
        services.submit_for_signoff(commerce_reporter, report)
    fill(report, commerce_reporter)
    entry = report.entries.first()
    services.save_entry(commerce_reporter, entry, {"status": "behind"}, entry.version)
    with pytest.raises(services.WorkflowError, match="reason"):
        services.submit_for_signoff(commerce_reporter, report)


def test_a_closed_period_needs_a_late_entry_exception(
    november, commerce_report, commerce_reporter, commerce_head, coordinator
):
    report = services.start_draft(commerce_reporter, commerce_report)
    services.close_period(coordinator, november)
    entry = report.entries.first()
    with pytest.raises(services.WorkflowError, match="closed"):
        services.save_entry(commerce_reporter, entry, {"progress": "迟报"}, entry.version)
    services.grant_late_entry(
        coordinator,
        november,
        commerce_reporter.organization,
        deadline=clock.today() + datetime.timedelta(days=2),
        reason="系统故障",
    )
    fill(report, commerce_reporter)
    services.submit_for_signoff(commerce_reporter, report)
    report = services.sign_off(commerce_head, report)
    assert report.status == Report.Status.SUBMITTED


def test_nobody_accepts_a_report_they_wrote_or_signed(
    november, ndrc_reporter, coordinator, seed_plan
):
    ndrc_head = make_user("ndrc_head", "approver", seed_plan.coordinator)
    report = november.reports.get(organization=seed_plan.coordinator)
    fill(report, ndrc_reporter)
    services.submit_for_signoff(ndrc_reporter, report)
    report = services.sign_off(ndrc_head, report)
    # A coordinator of the same office who did not take part accepts it.
    assert services.accept(coordinator, report).status == Report.Status.ACCEPTED
    assert services.took_part(ndrc_head, report)
    assert not services.took_part(coordinator, report)


def test_bulk_accept_accepts_the_submitted_and_skips_the_rest(
    november, commerce_report, commerce_reporter, commerce_head, coordinator
):
    report = fill(commerce_report, commerce_reporter)
    services.submit_for_signoff(commerce_reporter, report)
    services.sign_off(commerce_head, report)
    others = november.reports.exclude(pk=report.pk)[:2]
    accepted, skipped = services.bulk_accept(coordinator, [report.pk, *[r.pk for r in others]])
    assert [r.pk for r in accepted] == [report.pk]
    assert len(skipped) == 2


def test_missing_is_a_fact_after_the_due_day(november, coordinator):
    assert not Report.objects.missing(datetime.date(2026, 11, 28)).filter(period=november)
    missing = Report.objects.missing(datetime.date(2026, 11, 29)).filter(period=november)
    assert missing.count() == november.reports.count() == 32


def test_an_entry_status_must_be_known(commerce_report, commerce_reporter):
    report = services.start_draft(commerce_reporter, commerce_report)
    entry = report.entries.first()
    with pytest.raises(Exception, match="Unknown status"):
        services.save_entry(commerce_reporter, entry, {"status": "bogus"}, entry.version)
    with pytest.raises(Exception, match="Unknown fields"):
        services.save_entry(commerce_reporter, entry, {"version": 9}, entry.version)
    assert ReportEntry.objects.get(pk=entry.pk).version == 1


def test_target_actuals_are_saved_and_only_the_owners_value_counts(november, coordinator):
    from luoshi.plans.models import Target

    target = Target.objects.filter(measure__key_task__plan=november.plan).first()
    department = target.measure.assignments.filter(organization__kind="department").first()
    reporter = make_user("target_reporter", "reporter", department.organization)
    report = november.reports.get(organization=department.organization)
    report = services.start_draft(reporter, report)
    entry = report.entries.get(measure=target.measure)
    services.set_target(coordinator, target, owner=department.organization, kind="level")
    entry = services.save_entry(reporter, entry, {"actuals": {str(target.pk): "35.5"}}, 1)
    actual = entry.actuals.get()
    assert actual.value == 35.5 and actual.counts
    with pytest.raises(Exception, match="number"):
        services.save_entry(reporter, entry, {"actuals": {target.pk: "很多"}}, 2)
    entry = services.save_entry(reporter, entry, {"actuals": {target.pk: None}}, 2)
    assert not entry.actuals.exists()


def test_a_leader_can_read_but_not_act(commerce_report, leader, coordinator, commerce_reporter):
    assert services.get_report(leader, commerce_report.pk) == commerce_report
    with pytest.raises(PermissionDenied):
        services.start_draft(leader, commerce_report)
    with pytest.raises(PermissionDenied):
        services.accept(leader, commerce_report)
