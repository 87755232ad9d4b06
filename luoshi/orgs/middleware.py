"""The account rules every request passes: sessions that time out, and the steps (a new password,
a TOTP code) an account must take before anything else is served."""

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from luoshi.audit.services import record_event
from luoshi.lib import clock
from luoshi.orgs.models import OTP_ROLES

# Session keys of SessionTimeoutMiddleware: when the user logged in, when last seen (epoch).
AUTH_AT = "luoshi_auth_at"
SEEN_AT = "luoshi_seen_at"
# The last-seen time is written at most once a minute, so a page costs no session write.
SEEN_RESOLUTION = 60


def start_session_clock(sender, request, user, **kwargs):
    """On login (user_logged_in): both clocks start now."""
    if request is not None and hasattr(request, "session"):
        now = clock.now().timestamp()
        request.session[AUTH_AT] = request.session[SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Log out after SESSION_IDLE_TIMEOUT without a request and SESSION_ABSOLUTE_TIMEOUT after
    logging in. The request then goes on as anonymous, so a page redirects to the login page and
    an htmx request gets the view's 401 (reporting's htmx_login_required), as for any expired
    session; the audit log records why.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if settings.SESSION_TIMEOUTS and session.get(SESSION_KEY) is not None:
            self._check(request, session, clock.now().timestamp())
        return self.get_response(request)

    def _check(self, request, session, now):
        auth_at, seen_at = session.get(AUTH_AT), session.get(SEEN_AT)
        if auth_at is None or seen_at is None:
            session[AUTH_AT] = session[SEEN_AT] = now
            return
        if now - auth_at > settings.SESSION_ABSOLUTE_TIMEOUT:
            reason = "absolute"
        elif now - seen_at > settings.SESSION_IDLE_TIMEOUT:
            reason = "idle"
        else:
            if now - seen_at > SEEN_RESOLUTION:
                session[SEEN_AT] = now
            return
        user = request.user
        record_event(
            user,
            "session_expired",
            object_type="orgs.user",
            object_id=str(user.pk),
            object_repr=str(user),
            changes={"reason": {"old": None, "new": reason}},
        )
        session.flush()
        request.user = AnonymousUser()
        if not getattr(request, "htmx", False):
            messages.info(request, EXPIRED_MESSAGES[reason]())


EXPIRED_MESSAGES = {
    "idle": lambda: _(
        "You were logged out after 30 minutes without activity. Please log in again."
    ),
    "absolute": lambda: _("You were logged out after 12 hours. Please log in again."),
}


class AccountPolicyMiddleware:
    """Account rules: in production, coordinators and administrators must confirm a TOTP code,
    then an expired or generated password must be changed, before anything else is served. Until
    the second factor is verified, nothing but its own page, logging out and the language switch
    is served, not even the password change: a stolen password alone changes nothing.
    Always: an account awaiting a role (三员分立: created by the system administrator, not yet
    granted a role by the security administrator) is served its own waiting page, the password
    change, logging out and the language switch; the API answers it 403.
    Reads only request.user, which every signed-in page loads anyway (the navbar): no query of
    its own. A request with a token and no session is anonymous here: the API checks tokens.
    """

    # Reachable while a step is due, besides the step's own page.
    OPEN_URL_NAMES = ("logout", "set_language")
    # And, while waiting for a role, the password change (the first login's).
    ALSO_OPEN = {"awaiting_role": ("password_change",)}
    # The fragments every page loads by htmx (the navbar's bell, the holiday banner) get an empty
    # answer while a step is due: their request would otherwise reload the step's page in a
    # loop (a new second-factor secret each time), and what they show waits for the step.
    QUIET_URL_NAMES = ("bell", "holiday_banner")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        step = self._due_step(request)
        if step and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            refused = self._refuse(request, step)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _refuse(self, request, step):
        match = request.resolver_match or _resolve(request.path_info)
        name = match.url_name if match is not None else None
        if name in self.QUIET_URL_NAMES:
            return HttpResponse(status=204)
        if name == step or name in self.OPEN_URL_NAMES or name in self.ALSO_OPEN.get(step, ()):
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": STEP_MESSAGES[step]()}, status=403)
        url = reverse(step)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")

    def _due_step(self, request) -> str | None:
        user = request.user
        if not user.is_authenticated:
            return None
        if (
            settings.LUOSHI_REQUIRE_OTP
            and user.role in OTP_ROLES
            and not (hasattr(user, "is_verified") and user.is_verified())
        ):
            return "two_factor"
        if settings.LUOSHI_PASSWORD_POLICY and password_change_due(user):
            return "password_change"
        if user.is_pending:
            return "awaiting_role"
        return None


# What the API answers while a step is due.
STEP_MESSAGES = {
    "two_factor": lambda: _("Confirm your second factor first."),
    "password_change": lambda: _("Change your password first."),
    "awaiting_role": lambda: _("This account awaits a role from the security administrator."),
}


def _resolve(path):
    try:
        return resolve(path)
    except Resolver404:
        return None


def password_change_due(user) -> bool:
    if user.must_change_password:
        return True
    changed = user.password_changed_at
    max_age = dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
    return changed is None or clock.now() - changed > max_age
