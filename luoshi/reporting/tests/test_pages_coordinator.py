"""The coordinator's pages (matrix, review queue with bulk accept, per-measure view), the
department's landing page, and the pinned query counts of the report form and the matrix."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from luoshi.lib import clock
from luoshi.plans.models import Assignment
from luoshi.plans.services import set_measure_departments
from luoshi.reporting import services
from luoshi.reporting.models import Report
from luoshi.testing import (
    department,
    file_report,
    fill,
    lead_entry,
    make_user,
    measure,
    pdf_upload,
    report_url,
)

pytestmark = pytest.mark.usefixtures("mid_november")


@pytest.fixture
def submitted(commerce_leads, commerce_report, commerce_reporter, commerce_head):
    return file_report(commerce_report, commerce_reporter, commerce_head)


@pytest.fixture
def transport_submitted(november, transport_reporter, transport_head):
    report = november.reports.get(organization=transport_reporter.organization)
    return file_report(report, transport_reporter, transport_head)


def matrix_url(plan) -> str:
    return reverse("reporting:matrix", args=[plan.pk])


def queue_url(plan) -> str:
    return reverse("reporting:queue", args=[plan.pk])


# --- The matrix -------------------------------------------------------------------------------


def test_the_matrix_shows_every_department_and_period_with_its_state(
    client_for, coordinator, tracked, submitted
):
    page = client_for(coordinator).get(matrix_url(tracked)).content.decode()
    october, nov, december = tracked.periods.order_by("start")
    assert "2026年10月" in page and "2026年11月" in page and "2026年12月" in page
    # Every expected report is a linked cell; the legend names all eight states.
    assert (
        page.count('href="/reporting/reports/')
        == Report.objects.filter(period__plan=tracked).count()
    )
    for state in [
        "not_started",
        "draft",
        "awaiting_signoff",
        "submitted_on_time",
        "submitted_late",
        "returned",
        "accepted",
        "missing",
    ]:
        assert f'class="state state-{state}"' in page
    commerce = f'href="{report_url(submitted)}"'
    assert f'class="state state-submitted_on_time" {commerce}' in page
    # October is past due and nobody reported: every October cell is missing.
    missing = october.reports.count()
    assert page.count('class="state state-missing" href') == missing
    assert "待审核" in page


def test_a_late_submission_shows_as_late_in_the_matrix(
    client_for, coordinator, tracked, commerce_reporter, commerce_head
):
    october = tracked.periods.order_by("start").first()
    report = october.reports.get(organization=commerce_reporter.organization)
    file_report(report, commerce_reporter, commerce_head)
    page = client_for(coordinator).get(matrix_url(tracked)).content.decode()
    assert f'class="state state-submitted_late" href="{report_url(report)}"' in page


def test_a_leader_reads_the_matrix_without_the_review_queue(client_for, leader, tracked):
    response = client_for(leader).get(matrix_url(tracked))
    assert response.status_code == 200
    assert queue_url(tracked) not in response.content.decode()


@pytest.mark.parametrize("persona", ["commerce_reporter", "commerce_head"])
def test_departments_cannot_open_the_matrix(client_for, request, persona, tracked):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(matrix_url(tracked)).status_code == 403


def test_the_matrix_refuses_post(client_for, coordinator, tracked):
    assert client_for(coordinator).post(matrix_url(tracked)).status_code == 405


# --- The review queue -------------------------------------------------------------------------


def test_the_queue_lists_submitted_reports_and_bulk_accepts_the_ticked_ones(
    client_for, coordinator, tracked, submitted, transport_submitted
):
    client = client_for(coordinator)
    page = client.get(queue_url(tracked)).content.decode()
    assert page.count('type="checkbox" name="reports"') == 2
    assert "市商务局" in page and "市交通运输局" in page
    response = client.post(queue_url(tracked), {"reports": [submitted.pk]})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已验收 1 份报告。"]
    submitted.refresh_from_db()
    transport_submitted.refresh_from_db()
    assert submitted.status == Report.Status.ACCEPTED
    assert transport_submitted.status == Report.Status.SUBMITTED
    page = client.get(queue_url(tracked)).content.decode()
    assert page.count('type="checkbox" name="reports"') == 1


def test_a_double_clicked_bulk_accept_accepts_once(
    client_for, coordinator, tracked, submitted, transport_submitted
):
    client = client_for(coordinator)
    ids = {"reports": [submitted.pk, transport_submitted.pk]}
    client.post(queue_url(tracked), ids, headers={"HX-Request": "true"})
    response = client.post(queue_url(tracked), ids, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == queue_url(tracked)
    from luoshi.audit.models import AuditRecord

    assert AuditRecord.objects.filter(action="accept").count() == 2


def test_a_bulk_accept_with_nothing_ticked_says_so(client_for, coordinator, tracked, submitted):
    response = client_for(coordinator).post(queue_url(tracked), {})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["请先勾选要验收的报告。"]
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.SUBMITTED


@pytest.mark.parametrize("persona", ["commerce_reporter", "commerce_head", "leader"])
def test_only_the_coordinator_opens_the_queue(client_for, request, persona, tracked, submitted):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(queue_url(tracked)).status_code == 403
    assert client.post(queue_url(tracked), {"reports": [submitted.pk]}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.SUBMITTED


# --- The measure view and the landing pages ---------------------------------------------------


def test_the_measure_view_shows_every_departments_entries(
    client_for, coordinator, leader, submitted, transport_submitted
):
    url = reverse("reporting:measure", args=[measure("十.3").pk])
    page = client_for(coordinator).get(url).content.decode()
    assert "市商务局" in page and "市交通运输局" in page
    assert page.count("本月推进顺利。") == 2
    assert client_for(leader).get(url).status_code == 200


def test_departments_cannot_open_the_measure_view(client_for, transport_reporter, submitted):
    url = reverse("reporting:measure", args=[measure("十.3").pk])
    assert client_for(transport_reporter).get(url).status_code == 403


def test_a_department_lands_on_its_reports_by_period(client_for, commerce_reporter, submitted):
    page = client_for(commerce_reporter).get(reverse("reporting:home")).content.decode()
    assert "2026年11月" in page and "2026年10月" in page
    assert "2026年12月" not in page  # not begun yet
    assert "2026-11-28" in page
    assert report_url(submitted) in page
    assert "市交通运输局" not in page


def issue_notice(coordinator, plan, organization, subject="请加快推进"):
    from luoshi.supervision.services import issue_notice as issue

    return issue(
        coordinator,
        plan,
        organization,
        colour="yellow",
        subject=subject,
        body="请于期限内反馈。",
        reply_by=datetime.date(2026, 11, 27),
    )


def test_a_department_lands_on_its_next_due_day_counted_in_working_days(
    client_for, commerce_reporter, commerce_report
):
    page = client_for(commerce_reporter).get(reverse("reporting:home")).content.decode()
    assert "本部门工作台" in page and "下一个截止日" in page
    # Friday 20 November → Saturday 28 November: Monday to Friday of the next week.
    assert 'data-testid="countdown">还有 5 个工作日</div>' in page
    assert f'{report_url(commerce_report)}">填报</a></li>' in page


def test_a_department_with_nothing_due_is_told_so(
    client_for, coordinator, commerce_reporter, commerce_head, commerce_leads, commerce_report
):
    services.accept(coordinator, file_report(commerce_report, commerce_reporter, commerce_head))
    page = client_for(commerce_reporter).get(reverse("reporting:home")).content.decode()
    assert "当前没有待报送的报告" in page and 'data-testid="countdown"' not in page


def test_the_department_home_shows_the_returned_comments(
    client_for, coordinator, commerce_reporter, commerce_head, commerce_leads, commerce_report
):
    report = file_report(commerce_report, commerce_reporter, commerce_head)
    services.return_report(coordinator, report, "请补充具体数据和佐证材料。")
    page = client_for(commerce_reporter).get(reverse("reporting:home")).content.decode()
    assert "退回修改" in page and "请补充具体数据和佐证材料。" in page
    assert report_url(report) in page
    page = client_for(None).get(reverse("reporting:home"))
    assert page.status_code == 302


def test_the_department_home_lists_its_notices_to_acknowledge(
    client_for, coordinator, commerce_reporter, transport_reporter, commerce_leads
):
    notice = issue_notice(coordinator, commerce_leads, department("市商务局"))
    page = client_for(commerce_reporter).get(reverse("reporting:home")).content.decode()
    assert reverse("supervision:notice", args=[notice.pk]) in page and "请加快推进" in page
    assert "2026-11-27" in page
    page = client_for(transport_reporter).get(reverse("reporting:home")).content.decode()
    assert "请加快推进" not in page and "没有待签收的督办单" in page


def test_the_department_home_lists_its_open_measures(client_for, commerce_reporter, commerce_leads):
    page = client_for(commerce_reporter).get(reverse("reporting:home")).content.decode()
    count = Assignment.objects.filter(organization=commerce_reporter.organization).count()
    title = "本部门牵头或配合的未办结措施数（全部方案）"
    assert f'我的措施 <span class="badge text-bg-light" title="{title}">{count}</span>' in page
    assert '<span class="role-lead">牵头</span>' in page
    assert reverse("plans:department", args=[commerce_reporter.organization_id]) in page


def test_the_head_lands_on_the_reports_to_sign_off(
    client_for, commerce_head, commerce_reporter, commerce_leads, commerce_report
):
    report = services.start_draft(commerce_reporter, commerce_report)
    fill(report, commerce_reporter)
    services.submit_for_signoff(commerce_reporter, report)
    page = client_for(commerce_head).get(reverse("reporting:home")).content.decode()
    assert f'btn-success" href="{report_url(report)}">审核签发</a>' in page
    page = client_for(commerce_reporter).get(reverse("reporting:home")).content.decode()
    assert "审核签发</a>" not in page


def test_the_coordinator_lands_on_the_plans_with_what_awaits_review(
    client_for, coordinator, tracked, submitted
):
    page = client_for(coordinator).get(reverse("reporting:home")).content.decode()
    assert matrix_url(tracked) in page and queue_url(tracked) in page
    assert '<span class="badge text-bg-warning">1</span>' in page
    missing = Report.objects.filter(period__plan=tracked).missing().count()
    assert missing > 0
    assert f'<span class="state state-missing">{missing}</span>' in page


def test_administrators_have_no_reporting_pages(client_for, audit_admin, tracked):
    assert client_for(audit_admin).get(reverse("reporting:home")).status_code == 403


# --- Pinned query counts ----------------------------------------------------------------------
#
# Logged-in pages start with three queries: the session, the user and the user's organization.


# Session, user with its organization, report, entries, targets with their actual values, evidence
# (asked only if an entry has some), co entries (only for a department leading a measure), the
# previous report and its texts shown beside the entries (issue 19; only with entries), the data
# version the rendered entries are cached under (issue 21).
REPORT_FORM_QUERIES = 10


def test_the_report_form_has_a_pinned_query_count_whatever_the_periods_and_departments(
    client_for,
    commerce_reporter,
    transport_reporter,
    coordinator,
    commerce_leads,
    commerce_report,
    november,
    django_assert_num_queries,
    settings,
):
    commerce = services.start_draft(commerce_reporter, commerce_report)
    client = client_for(commerce_reporter)
    with django_assert_num_queries(REPORT_FORM_QUERIES - 1):  # no evidence yet
        client.get(report_url(commerce))
    # More of everything: text, evidence and actuals, co departments' entries, more periods.
    fill(commerce, commerce_reporter)
    entry = lead_entry(commerce)
    services.add_attachment(commerce_reporter, entry, pdf_upload("a.pdf"))
    services.add_attachment(commerce_reporter, entry, pdf_upload("b.pdf"))
    target = entry.measure.targets.get()
    services.save_entry(commerce_reporter, entry, {"actuals": {target.pk: 1500}}, entry.version)
    for name in ["市邮政管理局", "市供销合作社", "市交通运输局"]:
        reporter = make_user(f"co_{name}", "reporter", department(name))
        co = services.start_draft(reporter, november.reports.get(organization=department(name)))
        fill(co, reporter, text="配合部门文字")
    settings.REPORTING_PERIODS_AHEAD = 6
    services.ensure_periods(commerce_leads, clock.today())
    client = client_for(commerce_reporter)
    with django_assert_num_queries(REPORT_FORM_QUERIES):
        page = client.get(report_url(commerce)).content.decode()
    assert page.count("配合部门文字") == 3 and "b.pdf" in page and 'value="1500"' in page
    # A department that leads nothing, without evidence, skips those two queries.
    transport = november.reports.get(organization=transport_reporter.organization)
    client = client_for(transport_reporter)
    with django_assert_num_queries(REPORT_FORM_QUERIES - 2):
        client.get(report_url(transport))


# Session, user with its organization, report, data version: the entries come from the cache.
REPORT_FORM_CACHED_QUERIES = 4


def test_the_report_form_is_served_from_the_cache_until_something_changes(
    commerce_reporter, commerce_leads, commerce_report, november, django_assert_num_queries
):
    commerce = fill(commerce_report, commerce_reporter, text="第一稿：完成摸底。")
    entry = lead_entry(commerce)
    # Two browsers of the same department, each with its own session and CSRF token.
    browsers = [Client(enforce_csrf_checks=True) for _ in range(2)]
    for browser in browsers:
        browser.force_login(commerce_reporter)
    first = browsers[0].get(report_url(commerce)).content.decode()
    with django_assert_num_queries(REPORT_FORM_CACHED_QUERIES):
        cached = browsers[1].get(report_url(commerce)).content.decode()
    assert cached.count("第一稿：完成摸底。") == first.count("第一稿：完成摸底。") > 0

    def token(page: str) -> str:
        return page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

    # The cached forms carry each browser's own token: a save through either is accepted.
    for browser, page, text in zip(
        browsers, [first, cached], ["第二稿：启动招标。", "第三稿：完成招标。"], strict=True
    ):
        entry.refresh_from_db()
        response = browser.post(
            reverse("reporting:entry", args=[entry.pk]),
            {
                "csrfmiddlewaretoken": token(page),
                "version": entry.version,
                f"e{entry.pk}-progress": text,
                f"e{entry.pk}-status": "in_progress",
            },
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        # A change shows at once, in this browser and the other.
        for other in browsers:
            assert text in other.get(report_url(commerce)).content.decode()
    # So does a co department's text beside the lead entry.
    transport = department("市交通运输局")
    co_reporter = make_user("co_transport_cache", "reporter", transport)
    fill(november.reports.get(organization=transport), co_reporter, text="配合：已提供线路数据。")
    assert "配合：已提供线路数据。" in browsers[0].get(report_url(commerce)).content.decode()


def test_the_matrix_has_a_pinned_query_count_whatever_the_periods_and_departments(
    client_for, coordinator, tracked, django_assert_num_queries, settings
):
    client = client_for(coordinator)
    # Session, user, plan, periods, reports, closure requests, the districts' measures (none).
    with django_assert_num_queries(7):
        client.get(matrix_url(tracked))
    before = Report.objects.filter(period__plan=tracked).count()
    # Four more departments on a measure, and half a year more of periods.
    set_measure_departments(
        coordinator,
        measure("十七.4"),
        [
            (department(name), "co")
            for name in ["市妇联", "市教育局", "市卫生健康委", "市文化和旅游局"]
        ],
        needs_review=False,
    )
    settings.REPORTING_PERIODS_AHEAD = 6
    services.ensure_periods(tracked, clock.today() + datetime.timedelta(days=1))
    assert Report.objects.filter(period__plan=tracked).count() > before + 20
    with django_assert_num_queries(7):
        client.get(matrix_url(tracked))


def test_the_queue_has_a_pinned_query_count(
    client_for, coordinator, tracked, submitted, transport_submitted, django_assert_num_queries
):
    client = client_for(coordinator)
    # Session, user with its organization, plan, the queue's count and page, the flagged and
    # "no new progress" entries of the page's reports (issue 19).
    with django_assert_num_queries(6):
        client.get(queue_url(tracked))


# Session, user, the reports to act on, the reports' count and page, holiday notices (the
# countdown), measures (with their closure requests), late entries, notices (the user's
# organization comes with the user).
DEPARTMENT_HOME_QUERIES = 9


def test_the_department_landing_has_a_pinned_query_count(
    client_for,
    coordinator,
    commerce_reporter,
    commerce_head,
    commerce_leads,
    commerce_report,
    django_assert_num_queries,
    settings,
):
    make_user("another_reporter", "reporter", department("市商务局"))
    client = client_for(commerce_reporter)
    with django_assert_num_queries(DEPARTMENT_HOME_QUERIES):
        client.get(reverse("reporting:home"))
    # A returned report, two notices, more measures and half a year more of periods.
    services.return_report(
        coordinator, file_report(commerce_report, commerce_reporter, commerce_head), "请补充。"
    )
    for subject in ["督办一", "督办二"]:
        issue_notice(coordinator, commerce_leads, department("市商务局"), subject=subject)
    set_measure_departments(
        coordinator, measure("十七.4"), [(department("市商务局"), "co")], needs_review=False
    )
    settings.REPORTING_PERIODS_AHEAD = 6
    services.ensure_periods(commerce_leads, clock.today())
    with django_assert_num_queries(DEPARTMENT_HOME_QUERIES):
        page = client.get(reverse("reporting:home")).content.decode()
    assert "督办二" in page and "请补充。" in page


# --- Closing a period and late entry ------------------------------------------------------------


def test_the_coordinator_closes_a_past_period_and_lets_one_department_enter_late(
    client_for, coordinator, commerce_reporter, commerce_leads, tracked
):
    october = tracked.periods.order_by("start").first()
    client = client_for(coordinator)
    close = reverse("reporting:period_close", args=[october.pk])
    assert close in client.get(matrix_url(tracked)).content.decode()
    response = client.post(close)
    assert response.status_code == 302
    october.refresh_from_db()
    assert october.is_closed
    assert close not in client.get(matrix_url(tracked)).content.decode()

    report = october.reports.get(organization=commerce_reporter.organization)
    page = client.get(report_url(report)).content.decode()
    assert "允许补报" in page
    deadline = clock.today() + datetime.timedelta(days=3)
    client.post(
        reverse("reporting:late_entry", args=[report.pk]),
        {"comment": "系统故障", "deadline": f"{deadline:%Y-%m-%d}"},
    )
    page = client.get(report_url(report)).content.decode()
    assert reverse("reporting:late_entry", args=[report.pk]) not in page  # no second grant
    assert f"允许补报至{deadline:%Y-%m-%d}" in page
    client = client_for(commerce_reporter)
    assert "开始填报" in client.get(report_url(report)).content.decode()


@pytest.mark.parametrize("persona", ["commerce_reporter", "commerce_head", "leader"])
def test_only_the_coordinator_closes_periods_and_grants_late_entry(
    client_for, request, persona, commerce_report, tracked
):
    october = tracked.periods.order_by("start").first()
    client = client_for(request.getfixturevalue(persona))
    assert client.post(reverse("reporting:period_close", args=[october.pk])).status_code == 403
    url = reverse("reporting:late_entry", args=[commerce_report.pk])
    assert client.post(url).status_code == 403
    october.refresh_from_db()
    assert not october.is_closed


def test_another_departments_reporter_cannot_reach_a_report_to_grant_itself_late_entry(
    client_for, transport_reporter, commerce_report
):
    url = reverse("reporting:late_entry", args=[commerce_report.pk])
    assert client_for(transport_reporter).post(url).status_code == 404


def test_the_measure_view_has_a_pinned_query_count(
    client_for, coordinator, submitted, november, django_assert_num_queries
):
    url = reverse("reporting:measure", args=[measure("十.3").pk])
    client = client_for(coordinator)
    # Session, user, measure, the periods' count and page, entries, actuals, attachments,
    # targets, organization, assignments, the districts' measures carrying it out (none).
    with django_assert_num_queries(12):
        client.get(url)
    for name in ["市邮政管理局", "市交通运输局", "市供销合作社"]:
        reporter = make_user(f"co_{name}", "reporter", department(name))
        head = make_user(f"co_head_{name}", "approver", department(name))
        file_report(november.reports.get(organization=department(name)), reporter, head)
    client = client_for(coordinator)
    with django_assert_num_queries(12):
        assert client.get(url).content.decode().count("本月推进顺利。") == 4
