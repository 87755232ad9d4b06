from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.lib import clock


class Organization(models.Model):
    """A region (枣庄市) or a unit inside it: a department, a collective or a placeholder.

    Plans write departments by a short name (市商务局); `full_name` is the official one
    (枣庄市商务局) and `aliases` are the other names plans use for it (市粮食和储备局).
    """

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        DEPARTMENT = "department", _("Department")
        # Stands for several organizations: 各区（市）政府.
        COLLECTIVE = "collective", _("Collective unit")
        # Too vague to report: 市有关部门; a coordinator resolves it to real departments.
        PLACEHOLDER = "placeholder", _("Placeholder")

    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("short name"), max_length=100)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    # A short Latin code, used for the demo's account names (commerce_reporter).
    code = models.SlugField(_("code"), max_length=40, blank=True)
    # The organizations a collective unit stands for: 各区（市）政府 → 市中区政府, 薛城区政府…
    members = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="collectives", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="org_unique_name_in_parent"),
        ]

    def __str__(self):
        return self.name

    @property
    def names(self) -> list[str]:
        """Every name plans use for it: the short one, the full one, the others."""
        return [name for name in (self.name, self.full_name, *self.aliases) if name]

    @property
    def is_department(self) -> bool:
        return self.kind == self.Kind.DEPARTMENT


class User(AbstractUser):
    """An account. One role per account, so the three administrators (三员分立) stay apart."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        REPORTER = "reporter", _("Department reporter")
        APPROVER = "approver", _("Department approver")
        LEADER = "leader", _("Leader")
        SYSTEM_ADMIN = "system_admin", _("System administrator")
        SECURITY_ADMIN = "security_admin", _("Security administrator")
        AUDIT_ADMIN = "audit_admin", _("Audit administrator")
        # An account the system administrator created: it may log in to change its password
        # and waits for the security administrator to grant it a business role (三员分立).
        PENDING = "pending", _("Awaiting a role")

    # Pending unless set: an account made any other way than through the services gets no
    # business role by accident.
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PENDING)
    organization = models.ForeignKey(
        Organization,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organization"),
    )
    display_name = models.CharField(pgettext_lazy("person", "name"), max_length=100, blank=True)
    # Password rules in production: changed every PASSWORD_MAX_AGE_DAYS, and a password an
    # administrator generated must be replaced at the first login.
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # Goes up whenever what the account may do is reset: a new password (set_password), a
    # disabled account, another role. Credentials issued earlier (API tokens) record the version
    # they were issued at and stop working once it has moved on; orgs need not know of them.
    credentials_version = models.PositiveIntegerField(_("credentials version"), default=1)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = clock.now()
        if self.pk is not None:
            self.credentials_version += 1

    @property
    def is_administrator(self) -> bool:
        """One of the three separated administrators (三员)."""
        return self.role in ADMIN_ROLES

    @property
    def is_pending(self) -> bool:
        """Waiting for the security administrator to grant a role: serves nothing else."""
        return self.role == self.Role.PENDING

    @property
    def is_system_admin(self) -> bool:
        return self.role == self.Role.SYSTEM_ADMIN

    @property
    def is_security_admin(self) -> bool:
        return self.role == self.Role.SECURITY_ADMIN

    @property
    def is_coordinator(self) -> bool:
        return self.role == self.Role.COORDINATOR

    @property
    def is_department_user(self) -> bool:
        return self.role in (self.Role.REPORTER, self.Role.APPROVER)

    @property
    def is_leader(self) -> bool:
        return self.role == self.Role.LEADER

    @property
    def is_audit_admin(self) -> bool:
        return self.role == self.Role.AUDIT_ADMIN


ADMIN_ROLES = (User.Role.SYSTEM_ADMIN, User.Role.SECURITY_ADMIN, User.Role.AUDIT_ADMIN)
# Roles that must confirm a second factor (TOTP) in production.
OTP_ROLES = (User.Role.COORDINATOR, *ADMIN_ROLES)
