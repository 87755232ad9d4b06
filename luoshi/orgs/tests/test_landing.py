"""Where each role lands after logging in (and on "/"): a leader on the dashboard, which is
what a leader reads; a coordinator on the plans; a department on its home."""

import pytest
from django.urls import reverse

from luoshi.testing import password

pytestmark = pytest.mark.django_db


def log_in(client, user):
    """The real login form, no ?next=: where it leads is the role's landing page."""
    credentials = {"username": user.username, "password": password(user.username)}
    response = client.post(reverse("login"), credentials, follow=True)
    assert response.status_code == 200
    return response.redirect_chain[-1][0]


def test_a_leader_lands_on_the_dashboard(client, leader):
    assert log_in(client, leader) == reverse("insights:index")
    assert client.get("/")["Location"] == reverse("insights:index")
    page = client.get(reverse("insights:index")).content.decode()
    assert '<h1 class="h3 mb-1">看板</h1>' in page


def test_a_coordinator_still_lands_on_the_plans_and_a_reporter_on_its_home(
    client, coordinator, commerce_reporter
):
    assert log_in(client, coordinator) == reverse("plans:list")
    client.logout()
    assert log_in(client, commerce_reporter) == reverse("reporting:home")
