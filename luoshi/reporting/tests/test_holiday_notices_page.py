"""The holiday notices page: a year's calendar with the plans' due days, entering the State
Council's notice (a range, a day, the CSV file), removing a wrong day, and the banner that asks
for next year's notice from 1 November."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.reporting import calendar
from luoshi.reporting.models import HolidayNotice
from luoshi.reporting.services import set_schedule
from luoshi.testing import at, make_user

D = datetime.date
PAGE = "/reporting/holidays/"
BANNER = "2027年节假日安排尚未录入"


@pytest.fixture
def on_2_november():
    # 2 November 2026: October (due 28 October) is past, November and December are open.
    with time_machine.travel(at(2026, 11, 2, 10), tick=False):
        yield


def test_the_url_is_the_page():
    assert reverse("reporting:holidays") == PAGE


def test_the_year_shows_days_off_make_up_days_and_the_due_days(
    client_for, coordinator, tracked, on_2_november, django_assert_num_queries
):
    client = client_for(coordinator)
    with django_assert_num_queries(5):
        response = client.get(PAGE, {"year": "2026"})
    page = response.content.decode()
    # 国庆 2026: 1 October (a Thursday) is off, Saturday 10 October is a make-up workday.
    assert '<td class="day-off" title="2026-10-01 国庆节">1</td>' in page
    assert '<td class="day-makeup" title="2026-10-10 国庆节">10</td>' in page
    # The seed plan is due on the 28th (kept on a holiday): October, November, December.
    assert page.count(f"<td>{tracked.title}</td>") == 3
    assert "2026-10-28（星期三）" in page
    # Saturday 28 November: a due day on a day off is pointed out.
    assert '<tr class="table-danger"><td>' in page
    assert page.count("落在休息日：请检查方案的节假日顺延规则") == 1
    assert "2026-11-28（星期六）" in page


def test_a_year_without_calendar_says_so_and_counts_monday_to_friday(
    client_for, system_admin, on_2_november
):
    page = client_for(system_admin).get(PAGE, {"year": "2027"}).content.decode()
    assert "2027年尚无节假日安排" in page
    # Friday 12 February 2027 (春节 in the real notice) is an ordinary workday until entered.
    assert '<td class="day-work" title="2027-02-12">12</td>' in page
    assert "您统筹的方案在本年度没有截止日" in page  # the administrator coordinates no plan


def test_the_coordinator_enters_the_spring_festival_as_a_range_and_a_make_up_day(
    client_for, coordinator, tracked, on_2_november
):
    client = client_for(coordinator)
    response = client.post(
        PAGE, {"first": "2027-02-15", "last": "2027-02-21", "kind": "holiday", "name": "春节"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?year=2027"
    client.post(PAGE, {"first": "2027-02-07", "kind": "workday", "name": "春节"})
    assert HolidayNotice.objects.filter(is_workday=False).count() == 7
    assert not calendar.is_workday(D(2027, 2, 15))  # a Monday off
    assert calendar.is_workday(D(2027, 2, 7))  # a Sunday at work
    assert AuditRecord.objects.filter(object_type="reporting.holidaynotice").count() == 8
    page = client.get(f"{PAGE}?year=2027").content.decode()
    assert "已保存 7 天" in page
    assert '<td class="day-off" title="2027-02-15 春节">15</td>' in page
    assert '<td class="day-makeup" title="2027-02-07 春节">7</td>' in page
    assert "2027年按此处录入的通知计算" in page
    # The same range again changes nothing and records nothing.
    client.post(
        PAGE, {"first": "2027-02-15", "last": "2027-02-21", "kind": "holiday", "name": "春节"}
    )
    assert AuditRecord.objects.filter(object_type="reporting.holidaynotice").count() == 8


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"first": "2027-02-21", "last": "2027-02-15", "kind": "holiday"}, "结束日期早于开始日期"),
        ({"first": "2027-01-01", "last": "2027-12-31", "kind": "holiday"}, "最多 31 天"),
        ({"first": "2027-02-30", "kind": "holiday"}, "有效的日期"),
        ({"first": "2027-02-15", "kind": "sometimes"}, "选择一个有效的选项"),
    ],
)
def test_a_wrong_range_is_refused_in_chinese_and_saves_nothing(
    client_for, coordinator, on_2_november, data, message
):
    response = client_for(coordinator).post(PAGE, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not HolidayNotice.objects.exists()


def test_open_periods_not_yet_due_follow_a_new_holiday(
    client_for, coordinator, tracked, on_2_november
):
    # The plan moves a due day on a holiday to the next workday.
    set_schedule(
        coordinator,
        tracked,
        tracking_start=D(2026, 10, 1),
        tracking_end=None,
        holiday_rule="next_workday",
    )
    client = client_for(coordinator)
    client.post(PAGE, {"first": "2026-12-28", "kind": "holiday", "name": "测试"})
    client.post(PAGE, {"first": "2026-10-28", "kind": "holiday", "name": "测试"})
    due = dict(tracked.periods.values_list("start", "due_date"))
    assert due[D(2026, 12, 1)] == D(2026, 12, 29)  # Monday 28 off: Tuesday 29
    assert due[D(2026, 10, 1)] == D(2026, 10, 28)  # already due: kept
    notice = HolidayNotice.objects.get(date=D(2026, 12, 28))
    client.post(reverse("reporting:holiday_delete", args=[notice.pk]))
    assert tracked.periods.get(start=D(2026, 12, 1)).due_date == D(2026, 12, 28)


def test_a_wrong_day_is_removed_once_and_audited(client_for, coordinator, on_2_november):
    client = client_for(coordinator)
    client.post(PAGE, {"first": "2027-02-09", "kind": "workday", "name": "错"})
    notice = HolidayNotice.objects.get()
    url = reverse("reporting:holiday_delete", args=[notice.pk])
    response = client.post(url, follow=True)
    assert "已从节假日安排中删除 2027-02-09" in response.content.decode()
    assert not HolidayNotice.objects.exists()
    records = AuditRecord.objects.filter(object_type="reporting.holidaynotice")
    assert list(records.order_by("pk").values_list("action", flat=True)) == ["create", "delete"]
    # A second tab removes it again: told, not an error.
    again = client.post(url, follow=True)
    assert again.status_code == 200
    assert "该日期已被删除" in again.content.decode()
    assert client.get(url).status_code == 405


CSV = (
    "# 国务院办公厅关于2027年部分节假日安排的通知\n"
    "2027-02-06,holiday,春节\n"
    "2027-02-08,holiday,春节\n"
    "\n"
    "2027-02-20,workday,春节调休\n"
)


def upload(client, text: str, encoding="utf-8"):
    file = SimpleUploadedFile("2027.csv", text.encode(encoding), content_type="text/csv")
    return client.post(reverse("reporting:holiday_upload"), {"file": file}, follow=True)


def test_the_csv_file_of_the_command_is_uploaded(client_for, system_admin, on_2_november):
    page = upload(client_for(system_admin), CSV, encoding="gb18030").content.decode()
    assert "从文件读取 3 天，其中新增或修改 3 天" in page
    assert calendar.is_workday(D(2027, 2, 20))
    assert not calendar.is_workday(D(2027, 2, 8))
    records = AuditRecord.objects.filter(object_type="reporting.holidaynotice")
    assert list(records.values_list("action", flat=True)) == ["create"] * 3


def test_a_wrong_csv_file_names_each_bad_line_and_saves_nothing(
    client_for, coordinator, on_2_november
):
    text = CSV + "2027-13-01,holiday,错\n2027-02-09,rest,春节\n2027-02-06,workday,春节\n"
    page = upload(client_for(coordinator), text).content.decode()
    assert "第 6 行：“2027-13-01”不是 2027-02-15 这样的日期" in page
    assert "第 7 行：第二列应为 holiday（放假）或 workday（调休上班）" in page
    assert "第 8 行：2027-02-06 已在第 2 行出现" in page
    assert "未保存任何内容" in page
    assert not HolidayNotice.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary", "不是 CSV 文本文件"),
        (b"# only a comment\n", "没有任何日期"),
        (b"2027-02-06,holiday,\n" * 6000, "文件过大"),
    ],
)
def test_a_file_that_is_no_notice_is_refused(
    client_for, coordinator, on_2_november, content, message
):
    file = SimpleUploadedFile("x.csv", content)
    response = client_for(coordinator).post(
        reverse("reporting:holiday_upload"), {"file": file}, follow=True
    )
    assert message in response.content.decode()
    assert not HolidayNotice.objects.exists()


def test_the_command_reads_the_file_with_the_same_parser(db, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "bad.csv"
    path.write_text("2027-02-06,holiday,春节\n2027-02-31,holiday,春节\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 行"):
        call_command("load_holiday_notices", str(path))
    assert not HolidayNotice.objects.exists()


@pytest.mark.parametrize("role", ["reporter", "approver", "leader", "audit_admin"])
def test_other_roles_are_refused(client_for, seed_plan, region, on_2_november, role):
    from luoshi.testing import department

    org = region if role in ("leader", "audit_admin") else department("市商务局")
    client = client_for(make_user(f"u_{role}", role, org))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"first": "2027-02-15", "kind": "holiday"}).status_code == 403
    assert client.get(reverse("reporting:holiday_banner")).status_code == 403
    assert not HolidayNotice.objects.exists()


def test_the_anonymous_visitor_is_sent_to_log_in(client):
    assert client.get(PAGE).status_code == 302


# --- The banner ------------------------------------------------------------------------------


def notice_queries(context) -> int:
    return sum("reporting_holidaynotice" in q["sql"] for q in context.captured_queries)


def load_page(client):
    """A page as the browser loads it: the page, and the banner's fragment if it asks for it."""
    with CaptureQueriesContext(connection) as context:
        page = client.get(reverse("plans:list")).content.decode()
        if 'hx-get="/reporting/holidays/banner/"' in page:
            page += client.get(reverse("reporting:holiday_banner")).content.decode()
    return page, notice_queries(context)


@time_machine.travel(at(2026, 10, 31, 18), tick=False)
def test_no_banner_on_31_october(client_for, coordinator):
    page, _queries = load_page(client_for(coordinator))
    assert BANNER not in page


@time_machine.travel(at(2026, 11, 1, 8), tick=False)
def test_the_banner_from_1_november_is_computed_once_a_day(
    client_for, coordinator, system_admin, commerce_reporter
):
    client = client_for(coordinator)
    page, queries = load_page(client)
    assert BANNER in page
    assert 'href="/reporting/holidays/?year=2027"' in page
    assert queries == 1
    again, queries = load_page(client)
    assert BANNER in again
    assert 'hx-get="/reporting/holidays/banner/"' not in again  # straight from the cache
    assert queries == 0
    assert BANNER in load_page(client_for(system_admin))[0]
    assert BANNER not in load_page(client_for(commerce_reporter))[0]


@time_machine.travel(at(2026, 11, 1, 8), tick=False)
def test_the_banner_goes_once_the_notice_is_entered(
    client_for, coordinator, django_capture_on_commit_callbacks
):
    client = client_for(coordinator)
    assert BANNER in load_page(client)[0]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PAGE, {"first": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert BANNER not in load_page(client)[0]


@time_machine.travel(at(2027, 1, 4, 9), tick=False)
def test_in_a_year_nobody_entered_the_banner_stays(client_for, coordinator):
    # chinesecalendar knows no 2027: in January the banner still asks for this year.
    assert BANNER in load_page(client_for(coordinator))[0]


def test_the_foot_of_every_page_links_those_who_keep_the_calendar(
    client_for, coordinator, system_admin, commerce_reporter
):
    link = f'href="{PAGE}">节假日安排</a>'
    assert link in client_for(coordinator).get(reverse("plans:list")).content.decode()
    assert link in client_for(system_admin).get(reverse("sysadmin:system")).content.decode()
    assert link not in client_for(commerce_reporter).get(reverse("plans:list")).content.decode()


def test_a_wrong_year_is_told_and_the_coming_year_shown(client_for, coordinator, on_2_november):
    response = client_for(coordinator).get(PAGE, {"year": "二〇二七"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "请填写年份，如 2026。" in page
    assert '<h1 class="h3 mb-1">2027年节假日安排</h1>' in page  # from November, next year
