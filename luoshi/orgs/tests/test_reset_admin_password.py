"""Administrators' passwords are reset on the server (manage.py reset_admin_password), never by
another administrator in the application; a business account's is refused there."""

import io

import pytest
from django.core.management import CommandError, call_command

from luoshi.audit.models import AuditRecord
from luoshi.testing import password


def test_the_operator_resets_an_administrators_password(security_admin):
    out = io.StringIO()
    call_command("reset_admin_password", "secadmin", stdout=out)
    username, issued = out.getvalue().split()
    assert username == "secadmin" and len(issued) == 12
    security_admin.refresh_from_db()
    assert security_admin.check_password(issued) and security_admin.must_change_password
    record = AuditRecord.objects.get(action="reset_password")
    assert record.object_repr == "secadmin" and record.user is None


def test_a_business_accounts_password_is_not_reset_on_the_server(coordinator):
    with pytest.raises(CommandError, match="not an administrator"):
        call_command("reset_admin_password", "coordinator", stdout=io.StringIO())
    coordinator.refresh_from_db()
    assert coordinator.check_password(password("coordinator"))
    assert not AuditRecord.objects.filter(action="reset_password").exists()
