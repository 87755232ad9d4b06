from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "luoshi.audit"
    verbose_name = _("Audit log")

    def ready(self):
        from luoshi.audit import signals  # noqa: F401  (connects the login receivers)
