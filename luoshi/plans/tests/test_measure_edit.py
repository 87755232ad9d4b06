"""A coordinator corrects a measure's departments and clears its review flag; it is audited."""

from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.testing import department, measure


def form_data(rows, needs_review=False):
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(len(rows))}
    for i, (org, role, delete) in enumerate(rows):
        data[f"form-{i}-organization"] = org.pk
        data[f"form-{i}-role"] = role
        if delete:
            data[f"form-{i}-DELETE"] = "on"
    if needs_review:
        data["needs_review"] = "on"
    return data


def test_coordinator_sees_the_measure_with_its_departments(client_for, coordinator):
    target = measure("五.4")
    html = client_for(coordinator).get(reverse("plans:measure_edit", args=[target.pk])).content
    html = html.decode()
    assert "严格落实一次性塑料制品" in html
    assert html.count(" selected>市商务局<") == 1
    assert html.count(" selected>市邮政管理局<") == 1


def test_coordinator_splits_a_shared_cell_and_clears_the_flag(client_for, coordinator, seed_plan):
    target = measure("五.4")
    assert target.needs_review
    commerce, postal = department("市商务局"), department("市邮政管理局")
    data = form_data([(commerce, "lead", False), (postal, "unknown", True)])
    client = client_for(coordinator)
    response = client.post(reverse("plans:measure_edit", args=[target.pk]), data)
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.needs_review
    assert [(a.organization.name, a.role) for a in target.assignments.all()] == [
        ("市商务局", "lead")
    ]
    record = AuditRecord.objects.get(action="change", object_id=str(target.pk))
    assert record.username == "coordinator"
    assert record.changes["departments"] == {
        "old": ["市商务局:unknown", "市邮政管理局:unknown"],
        "new": ["市商务局:lead"],
    }
    assert record.changes["needs_review"] == {"old": True, "new": False}
    ledger = client.get(response["Location"]).content.decode()
    assert "已保存" in ledger


def test_listing_a_department_twice_is_refused_and_changes_nothing(client_for, coordinator):
    target = measure("五.4")
    commerce = department("市商务局")
    data = form_data([(commerce, "lead", False), (commerce, "co", False)], needs_review=True)
    response = client_for(coordinator).post(reverse("plans:measure_edit", args=[target.pk]), data)
    assert response.status_code == 200
    assert "重复" in response.content.decode()
    assert target.assignments.count() == 2
    assert not AuditRecord.objects.filter(action="change", object_id=str(target.pk)).exists()


def test_saving_without_a_change_writes_no_audit_record(client_for, coordinator):
    target = measure("一.1")
    rows = [(a.organization, a.role, False) for a in target.assignments.all()]
    client_for(coordinator).post(reverse("plans:measure_edit", args=[target.pk]), form_data(rows))
    assert not AuditRecord.objects.filter(action="change", object_id=str(target.pk)).exists()
