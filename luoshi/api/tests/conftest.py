import pytest

from luoshi.reporting.tests.conftest import (  # noqa: F401  (fixtures shared with reporting)
    _uploads_in_tmp,
    commerce_report,
    november,
    tracked,
    transport_head,
)


@pytest.fixture
def token_client(client):
    """token_client(user): a client that sends `Authorization: Bearer` with a new token."""
    from django.test import Client

    from luoshi.api.services import create_token

    def make(user):
        _token, key = create_token(user, "test")
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make
