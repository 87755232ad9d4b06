from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "luoshi.orgs"
    verbose_name = _("Organizations and accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from luoshi.orgs.middleware import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="luoshi_session_clock")
