"""A record names its object as people know it (市商务局 2026年11月 四.2), in one query at most."""

import datetime

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luoshi.audit.models import AuditRecord
from luoshi.audit.services import NAME_RELATIONS, describe, record_change
from luoshi.reporting.models import Report, ReportEntry
from luoshi.testing import at, track


@pytest.fixture
def saved_entry(settings, seed_plan, commerce_reporter):
    """An entry of 市商务局's November report, saved once through the reporting services."""
    from luoshi.reporting.services import save_entry, start_draft

    track(seed_plan, settings, datetime.date(2026, 10, 1), on=at(2026, 11, 10, 9))
    with time_machine.travel(at(2026, 11, 10, 9), tick=False):
        report = Report.objects.get(
            period__start=datetime.date(2026, 11, 1), organization=commerce_reporter.organization
        )
        report = start_draft(commerce_reporter, report)
        entry = report.entries.select_related("measure__key_task").first()
        save_entry(commerce_reporter, entry, {"progress": "已召开推进会。"}, entry.version)
    return entry


def test_a_saved_entry_is_recorded_under_its_department_period_and_measure(saved_entry):
    record = AuditRecord.objects.get(action="change", object_type="reporting.reportentry")
    assert record.object_repr == f"市商务局 2026年11月 {saved_entry.measure.code}"
    started = AuditRecord.objects.get(action="start draft")
    assert started.object_repr == "市商务局 2026年11月"


def test_naming_an_entry_read_alone_takes_one_query(saved_entry, commerce_reporter):
    entry = ReportEntry.objects.get(pk=saved_entry.pk)  # knows neither report nor measure
    with CaptureQueriesContext(connection) as queries:
        record = record_change(commerce_reporter, "change", entry, {})
    assert len(queries) == 2  # its name, then the record
    assert record.object_repr == f"市商务局 2026年11月 {saved_entry.measure.code}"


def test_naming_an_object_whose_relations_are_loaded_takes_no_query(saved_entry):
    entry = ReportEntry.objects.select_related(*NAME_RELATIONS["reporting.reportentry"]).get(
        pk=saved_entry.pk
    )
    with CaptureQueriesContext(connection) as queries:
        name = describe(entry)
    assert len(queries) == 0
    assert name == str(entry)


def test_the_relations_named_are_foreign_keys_of_their_models():
    for label, paths in NAME_RELATIONS.items():
        for path in paths:
            model = apps.get_model(label)
            for name in path.split("__"):
                field = model._meta.get_field(name)
                assert field.many_to_one, f"{label}: {path}"
                model = field.related_model
