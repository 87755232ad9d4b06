"""Writing the audit log. Every service that changes data calls `record_change()`."""

from django.db import models

from luoshi.audit.models import AuditRecord


def record_change(user, action: str, obj: models.Model, changes: dict | None = None):
    """Append one record of `action` on `obj` by `user` (None for the system itself)."""
    organization = getattr(user, "organization", None) if user else None
    return AuditRecord.objects.create(
        user=user if user and user.pk else None,
        username=user.get_username() if user else "system",
        organization=str(organization) if organization else "",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=changes or {},
    )


def diff(old: dict, new: dict) -> dict:
    """The fields whose values differ, as {"field": {"old": ..., "new": ...}}."""
    return {
        key: {"old": old.get(key), "new": new.get(key)}
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    }
