"""Who may open and change what: a department sees its own pages, only a coordinator corrects."""

import pytest
from django.urls import reverse

from luoshi.testing import department, measure


def test_a_reporter_opens_its_own_department_page(client_for, commerce_reporter):
    url = reverse("plans:department", args=[commerce_reporter.organization_id])
    response = client_for(commerce_reporter).get(url)
    assert response.status_code == 200
    assert "市商务局" in response.content.decode()


def test_a_reporter_cannot_open_another_departments_page(
    client_for, commerce_reporter, transport_reporter
):
    url = reverse("plans:department", args=[transport_reporter.organization_id])
    assert client_for(commerce_reporter).get(url).status_code == 404


def test_home_takes_a_reporter_to_its_reports(client_for, commerce_reporter):
    response = client_for(commerce_reporter).get(reverse("home"))
    assert response["Location"] == reverse("reporting:home")


def test_a_reporter_sees_only_plans_that_assign_its_department(
    client_for, commerce_reporter, seed_plan, region
):
    from luoshi.importing import ParsedDepartment, ParsedMeasure, ParsedPlan, ParsedTask
    from luoshi.plans.services import import_plan

    other = import_plan(
        ParsedPlan(
            title="另一个方案",
            doc_number="枣测〔2024〕2号",
            issuers=["枣庄市交通运输局"],
            tasks=[
                ParsedTask(
                    no=1,
                    label="一、",
                    title="交通",
                    measures=[
                        ParsedMeasure(
                            no=1,
                            label="1、",
                            text="建设公交都市。",
                            departments=[ParsedDepartment("市交通运输局")],
                        )
                    ],
                )
            ],
        )
    )
    client = client_for(commerce_reporter)
    assert client.get(reverse("plans:detail", args=[seed_plan.pk])).status_code == 200
    assert client.get(reverse("plans:detail", args=[other.pk])).status_code == 404
    assert "另一个方案" not in client.get(reverse("plans:list")).content.decode()


@pytest.mark.parametrize("persona", ["commerce_reporter", "commerce_head", "leader"])
def test_only_the_coordinator_may_correct_a_measure(client_for, persona, request, seed_plan):
    user = request.getfixturevalue(persona)
    target = measure("五.4")
    url = reverse("plans:measure_edit", args=[target.pk])
    client = client_for(user)
    assert client.get(url).status_code == 404
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0"}
    data |= {"form-0-organization": department("市商务局").pk, "form-0-role": "lead"}
    assert client.post(url, data).status_code == 404
    assert target.assignments.count() == 2


def test_the_directory_and_audit_log_refuse_department_users(client_for, commerce_reporter):
    client = client_for(commerce_reporter)
    for url in [reverse("orgs:directory"), reverse("audit:log")]:
        response = client.get(url)
        assert response.status_code == 403
        assert "您的账号无权打开此页面" in response.content.decode()


def test_only_the_audit_administrator_reads_the_audit_log(client_for, audit_admin, coordinator):
    assert client_for(coordinator).get(reverse("audit:log")).status_code == 403
    response = client_for(audit_admin).get(reverse("audit:log"))
    assert response.status_code == 200
    assert "促进绿色消费重点任务贯彻落实分工方案" in response.content.decode()


def test_a_leader_reads_every_plan_and_department(client_for, leader, seed_plan):
    client = client_for(leader)
    assert client.get(reverse("plans:detail", args=[seed_plan.pk])).status_code == 200
    url = reverse("plans:department", args=[department("市妇联").pk])
    assert client.get(url).status_code == 200
