"""The API tests' fixture, beside the root ones: a client that sends a token."""

import pytest


@pytest.fixture
def token_client(client):
    """token_client(user): a client that sends `Authorization: Bearer` with a new token."""
    from django.test import Client

    from luoshi.api.services import create_token

    def make(user):
        _token, key = create_token(user, "test")
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make
