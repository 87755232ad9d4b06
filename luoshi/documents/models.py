"""What the documents keep: the plan's issuing preset, the document numbers taken, and the task
paragraphs the coordinator accepted for a period's brief."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from luoshi.lib import clock
from luoshi.orgs.models import Organization
from luoshi.plans.models import KeyTask, Plan
from luoshi.reporting.models import Period


class DocumentPreset(models.Model):
    """How a plan's monthly report is issued: one click gives the document that can be sent."""

    plan = models.OneToOneField(Plan, models.CASCADE, related_name="document_preset")
    issuing_unit = models.ForeignKey(
        Organization, models.PROTECT, related_name="+", verbose_name=_("issuing unit")
    )
    issuer_mark = models.CharField(_("issuing office's mark"), max_length=100)
    number_prefix = models.CharField(
        _("document number prefix"),
        max_length=40,
        help_text=_("The agency code before the year, e.g. 枣发改经贸 for 枣发改经贸〔2026〕5号."),
    )
    signer = models.CharField(_("signed off by"), max_length=40, blank=True)
    addressee = models.CharField(_("Main recipient"), max_length=200)
    copy_to = models.CharField(_("Copied to"), max_length=500, blank=True)
    printed_by = models.CharField(_("Printed by"), max_length=100)

    class Meta:
        verbose_name = _("document preset")
        verbose_name_plural = _("document presets")

    def __str__(self):
        return f"{self.plan} · {self.issuer_mark}"


class DocumentNumber(models.Model):
    """A 文号 taken from the issuing unit's counter of the year; one per period, reused."""

    issuing_unit = models.ForeignKey(
        Organization, models.PROTECT, related_name="+", verbose_name=_("issuing unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    text = models.CharField(_("document number"), max_length=100)
    period = models.OneToOneField(
        Period, models.CASCADE, related_name="document_number", verbose_name=_("period")
    )
    taken_at = models.DateTimeField(_("taken at"), default=clock.now)

    class Meta:
        verbose_name = _("document number")
        verbose_name_plural = _("document numbers")
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_unit", "year", "number"], name="document_number_unique"
            ),
        ]

    def __str__(self):
        return self.text


class TaskParagraph(models.Model):
    """A key task's paragraph of a period's brief, as the coordinator accepted it."""

    period = models.ForeignKey(Period, models.CASCADE, related_name="+")
    key_task = models.ForeignKey(KeyTask, models.CASCADE, related_name="+")
    text = models.TextField(_("paragraph"))
    from_model = models.BooleanField(_("drafted by the model"), default=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), default=clock.now)

    class Meta:
        verbose_name = _("task paragraph")
        verbose_name_plural = _("task paragraphs")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "key_task"], name="task_paragraph_unique_per_period"
            ),
        ]

    def __str__(self):
        return f"{self.period} {self.key_task.label}"
