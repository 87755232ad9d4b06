import re
import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from luoshi.lib import clock
from luoshi.orgs.models import Organization


class Plan(models.Model):
    """A division-of-work plan (分工方案) as issued."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        HALF_YEARLY = "half-yearly", _("Half-yearly")
        YEARLY = "yearly", _("Yearly")
        ONCE = "once", _("Once")

    title = models.CharField(_("title"), max_length=300)
    doc_number = models.CharField(_("document number"), max_length=100, blank=True)
    issuers = models.JSONField(_("issuing authorities"), default=list, blank=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    region = models.ForeignKey(
        Organization, models.PROTECT, related_name="plans", verbose_name=_("region")
    )
    coordinator = models.ForeignKey(
        Organization,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinated_plans",
        verbose_name=_("coordinating office"),
    )
    report_frequency = models.CharField(
        _("reporting frequency"), max_length=16, choices=Frequency.choices, blank=True
    )
    report_due_day = models.PositiveSmallIntegerField(_("due day"), null=True, blank=True)
    report_due_offset_months = models.PositiveSmallIntegerField(
        _("due in the month after the period"), default=0
    )
    report_rule_text = models.TextField(_("reporting rule as written"), blank=True)
    parent_documents = models.JSONField(_("parent documents"), default=list, blank=True)
    # The parent documents (of `parent_documents`) that are plans in this deployment.
    implements = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="implemented_by",
        verbose_name=_("implements"),
    )
    addressees = models.JSONField(_("addressees"), default=list, blank=True)
    source_name = models.CharField(_("source file"), max_length=255, blank=True)
    source_text = models.TextField(_("source text"), blank=True)
    created_at = models.DateTimeField(_("imported at"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "doc_number"],
                condition=~models.Q(doc_number=""),
                name="plan_unique_doc_number_in_region",
            ),
        ]

    def __str__(self):
        return self.title


class KeyTask(models.Model):
    """重点任务, numbered 一、二、… in the plan."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="key_tasks")
    no = models.PositiveIntegerField(_("number"))
    label = models.CharField(_("label"), max_length=20)
    title = models.TextField(_("title"))
    # The key task of a parent plan (Plan.implements) this one carries out.
    parent = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent key task"),
    )

    class Meta:
        verbose_name = _("key task")
        verbose_name_plural = _("key tasks")
        ordering = ["plan", "no"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "no"], name="keytask_unique_no_in_plan"),
        ]

    def __str__(self):
        return f"{self.label}{self.title}"

    @property
    def numeral(self) -> str:
        """The label without its punctuation: 一、 → 一."""
        return self.label.strip("、.．，, （）()")


def measure_number(label: str, no: int) -> str:
    """A measure's number as it reads before its text: a label written 2、 or 2． reads 2.
    (the form of official tables), （2） stays; a bare 2, or no label at all, gets its point."""
    label = label.strip()
    if label.startswith(("（", "(")):
        return label
    return f"{label.rstrip('、.．，, ') or no}."


def measure_code(task_label: str, path: list[str], label: str, no: int) -> str:
    """Measure.code from the values of a query (the department home reads no model)."""
    task = task_label.strip()
    if task and not task.endswith(("、", "）", ")", ".", "．")):
        task += "、"
    return f"{task}{''.join(path)}{measure_number(label, no)}"


class Measure(models.Model):
    """推进措施: the smallest item of a plan that carries an assignment."""

    key_task = models.ForeignKey(KeyTask, models.CASCADE, related_name="measures")
    no = models.PositiveIntegerField(_("number"))
    label = models.CharField(_("label"), max_length=20)
    path = models.JSONField(_("group labels"), default=list, blank=True)
    text = models.TextField(_("text"))
    needs_review = models.BooleanField(_("needs review"), default=False)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    departments = models.ManyToManyField(
        Organization, through="Assignment", related_name="measures"
    )
    # 办结/销号: set by the coordinator; a closed measure leaves the reports of later periods.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The measure of a parent plan (Plan.implements) this one carries out.
    parent = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent measure"),
    )

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["key_task", "no"]
        constraints = [
            models.UniqueConstraint(fields=["key_task", "no"], name="measure_unique_no_in_task"),
        ]

    def __str__(self):
        return f"{self.code} {self.text[:40]}"

    @property
    def number(self) -> str:
        """The measure's own number as issued, never glued to its text: 2. or （2）."""
        return measure_number(self.label, self.no)

    @property
    def code(self) -> str:
        """Reference as the plan numbers it: 四、2. (task 四、, measure 2.), （四）2., or with
        the measure's groups between them: 一、（二）3."""
        return measure_code(self.key_task.label, self.path, self.label, self.no)


class Assignment(models.Model):
    """A responsible department (责任部门) of a measure, with its role."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        CO = "co", _("Co-operating")
        # The plan does not say (按职责分工负责).
        UNKNOWN = "unknown", _("Not stated")

    measure = models.ForeignKey(Measure, models.CASCADE, related_name="assignments")
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="assignments", verbose_name=_("department")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.UNKNOWN)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["measure", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "organization"], name="assignment_unique_department"
            ),
        ]

    def __str__(self):
        return f"{self.organization} ({self.get_role_display()})"


class Target(models.Model):
    """A quantitative target (指标) read from a measure's text."""

    class Comparator(models.TextChoices):
        AT_LEAST = ">=", _("at least")
        MORE_THAN = ">", _("more than")
        EXACTLY = "=", _("exactly")
        LESS_THAN = "<", _("less than")
        AT_MOST = "<=", _("at most")

    class Kind(models.TextChoices):
        CUMULATIVE = "cumulative", _("Cumulative count")
        LEVEL = "level", _("Level or ratio to hold")
        CAP = "cap", _("Cap")

    measure = models.ForeignKey(Measure, models.CASCADE, related_name="targets")
    text = models.CharField(_("source text"), max_length=300)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    comparator = models.CharField(_("comparator"), max_length=2, choices=Comparator.choices)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CUMULATIVE)
    # Whose actual value counts: the measure's lead, or a department the coordinator picks
    # when the plan names no lead. None until then.
    owner = models.ForeignKey(
        Organization,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_targets",
        verbose_name=_("owner"),
    )
    # Every extracted target waits for the coordinator to confirm it.
    confirmed = models.BooleanField(_("confirmed"), default=False)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["measure", "position", "id"]

    def __str__(self):
        return f"{self.comparator} {self.value_display}{self.unit}"

    @classmethod
    def kind_for(cls, comparator: str, unit: str) -> str:
        """The kind a target's wording implies: 不超过 is a cap, a percentage a level to hold."""
        if comparator in ("<", "<="):
            return cls.Kind.CAP
        if unit == "%":
            return cls.Kind.LEVEL
        return cls.Kind.CUMULATIVE

    @property
    def value_display(self) -> str:
        """The value as written: 100, not 100.0000 or 1E+2."""
        return f"{self.value.normalize():f}"


def _import_file_name(draft: "ImportDraft", filename: str) -> str:
    """A server-made name: the uploader's file name never reaches the file system."""
    suffix = Path(filename).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        suffix = ""
    return f"imports/{uuid.uuid4().hex}{suffix}"


class ScanState(models.TextChoices):
    NONE = "", _("Not a scan")
    QUEUED = "queued", _("Waiting to be read")
    READING = "reading", _("Being read")
    READ = "read", _("Read by OCR")
    FAILED = "failed", _("Could not be read")


class ScanReading(models.Model):
    """What OCR read from a scanned file, kept by the file's hash: the same scan uploaded again
    (or by another coordinator) is not read twice. `pages` is a list of
    `luoshi.importing.ocr.PageReading.to_dict()`."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    pages = models.JSONField(_("pages"))
    created_at = models.DateTimeField(_("recognised at"), default=clock.now)

    class Meta:
        verbose_name = _("scan reading")
        verbose_name_plural = _("scan readings")

    def __str__(self):
        return self.sha256


class ImportDraft(models.Model):
    """An uploaded plan document and the plan read from it, corrected before it goes live.

    `data` is the parsed plan in the JSON contract of docs/import-json.md, plus the draft's own
    keys (`aliases`, `new_departments`, `accepted` on targets, `kept` on placeholders,
    `ocr_page` on the measures of a scan: the page they were read from, from 0; `lineage`: the
    parents chosen for its key tasks and measures, see plans/lineage.py). Once
    confirmed, the draft stays as the record of the import and keeps the original file.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    file = models.FileField(_("file"), upload_to=_import_file_name)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    region = models.ForeignKey(
        Organization, models.PROTECT, related_name="+", verbose_name=_("region")
    )
    data = models.JSONField(_("parsed plan"))
    source_text = models.TextField(_("source text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    plan = models.OneToOneField(
        Plan,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="import_draft",
        verbose_name=_("plan"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("uploaded at"), default=clock.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # A scan (pictures, a PDF without text) is read by OCR in the background (plans.tasks):
    # the draft has no plan until then, and the page shows how many pages have been read.
    scan_state = models.CharField(
        _("OCR"), max_length=10, choices=ScanState.choices, default=ScanState.NONE, blank=True
    )
    scan_pages = models.PositiveIntegerField(_("pages to read"), default=0)
    scan_done = models.PositiveIntegerField(_("pages read"), default=0)
    scan_error = models.TextField(_("OCR error"), blank=True)

    class Meta:
        verbose_name = _("import draft")
        verbose_name_plural = _("import drafts")
        ordering = ["-created_at"]
        constraints = [
            # A double click on "upload" finds the draft the first click made.
            models.UniqueConstraint(
                fields=["uploaded_by", "sha256"],
                condition=models.Q(status="draft"),
                name="importdraft_one_open_draft_per_file",
            ),
        ]

    def __str__(self):
        return self.original_name


class Delegation(models.Model):
    """A plan sent down (下发) to a region below the plan's own: that region's coordinator turns
    it into an import draft of its implementing plan (plans/delegation.py), and puts it live."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="delegations")
    region = models.ForeignKey(
        Organization, models.PROTECT, related_name="delegations", verbose_name=_("region")
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    sent_at = models.DateTimeField(_("sent at"), default=clock.now)
    # The region's draft of its implementing plan, once its coordinator made it; its `plan`
    # once live. A draft cancelled leaves the delegation pending again.
    draft = models.OneToOneField(
        ImportDraft,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegation",
        verbose_name=_("draft"),
    )

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["region__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "region"], name="delegation_unique_region"),
        ]

    def __str__(self):
        return f"{self.plan} → {self.region}"

    @property
    def implementing_plan(self) -> Plan | None:
        return self.draft.plan if self.draft else None
