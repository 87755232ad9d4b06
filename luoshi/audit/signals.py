"""Logins, logouts and failed logins go into the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from luoshi.audit.services import record_event


def _client(request) -> dict:
    if request is None:
        return {}
    return {"ip": {"old": None, "new": request.META.get("REMOTE_ADDR", "")}}


def _user_fields(user) -> dict:
    return {"object_type": "orgs.user", "object_id": str(user.pk), "object_repr": str(user)}


@receiver(user_logged_in)
def logged_in(sender, request, user, **kwargs):
    record_event(user, "login", changes=_client(request), **_user_fields(user))


@receiver(user_logged_out)
def logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(user, "logout", changes=_client(request), **_user_fields(user))


@receiver(user_login_failed)
def login_failed(sender, credentials, request=None, **kwargs):
    # Django masks the password in `credentials`; only the name tried is kept.
    username = str(credentials.get("username", ""))[:150]
    record_event(
        None,
        "login_failed",
        username=username or "?",
        object_type="orgs.user",
        object_repr=username,
        changes=_client(request),
    )
