from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "luoshi.audit"
    verbose_name = _("Audit log")

    def ready(self):
        from luoshi.audit import keys, signals  # noqa: F401  (the key check, the login receivers)
