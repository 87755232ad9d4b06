"""A plan imported through the preview lives in the importing coordinator's region, whatever the
draft says: issuers, departments or the draft's JSON naming another region change nothing
outside it (issue 16, point 2)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from luoshi.orgs.models import Organization
from luoshi.orgs.services import load_directory
from luoshi.plans.models import Assignment, ImportDraft, Plan
from luoshi.plans.seed import SEED

LINYI = {
    "region": {"name": "临沂市", "full_name": "山东省临沂市"},
    "departments": [
        {
            "name": "市商务局",
            "full_name": "临沂市商务局",
            "aliases": ["临沂商务局"],
            "code": "ly-commerce",
        },
        {
            "name": "市发展改革委",
            "full_name": "临沂市发展和改革委员会",
            "aliases": [],
            "code": "ly-ndrc",
        },
    ],
}


@pytest.fixture
def linyi(region, tmp_path):
    """A second region with its own departments, loaded like the demo's directory."""
    path = tmp_path / "linyi.json"
    path.write_text(json.dumps(LINYI, ensure_ascii=False), encoding="utf-8")
    return load_directory(path)


@pytest.fixture
def draft(client_for, office, linyi) -> ImportDraft:
    client = client_for(office)
    data = {"file": SimpleUploadedFile(SEED.name, SEED.read_bytes())}
    assert client.post(reverse("plans:import_upload"), data).status_code == 302
    return ImportDraft.objects.get()


def edit(client, draft, op, **fields):
    draft.refresh_from_db()
    data = {"op": op, "version": draft.version, **fields}
    return client.post(reverse("plans:import_edit", args=[draft.pk]), data)


def confirm(client, draft):
    draft.refresh_from_db()
    return client.post(
        reverse("reporting:go_live", args=[draft.pk]),
        {"version": draft.version, "tracking_start": "2026-12"},
    )


def header(draft, **changes) -> dict:
    data = draft.data
    fields = {
        "title": data["title"],
        "doc_number": data["doc_number"],
        "issue_date": data["issue_date"],
        "issuers": "\n".join(data["issuers"]),
        "report_to": data["report_to"],
        "frequency": "monthly",
        "due_day": "28",
        "due_offset_months": "0",
        "rule_text": "",
    }
    return {**fields, **changes}


def settle(client, draft):
    """Keep every placeholder and accept every unknown name, as a coordinator would."""
    draft.refresh_from_db()
    for t, task in enumerate(draft.data["tasks"]):
        for m, measure in enumerate(task["measures"]):
            for i, department in enumerate(measure["departments"]):
                if department["kind"] == "placeholder" and not department.get("kept"):
                    edit(client, draft, "keep_placeholder", t=t, m=m, i=i)
    preview = client.get(reverse("plans:import_preview", args=[draft.pk]))
    for name in preview.context["unknown"]:
        edit(client, draft, "create_name", name=name)


def outside(region):
    return Organization.objects.exclude(pk=region.pk).exclude(parent=region)


def assert_nothing_outside(region, before: set[int]):
    assert set(outside(region).values_list("pk", flat=True)) == before
    assert not Plan.objects.exclude(region=region).exists()
    assert not Assignment.objects.exclude(organization__parent=region).exists()
    assert not Plan.objects.exclude(coordinator__parent=region).exists()


def add_first_measure_department(client, draft, name):
    return edit(client, draft, "add_department", t=0, m=0, name=name, role="co")


@pytest.mark.parametrize("issuer", ["临沂市人民政府", "潍坊市人民政府"])
def test_issuers_of_another_region_are_refused_in_the_preview(client_for, office, draft, issuer):
    client = client_for(office)
    issuers = draft.data["issuers"]
    before = set(outside(draft.region).values_list("pk", flat=True))
    response = edit(client, draft, "set_header", **header(draft, issuers=issuer))
    page = client.get(response["Location"]).content.decode()
    settle(client, draft)
    confirm(client, draft)
    assert Plan.objects.get().region == draft.region
    assert_nothing_outside(draft.region, before)
    assert f"该方案由{issuer[:3]}印发，您负责统筹的是枣庄市的方案。" in page
    assert Plan.objects.get().issuers == issuers


def test_another_regions_departments_stay_inside_the_coordinators_region(
    client_for, office, draft, linyi
):
    client = client_for(office)
    before = set(outside(draft.region).values_list("pk", flat=True))
    for name in ("临沂市商务局", "临沂商务局", "潍坊市数据局"):
        add_first_measure_department(client, draft, name)
    response = edit(client, draft, "map_name", name="临沂商务局", target="临沂市商务局")
    assert response.status_code == 302
    settle(client, draft)
    assert confirm(client, draft).status_code == 302
    plan = Plan.objects.get()
    assert plan.region == draft.region
    names = {
        a.organization.name for a in plan.key_tasks.get(no=1).measures.get(no=1).assignments.all()
    }
    assert {"临沂市商务局", "临沂商务局", "潍坊市数据局"} <= names
    assert_nothing_outside(draft.region, before)


@pytest.mark.parametrize("issuer", ["临沂市人民政府", "潍坊市人民政府"])
def test_confirm_rechecks_a_draft_whose_json_names_another_region(
    client_for, office, draft, issuer
):
    client = client_for(office)
    before = set(outside(draft.region).values_list("pk", flat=True))
    settle(client, draft)
    draft.refresh_from_db()
    data = {**draft.data, "issuers": [issuer], "report_to": "市发展改革委"}
    ImportDraft.objects.filter(pk=draft.pk).update(data=data)  # what the page could not send
    response = confirm(client, draft)
    assert response["Location"] == reverse("plans:import_preview", args=[draft.pk])
    assert "您负责统筹的是枣庄市的方案" in client.get(response["Location"]).content.decode()
    assert not Plan.objects.exists()
    assert_nothing_outside(draft.region, before)


def test_a_draft_of_another_region_is_not_confirmed_into_it(client_for, office, draft, linyi):
    client = client_for(office)
    own = draft.region
    before = set(outside(own).values_list("pk", flat=True))
    settle(client, draft)
    ImportDraft.objects.filter(pk=draft.pk).update(region=linyi)  # a draft's region tampered with
    response = confirm(client, draft)
    assert response["Location"] == reverse("plans:import_preview", args=[draft.pk])
    assert not Plan.objects.exists()
    assert set(outside(own).values_list("pk", flat=True)) == before


def test_the_seed_imports_through_the_preview_as_before(client_for, office, draft):
    client = client_for(office)
    settle(client, draft)
    response = confirm(client, draft)
    plan = Plan.objects.get()
    assert response["Location"] == reverse("plans:detail", args=[plan.pk])
    assert plan.region.name == "枣庄市"
    assert plan.coordinator == office.organization
    assert plan.issuers == draft.data["issuers"]
    assert plan.issuers[0] == "枣庄市发展和改革委员会"
    assert plan.key_tasks.count() == len(draft.data["tasks"])
    assert sum(task.measures.count() for task in plan.key_tasks.all()) == 77
    assert not Assignment.objects.exclude(organization__parent=plan.region).exists()
