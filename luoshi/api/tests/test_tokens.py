"""API tokens end: when they expire, when they are revoked (by their user on the tokens page, or
by the security administrator of the user's region), and when the user's credentials change (a
password changed or reset, the account disabled, another role)."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from luoshi.api.models import ApiToken
from luoshi.api.services import create_token
from luoshi.audit.models import AuditRecord
from luoshi.lib import clock
from luoshi.orgs import services as orgs
from luoshi.orgs.models import Organization, User
from luoshi.testing import make_user, password

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/plans"


def _works(key: str) -> bool:
    response = Client(headers={"Authorization": f"Bearer {key}"}).get(PLANS)
    assert response.status_code in (200, 401)
    return response.status_code == 200


@pytest.fixture
def key(commerce_reporter):
    return create_token(commerce_reporter, "商务数据平台")[1]


def test_a_password_reset_ends_the_tokens(key, commerce_reporter, security_admin):
    assert _works(key)
    orgs.reset_password(security_admin, commerce_reporter)
    assert not _works(key)


def test_a_password_change_through_the_page_ends_the_tokens(client_for, key, commerce_reporter):
    new = "Xin-mima-2026-qiang!"
    response = client_for(commerce_reporter).post(
        reverse("password_change"),
        {"old_password": password("commerce_reporter"), "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert not _works(key)


def test_disabling_the_account_or_changing_its_role_ends_the_tokens(
    commerce_reporter, system_admin, security_admin
):
    _, first = create_token(commerce_reporter, "一")
    orgs.change_role(security_admin, commerce_reporter, User.Role.APPROVER)
    assert not _works(first)
    _, second = create_token(commerce_reporter, "二")
    orgs.set_account_active(system_admin, commerce_reporter, False)
    orgs.set_account_active(system_admin, commerce_reporter, True)
    assert not _works(second)
    _, third = create_token(commerce_reporter, "三")
    assert _works(third)


def test_a_token_of_an_account_waiting_for_its_role_acts_as_nobody(commerce_reporter):
    # Made on the server (the pages refuse a waiting account): it still opens nothing.
    waiting = make_user("waiting", User.Role.PENDING, None)
    _token, key = create_token(waiting, "运维脚本")
    assert not _works(key)


def test_a_token_expires_after_the_days_chosen(commerce_reporter):
    _, key = create_token(commerce_reporter, "短期", days=30)
    assert _works(key)
    with time_machine.travel(clock.now() + datetime.timedelta(days=31)):
        assert not _works(key)


def test_the_default_lifetime_is_90_days(key):
    token = ApiToken.objects.get()
    assert token.expires_at - token.created_at == datetime.timedelta(days=90)


def test_a_user_lists_creates_and_revokes_their_own_tokens(client_for, key, commerce_reporter):
    client = client_for(commerce_reporter)
    page = client.get(reverse("api:tokens")).content.decode()
    assert (
        "商务数据平台" in page
        and clock.local_date(ApiToken.objects.get().expires_at).isoformat() in page
    )
    assert reverse("api:tokens") in page  # reached from the account menu
    response = client.post(reverse("api:tokens"), {"name": "报表工具", "days": "30"})
    assert response.status_code == 201
    new_key = response.content.decode().split('id="new-token">', 1)[1].split("<", 1)[0]
    assert _works(new_key)
    token = ApiToken.objects.get(name="商务数据平台")
    response = client.post(reverse("api:revoke", args=[token.pk]))
    assert response.status_code == 302
    assert not _works(key) and _works(new_key)
    record = AuditRecord.objects.get(action="revoke")
    assert record.user == commerce_reporter and record.object_id == str(token.pk)
    assert client.get(reverse("api:revoke", args=[token.pk])).status_code == 405


def test_nobody_else_sees_or_revokes_a_users_token(
    client_for, key, transport_reporter, coordinator, system_admin
):
    token = ApiToken.objects.get()
    for intruder in (transport_reporter, coordinator, system_admin):
        client = client_for(intruder)
        assert "商务数据平台" not in client.get(reverse("api:tokens")).content.decode()
        assert client.post(reverse("api:revoke", args=[token.pk])).status_code == 404
    assert _works(key)


def test_the_security_administrator_revokes_the_tokens_of_their_region(
    client_for, key, security_admin
):
    client = client_for(security_admin)
    page = client.get(reverse("api:tokens")).content.decode()
    assert "商务数据平台" in page and "commerce_reporter" in page
    token = ApiToken.objects.get()
    assert client.post(reverse("api:revoke", args=[token.pk])).status_code == 302
    assert not _works(key)


def test_a_security_administrator_of_another_region_cannot(client_for, key, security_admin):
    elsewhere = Organization.objects.create(name="济南市", kind=Organization.Kind.REGION)
    other = make_user("secadmin_jinan", "security_admin", elsewhere)
    token = ApiToken.objects.get()
    client = client_for(other)
    assert "商务数据平台" not in client.get(reverse("api:tokens")).content.decode()
    assert client.post(reverse("api:revoke", args=[token.pk])).status_code == 404
    assert _works(key)


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(reverse("api:tokens"))["Location"].startswith("/login/")
