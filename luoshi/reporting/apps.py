from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "luoshi.reporting"
    verbose_name = _("Reporting")

    def ready(self):
        from luoshi.reporting import checks  # noqa: F401  (registers the calendar check)
