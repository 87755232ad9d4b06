"""Health and readiness: what a load balancer asks before it sends a host requests."""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django_tasks_db.models import DBTaskResult

from luoshi.lib import clock
from luoshi.ops.models import Heartbeat

# The job whose heartbeat readiness checks: `supervise`, run by run_background or cron.
SUPERVISE = "supervise"


def beat(name: str = SUPERVISE) -> None:
    """Record that the background job `name` finished a cycle now."""
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": clock.now()})


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


def _database() -> Check:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any driver's "cannot connect" is a failed check, not a 500
        return Check("database", False, type(error).__name__)
    return Check("database", True)


def _cache() -> Check:
    key = f"ops:ready:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 10)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as error:
        return Check("cache", False, type(error).__name__)
    return Check("cache", ok, "" if ok else "written value not read back")


# Once every migration is applied, this process need not load the migration files again:
# a deploy that brings new ones starts new processes.
_migrated = False


def _migrations() -> Check:
    global _migrated
    if _migrated:
        return Check("migrations", True)
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        return Check("migrations", False, type(error).__name__)
    if pending:
        return Check("migrations", False, f"{len(pending)} not applied")
    _migrated = True
    return Check("migrations", True)


def _heartbeat() -> Check:
    limit = datetime.timedelta(minutes=settings.READINESS_HEARTBEAT_MINUTES)
    try:
        last = Heartbeat.objects.filter(name=SUPERVISE).values_list("beat_at", flat=True).first()
    except Exception as error:
        return Check("background", False, type(error).__name__)
    if last is None:
        return Check("background", False, "no cycle recorded")
    age = clock.now() - last
    if age > limit:
        return Check("background", False, f"last cycle {int(age.total_seconds() // 60)} min ago")
    return Check("background", True, f"last cycle {int(age.total_seconds())} s ago")


def readiness() -> list[Check]:
    """Database, cache, migrations applied and the background loop's heartbeat."""
    database = _database()
    if not database.ok:
        # The others read the database: one failure, said once.
        return [database, _cache()]
    return [database, _cache(), _migrations(), _heartbeat()]


def task_queue_depth() -> int:
    """Tasks ready for the worker and not yet taken: a growing figure means a stalled worker."""
    return DBTaskResult.objects.ready().count()
