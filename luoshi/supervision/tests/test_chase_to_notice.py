"""From the chase page to a supervision notice: the confirmation counts departments and reports
apart, each late report links to a 督办单 form filled for it, and that form is styled like the
others. A wrong link is ignored, never a 500."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from luoshi.supervision.models import Notice
from luoshi.testing import at, department, make_user

D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    # Wednesday 2 December 2026: October (due 28 October) and November are both late.
    with time_machine.travel(at(2026, 12, 2, 10), tick=False):
        yield


def _preselected(page: str) -> list[str]:
    """The options the notice form has selected, but for the empty one."""
    start = page.index('class="notice-form"')
    form = page[start : page.index("</form>", start)]
    return re.findall(r'<option value="([^"]+)" selected>', form)


def _report(plan, name, month):
    return plan.periods.get(start=D(2026, month, 1)).reports.get(organization=department(name))


def test_the_confirmation_counts_departments_and_reports_apart(client_for, coordinator, tracked):
    reports = [
        _report(tracked, name, month) for name in ("市商务局", "市交通运输局") for month in (10, 11)
    ]
    response = client_for(coordinator).post(
        reverse("supervision:chase", args=[tracked.pk]),
        {"reports": [r.pk for r in reports], "message": "请补报。"},
        follow=True,
    )
    assert "已催办 2 个单位的 4 份报告。" in response.content.decode()


def test_each_late_report_links_to_a_notice_filled_for_it(
    client_for, coordinator, commerce_reporter, tracked, django_assert_num_queries
):
    client = client_for(coordinator)
    october = _report(tracked, "市商务局", 10)
    chase = client.get(reverse("supervision:chase", args=[tracked.pk])).content.decode()
    link = (
        reverse("supervision:notice_new", args=[tracked.pk])
        + f"?department={october.organization_id}&amp;period={october.period_id}"
    )
    hidden = '<span class="visually-hidden">：市商务局 · 2026年10月</span>'
    assert f'<a href="{link}">开具督办单{hidden}</a>' in chase

    # Session, user, organization, plan, the departments; then the late report it is about.
    with django_assert_num_queries(5):
        page = client.get(link.replace("&amp;", "&")).content.decode()
    assert f'<option value="{october.organization_id}" selected>市商务局</option>' in page
    assert '<option value="red" selected>红色（逾期）</option>' in page
    assert 'value="关于2026年10月进展情况逾期未报送的督办"' in page
    assert "2026年10月进展情况应于2026年10月28日前报送，贵单位至今未报送。" in page

    response = client.post(
        link.replace("&amp;", "&"),
        {
            "organization": october.organization_id,
            "colour": "red",
            "subject": "关于2026年10月进展情况逾期未报送的督办",
            "body": "请抓紧报送。",
            "reply_by": "2026-12-09",
        },
    )
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert (notice.organization.name, notice.colour) == ("市商务局", "red")


def test_the_notice_form_is_styled_like_the_other_forms(
    client_for, coordinator, tracked, django_assert_num_queries
):
    client = client_for(coordinator)
    with django_assert_num_queries(4):
        page = client.get(reverse("supervision:notice_new", args=[tracked.pk])).content.decode()
    for name, css in [
        ("organization", "form-select"),
        ("colour", "form-select"),
        ("subject", "form-control"),
        ("body", "form-control"),
        ("reply_by", "form-control"),
    ]:
        tag = re.search(rf'<\w+ [^>]*name="{name}"[^>]*>', page).group()
        assert f'class="{css}"' in tag, tag
    assert '<div class="form-text">责任单位应在此日期前反馈落实情况。</div>' in page
    assert '<label class="form-label" for="id_subject">督办事项</label>' in page
    assert _preselected(page) == []  # nothing without a late report


@pytest.mark.parametrize(
    "query",
    [
        {"department": "abc", "period": "1"},
        {"department": "99999999999999999999", "period": "-3"},
        {"department": "0"},
        {"period": "x"},
        {"department": "1.5", "period": "2e3"},
    ],
)
def test_a_wrong_link_fills_nothing(client_for, coordinator, tracked, query):
    response = client_for(coordinator).get(
        reverse("supervision:notice_new", args=[tracked.pk]), query
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert _preselected(page) == []
    assert "逾期未报送的督办" not in page


def test_a_department_outside_the_plan_or_a_report_not_late_fills_only_what_holds(
    client_for, coordinator, region, tracked
):
    client = client_for(coordinator)
    url = reverse("supervision:notice_new", args=[tracked.pk])
    outside = client.get(
        url, {"department": region.pk, "period": _report(tracked, "市商务局", 10).period_id}
    )
    assert outside.status_code == 200
    assert _preselected(outside.content.decode()) == []
    december = _report(tracked, "市商务局", 12)  # due at the end of December: not late
    page = client.get(
        url, {"department": december.organization_id, "period": december.period_id}
    ).content.decode()
    assert f'<option value="{december.organization_id}" selected>市商务局</option>' in page
    assert "逾期未报送的督办" not in page


def test_another_coordinator_and_a_reporter_get_no_form(
    client_for, commerce_reporter, tracked, region
):
    from luoshi.orgs.models import Organization

    office = Organization.objects.create(kind="department", name="市统计局测试", parent=region)
    other = make_user("other_coordinator", "coordinator", office)
    october = _report(tracked, "市商务局", 10)
    query = {"department": october.organization_id, "period": october.period_id}
    url = reverse("supervision:notice_new", args=[tracked.pk])
    assert client_for(other).get(url, query).status_code == 404
    assert client_for(commerce_reporter).get(url, query).status_code == 403
