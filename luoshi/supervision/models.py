"""Supervision: reminder rules, reminders and their deliveries, in-app notifications,
department channels, supervision notices (督办单) and score sheets.

Workflows live in `luoshi.supervision.services`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.lib import clock
from luoshi.orgs.models import Organization
from luoshi.plans.models import Plan
from luoshi.reporting.models import Period


def default_days_before():
    return [3, 1]


class ReminderRule(models.Model):
    """When a plan's departments are reminded: one per plan, created with the defaults."""

    plan = models.OneToOneField(Plan, models.CASCADE, related_name="reminder_rule")
    # Working days before the due day on which a reminder goes out.
    days_before = models.JSONField(
        _("working days before the due day"), default=default_days_before
    )
    # Every working day after the due day until the report is submitted.
    daily_when_late = models.BooleanField(_("remind every working day when late"), default=True)
    # After this many working days late the department's approver and the leaders are told.
    escalate_after = models.PositiveSmallIntegerField(_("escalate after working days"), default=3)
    # Periods due before this day are never reminded automatically (a first start does not
    # chase periods long past); the coordinator can still chase them by hand.
    starts_on = models.DateField(_("reminders start on"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")

    def __str__(self):
        return str(self.plan)


class DepartmentChannels(models.Model):
    """How a department wants to be reminded. In-app notifications always go out."""

    organization = models.OneToOneField(
        Organization, models.CASCADE, related_name="supervision_channels"
    )
    email = models.BooleanField(_("e-mail"), default=True)
    # The key of a WeCom group robot (…/cgi-bin/webhook/send?key=KEY); empty: not used.
    wecom_key = models.CharField(_("WeCom robot key"), max_length=200, blank=True)
    # The access token of a DingTalk group robot, and its signing secret (加签) if set.
    dingtalk_token = models.CharField(_("DingTalk robot token"), max_length=200, blank=True)
    dingtalk_secret = models.CharField(_("DingTalk robot secret"), max_length=200, blank=True)
    sms_phone = models.CharField(_("SMS phone number"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("department channels")
        verbose_name_plural = _("department channels")

    def __str__(self):
        return str(self.organization)


class Reminder(models.Model):
    """One notice to a department about one period: automatic or a manual chase (催办)."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the due day")
        LATE = "late", pgettext_lazy("reminder kind", "Late")
        ESCALATION = "escalation", _("Escalation")
        CHASE = "chase", pgettext_lazy("supervision", "Chase")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # For BEFORE: working days before the due day; for LATE and ESCALATION: working days late.
    offset = models.SmallIntegerField(_("working days"), default=0)
    period = models.ForeignKey(Period, models.CASCADE, related_name="reminders")
    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("department")
    )
    day = models.DateField(_("sending day"))
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-day", "-id"]
        constraints = [
            # Exactly once per rule, department, period and sending day, however often the
            # job runs; manual chases may repeat.
            models.UniqueConstraint(
                fields=["kind", "offset", "period", "organization", "day"],
                condition=~models.Q(kind="chase"),
                name="reminder_once_per_rule_department_period_day",
            ),
        ]

    def __str__(self):
        return f"{self.organization} {self.period} {self.get_kind_display()} {self.day}"


class Delivery(models.Model):
    """One reminder sent through one outside channel to one address; sent by a task."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WECOM = "wecom", _("WeCom")
        DINGTALK = "dingtalk", _("DingTalk")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery state", "Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")

    reminder = models.ForeignKey(Reminder, models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # An e-mail address, a robot key or token, a phone number.
    recipient = models.CharField(_("recipient"), max_length=254)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=clock.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "channel", "recipient"], name="delivery_unique_recipient"
            ),
        ]

    def __str__(self):
        return f"{self.reminder} → {self.channel}"


class Notification(models.Model):
    """An in-app notification (the bell)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    reminder = models.ForeignKey(
        Reminder, models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    notice = models.ForeignKey(
        "Notice", models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title


class Notice(models.Model):
    """A supervision notice (督办单) issued by the coordinator, acknowledged by the department."""

    class Colour(models.TextChoices):
        BLUE = "blue", _("Blue (deadline near)")
        YELLOW = "yellow", _("Yellow (behind schedule or poor report)")
        RED = "red", _("Red (overdue)")

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="notices")
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="+", verbose_name=_("department")
    )
    colour = models.CharField(_("colour"), max_length=6, choices=Colour.choices)
    number = models.PositiveIntegerField(pgettext_lazy("supervision notice", "number"))
    year = models.PositiveSmallIntegerField(_("year"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(pgettext_lazy("supervision notice", "text"))
    reply_by = models.DateField(_("reply by"))
    issued_at = models.DateTimeField(_("issued at"), default=clock.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    response = models.TextField(_("response"), blank=True)

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year", "number"], name="notice_unique_number"),
        ]

    def __str__(self):
        return f"督办〔{self.year}〕{self.number}号"


class ScoreSheet(models.Model):
    """How timeliness is scored: for a plan, else for its region, else the defaults."""

    plan = models.OneToOneField(
        Plan, models.CASCADE, null=True, blank=True, related_name="score_sheet"
    )
    region = models.OneToOneField(
        Organization, models.CASCADE, null=True, blank=True, related_name="score_sheet"
    )
    start = models.DecimalField(_("starting score"), max_digits=6, decimal_places=2, default=100)
    per_missing = models.DecimalField(
        _("points per missing report"), max_digits=6, decimal_places=2, default=10
    )
    per_late = models.DecimalField(
        _("points per late report"), max_digits=6, decimal_places=2, default=1
    )
    per_returned = models.DecimalField(
        _("points per returned report"), max_digits=6, decimal_places=2, default=2
    )
    # Off by default: the quality flags are heuristics (docs/decisions.md, issue 19).
    per_flagged = models.DecimalField(
        _("points per flagged entry"), max_digits=6, decimal_places=2, default=0, blank=True
    )

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(plan__isnull=False) | models.Q(region__isnull=False),
                name="scoresheet_for_plan_or_region",
            ),
        ]

    def __str__(self):
        return str(self.plan or self.region)
