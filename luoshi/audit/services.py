"""Writing the audit log. Every service that changes data calls `record_change()`."""

import datetime as dt
import hmac
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.audit.actions import get_action
from luoshi.audit.keys import key_for, signing_key
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


# An hour is sealed once it ended this long ago, so that a record written at 10:59:59 inside a
# transaction still open at 11:00 is committed before its hour is sealed.
GRACE = dt.timedelta(minutes=10)
HOUR = dt.timedelta(hours=1)


def _hour_of(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def _hours(records) -> Iterator[tuple[dt.datetime, list[tuple[int, str]]]]:
    """The records' (id, digest) by hour, hours in order and ids in order within each hour."""
    current, rows = None, []
    found = records.order_by("at", "id").values_list("id", "at", "digest")
    for pk, at, digest in found.iterator(chunk_size=2000):
        hour = _hour_of(at)
        if hour != current:
            if rows:
                yield current, sorted(rows)
            current, rows = hour, []
        rows.append((pk, digest))
    if rows:
        yield current, sorted(rows)


def _seal_digest(key: bytes, previous: str, start: dt.datetime, rows) -> str:
    mac = hmac.new(key, f"{previous}|{start.astimezone(dt.UTC).isoformat()}".encode(), "sha256")
    for pk, digest in rows:
        mac.update(f"|{pk}:{digest}".encode())
    return mac.hexdigest()


def _as_line(seal: AuditSeal) -> dict:
    """A seal as the seal file holds it, one JSON object a line."""
    return {
        "hour": seal.start.astimezone(dt.UTC).isoformat(),
        "count": seal.count,
        "first_id": seal.first_id,
        "last_id": seal.last_id,
        "key_id": seal.key_id,
        "digest": seal.digest,
    }


def _append_to_seal_file(seals: list[AuditSeal]) -> None:
    path = Path(settings.AUDIT_SEAL_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640), "a") as out:
        out.write("".join(json.dumps(_as_line(seal), sort_keys=True) + "\n" for seal in seals))
        out.flush()
        os.fsync(out.fileno())


class SealFileMismatch(Exception):
    """The seal file does not end with the database's last seal: sealing stops."""


def _last_in_seal_file() -> dict | str | None:
    path = Path(settings.AUDIT_SEAL_FILE)
    if not path.exists():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        return None
    try:
        return json.loads(lines[-1])
    except ValueError:
        return lines[-1]


def seal_hours() -> list[AuditSeal]:
    """Seal every hour that ended GRACE ago, has records and no seal yet, under the signing key.

    Idempotent: a sealed hour is never sealed again, and of two sealers running at once one
    seals and the other does nothing. Run hourly or more often (`seal_audit`, `run_background`).
    Each new seal is also appended to AUDIT_SEAL_FILE: this is the only writer of that file,
    and it seals nothing while the file does not end with the database's last seal.
    """
    last = AuditSeal.objects.order_by("-start").first()
    if _last_in_seal_file() != (_as_line(last) if last else None):
        # A seal deleted from the database with the records of its hour would otherwise be
        # sealed again, without them, and the chain would hold.
        raise SealFileMismatch(
            _(
                "The seal file %(path)s does not end with the last seal of the database: nothing "
                "is sealed until verify_audit has been run and the difference explained (a "
                "database replaced on purpose, such as a new demo, needs a new seal file)."
            )
            % {"path": settings.AUDIT_SEAL_FILE}
        )
    records = AuditRecord.objects.filter(at__lt=_hour_of(clock.now() - GRACE))
    if last:
        records = records.filter(at__gte=last.start + HOUR)
    previous = last.digest if last else GENESIS
    key_id, key = signing_key()
    seals = []
    for start, rows in _hours(records):
        digest = _seal_digest(key, previous, start, rows)
        seals.append(
            AuditSeal(
                start=start,
                count=len(rows),
                first_id=rows[0][0],
                last_id=rows[-1][0],
                key_id=key_id,
                digest=digest,
            )
        )
        previous = digest
    if not seals:
        return []
    try:
        with transaction.atomic():
            AuditSeal.objects.bulk_create(seals)
    except IntegrityError:
        return []  # another sealer sealed these hours at the same moment
    _append_to_seal_file(seals)
    return seals


def _when(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _record_problems() -> Iterator[str]:
    for record in AuditRecord.objects.order_by("id").iterator(chunk_size=2000):
        intact = record.is_intact()
        if intact is None:
            yield _(
                "Record #%(id)s (%(at)s) is signed with a key this server does not have "
                "(key id %(key)s): list that key among the old audit keys, or the record is forged."
            ) % {
                "id": record.pk,
                "at": f"{timezone.localtime(record.at):%Y-%m-%d %H:%M:%S}",
                "key": record.key_id,
            }
        elif not intact:
            yield _("Record #%(id)s (%(at)s) was changed after it was written.") % {
                "id": record.pk,
                "at": f"{timezone.localtime(record.at):%Y-%m-%d %H:%M:%S}",
            }


def _seal_problem(seal: AuditSeal, previous: str, rows) -> str | None:
    key = key_for(seal.key_id)
    if key is None:
        return _(
            "The seal of %(hour)s is signed with a key this server does not have (key id "
            "%(key)s): list that key among the old audit keys, or the seal is forged."
        ) % {"hour": _when(seal.start), "key": seal.key_id}
    if hmac.compare_digest(_seal_digest(key, previous, seal.start, rows), seal.digest):
        return None
    return _(
        "The audit records of %(hour)s differ from their seal (%(sealed)s sealed, %(count)s "
        "now): records were deleted, inserted or changed, or a seal was changed or deleted."
    ) % {"hour": _when(seal.start), "sealed": seal.count, "count": len(rows)}


def _chain_problems(seals: list[AuditSeal]) -> Iterator[str]:
    """Every sealed hour recomputed, walking the records and the seals side by side."""
    if not seals:
        return
    pending = iter(seals)
    seal = next(pending, None)
    previous = GENESIS
    records = AuditRecord.objects.filter(at__lt=seals[-1].start + HOUR)
    for start, rows in _hours(records):
        while seal is not None and seal.start < start:  # every record of its hour is gone
            if problem := _seal_problem(seal, previous, []):
                yield problem
            previous, seal = seal.digest, next(pending, None)
        if seal is not None and seal.start == start:
            if problem := _seal_problem(seal, previous, rows):
                yield problem
            previous, seal = seal.digest, next(pending, None)
        else:
            yield _(
                "%(count)s audit records of %(hour)s have no seal although later hours are "
                "sealed: they were inserted, or their seal was deleted."
            ) % {"count": len(rows), "hour": _when(start)}
    while seal is not None:
        if problem := _seal_problem(seal, previous, []):
            yield problem
        previous, seal = seal.digest, next(pending, None)


def _seal_file_problems(seals: list[AuditSeal]) -> Iterator[str]:
    """The seals of the database against those the sealing job appended to the seal file."""
    path = Path(settings.AUDIT_SEAL_FILE)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    except (OSError, UnicodeDecodeError):
        yield _("The seal file %(path)s cannot be read.") % {"path": path}
        return
    in_file = {}
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
            in_file[dt.datetime.fromisoformat(line["hour"])] = line
        except (ValueError, KeyError, TypeError):
            yield _("Line %(number)s of the seal file %(path)s is not a seal.") % {
                "number": number,
                "path": path,
            }
    in_database = {seal.start: _as_line(seal) for seal in seals}
    for hour in sorted(in_database.keys() | in_file.keys()):
        values = {"hour": _when(hour), "path": path}
        if hour not in in_file:
            yield _(
                "The seal of %(hour)s is in the database but not in the seal file %(path)s."
            ) % (values)
        elif hour not in in_database:
            yield (
                _(
                    "The seal of %(hour)s is in the seal file %(path)s but not in the database: it "
                    "was deleted."
                )
                % values
            )
        elif in_database[hour] != in_file[hour]:
            yield _("The seal of %(hour)s differs from its copy in the seal file %(path)s.") % (
                values
            )


def verify_chain() -> list[str]:
    """What does not match: an edited or forged record, a sealed hour whose records changed, a
    seal deleted, changed or added in the database or in the seal file; [] if intact."""
    seals = list(AuditSeal.objects.order_by("start"))
    return [*_record_problems(), *_chain_problems(seals), *_seal_file_problems(seals)]
