"""`manage.py load_demo`: the seed plan and an account per role, idempotent, credentials valid;
a year of sample reports marked 示例数据 and one portal publication, unless --plan-only."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.urls import reverse

from luoshi.demo.services import read_credentials
from luoshi.orgs.models import Organization, User
from luoshi.plans.models import Measure, Plan
from luoshi.portal.models import Publication
from luoshi.reporting.builder import SAMPLE_MARK
from luoshi.reporting.models import Period, Report, ReportEntry, TargetActual
from luoshi.testing import at


def load(path, *options):
    out = StringIO()
    call_command("load_demo", "--credentials", str(path), *options, stdout=out)
    return out.getvalue()


def test_demo_loads_the_seed_and_an_account_for_every_role(db, tmp_path):
    credentials = tmp_path / "demo-credentials.txt"
    out = load(credentials, "--plan-only")
    assert not Period.objects.exists()  # the plan alone: no reporting yet
    assert Plan.objects.get().doc_number == "枣发改经贸〔2022〕243号"
    assert Measure.objects.count() == 77
    roles = set(User.objects.values_list("role", flat=True))
    # Every role but "awaiting a role", which only accounts the system administrator creates have.
    assert roles == set(User.Role.values) - {User.Role.PENDING}
    # A reporter and an approver for each of the 32 departments, five other roles, and a
    # coordinator and a leader for 山东省 and for each of the city's 7 districts.
    assert User.objects.count() == 32 * 2 + 5 + 8 * 2
    accounts = read_credentials(credentials)
    assert len(accounts) == 85
    printed = {line.split()[0]: line.split()[1] for line in out.splitlines()[1:] if line.strip()}
    assert printed == accounts
    for username in [
        "coordinator",
        "commerce_reporter",
        "commerce_head",
        "auditadmin",
        "xuecheng_coordinator",
        "shandong_leader",
    ]:
        assert authenticate(username=username, password=accounts[username]) is not None


def test_loading_the_demo_again_changes_nothing_and_keeps_the_passwords(db, tmp_path):
    credentials = tmp_path / "demo-credentials.txt"
    load(credentials, "--plan-only")
    first = read_credentials(credentials)
    load(credentials, "--plan-only")
    assert read_credentials(credentials) == first
    assert Plan.objects.count() == 1
    assert User.objects.count() == 85
    assert authenticate(username="transport_reporter", password=first["transport_reporter"])


def test_the_credentials_file_is_readable_only_by_its_owner(db, tmp_path):
    credentials = tmp_path / "demo-credentials.txt"
    load(credentials, "--plan-only")
    assert credentials.stat().st_mode & 0o777 == 0o600


def statuses():
    return list(
        Report.objects.order_by("period__start", "organization__name").values_list(
            "status", "late", "submitted_at"
        )
    )


# ~20 s: the whole demo, twice (it travels to its own date).
@pytest.mark.slow
def test_the_demo_has_a_year_of_sample_reports_and_a_publication_and_loads_twice(
    db, tmp_path, client
):
    credentials = tmp_path / "demo-credentials.txt"
    with time_machine.travel(at(2026, 11, 20, 10), tick=False):
        load(credentials)
        due = Period.objects.filter(due_date__lt=datetime.date(2026, 11, 20))
        assert due.count() == 12
        assert due.order_by("start").first().label == "2025年11月"
        past = Report.objects.filter(period__in=due)
        assert past.filter(status=Report.Status.ACCEPTED).exists()
        assert past.filter(late=True).exists()
        assert past.filter(returned_at__isnull=False).exists()
        assert past.missing(datetime.date(2026, 11, 20)).exists()
        assert TargetActual.objects.exists()
        # The month still running is left to the departments.
        november = Period.objects.get(start=datetime.date(2026, 11, 1))
        assert set(november.reports.values_list("status", flat=True)) == {"not_started"}
        # Every sample text says what it is.
        written = ReportEntry.objects.exclude(progress="")
        assert written.exists()
        assert not written.exclude(progress__startswith=SAMPLE_MARK).exists()
        publication = Publication.objects.get()
        assert publication.is_live and publication.data["sample"] is True
        assert publication.period.label == "2026年10月"
        page = client.get(reverse("portal:plan", args=[publication.plan_id])).content.decode()
        assert "示例数据" in page and SAMPLE_MARK in page

        first = statuses()
        load(credentials)
        assert statuses() == first
        assert Publication.objects.count() == 1
        assert not ReportEntry.objects.filter(progress__startswith=SAMPLE_MARK * 2).exists()


def test_the_demo_places_the_city_between_the_province_and_its_districts(db, tmp_path, client):
    credentials = tmp_path / "demo-credentials.txt"
    load(credentials, "--plan-only")
    city = Organization.objects.get(kind="region", name="枣庄市")
    assert city.parent.name == "山东省"
    districts = city.children.filter(kind="region").order_by("code")
    assert [d.code for d in districts] == [
        "gaoxin",
        "shanting",
        "shizhong",
        "taierzhuang",
        "tengzhou",
        "xuecheng",
        "yicheng",
    ]
    xuecheng = Organization.objects.get(kind="region", name="薛城区")
    assert {"薛城区人民政府", "薛城区发展和改革局", "薛城区商务局"} <= set(
        xuecheng.children.values_list("name", flat=True)
    )
    collective = city.children.get(name="各区（市）政府")
    members = set(collective.members.values_list("name", flat=True))
    assert "薛城区人民政府" in members and "高新区管委会" in members and len(members) == 7
    coordinator = User.objects.get(username="xuecheng_coordinator")
    assert coordinator.organization.name == "薛城区发展和改革局"
    assert User.objects.get(username="shandong_leader").organization == city.parent
    # The province reads the city's plan; 薛城区 sees nothing of it; the city's directory
    # shows a member with its district.
    plan = Plan.objects.get()
    client.force_login(User.objects.get(username="shandong_leader"))
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 200
    client.force_login(coordinator)
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 404
    client.force_login(User.objects.get(username="coordinator"))
    assert "薛城区 · 薛城区人民政府" in client.get(reverse("orgs:directory")).content.decode()
    # Loading again moves nothing and adds nothing.
    count = Organization.objects.count()
    load(credentials, "--plan-only")
    assert Organization.objects.count() == count
