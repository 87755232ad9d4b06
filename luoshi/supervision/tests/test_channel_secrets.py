"""The department's robot keys and secrets never leave the server: not to a reporter (who has no
channels page), not even to the head, who may replace or clear them."""

import pytest
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.supervision.models import DepartmentChannels
from luoshi.testing import department

pytestmark = pytest.mark.django_db

WECOM = "wecom-key-9f8e7d6c5b4a"
TOKEN = "dingtalk-token-1a2b3c4d"
SECRET = "SECdingtalk-secret-0f1e2d3c"
URL = reverse("supervision:channels")


@pytest.fixture
def channels(client_for, commerce_head, tracked):
    response = client_for(commerce_head).post(
        URL, {"wecom_key": WECOM, "dingtalk_token": TOKEN, "dingtalk_secret": SECRET}
    )
    assert response.status_code == 302
    return DepartmentChannels.objects.get(organization=department("市商务局"))


def _leaks(response) -> bool:
    page = response.content.decode()
    return any(value in page for value in (WECOM, TOKEN, SECRET))


def test_a_reporter_cannot_read_the_robot_secrets(client_for, commerce_reporter, channels):
    client = client_for(commerce_reporter)
    response = client.get(URL)
    assert response.status_code == 403
    assert not _leaks(response)
    home = client.get(reverse("reporting:home"))
    assert not _leaks(home)
    assert URL not in home.content.decode()


def test_the_head_sees_set_but_never_the_values(client_for, commerce_head, channels):
    client = client_for(commerce_head)
    response = client.get(URL)
    assert response.status_code == 200
    assert not _leaks(response)
    assert response.content.decode().count("已设置（不显示）") == 3
    # A form sent back with an error does not echo them either.
    response = client.post(URL, {"email": "on", "sms_phone": "x" * 500})
    assert response.status_code == 200
    assert not _leaks(response)
    record = AuditRecord.objects.get(action="change reminder channels")
    assert not any(value in str(record.changes) for value in (WECOM, TOKEN, SECRET))


def test_the_head_keeps_replaces_or_clears_a_secret(client_for, commerce_head, channels):
    client = client_for(commerce_head)
    client.post(URL, {"dingtalk_secret": "SECnew", "clear_wecom_key": "on"})
    channels.refresh_from_db()
    assert channels.wecom_key == ""
    assert channels.dingtalk_token == TOKEN
    assert channels.dingtalk_secret == "SECnew"
