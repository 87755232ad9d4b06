"""A department's measures are rendered once per data version (lib.fragments): a change shows at
once, a second request reads no measure, and the closure links a department's own users get
never reach another viewer through the cache."""

from django.conf import settings
from django.urls import reverse

from luoshi.plans.services import set_measure_departments
from luoshi.testing import department, measure


def department_url(name: str) -> str:
    return reverse("plans:department", args=[department(name).pk])


def test_a_second_request_reads_the_session_the_department_and_the_version(
    client_for, coordinator, django_assert_num_queries
):
    client = client_for(coordinator)
    url = department_url("市商务局")
    # Session, user with organization, department, data version; measures, assignments, targets.
    with django_assert_num_queries(7):
        first = client.get(url).content.decode()
    with django_assert_num_queries(4):
        second = client.get(url).content.decode()
    assert first.count('<td class="measure-text">') == second.count('<td class="measure-text">')
    assert second.count('<td class="measure-text">') > 0


def test_a_new_assignment_shows_at_once(client_for, coordinator):
    client = client_for(coordinator)
    url = department_url("市妇联")
    row = f"<td>{measure('一.1').code}</td>"
    assert row not in client.get(url).content.decode()  # cached now
    m = measure("一.1")
    kept = [(a.organization, a.role) for a in m.assignments.select_related("organization")]
    set_measure_departments(
        coordinator, m, [*kept, (department("市妇联"), "co")], needs_review=False
    )
    assert row in client.get(url).content.decode()


def test_a_measure_closed_shows_at_once(
    client_for, coordinator, commerce_reporter, tracked, commerce_leads
):
    from luoshi.reporting import services

    client = client_for(coordinator)
    url = department_url("市商务局")
    request = services.request_closure(commerce_reporter, measure("十.3"), "已全部完成。")
    assert "已办结" not in client.get(url).content.decode()
    services.close_measure(coordinator, request, "同意办结")
    assert "已办结" in client.get(url).content.decode()


def test_the_closure_links_reach_only_the_departments_own_users(
    client_for, coordinator, leader, commerce_reporter, commerce_leads
):
    url = department_url("市商务局")
    closure = reverse("reporting:closure", args=[measure("十.3").pk])
    # Whoever comes first fills the cache; each viewer still gets what is theirs.
    assert closure in client_for(commerce_reporter).get(url).content.decode()
    assert closure not in client_for(coordinator).get(url).content.decode()
    assert closure not in client_for(leader).get(url).content.decode()
    assert closure in client_for(commerce_reporter).get(url).content.decode()


def test_the_cache_lets_no_other_department_in(
    client_for, coordinator, commerce_reporter, transport_reporter, commerce_leads
):
    url = department_url("市商务局")
    assert client_for(coordinator).get(url).status_code == 200
    assert client_for(commerce_reporter).get(url).status_code == 200
    assert client_for(transport_reporter).get(url).status_code == 404


def test_each_language_has_its_own_fragment(client_for, coordinator):
    client = client_for(coordinator)
    url = department_url("市商务局")
    assert "责任部门" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(url).content.decode()
    assert "Responsible departments" in page and "责任部门" not in page
