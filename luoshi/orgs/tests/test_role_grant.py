"""三员分立 (issue 16, point 6): the system administrator creates accounts with no business role,
only the security administrator grants one and issues a business account's new password, and
an account awaiting a role can do nothing but change its password. Each attack of the issue is
performed here: a role forged into the creation form, the system administrator resetting a
coordinator's password to log in as them, a waiting account reaching the plans or the API."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from luoshi.api.services import create_token
from luoshi.audit.models import AuditRecord
from luoshi.orgs import services
from luoshi.orgs.models import User
from luoshi.orgs.services import create_organization, get_or_create_region
from luoshi.reporting.models import Report
from luoshi.testing import HX, department, file_report, make_user, password

pytestmark = pytest.mark.usefixtures("mid_november")


def log_in(username: str, typed_password: str) -> Client:
    """A browser that logs in through the login page, as the account's owner would."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": typed_password})
    assert response.status_code == 302, "the login failed"
    return client


def create(client, username="fake_coordinator", **forged) -> str:
    """The system administrator's creation form, with `forged` fields added; the password."""
    data = {"username": username, "display_name": "冒名统筹", **forged}
    response = client.post(reverse("sysadmin:account_create"), data)
    assert response.status_code == 200
    return response.context["password"]


@pytest.fixture
def submitted(commerce_report, commerce_reporter, commerce_head):
    """市商务局's November report, signed off and waiting for the coordinator."""
    return file_report(commerce_report, commerce_reporter, commerce_head)


def waiting_url() -> str:
    return reverse("awaiting_role")


# --- The attacks ------------------------------------------------------------------------------


def test_a_role_forged_into_the_creation_form_gives_no_role(
    client_for, system_admin, seed_plan, submitted
):
    office = seed_plan.coordinator  # 市发展改革委, the seed plan's coordinating office
    issued = create(client_for(system_admin), role="coordinator", organization=office.pk)
    account = User.objects.get(username="fake_coordinator")
    assert (account.role, account.organization) == ("pending", None)
    record = AuditRecord.objects.get(action="create", object_repr="冒名统筹")
    assert record.username == "sysadmin"
    assert record.changes["role"] == {"old": None, "new": "pending"}
    # Logged in as the new account, the system administrator cannot accept the report.
    client = log_in("fake_coordinator", issued)
    url = reverse("reporting:action", args=[submitted.pk, "accept"])
    response = client.post(url, headers=HX)
    assert response["HX-Redirect"] == waiting_url()
    assert client.post(url)["Location"].startswith(waiting_url())
    assert client.post(f"/api/v1/reports/{submitted.pk}/accept").status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.SUBMITTED


def test_an_administrator_role_forged_into_the_creation_form_gives_no_role(
    client_for, system_admin, region
):
    create(client_for(system_admin), "x_admin", role="security_admin", organization=region.pk)
    assert User.objects.get(username="x_admin").role == User.Role.PENDING


def test_the_system_administrator_cannot_reset_a_coordinators_password(
    client_for, system_admin, coordinator
):
    client = client_for(system_admin)
    # The reset the accounts page offered before is gone, the security administrator's refused.
    assert client.post(f"/accounts/{coordinator.pk}/reset/").status_code == 404
    assert client.post(reverse("security:account_reset", args=[coordinator.pk])).status_code == 403
    coordinator.refresh_from_db()
    assert coordinator.check_password(password("coordinator"))
    assert not coordinator.must_change_password
    assert not AuditRecord.objects.filter(action="reset_password").exists()
    assert AuditRecord.objects.filter(action="denied", username="sysadmin").count() == 2
    # The service refuses too, whatever calls it.
    with pytest.raises(services.AccountRefused):
        services.reset_password(system_admin, coordinator)
    log_in("coordinator", password("coordinator"))


def test_the_system_administrator_cannot_grant_roles_not_even_to_himself(
    client_for, system_admin, commerce_reporter, region
):
    client = client_for(system_admin)
    pending, _ = services.create_account(system_admin, username="p1", display_name="甲")
    for account, role, organization in [
        (commerce_reporter, "coordinator", commerce_reporter.organization_id),
        (pending, "leader", region.pk),
        (system_admin, "security_admin", region.pk),
        (system_admin, "coordinator", department("市发展改革委").pk),
    ]:
        url = reverse("security:account_role", args=[account.pk])
        assert client.post(url, {"role": role, "organization": organization}).status_code == 403
    roles = dict(User.objects.values_list("username", "role"))
    assert roles["commerce_reporter"] == "reporter"
    assert roles["p1"] == "pending"
    assert roles["sysadmin"] == "system_admin"
    with pytest.raises(services.AccountRefused):
        services.change_role(system_admin, pending, "leader", region)
    assert not AuditRecord.objects.filter(action="permission_change").exists()


# --- An account awaiting a role ---------------------------------------------------------------


def test_an_account_awaiting_a_role_only_changes_its_password(
    client_for, system_admin, seed_plan, commerce_report
):
    issued = create(client_for(system_admin), "newcomer")
    client = log_in("newcomer", issued)
    for url in ["/", "/plans/", "/reporting/", "/insights/", "/account/tokens/", "/audit/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(waiting_url()), url
    assert client.get("/plans/", headers=HX)["HX-Redirect"] == waiting_url()
    api = client.get("/api/v1/plans")
    assert api.status_code == 403
    assert api.json() == {"detail": "此账号正在等待安全管理员授予角色。"}
    page = client.get(waiting_url()).content.decode()
    assert "等待安全管理员授权" in page and "newcomer" in page
    # The first login's password change is open; afterwards it is still waiting.
    assert client.get(reverse("password_change")).status_code == 200
    new = "Xin-mima-2026-qiang!"
    change = {"old_password": issued, "new_password1": new, "new_password2": new}
    response = client.post(reverse("password_change"), change, follow=True)
    assert response.redirect_chain[-1][0].startswith(waiting_url())
    assert client.post(reverse("logout")).status_code == 302


def test_an_account_made_without_the_services_waits_too(client_for, region):
    account = User.objects.create_user("made_in_shell", password="Shell-mima-2026!")
    assert account.role == User.Role.PENDING
    assert client_for(account).get("/plans/")["Location"].startswith(waiting_url())


def test_a_user_with_a_role_is_sent_home_from_the_waiting_page(client_for, commerce_reporter):
    response = client_for(commerce_reporter).get(waiting_url())
    assert response["Location"] == reverse("home")


# --- Granting a role --------------------------------------------------------------------------


def test_the_security_administrator_grants_a_role_and_the_account_works(
    client_for, system_admin, security_admin, seed_plan, submitted
):
    issued = create(client_for(system_admin), "new_coordinator", display_name="新统筹")
    account = User.objects.get(username="new_coordinator")
    admin = client_for(security_admin)
    page = admin.get(reverse("security:home")).content.decode()
    waiting = page.split('id="pending"', 1)[1].split("</table>", 1)[0]
    assert "new_coordinator" in waiting and "新统筹" in waiting
    office = seed_plan.coordinator
    grant = {"role": "coordinator", "organization": office.pk}
    response = admin.post(reverse("security:account_role", args=[account.pk]), grant)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已保存new_coordinator。"]
    record = AuditRecord.objects.get(action="permission_change")
    assert record.username == "secadmin"
    assert record.changes == {
        "organization": {"old": "", "new": "市发展改革委"},
        "role": {"old": "pending", "new": "coordinator"},
    }
    page = admin.get(reverse("security:home")).content.decode()
    assert "new_coordinator" not in page.split('id="pending"', 1)[1].split("</table>", 1)[0]
    client = log_in("new_coordinator", issued)
    assert client.get("/plans/").status_code == 200
    client.post(reverse("reporting:action", args=[submitted.pk, "accept"]), headers=HX)
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.ACCEPTED


@pytest.mark.parametrize(
    ("role", "organization", "message"),
    [
        ("leader", "市商务局", "领导属于一个地区，其他角色属于一个部门。"),
        ("reporter", "枣庄市", "领导属于一个地区，其他角色属于一个部门。"),
        ("reporter", "", "请选择账号所属的单位。"),
        ("reporter", "临沂市商务局", "请选择给出的角色和单位之一。"),
        ("security_admin", "枣庄市", "请选择给出的角色和单位之一。"),
        ("reporter", "garbage", "请选择给出的角色和单位之一。"),
    ],
)
def test_a_grant_needs_a_business_role_and_an_organization_that_fits(
    client_for, system_admin, security_admin, region, role, organization, message
):
    other = get_or_create_region("临沂市")
    create_organization(None, other, kind="department", name="临沂市商务局")
    pks = {"枣庄市": region.pk, "市商务局": department("市商务局").pk, "": ""}
    pks["临沂市商务局"] = other.children.get().pk
    account, _ = services.create_account(system_admin, username="p2", display_name="乙")
    url = reverse("security:account_role", args=[account.pk])
    data = {"role": role, "organization": pks.get(organization, organization)}
    response = client_for(security_admin).post(url, data)
    assert response["Location"] == reverse("security:home")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [message]
    account.refresh_from_db()
    assert account.role == User.Role.PENDING and account.organization is None
    assert not AuditRecord.objects.filter(action="permission_change").exists()


def test_administrators_roles_are_not_granted_or_changed(client_for, security_admin, audit_admin):
    client = client_for(security_admin)
    for account in (audit_admin, security_admin):
        url = reverse("security:account_role", args=[account.pk])
        assert client.post(url, {"role": "leader"}).status_code == 404
    assert User.objects.get(pk=security_admin.pk).role == "security_admin"


# --- A business account's new password --------------------------------------------------------


def test_the_security_administrator_issues_a_new_password_shown_once(
    client_for, security_admin, coordinator, system_admin
):
    _, key = create_token(coordinator, "统计平台")
    before = log_in("coordinator", password("coordinator"))
    response = client_for(security_admin).post(
        reverse("security:account_reset", args=[coordinator.pk])
    )
    page = response.content.decode()
    issued = page.split('id="issued-password">', 1)[1].split("<", 1)[0]
    assert len(issued) == 12 and "请当面将此密码交给用户" in page
    # The old password, the session and the API token end; the new one must be changed.
    coordinator.refresh_from_db()
    assert not coordinator.check_password(password("coordinator"))
    assert coordinator.must_change_password
    assert before.get("/plans/")["Location"].startswith(reverse("login"))
    bearer = Client(headers={"Authorization": f"Bearer {key}"})
    assert bearer.get("/api/v1/plans").status_code == 401
    log_in("coordinator", issued)
    record = AuditRecord.objects.get(action="reset_password")
    assert record.username == "secadmin" and record.object_repr == "coordinator"
    # Nobody resets an administrator's password from these pages.
    url = reverse("security:account_reset", args=[system_admin.pk])
    assert client_for(security_admin).post(url).status_code == 404


# --- Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "url", "queries"),
    [
        ("system_admin", "/accounts/", 3),
        ("system_admin", "/accounts/new/", 2),
        # 6: the regions below the administrator's, one query per level (issue 22).
        ("security_admin", "/security/", 6),
    ],
)
def test_the_account_pages_take_the_same_queries_whatever_is_waiting(
    request, client_for, django_assert_num_queries, persona, url, queries
):
    client = client_for(request.getfixturevalue(persona))
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    by = request.getfixturevalue("system_admin")
    for i in range(4):
        services.create_account(by, username=f"waiting{i}", display_name=f"新人{i}")
        make_user(f"extra{i}", "reporter", department("市商务局"))
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_the_waiting_page_takes_two_queries(client_for, region, django_assert_num_queries):
    account = User.objects.create_user("made_in_shell")
    client = client_for(account)
    with django_assert_num_queries(2):
        assert client.get(waiting_url()).status_code == 200


def test_a_grant_and_a_new_password_take_a_fixed_number_of_queries(
    client_for, system_admin, security_admin, commerce_reporter, django_assert_num_queries
):
    account, _ = services.create_account(system_admin, username="p3", display_name="丙")
    client = client_for(security_admin)
    grant = {"role": "approver", "organization": department("市商务局").pk}
    # 12: the form's choices and the grant's check each walk the regions below (issue 22).
    with django_assert_num_queries(12):
        client.post(reverse("security:account_role", args=[account.pk]), grant)
    with django_assert_num_queries(8):
        client.post(reverse("security:account_reset", args=[commerce_reporter.pk]))
