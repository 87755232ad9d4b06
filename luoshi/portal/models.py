"""What the public portal shows: snapshots the coordinator reviewed and published."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from luoshi.lib import clock
from luoshi.plans.models import Plan
from luoshi.reporting.models import Period


class Publication(models.Model):
    """A plan as published for one period: its header, tasks, measures, departments, targets
    with actuals and the accepted progress of that period, frozen as JSON when the coordinator
    published it. The portal reads only these rows, never the live tables, so a draft or a
    later change never reaches the public before it is published again."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="publications")
    period = models.ForeignKey(Period, models.CASCADE, related_name="publications")
    data = models.JSONField(_("published data"))
    published_at = models.DateTimeField(_("published at"), default=clock.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["plan", "-period__start", "-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="publication_one_live_per_period",
            ),
        ]

    def __str__(self):
        return f"{self.plan} {self.period}"

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None
