"""The data version: it moves with every change recorded in the audit log, and only then.

Every service that changes data records it in the same transaction (`record_change`), so the
latest record of a change names the state of the data: a page cached under it can never be
served once something changed. Records of actions that change nothing (sessions, refusals,
exports, account chores: frequent) are skipped (`audit.actions`, `changes_data`). The record's
digest tells it from a record that took its id after a restore.
"""

import functools

from django.db import connection

from luoshi.audit.actions import EVENT_CODES
from luoshi.audit.models import AuditRecord


def changes():
    """The audit records of changes, newest first (a queryset)."""
    return AuditRecord.objects.exclude(action__in=EVENT_CODES).order_by("-pk")


@functools.cache
def _head_sql() -> tuple[str, tuple]:
    """Compiled once per process: compiling the query took longer than running it."""
    return changes().values_list("pk", "digest")[:1].query.sql_with_params()


def change_version() -> str:
    """The latest change's id and digest ("-" before any). One query."""
    with connection.cursor() as cursor:
        cursor.execute(*_head_sql())
        head = cursor.fetchone()
    return "-" if head is None else f"{head[0]}.{head[1][:16]}"
