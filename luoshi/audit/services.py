"""Writing the audit log. Every service that changes data calls `record_change()`."""

import datetime as dt
import hashlib
import logging

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.audit.actions import get_action
from luoshi.audit.models import AuditRecord, AuditSeal
from luoshi.lib import clock

logger = logging.getLogger(__name__)

GENESIS = "0" * 64


def record_event(
    user,
    action: str,
    *,
    username: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
) -> AuditRecord:
    """Append one record of `action` by `user` (None for the system or an unknown caller).

    `action` is a code of `luoshi.audit.actions.ACTIONS`: any other raises ValueError."""
    get_action(action)
    organization = getattr(user, "organization", None) if user else None
    return AuditRecord.objects.create(
        user=user if user and user.pk else None,
        username=username or (user.get_username() if user else "system"),
        organization=str(organization)[:200] if organization else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        changes=changes or {},
    )


def record_change(user, action: str, obj: models.Model, changes: dict | None = None):
    """Append one record of `action` on `obj` by `user` (None for the system itself)."""
    return record_event(
        user,
        action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=describe(obj),
        changes=changes,
    )


# What the name of an object reads through foreign keys, for the models whose name spans several
# tables and that are recorded often. An entry just saved knows neither its report nor its
# measure: its name, 市商务局 2025年11月 四.2, would cost five queries (report, department,
# period, measure, key task); a report re-read after its transition, two.
NAME_RELATIONS = {
    "reporting.reportentry": ("report__organization", "report__period", "measure__key_task"),
    "reporting.report": ("organization", "period"),
}


def describe(obj: models.Model) -> str:
    """`str(obj)`, in one query at most: what its name needs is loaded together if missing."""
    paths = NAME_RELATIONS.get(obj._meta.label_lower, ())
    if not all(_is_loaded(obj, path) for path in paths):
        # No ORDER BY: a model's default ordering can span tables too.
        found = type(obj)._base_manager.select_related(*paths).filter(pk=obj.pk).order_by()
        obj = next(iter(found), obj)
    return str(obj)


def _is_loaded(obj: models.Model, path: str) -> bool:
    for name in path.split("__"):
        field = obj._meta.get_field(name)
        if not field.is_cached(obj):
            return False
        obj = field.get_cached_value(obj)
        if obj is None:
            return True
    return True


def diff(old: dict, new: dict) -> dict:
    """The fields whose values differ, as {"field": {"old": ..., "new": ...}}."""
    return {
        key: {"old": old.get(key), "new": new.get(key)}
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    }


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _day_digest(previous: str, digests) -> tuple[str, int]:
    chain = hashlib.sha256(previous.encode())
    count = 0
    for digest in digests:
        chain.update(digest.encode())
        count += 1
    return chain.hexdigest(), count


def _records_of(day: dt.date):
    start, end = _day_bounds(day)
    return AuditRecord.objects.filter(at__gte=start, at__lt=end).order_by("id")


def seal_days(until: dt.date | None = None) -> list[AuditSeal]:
    """Seal every day up to `until` (default: yesterday) that has records and no seal yet.

    Idempotent: a sealed day is never sealed again. Run daily, after midnight.
    """
    until = until or clock.today() - dt.timedelta(days=1)
    last = AuditSeal.objects.order_by("-day").first()
    first_record = AuditRecord.objects.order_by("at").first()
    if first_record is None:
        return []
    day = last.day + dt.timedelta(days=1) if last else clock.local_date(first_record.at)
    previous = last.digest if last else GENESIS
    sealed = []
    with transaction.atomic():
        while day <= until:
            records = _records_of(day)
            digest, count = _day_digest(previous, records.values_list("digest", flat=True))
            if count:
                seal = AuditSeal.objects.create(
                    day=day, count=count, last_id=records.last().pk, digest=digest
                )
                sealed.append(seal)
                previous = digest
            day += dt.timedelta(days=1)
    return sealed


def verify_chain() -> list[str]:
    """What does not match: an edited record, a sealed day whose records changed; [] if intact."""
    problems = []
    for record in AuditRecord.objects.order_by("id").iterator(chunk_size=2000):
        if record.compute_digest() != record.digest:
            problems.append(
                _("Record #%(id)s (%(at)s) was changed after it was written.")
                % {"id": record.pk, "at": f"{record.at:%Y-%m-%d %H:%M:%S}"}
            )
    previous = GENESIS
    for seal in AuditSeal.objects.order_by("day"):
        digest, count = _day_digest(
            previous, _records_of(seal.day).values_list("digest", flat=True)
        )
        if digest != seal.digest:
            problems.append(
                _(
                    "The audit records of %(day)s differ from their seal (%(sealed)s sealed, "
                    "%(count)s now): records were deleted, inserted or changed, or the seal "
                    "itself was changed."
                )
                % {"day": f"{seal.day:%Y-%m-%d}", "sealed": seal.count, "count": count}
            )
        previous = seal.digest
    return problems
