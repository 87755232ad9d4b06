"""三员分立: the system, security and audit administrators each have their own pages, are
refused the others', and their actions are audited; refusals are audited too."""

import re

import pytest
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.orgs.models import User
from luoshi.testing import department, make_user

PAGES = {
    "system_admin": ["sysadmin:accounts", "sysadmin:account_create", "sysadmin:system"],
    "security_admin": ["security:home"],
    "audit_admin": ["audit:log", "audit:export"],
}


@pytest.mark.parametrize("persona", list(PAGES))
def test_each_administrator_opens_only_their_own_pages(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    for owner, names in PAGES.items():
        for name in names:
            status = client.get(reverse(name)).status_code
            assert status == (200 if owner == persona else 403), (persona, name)


@pytest.mark.parametrize("persona", ["coordinator", "commerce_reporter", "leader"])
def test_business_roles_are_refused_every_administrator_page(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    for names in PAGES.values():
        for name in names:
            assert client.get(reverse(name)).status_code == 403
    denied = AuditRecord.objects.filter(action="denied", username=persona.replace("_", "_"))
    assert denied.count() == sum(len(names) for names in PAGES.values())


def test_home_leads_each_administrator_to_their_pages(
    client_for, system_admin, security_admin, audit_admin
):
    assert client_for(system_admin).get("/")["Location"] == reverse("sysadmin:accounts")
    assert client_for(security_admin).get("/")["Location"] == reverse("security:home")
    assert client_for(audit_admin).get("/")["Location"] == reverse("audit:log")


def test_the_system_administrator_manages_accounts_and_is_audited(
    client_for, system_admin, commerce_reporter
):
    client = client_for(system_admin)
    response = client.post(
        reverse("sysadmin:account_create"), {"username": "trade_reporter", "display_name": "王五"}
    )
    assert response.status_code == 200 and response.context["password"]
    created = User.objects.get(username="trade_reporter")
    assert created.must_change_password and created.check_password(response.context["password"])
    assert created.role == User.Role.PENDING
    page = client.get(reverse("sysadmin:accounts")).content.decode()
    assert "trade_reporter" in page and "等待授权" in page
    # The user name is checked, the same one twice refused with a message.
    response = client.post(
        reverse("sysadmin:account_create"), {"username": "Trade_Reporter", "display_name": "x"}
    )
    assert "用户名 Trade_Reporter 已被使用。" in response.content.decode()
    client.post(reverse("sysadmin:account_active", args=[commerce_reporter.pk]), {"active": "0"})
    commerce_reporter.refresh_from_db()
    assert not commerce_reporter.is_active
    actions = set(AuditRecord.objects.filter(username="sysadmin").values_list("action", flat=True))
    assert {"create", "change"} <= actions
    # Administrators' accounts are not managed from these pages.
    response = client.post(reverse("sysadmin:account_active", args=[system_admin.pk]))
    assert response.status_code == 404


def test_the_security_administrator_changes_roles_and_is_audited(
    client_for, security_admin, commerce_reporter, audit_admin
):
    client = client_for(security_admin)
    url = reverse("security:account_role", args=[commerce_reporter.pk])
    assert client.post(url, {"role": "approver"}).status_code == 302
    commerce_reporter.refresh_from_db()
    assert commerce_reporter.role == "approver"
    record = AuditRecord.objects.get(action="permission_change")
    assert record.changes == {"role": {"old": "reporter", "new": "approver"}}
    assert record.username == "secadmin"
    # No second administrator role on an account, and no administrator made here.
    client.post(url, {"role": "audit_admin"})
    commerce_reporter.refresh_from_db()
    assert commerce_reporter.role == "approver"
    url = reverse("security:account_role", args=[audit_admin.pk])
    assert client.post(url, {"role": "coordinator"}).status_code == 404


def test_a_refused_object_is_audited_as_a_denial(client_for, transport_reporter, seed_plan):
    client = client_for(transport_reporter)
    commerce = department("市商务局")
    assert client.get(reverse("plans:department", args=[commerce.pk])).status_code == 404
    denial = AuditRecord.objects.get(action="denied")
    assert denial.username == "transport_reporter"
    assert denial.object_repr == f"GET /plans/departments/{commerce.pk}/"
    assert denial.changes["status"]["new"] == 404


def test_the_audit_administrator_sees_the_retention_rule(client_for, audit_admin):
    page = client_for(audit_admin).get(reverse("audit:log")).content.decode()
    assert "180" in page


@pytest.mark.parametrize(
    ("persona", "name", "queries"),
    [
        ("system_admin", "sysadmin:accounts", 3),
        ("system_admin", "sysadmin:system", 2),
        ("security_admin", "security:home", 6),  # the regions below, one query a level
    ],
)
def test_administrator_pages_take_the_same_queries_whatever_the_data(
    request, client_for, django_assert_num_queries, persona, name, queries
):
    client = client_for(request.getfixturevalue(persona))
    with django_assert_num_queries(queries):
        client.get(reverse(name))
    for i in range(5):
        make_user(f"extra{i}", "reporter", department("市商务局"))
    with django_assert_num_queries(queries):
        assert client.get(reverse(name)).status_code == 200


def test_the_system_administrators_menu_and_page_say_account_management(client_for, system_admin):
    # The directory's column of how many accounts a unit has (账号数) shared the menu's msgid
    # "Accounts", told apart by a context only: a tool that drops contexts (a catalogue merge,
    # an old msgfmt) shows 账号数 in the menu. Each has its own msgid now.
    client = client_for(system_admin)
    page = client.get(reverse("sysadmin:accounts")).content.decode()
    links = re.findall(rf'<a [^>]*href="{reverse("sysadmin:accounts")}"[^>]*>(.*?)</a>', page, re.S)
    assert [re.sub(r"<[^>]+>", "", link).strip() for link in links] == ["账号管理"]  # the menu
    assert "账号数" not in page
    assert "<title>账号管理 · 落实</title>" in page
    assert '<h1 class="h4 mb-0">账号管理</h1>' in page
    directory = client.get(reverse("orgs:directory")).content.decode()
    assert '<th class="text-end">账号数</th>' in directory
    assert directory.count("账号数") == 1
