"""API tokens: creating, listing, checking, revoking and expiring them."""

import datetime
import secrets

from django.db import transaction
from django.db.models import F, Q
from django.http import Http404

from luoshi.api.models import ApiToken
from luoshi.audit.services import record_change
from luoshi.lib import clock
from luoshi.orgs.models import User
from luoshi.orgs.services import under

# How long a new token lasts, in days: the choices offered, and the default.
LIFETIMES = (30, 90, 180, 365)
DEFAULT_LIFETIME = 90


@transaction.atomic
def create_token(
    user: User, name: str, *, days: int = DEFAULT_LIFETIME, by: User | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`, valid `days` days and until the user's credentials change;
    returns it with the secret, which is shown only this once."""
    key, now = secrets.token_urlsafe(32), clock.now()
    # The version in the database: the object in hand may predate a change made by an update.
    version = User.objects.values_list("credentials_version", flat=True).get(pk=user.pk)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=ApiToken.hash(key),
        prefix=key[:8],
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
        credentials_version=version,
    )
    record_change(
        by,
        "create",
        token,
        {
            "user": {"old": None, "new": user.get_username()},
            "expires_at": {"old": None, "new": token.expires_at.isoformat()},
        },
    )
    return token, key


def user_for_token(key: str) -> User | None:
    """The active user a valid token acts as: unrevoked, unexpired, and issued at the user's
    current credentials version (a new password, a disabled account or another role since ends
    it). Records when it was last used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(
            key_hash=ApiToken.hash(key),
            revoked_at__isnull=True,
            expires_at__gt=clock.now(),
            user__is_active=True,
            credentials_version=F("user__credentials_version"),
        )
        # An account waiting for the security administrator's grant acts as nobody.
        .exclude(user__role=User.Role.PENDING)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now())
    return token.user


def tokens_for_user(user: User):
    """The tokens `user` may see and revoke: their own; for a security administrator, also
    those of every account of their region and of the regions below it."""
    tokens = ApiToken.objects.select_related("user__organization").order_by("-created_at", "-id")
    mine = Q(user=user)
    if user.is_security_admin and user.organization_id:
        region = user.organization_id
        below = under("user__organization", region) | under("user__organization__parent", region)
        return tokens.filter(mine | below)
    return tokens.filter(mine)


def get_token_for_user(user: User, pk: int) -> ApiToken:
    token = tokens_for_user(user).filter(pk=pk).first()
    if token is None:
        raise Http404("no such token for this user")
    return token


@transaction.atomic
def revoke_token(token: ApiToken, *, by: User | None = None) -> None:
    """End a token now (its user, or a security administrator of its region)."""
    now = clock.now()
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        token.revoked_at = now
        changes = {
            "user": {"old": token.user.get_username(), "new": token.user.get_username()},
            "revoked_at": {"old": None, "new": now.isoformat()},
        }
        record_change(by, "revoke", token, changes)
