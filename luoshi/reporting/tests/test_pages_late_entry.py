"""Late-entry exceptions through the pages: the coordinator lets a department enter a closed
period until a day it picks, lists the period's exceptions and withdraws one; the exception
ends by itself after its day; the department sees until when it may enter."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.orgs.models import Organization
from luoshi.reporting import services
from luoshi.reporting.models import LateEntryException, Report
from luoshi.testing import at, department, make_user, month, report_url

D = datetime.date


@pytest.fixture
def friday():
    """Friday 4 December 2026, 10:00: October (due 28 October) is long past."""
    with time_machine.travel(at(2026, 12, 4, 10), tick=False):
        yield


@pytest.fixture
def october_closed(friday, coordinator, tracked):
    october = month(tracked, 2026, 10)
    return services.close_period(coordinator, october)


@pytest.fixture
def commerce_october(october_closed):
    return october_closed.reports.get(organization=department("市商务局"))


def grant_url(report) -> str:
    return reverse("reporting:late_entry", args=[report.pk])


def list_url(period) -> str:
    return reverse("reporting:late_entries", args=[period.pk])


def withdraw_url(exception) -> str:
    return reverse("reporting:late_entry_withdraw", args=[exception.pk])


def text(response) -> str:
    return response.content.decode()


def grant(client, report, deadline="2026-12-08", comment="系统故障"):
    return client.post(grant_url(report), {"deadline": deadline, "comment": comment}, follow=True)


def test_the_coordinator_allows_a_late_entry_until_a_day_and_the_department_sees_it(
    client_for, coordinator, commerce_reporter, commerce_october
):
    client = client_for(coordinator)
    page = text(client.get(report_url(commerce_october)))
    # Three working days after Friday 4 December: Monday 7, Tuesday 8, Wednesday 9.
    assert 'value="2026-12-09"' in page
    response = grant(client, commerce_october)
    assert "已允许市商务局补报本报告，截止2026-12-08。" in text(response)
    exception = LateEntryException.objects.get()
    assert exception.deadline == D(2026, 12, 8)
    assert exception.until > at(2026, 12, 8, 23, 59) and exception.until < at(2026, 12, 9)
    assert (exception.reason, exception.granted_by) == ("系统故障", coordinator)
    assert AuditRecord.objects.filter(action="grant late entry").count() == 1

    department_client = client_for(commerce_reporter)
    assert "本期已关闭，允许补报至2026-12-08。" in text(
        department_client.get(report_url(commerce_october))
    )
    home = text(department_client.get(reverse("reporting:home")))
    assert "已允许补报" in home and "可补报至2026-12-08。" in home
    assert report_url(commerce_october) in home
    department_client.post(reverse("reporting:action", args=[commerce_october.pk, "start"]))
    commerce_october.refresh_from_db()
    assert commerce_october.status == Report.Status.DRAFT


def test_the_late_entry_ends_by_itself_after_its_last_day(
    client_for, coordinator, commerce_reporter, commerce_october
):
    grant(client_for(coordinator), commerce_october)
    department_client = client_for(commerce_reporter)
    with time_machine.travel(at(2026, 12, 8, 23, 50), tick=False):
        assert services.late_entry_allowed(commerce_october)
    with time_machine.travel(at(2026, 12, 9, 0, 0, 1), tick=False):
        assert not services.late_entry_allowed(commerce_october)
        response = department_client.post(
            reverse("reporting:action", args=[commerce_october.pk, "start"]), follow=True
        )
        assert "本报送期已关闭，请向统筹单位申请补报。" in text(response)
        assert "已允许补报" not in text(department_client.get(reverse("reporting:home")))
        page = text(client_for(coordinator).get(list_url(commerce_october.period)))
        assert "已到期" in page and withdraw_url(LateEntryException.objects.get()) not in page
    commerce_october.refresh_from_db()
    assert commerce_october.status == Report.Status.NOT_STARTED


@pytest.mark.parametrize(
    ("deadline", "message"),
    [
        ("2026-12-03", "截止日期不能早于今天。"),
        ("2026-13-45", "请按日期填写截止日，例如2026-12-04。"),
        ("", "请选择补报截止日期。"),
        # 4 December + 90 days is 4 March 2027.
        ("2027-03-05", "截止日期最多只能在90天之后。"),
    ],
)
def test_a_deadline_in_the_past_too_far_or_not_a_date_is_refused_in_chinese(
    client_for, coordinator, commerce_october, deadline, message
):
    response = grant(client_for(coordinator), commerce_october, deadline=deadline)
    assert message in text(response)
    assert not LateEntryException.objects.exists()
    assert not AuditRecord.objects.filter(action="grant late entry").exists()


def test_today_and_ninety_days_ahead_are_accepted(client_for, coordinator, commerce_october):
    client = client_for(coordinator)
    grant(client, commerce_october, deadline="2026-12-04")
    assert LateEntryException.objects.get().deadline == D(2026, 12, 4)
    grant(client, commerce_october, deadline="2027-03-04")
    assert LateEntryException.objects.get().deadline == D(2027, 3, 4)


def test_the_list_shows_the_periods_exceptions_and_withdraw_ends_one_now(
    client_for, coordinator, commerce_reporter, october_closed, commerce_october
):
    client = client_for(coordinator)
    transport = october_closed.reports.get(organization=department("市交通运输局"))
    grant(client, commerce_october, deadline="2026-12-08", comment="系统故障")
    grant(client, transport, deadline="2026-12-10", comment="")
    matrix = text(client.get(reverse("reporting:matrix", args=[october_closed.plan_id])))
    assert list_url(october_closed) in matrix
    page = text(client.get(list_url(october_closed)))
    for expected in ["市商务局", "系统故障", "2026-12-08", "市交通运输局", "2026-12-10"]:
        assert expected in page
    assert page.count("进行中") == 2 and page.count("· coordinator") == 2  # granted by
    commerce = LateEntryException.objects.get(organization=department("市商务局"))
    response = client.post(withdraw_url(commerce), follow=True)
    assert "已撤回市商务局的补报。" in text(response)
    assert "已撤回" in text(response) and text(response).count("进行中") == 1
    commerce.refresh_from_db()
    assert commerce.withdrawn_at == at(2026, 12, 4, 10) and commerce.withdrawn_by == coordinator
    assert AuditRecord.objects.filter(action="withdraw late entry").count() == 1
    assert not services.late_entry_allowed(commerce_october)
    # A second click says so and records nothing.
    response = client.post(withdraw_url(commerce), follow=True)
    assert "该补报已结束。" in text(response)
    assert AuditRecord.objects.filter(action="withdraw late entry").count() == 1
    # Granting again lets the department in again.
    grant(client, commerce_october, deadline="2026-12-11")
    assert services.late_entry_allowed(commerce_october)
    assert "可补报至2026-12-11。" in text(
        client_for(commerce_reporter).get(reverse("reporting:home"))
    )


@pytest.mark.parametrize("persona", ["commerce_reporter", "commerce_head", "leader"])
def test_only_the_coordinator_lists_and_withdraws(
    client_for, request, coordinator, persona, commerce_october
):
    grant(client_for(coordinator), commerce_october)
    exception = LateEntryException.objects.get()
    client = client_for(request.getfixturevalue(persona))
    assert client.get(list_url(commerce_october.period)).status_code == 403
    assert client.post(withdraw_url(exception)).status_code == 403
    assert client.post(grant_url(commerce_october), {"deadline": "2026-12-31"}).status_code == 403
    exception.refresh_from_db()
    assert exception.withdrawn_at is None and exception.deadline == D(2026, 12, 8)


def test_another_department_and_another_region_get_404(
    client_for, coordinator, transport_reporter, commerce_october
):
    grant(client_for(coordinator), commerce_october)
    exception = LateEntryException.objects.get()
    assert client_for(transport_reporter).post(withdraw_url(exception)).status_code == 404
    office = Organization.objects.create(
        parent=_linyi(), kind="department", name="临沂市发展改革委"
    )
    client = client_for(make_user("linyi", "coordinator", office))
    assert client.get(list_url(commerce_october.period)).status_code == 404
    assert client.post(withdraw_url(exception)).status_code == 404
    assert client.post(grant_url(commerce_october), {"deadline": "2026-12-31"}).status_code == 404
    exception.refresh_from_db()
    assert exception.withdrawn_at is None


def _linyi():
    from luoshi.orgs.services import get_or_create_region

    return get_or_create_region("临沂市")


def test_the_pages_refuse_the_wrong_method(client_for, coordinator, commerce_october):
    client = client_for(coordinator)
    assert client.post(list_url(commerce_october.period)).status_code == 405
    grant(client, commerce_october)
    assert client.get(withdraw_url(LateEntryException.objects.get())).status_code == 405


def test_the_list_has_a_pinned_query_count(
    client_for, coordinator, october_closed, django_assert_num_queries
):
    client = client_for(coordinator)
    for report in october_closed.reports.order_by("pk")[:3]:
        grant(client, report)
    # Session, user, the period with its plan, the exceptions, the user's organization.
    with django_assert_num_queries(4):
        page = text(client.get(list_url(october_closed)))
    assert page.count("进行中") == 3
