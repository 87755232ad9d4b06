"""Coordinators and system administrators keep the department directory; every change audited."""

import pytest
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.orgs.models import Organization
from luoshi.orgs.services import Directory, get_or_create_region
from luoshi.testing import department, make_user


@pytest.fixture
def sysadmin(region):
    return make_user("sysadmin", "system_admin", region)


def test_a_coordinator_adds_a_department_with_its_names(client_for, office, region):
    client = client_for(office)
    assert client.get(reverse("orgs:create")).status_code == 200
    response = client.post(
        reverse("orgs:create"),
        {
            "region": region.pk,
            "kind": "department",
            "name": "市数据局",
            "full_name": "枣庄市大数据局",
            "aliases": "市大数据局、市大数据中心\n市数据中心",
        },
    )
    org = Organization.objects.get(name="市数据局")
    assert response["Location"] == reverse("orgs:edit", args=[org.pk])
    assert (org.parent, org.kind, org.full_name) == (region, "department", "枣庄市大数据局")
    assert org.aliases == ["市大数据局", "市大数据中心", "市数据中心"]
    record = AuditRecord.objects.get(action="create", object_id=str(org.pk))
    assert record.username == "coordinator"
    assert record.changes["aliases"]["new"] == org.aliases
    # The importer now finds it by any of its names.
    assert Directory(region).find("市大数据中心") == org


def test_a_name_already_used_in_the_region_is_refused(client_for, office, region):
    response = client_for(office).post(
        reverse("orgs:create"),
        {"region": region.pk, "kind": "department", "name": "市数据局", "aliases": "市商务局"},
    )
    assert response.status_code == 200
    assert "市商务局" in str(response.context["form"].non_field_errors())
    assert not Organization.objects.filter(name="市数据局").exists()


def test_a_coordinator_edits_the_names_and_it_is_audited(client_for, office):
    commerce = department("市商务局")
    response = client_for(office).post(
        reverse("orgs:edit", args=[commerce.pk]),
        {"name": "市商务局", "full_name": "枣庄市商务局", "aliases": "商务局、市商务和投资促进局"},
    )
    assert response["Location"] == reverse("orgs:directory")
    commerce.refresh_from_db()
    assert commerce.aliases == ["商务局", "市商务和投资促进局"]
    record = AuditRecord.objects.get(action="change", object_id=str(commerce.pk))
    assert record.changes["aliases"]["new"] == ["商务局", "市商务和投资促进局"]
    assert "name" not in record.changes


def test_a_collectives_members_are_set(client_for, office, region):
    client = client_for(office)
    client.post(
        reverse("orgs:create"),
        {"region": region.pk, "kind": "collective", "name": "各区（市）政府"},
    )
    collective = Organization.objects.get(name="各区（市）政府")
    page = client.get(reverse("orgs:edit", args=[collective.pk])).content.decode()
    assert 'name="members"' in page
    members = [department("市商务局"), department("市财政局")]
    client.post(
        reverse("orgs:edit", args=[collective.pk]),
        {"name": collective.name, "full_name": "", "members": [m.pk for m in members]},
    )
    assert set(collective.members.all()) == set(members)
    record = AuditRecord.objects.filter(action="change", object_id=str(collective.pk)).get()
    assert record.changes["members"] == {"old": [], "new": ["市商务局", "市财政局"]}
    directory = client.get(reverse("orgs:directory")).content.decode()
    assert "市商务局、市财政局" in directory


def test_a_system_administrator_may_edit_the_directory(client_for, sysadmin):
    commerce = department("市商务局")
    client = client_for(sysadmin)
    assert client.get(reverse("orgs:edit", args=[commerce.pk])).status_code == 200
    assert "orgs/new/" in client.get(reverse("orgs:directory")).content.decode() or (
        reverse("orgs:create") in client.get(reverse("orgs:directory")).content.decode()
    )


@pytest.mark.parametrize("persona", ["commerce_reporter", "leader"])
def test_others_cannot_edit_the_directory(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    commerce = department("市商务局")
    assert client.get(reverse("orgs:create")).status_code == 403
    response = client.post(
        reverse("orgs:edit", args=[commerce.pk]), {"name": "改名", "full_name": "", "aliases": ""}
    )
    assert response.status_code == 403
    commerce.refresh_from_db()
    assert commerce.name == "市商务局"
    assert reverse("orgs:create") not in client.get(reverse("orgs:directory")).content.decode()


def test_an_anonymous_user_is_sent_to_log_in(client_for, region):
    response = client_for(None).get(reverse("orgs:create"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_coordinator_cannot_edit_another_regions_directory(client_for, office):
    other = get_or_create_region("临沂市")
    linyi = Organization.objects.create(parent=other, kind="department", name="市商务局")
    client = client_for(office)
    assert client.get(reverse("orgs:edit", args=[linyi.pk])).status_code == 404
    assert client.get(reverse("orgs:edit", args=[other.pk])).status_code == 404


def test_the_edit_page_refuses_the_wrong_method(client_for, office):
    url = reverse("orgs:edit", args=[department("市商务局").pk])
    assert client_for(office).delete(url).status_code == 405
