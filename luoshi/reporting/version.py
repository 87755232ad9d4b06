"""The version of the reporting data: the audit log's latest change (`audit.version`) and the
latest report (the periods' expected reports are created as periods come, audited too, but a
page listing periods must not wait on that). Pages and JSON cached under it are served only
while nothing they show changed."""

import functools

from django.db import connection
from django.db.models import Subquery

from luoshi.audit.version import changes
from luoshi.reporting.models import Report


@functools.cache
def _version_sql() -> tuple[str, tuple]:
    """Compiled once per process: every cached request runs it, and compiling the query took
    longer than running it."""
    head = (
        changes()
        .annotate(report=Subquery(Report.objects.order_by("-pk").values("pk")[:1]))
        .values_list("pk", "digest", "report")[:1]
    )
    return head.query.sql_with_params()


def data_version() -> str:
    """Changes whenever a report, an entry, a plan or anything else recorded changes. One
    query."""
    with connection.cursor() as cursor:
        cursor.execute(*_version_sql())
        head = cursor.fetchone()
    if head is None:
        return "-"
    pk, digest, report = head
    return f"{pk}.{digest[:16]}.{report}"
