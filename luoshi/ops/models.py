"""What the load balancer and the operators read: the background loop's heartbeat."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from luoshi.lib import clock


class Heartbeat(models.Model):
    """The last time a background job finished a cycle, one row per job (e.g. "supervise").

    In the database, not the cache or a file: every host's readiness check reads the same row,
    whichever host runs the job.
    """

    name = models.CharField(_("job"), max_length=40, primary_key=True)
    beat_at = models.DateTimeField(_("last cycle"), default=clock.now)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return self.name
