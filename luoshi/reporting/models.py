"""The reporting cycle: periods, department reports, their entries, evidence and exceptions.

Workflows live in `luoshi.reporting.services`; these models hold state and derived facts.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.lib import clock
from luoshi.lib.text import download_name, with_extension
from luoshi.orgs.models import Organization
from luoshi.plans.models import Measure, Plan, Target
from luoshi.reporting.quality import BLOCKING


class HolidayNotice(models.Model):
    """One day of an official holiday notice (国务院办公厅关于…部分节假日安排的通知).

    Overrides the chinesecalendar package, and covers the years it does not know yet.
    """

    date = models.DateField(_("date"), unique=True)
    # True: a make-up workday (调休上班) on a weekend; False: a day off.
    is_workday = models.BooleanField(_("make-up workday"), default=False)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday notice")
        verbose_name_plural = _("holiday notices")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class PlanSchedule(models.Model):
    """When a plan is tracked and how its due dates fall: one per plan."""

    class HolidayRule(models.TextChoices):
        KEEP = "keep", _("Keep the due day")
        PREVIOUS_WORKDAY = "previous_workday", _("Move to the previous workday")
        NEXT_WORKDAY = "next_workday", _("Move to the next workday")

    plan = models.OneToOneField(Plan, models.CASCADE, related_name="schedule")
    tracking_start = models.DateField(_("tracking starts"))
    # None: open-ended; periods are generated a few periods ahead of today.
    tracking_end = models.DateField(_("tracking ends"), null=True, blank=True)
    holiday_rule = models.CharField(
        _("due day on a holiday"),
        max_length=20,
        choices=HolidayRule.choices,
        default=HolidayRule.KEEP,
    )

    class Meta:
        verbose_name = _("plan schedule")
        verbose_name_plural = _("plan schedules")

    def __str__(self):
        return str(self.plan)


class Period(models.Model):
    """A reporting period (报送期) of a plan, e.g. 2026年11月, with its due date."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="periods")
    frequency = models.CharField(_("frequency"), max_length=16, choices=Plan.Frequency.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    label = models.CharField(pgettext_lazy("period", "label"), max_length=40)
    # Inclusive: a report submitted at 23:59 Asia/Shanghai on this day is on time.
    due_date = models.DateField(_("due date"))
    closed_at = models.DateTimeField(pgettext_lazy("period", "closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["plan", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "frequency", "start"], name="period_unique_start_in_plan"
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class ReportQuerySet(models.QuerySet):
    def missing(self, today=None):
        """Reports past their due day that were never submitted: a fact, not an absence."""
        return self.filter(
            period__due_date__lt=today or clock.today(),
            status__in=Report.UNSUBMITTED,
        )


class Report(models.Model):
    """进展情况报告: one per department per period, created when the period is generated."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", pgettext_lazy("report state", "Not started")
        DRAFT = "draft", pgettext_lazy("report state", "Draft")
        AWAITING_SIGNOFF = "awaiting_signoff", pgettext_lazy("report state", "Awaiting sign-off")
        SUBMITTED = "submitted", pgettext_lazy("report state", "Submitted")
        RETURNED = "returned", pgettext_lazy("report state", "Returned")
        ACCEPTED = "accepted", pgettext_lazy("report state", "Accepted")

    # Never submitted (a returned report was submitted once and is not missing).
    UNSUBMITTED = (Status.NOT_STARTED, Status.DRAFT, Status.AWAITING_SIGNOFF)
    # The department may edit its entries in these states.
    EDITABLE = (Status.NOT_STARTED, Status.DRAFT, Status.RETURNED)

    period = models.ForeignKey(Period, models.CASCADE, related_name="reports")
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="reports", verbose_name=_("department")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Who wrote it: the reporter who started the draft and sent it for sign-off.
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_for_signoff_at = models.DateTimeField(_("sent for sign-off at"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # First submission: lateness is judged by it; a resubmission after a return does not
    # make a report late again.
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    late = models.BooleanField(_("late"), default=False)
    resubmitted_at = models.DateTimeField(_("resubmitted at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_comment = models.TextField(_("return comment"), blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopen_reason = models.TextField(_("reopen reason"), blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["period", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "organization"], name="report_unique_department_in_period"
            ),
        ]
        indexes = [
            # The review queue and the "awaiting review" counts, oldest submission first.
            models.Index(
                fields=["period", "submitted_at"],
                condition=models.Q(status="submitted"),
                name="report_submitted_by_period",
            ),
        ]

    def __str__(self):
        return f"{self.organization} {self.period}"

    @property
    def is_editable(self) -> bool:
        """Whether the department may still change its entries (ignoring a closed period)."""
        return self.status in self.EDITABLE


class ReportEntry(models.Model):
    """One measure in a department's report: 进展情况, 状态, 存在问题, 下步计划."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        BEHIND = "behind", _("Behind schedule")

    report = models.ForeignKey(Report, models.CASCADE, related_name="entries")
    measure = models.ForeignKey(Measure, models.CASCADE, related_name="report_entries")
    # The department's role for this measure when the entry was created (lead / co / unknown).
    role = models.CharField(_("role"), max_length=10, blank=True)
    progress = models.TextField(_("progress"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    behind_reason = models.TextField(_("reason for delay"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    # 本月无新进展: the department says nothing changed since last period, and why. Lets a text
    # that repeats last period's (or names another period) be submitted; the coordinator sees it.
    no_new_progress = models.BooleanField(_("no new progress this period"), default=False)
    no_new_progress_reason = models.TextField(_("why there is no new progress"), blank=True)
    # The quality flags (codes of luoshi.reporting.quality.FLAGS), computed when it is saved.
    flags = models.JSONField(_("quality flags"), default=list, blank=True)
    # Optimistic concurrency: every save must name the version it started from.
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("report entry")
        verbose_name_plural = _("report entries")
        ordering = ["report", "measure__key_task__no", "measure__no"]
        constraints = [
            models.UniqueConstraint(fields=["report", "measure"], name="entry_unique_measure"),
        ]

    def __str__(self):
        return f"{self.report} {self.measure.code}"

    # The fields a user edits; save_entry() accepts exactly these.
    TEXT_FIELDS = (
        "progress",
        "status",
        "behind_reason",
        "problems",
        "next_steps",
        "no_new_progress",
        "no_new_progress_reason",
    )

    @property
    def blocked(self) -> bool:
        """Its text repeats last period's or names another period, and the department has not
        said 本月无新进展 with a reason: it cannot be submitted."""
        return bool(set(self.flags) & set(BLOCKING)) and not (
            self.no_new_progress and self.no_new_progress_reason.strip()
        )


class StockPhrase(models.Model):
    """A stock phrase (积极推进, 稳步推进…): an entry made only of these and the measure's own
    words, with no figure, is flagged as boilerplate. The coordinators keep the list."""

    text = models.CharField(_("phrase"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("stock phrase")
        verbose_name_plural = _("stock phrases")
        ordering = ["text"]

    def __str__(self):
        return self.text


class TargetActual(models.Model):
    """The actual value a department reports for one of its measure's targets."""

    entry = models.ForeignKey(ReportEntry, models.CASCADE, related_name="actuals")
    target = models.ForeignKey(Target, models.CASCADE, related_name="actuals")
    value = models.DecimalField(_("actual value"), max_digits=18, decimal_places=4)

    class Meta:
        verbose_name = _("target actual")
        verbose_name_plural = _("target actuals")
        constraints = [
            models.UniqueConstraint(fields=["entry", "target"], name="actual_unique_target"),
        ]

    def __str__(self):
        return f"{self.target}: {self.value.normalize():f}"

    @property
    def counts(self) -> bool:
        """Only the target owner's value counts towards the target."""
        return self.target.owner_id == self.entry.report.organization_id


def attachment_path(instance, filename: str) -> str:
    """A server-made name: never trust the uploaded file name on disk."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"reporting/{clock.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """Evidence (佐证材料) for an entry: pdf, png, jpeg, docx or xlsx, checked by content."""

    # The allowed types, told by the bytes, and the extension a file of each type gets.
    EXTENSIONS = {
        "application/pdf": ".pdf",
        "image/png": ".png",
        "image/jpeg": ".jpg",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    }

    entry = models.ForeignKey(ReportEntry, models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=clock.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["entry", "uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    @property
    def download_name(self) -> str:
        """The user's name ending in the extension of the type the bytes were found to be
        ("x.pdf.bat" → "x.pdf"), whatever name older rows were stored under."""
        return safe_attachment_name(self.original_name, self.content_type)


def safe_attachment_name(name: str, content_type: str) -> str:
    """`name` fit to store and download a file of `content_type` (one of EXTENSIONS)."""
    extension = Attachment.EXTENSIONS.get(content_type, "")
    if not extension:
        return download_name(name)
    return with_extension(name, extension, *([".jpeg"] if extension == ".jpg" else []))


class LateEntryException(models.Model):
    """A coordinator lets one department enter its report in a closed period."""

    period = models.ForeignKey(Period, models.CASCADE, related_name="late_entry_exceptions")
    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("department")
    )
    # The exception ends at this moment (aware): the end of the deadline day the coordinator
    # chose. None (exceptions granted before deadlines existed): until it is withdrawn.
    until = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    granted_at = models.DateTimeField(_("granted at"), default=clock.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The coordinator ended it before its deadline.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("late-entry exception")
        verbose_name_plural = _("late-entry exceptions")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "organization"], name="late_entry_unique_department"
            ),
        ]

    def __str__(self):
        return f"{self.organization} {self.period}"

    def is_active(self, now=None) -> bool:
        if self.withdrawn_at is not None:
            return False
        return self.until is None or (now or clock.now()) <= self.until

    @property
    def deadline(self):
        """The last day the department may enter (Asia/Shanghai), or None."""
        return clock.local_date(self.until) if self.until else None

    def status(self, now=None) -> str:
        """ "active", "withdrawn" or "expired" (its deadline passed)."""
        if self.withdrawn_at is not None:
            return "withdrawn"
        return "active" if self.is_active(now) else "expired"


class ClosureRequest(models.Model):
    """The lead department asks the coordinator to close (办结/销号) a measure, with evidence."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    measure = models.ForeignKey(Measure, models.CASCADE, related_name="closure_requests")
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="+", verbose_name=_("department")
    )
    evidence = models.TextField(_("evidence"))
    evidence_file = models.FileField(
        _("evidence file"), upload_to=attachment_path, max_length=200, blank=True
    )
    evidence_file_name = models.CharField(_("file name"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_at = models.DateTimeField(_("requested at"), default=clock.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("closure request")
        verbose_name_plural = _("closure requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure"],
                condition=models.Q(status="pending"),
                name="closure_one_pending_per_measure",
            ),
        ]

    def __str__(self):
        return f"{self.measure.code} {self.get_status_display()}"

    @property
    def evidence_content_type(self) -> str:
        """The type the file's bytes were found to be: the stored name ends in its extension."""
        suffix = PurePath(self.evidence_file.name).suffix.lower()
        for content_type, extension in Attachment.EXTENSIONS.items():
            if suffix == extension:
                return content_type
        return "application/octet-stream"

    @property
    def evidence_download_name(self) -> str:
        """The user's file name, ending in the extension of what the bytes are."""
        return safe_attachment_name(self.evidence_file_name, self.evidence_content_type)


class ImportedReport(models.Model):
    """A report that reached this deployment as an exchange file (docs/report-json.md): the
    lower level's signatures, which name people of another deployment, and the file as read."""

    report = models.OneToOneField(Report, models.CASCADE, related_name="imported_from")
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    drafted_by_name = models.CharField(_("drafted by"), max_length=100, blank=True)
    signed_off_by_name = models.CharField(_("signed off by"), max_length=100, blank=True)
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    data = models.JSONField(_("file contents"))
    imported_at = models.DateTimeField(_("imported at"), default=clock.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("imported report")
        verbose_name_plural = _("imported reports")

    def __str__(self):
        return self.file_name
