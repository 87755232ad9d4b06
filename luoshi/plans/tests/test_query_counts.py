"""Every main page runs a fixed number of SQL queries, however many measures a plan has.

Pinned counts include the two queries of every logged-in page: the session and the user with
the user's organization (shown in the navigation bar; luoshi.lib.auth.UserBackend).
"""

import pytest
from django.urls import reverse

from luoshi.testing import department, measure


@pytest.mark.parametrize(
    ("name", "args", "query", "queries"),
    [
        ("plans:list", [], {}, 4),  # + the plans sent down to the coordinator's region
        # With the plans it implements and the plans implementing it (lineage).
        ("plans:detail", ["plan"], {}, 11),
        ("plans:detail", ["plan"], {"needs_review": "on"}, 11),
        ("plans:detail", ["plan"], {"department": "postal"}, 12),  # + the department chosen
        ("plans:json", ["plan"], {}, 7),
        ("orgs:directory", [], {}, 4),  # + the members of collective units
    ],
)
def test_coordinator_pages_have_pinned_query_counts(
    client_for, coordinator, seed_plan, django_assert_num_queries, name, args, query, queries
):
    client = client_for(coordinator)
    url = reverse(name, args=[seed_plan.pk if a == "plan" else a for a in args])
    if query.get("department") == "postal":
        query = {"department": department("市邮政管理局").pk}
    with django_assert_num_queries(queries):
        assert client.get(url, query).status_code == 200


def test_ledger_query_count_does_not_grow_with_departments_and_targets(
    client_for, coordinator, seed_plan, region, django_assert_num_queries
):
    from luoshi.orgs.models import Organization
    from luoshi.plans.services import set_measure_departments

    url = reverse("plans:detail", args=[seed_plan.pk])
    client = client_for(coordinator)
    everyone = Organization.objects.filter(parent=region, kind=Organization.Kind.DEPARTMENT)
    for code in ["一.1", "五.4", "十四.3"]:
        set_measure_departments(
            coordinator,
            measure(code),
            [(org, "co") for org in everyone],
            needs_review=False,
        )
    with django_assert_num_queries(11):
        html = client.get(url).content.decode()
    assert html.count("<li") > 3 * everyone.count()


def test_department_page_query_count(client_for, commerce_reporter, django_assert_num_queries):
    client = client_for(commerce_reporter)
    with django_assert_num_queries(7):
        client.get(reverse("plans:department", args=[commerce_reporter.organization_id]))


def test_measure_edit_query_count(client_for, coordinator, django_assert_num_queries):
    client = client_for(coordinator)
    url = reverse("plans:measure_edit", args=[measure("十四.3").pk])
    with django_assert_num_queries(6):  # + the measures of the parent plans, to link to
        client.get(url)


def test_audit_log_query_count(client_for, audit_admin, django_assert_num_queries):
    client = client_for(audit_admin)
    with django_assert_num_queries(4):
        client.get(reverse("audit:log"))


def test_department_page_does_not_grow_with_its_measures(
    client_for, leader, django_assert_max_num_queries
):
    client = client_for(leader)
    for name in ["市妇联", "市商务局"]:  # 2 measures and 22
        url = reverse("plans:department", args=[department(name).pk])
        with django_assert_max_num_queries(7):
            client.get(url)
