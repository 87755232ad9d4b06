"""Nothing typed is lost and nothing is submitted twice, on SQLite and on PostgreSQL."""

import threading

import pytest
from django.db import connection

from luoshi.audit.models import AuditRecord
from luoshi.reporting import services
from luoshi.reporting.models import Report, ReportEntry
from luoshi.testing import fill


def test_a_stale_version_raises_a_conflict_with_both_versions_and_keeps_the_data(
    commerce_report, commerce_reporter, commerce_head
):
    report = services.start_draft(commerce_reporter, commerce_report)
    entry = report.entries.first()
    services.save_entry(commerce_reporter, entry, {"progress": "第一个标签页"}, 1)
    with pytest.raises(services.EditConflict) as conflict:
        services.save_entry(commerce_head, entry, {"progress": "第二个标签页"}, 1)
    assert conflict.value.current.progress == "第一个标签页"
    assert conflict.value.current.version == 2
    assert conflict.value.mine == {"progress": "第二个标签页"}
    assert conflict.value.expected_version == 1
    stored = ReportEntry.objects.get(pk=entry.pk)
    assert (stored.progress, stored.version) == ("第一个标签页", 2)


def test_two_people_on_different_measures_do_not_collide(
    commerce_report, commerce_reporter, commerce_head
):
    report = services.start_draft(commerce_reporter, commerce_report)
    first, second = report.entries.all()[:2]
    services.save_entry(commerce_reporter, first, {"progress": "甲"}, 1)
    services.save_entry(commerce_head, second, {"progress": "乙"}, 1)
    assert ReportEntry.objects.get(pk=first.pk).progress == "甲"
    assert ReportEntry.objects.get(pk=second.pk).progress == "乙"


def test_a_double_submit_submits_once(commerce_report, commerce_reporter, commerce_head):
    report = fill(commerce_report, commerce_reporter)
    services.submit_for_signoff(commerce_reporter, report)
    services.submit_for_signoff(commerce_reporter, report)
    first = services.sign_off(commerce_head, report)
    second = services.sign_off(commerce_head, report)
    assert first.submitted_at == second.submitted_at
    assert AuditRecord.objects.filter(action="sign off").count() == 1
    assert AuditRecord.objects.filter(action="submit for sign-off").count() == 1


def run_at_once(*calls):
    """Run the calls in threads released together; returns their results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001  (the test inspects it)
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.django_db(transaction=True)
def test_simultaneous_sign_offs_submit_once(commerce_report, commerce_reporter, commerce_head):
    report = fill(commerce_report, commerce_reporter)
    services.submit_for_signoff(commerce_reporter, report)
    results = run_at_once(
        lambda: services.sign_off(commerce_head, report),
        lambda: services.sign_off(commerce_head, report),
    )
    assert all(isinstance(r, Report) for r in results), results
    assert Report.objects.get(pk=report.pk).status == Report.Status.SUBMITTED
    assert AuditRecord.objects.filter(action="sign off").count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_one_entry_keep_one_and_report_a_conflict_to_the_other(
    commerce_report, commerce_reporter, commerce_head
):
    report = services.start_draft(commerce_reporter, commerce_report)
    entry = report.entries.first()
    results = run_at_once(
        lambda: services.save_entry(commerce_reporter, entry, {"progress": "甲"}, 1),
        lambda: services.save_entry(commerce_head, entry, {"progress": "乙"}, 1),
    )
    saved = [r for r in results if isinstance(r, ReportEntry)]
    conflicts = [r for r in results if isinstance(r, services.EditConflict)]
    assert len(saved) == 1 and len(conflicts) == 1, results
    stored = ReportEntry.objects.get(pk=entry.pk)
    assert (stored.progress, stored.version) == (saved[0].progress, 2)
