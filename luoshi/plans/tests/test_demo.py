"""`manage.py load_demo`: the seed plan and an account per role, idempotent, credentials valid."""

from io import StringIO

from django.contrib.auth import authenticate
from django.core.management import call_command

from luoshi.orgs.models import User
from luoshi.plans.demo import read_credentials
from luoshi.plans.models import Measure, Plan


def load(path):
    out = StringIO()
    call_command("load_demo", "--credentials", str(path), stdout=out)
    return out.getvalue()


def test_demo_loads_the_seed_and_an_account_for_every_role(db, tmp_path):
    credentials = tmp_path / "demo-credentials.txt"
    out = load(credentials)
    assert Plan.objects.get().doc_number == "枣发改经贸〔2022〕243号"
    assert Measure.objects.count() == 77
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(User.Role.values)
    # A reporter and an approver for each of the 32 departments, and five other roles.
    assert User.objects.count() == 32 * 2 + 5
    accounts = read_credentials(credentials)
    assert len(accounts) == 69
    printed = {line.split()[0]: line.split()[1] for line in out.splitlines()[1:] if line.strip()}
    assert printed == accounts
    for username in ["coordinator", "commerce_reporter", "commerce_head", "auditadmin"]:
        assert authenticate(username=username, password=accounts[username]) is not None


def test_loading_the_demo_again_changes_nothing_and_keeps_the_passwords(db, tmp_path):
    credentials = tmp_path / "demo-credentials.txt"
    load(credentials)
    first = read_credentials(credentials)
    load(credentials)
    assert read_credentials(credentials) == first
    assert Plan.objects.count() == 1
    assert User.objects.count() == 69
    assert authenticate(username="transport_reporter", password=first["transport_reporter"])


def test_the_credentials_file_is_readable_only_by_its_owner(db, tmp_path):
    credentials = tmp_path / "demo-credentials.txt"
    load(credentials)
    assert credentials.stat().st_mode & 0o777 == 0o600
