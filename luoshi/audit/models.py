import datetime as dt
import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from luoshi.audit.actions import label_of
from luoshi.lib import clock


class AppendOnlyError(Exception):
    pass


def digest_of(record) -> str:
    """SHA-256 of an audit record's content (also used by the migration that added digests)."""
    content = {
        "at": record.at.astimezone(dt.UTC).isoformat(),
        "user": record.user_id,
        "username": record.username,
        "organization": record.organization,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "object_repr": record.object_repr,
        "changes": record.changes,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()


class AuditRecord(models.Model):
    """One change, as it happened: who, when, what, old and new values. Never updated."""

    at = models.DateTimeField(_("time"), default=clock.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as text so the record still says who it was after the account is gone.
    username = models.CharField(_("user"), max_length=150, blank=True)
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    # {"field": {"old": ..., "new": ...}}; values are JSON-ready (strings, numbers, lists).
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # SHA-256 of the fields above, written with the record; the daily seals chain these.
    digest = models.CharField(_("digest"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit records cannot be changed")
        # Normalize through JSON first, so the digest hashes what the database gives back.
        self.changes = json.loads(json.dumps(self.changes, cls=DjangoJSONEncoder))
        self.digest = self.compute_digest()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit records cannot be deleted")

    def compute_digest(self) -> str:
        return digest_of(self)

    @property
    def action_label(self) -> str:
        """The action as the log page shows it (the code if it is not registered)."""
        return label_of(self.action)


class AuditSeal(models.Model):
    """The chain over one day's records (Asia/Shanghai), written after the day has ended.

    Records are written without any lock (the deadline-day spike runs with auditing on); each
    carries its own digest, and the seal of a day hashes the previous day's seal with every digest
    of the day in id order. `verify_audit` recomputes both: an edited record breaks its own digest,
    a deleted or inserted one breaks its day's seal.
    """

    day = models.DateField(_("day"), unique=True)
    count = models.PositiveIntegerField(_("records"))
    last_id = models.BigIntegerField(_("last record"), null=True)
    digest = models.CharField(_("digest"), max_length=64)
    sealed_at = models.DateTimeField(_("sealed at"), default=clock.now)

    class Meta:
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} ({self.count})"
