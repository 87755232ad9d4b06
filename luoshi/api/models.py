import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from luoshi.lib import clock


class ApiToken(models.Model):
    """A token an integration sends as `Authorization: Bearer <token>`; it acts as `user`.

    Only a SHA-256 hash is stored: tokens are long random strings, so a plain hash cannot be
    reversed, and a stolen database holds no usable token. A token works until it expires or is
    revoked, and only while its user's credentials version is the one it was issued at: a new
    password, a disabled account or another role moves that on (luoshi.orgs) and ends it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    # The first characters, so people can tell their tokens apart.
    prefix = models.CharField(_("prefix"), max_length=8)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    credentials_version = models.PositiveIntegerField(_("credentials version"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return (
            self.revoked_at is None
            and self.expires_at > clock.now()
            and self.user.is_active
            and self.credentials_version == self.user.credentials_version
        )

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
