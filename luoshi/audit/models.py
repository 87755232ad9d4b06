import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from luoshi.audit.actions import label_of
from luoshi.audit.keys import current_key_id, key_for, signing_key
from luoshi.audit.wording import change_lines, object_words
from luoshi.lib import clock


class AppendOnlyError(Exception):
    pass


def _canonical(record) -> bytes:
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
    return canonical.encode()


def digest_of(record, key: bytes | None = None) -> str:
    """HMAC-SHA256 of an audit record's content under `key` (default: the signing key)."""
    return hmac.new(key or signing_key()[1], _canonical(record), hashlib.sha256).hexdigest()


def unkeyed_digest_of(record) -> str:
    """The plain SHA-256 digests had before the audit key (migrations 0003 and 0005 only)."""
    return hashlib.sha256(_canonical(record)).hexdigest()


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
    # HMAC-SHA256 of the fields above under the audit key `key_id` (kept outside the database),
    # written with the record; the hourly seals chain these.
    digest = models.CharField(_("digest"), max_length=64, blank=True, editable=False)
    key_id = models.CharField(_("key"), max_length=8, default=current_key_id, editable=False)

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
        self.key_id, key = signing_key()
        self.digest = digest_of(self, key)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit records cannot be deleted")

    def is_intact(self) -> bool | None:
        """Whether the digest matches the content; None when the key is not on this server."""
        key = key_for(self.key_id)
        return None if key is None else hmac.compare_digest(digest_of(self, key), self.digest)

    @property
    def action_label(self) -> str:
        """The action as the log page shows it (the code if it is not registered)."""
        return label_of(self.action)

    @property
    def object_words(self) -> str:
        """The object as the log shows it: its kind and name (用户 张三), no table or id."""
        return object_words(self.object_type, self.object_repr)

    @property
    def object_reference(self) -> str:
        """The object's table and id (orgs.user#5), for programs and a tooltip."""
        return f"{self.object_type}#{self.object_id}"

    @property
    def change_lines(self) -> list[str]:
        """The changes as the log shows them: 字段：旧值 → 新值, or an event's 字段 值."""
        return change_lines(self.object_type, self.action, self.changes)


class AuditSeal(models.Model):
    """The chain over one hour's records, written after the hour has ended (`seal_hours`).

    Records are written without any lock (the deadline-day spike runs with auditing on); each
    carries its own keyed digest, and the seal of an hour is an HMAC over the previous seal, the
    hour, and the id and digest of every record of the hour in id order. `verify_audit` recomputes
    both, and compares the seals with the copy the sealing job appends to AUDIT_SEAL_FILE.
    """

    start = models.DateTimeField(_("hour"), unique=True)
    count = models.PositiveIntegerField(_("records"))
    first_id = models.BigIntegerField(_("first record"))
    last_id = models.BigIntegerField(_("last record"))
    key_id = models.CharField(_("key"), max_length=8)
    digest = models.CharField(_("digest"), max_length=64)
    sealed_at = models.DateTimeField(_("sealed at"), default=clock.now)

    class Meta:
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")
        ordering = ["start"]

    def __str__(self):
        return f"{self.start:%Y-%m-%d %H:%M} ({self.count})"
