"""The audit log is append-only: a record cannot be changed or deleted through the models."""

import pytest

from luoshi.audit.models import AppendOnlyError, AuditRecord


def test_a_record_cannot_be_changed(seed_plan):
    record = AuditRecord.objects.get(action="import")
    record.username = "someone else"
    with pytest.raises(AppendOnlyError):
        record.save()
    assert AuditRecord.objects.get(pk=record.pk).username == "system"


def test_a_record_cannot_be_deleted(seed_plan):
    record = AuditRecord.objects.get(action="import")
    with pytest.raises(AppendOnlyError):
        record.delete()
    assert AuditRecord.objects.filter(pk=record.pk).exists()


def test_creating_the_directory_is_recorded(region):
    assert (
        AuditRecord.objects.filter(action="create", object_type="orgs.organization").count() == 33
    )
