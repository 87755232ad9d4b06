"""API tokens: creating, checking and revoking them."""

import secrets

from django.db import transaction

from luoshi.api.models import ApiToken
from luoshi.audit.services import record_change
from luoshi.lib import clock
from luoshi.orgs.models import User


@transaction.atomic
def create_token(user: User, name: str, *, by: User | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with the secret, which is shown only this once."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=ApiToken.hash(key), prefix=key[:8]
    )
    record_change(by, "create", token, {"user": {"old": None, "new": user.get_username()}})
    return token, key


def user_for_token(key: str) -> User | None:
    """The active user a valid, unrevoked token acts as; records when it was last used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now())
    return token.user


@transaction.atomic
def revoke_token(token: ApiToken, *, by: User | None = None) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now())
    record_change(by, "revoke", token)
