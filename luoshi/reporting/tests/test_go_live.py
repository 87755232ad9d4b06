"""A plan goes live with its schedule: upload a .docx → confirm with a tracking start → its
periods and expected reports exist at once, and the daily loop keeps them coming."""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.plans.models import ImportDraft, Plan
from luoshi.reporting.models import PlanSchedule, Report
from luoshi.testing import at, department, night_plan_docx

pytestmark = pytest.mark.django_db

# Thursday 10 December 2026: the import happens in December.
IMPORT_DAY = at(2026, 12, 10, 10)


@pytest.fixture(autouse=True)
def december(settings):
    settings.REPORTING_TRACKING_START = ""
    settings.REPORTING_PERIODS_AHEAD = 1
    with time_machine.travel(IMPORT_DAY, tick=False):
        yield


def upload(client, data=None) -> ImportDraft:
    data = night_plan_docx() if data is None else data
    response = client.post(
        reverse("plans:import_upload"), {"file": SimpleUploadedFile("夜间经济.docx", data)}
    )
    assert response.status_code == 302, response.content.decode()
    return ImportDraft.objects.get()


def go_live(client, draft, **fields):
    draft.refresh_from_db()
    return client.post(
        reverse("reporting:go_live", args=[draft.pk]), {"version": draft.version, **fields}
    )


def periods(plan) -> list[tuple[str, datetime.date]]:
    return [(p.label, p.due_date) for p in plan.periods.order_by("start")]


def expected(period) -> list[str]:
    return sorted(r.organization.name for r in period.reports.select_related("organization"))


def test_the_preview_proposes_the_month_of_the_import(client_for, office):
    client = client_for(office)
    draft = upload(client)
    html = client.get(reverse("plans:import_preview", args=[draft.pk])).content.decode()
    # Issued in May 2022, imported in December 2026: tracked from now, not from 2022.
    assert 'type="month" name="tracking_start"' in html
    assert 'value="2026-12"' in html
    assert reverse("reporting:go_live", args=[draft.pk]) in html


def test_confirming_creates_the_schedule_periods_and_expected_reports(client_for, office):
    client = client_for(office)
    draft = upload(client)
    response = go_live(client, draft, tracking_start="2026-12")
    plan = Plan.objects.get()
    assert response["Location"] == reverse("plans:detail", args=[plan.pk])
    schedule = plan.schedule
    assert (schedule.tracking_start, schedule.tracking_end) == (datetime.date(2026, 12, 1), None)
    assert schedule.holiday_rule == PlanSchedule.HolidayRule.KEEP
    # 每月25日前: December due Friday 25 December, and one month ahead, January.
    assert periods(plan) == [
        ("2026年12月", datetime.date(2026, 12, 25)),
        ("2027年1月", datetime.date(2027, 1, 25)),
    ]
    for period in plan.periods.all():
        assert expected(period) == ["市交通运输局", "市商务局"]
    commerce = plan.periods.first().reports.get(organization=department("市商务局"))
    assert commerce.status == Report.Status.NOT_STARTED
    # Every step of the go-live is in the audit log, each once.
    actions = list(
        AuditRecord.objects.filter(
            object_type__in=["plans.plan", "plans.importdraft", "reporting.planschedule"]
        )
        .exclude(action="upload")
        .order_by("pk")
        .values_list("action", "object_type", "username")
    )
    assert actions == [
        ("import", "plans.plan", "coordinator"),
        ("confirm", "plans.importdraft", "coordinator"),
        ("create", "reporting.planschedule", "coordinator"),
        ("generate periods", "plans.plan", "coordinator"),
    ]
    # The matrix shows the periods at once: no command typed.
    matrix = client.get(reverse("reporting:matrix", args=[plan.pk])).content.decode()
    assert "2026年12月" in matrix and "市商务局" in matrix
    assert "本方案尚未生成报送期" not in matrix


def test_a_tracking_end_bounds_the_periods(client_for, office):
    client = client_for(office)
    go_live(client, upload(client), tracking_start="2026-11", tracking_end="2027-02")
    plan = Plan.objects.get()
    assert plan.schedule.tracking_end == datetime.date(2027, 2, 28)  # to the end of February
    assert [label for label, _due in periods(plan)] == [
        "2026年11月",
        "2026年12月",
        "2027年1月",
        "2027年2月",
    ]


def test_a_second_click_goes_to_the_plan_and_changes_nothing(client_for, office):
    client = client_for(office)
    draft = upload(client)
    first = go_live(client, draft, tracking_start="2026-12")
    records = AuditRecord.objects.count()
    again = client.post(
        reverse("reporting:go_live", args=[draft.pk]), {"version": 1, "tracking_start": "2027-03"}
    )
    assert again["Location"] == first["Location"]
    assert Plan.objects.get().schedule.tracking_start == datetime.date(2026, 12, 1)
    assert AuditRecord.objects.count() == records


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"tracking_start": "去年"}, "报送起始月份：请选择月份（YYYY-MM）。"),
        ({"tracking_start": "2026-13"}, "报送起始月份：请选择月份（YYYY-MM）。"),
        ({}, "报送起始月份：这个字段是必填项。"),
        ({"tracking_start": "2026-12", "tracking_end": "2026-10"}, "跟踪结束日期不能早于开始日期"),
    ],
)
def test_a_bad_tracking_month_gets_a_message_and_nothing_goes_live(
    client_for, office, fields, message
):
    client = client_for(office)
    draft = upload(client)
    response = go_live(client, draft, **fields)
    assert response["Location"] == reverse("plans:import_preview", args=[draft.pk])
    assert message in client.get(response["Location"]).content.decode()
    assert not Plan.objects.exists() and not PlanSchedule.objects.exists()
    draft.refresh_from_db()
    assert draft.status == ImportDraft.Status.DRAFT


def test_a_document_without_a_rule_asks_for_one_before_it_goes_live(client_for, office):
    client = client_for(office)
    draft = upload(client, night_plan_docx(rule=""))
    preview = client.get(reverse("plans:import_preview", args=[draft.pk])).content.decode()
    asked = "文件未写明报送要求：请先在“方案”一栏填写报送频次和报送日并保存，再确认导入。"
    assert asked in preview
    response = go_live(client, draft, tracking_start="2026-12")
    assert asked in client.get(response["Location"]).content.decode()
    assert not Plan.objects.exists()

    # The coordinator fills the rule in the preview: 每月20日前.
    draft.refresh_from_db()
    header = {
        "op": "set_header",
        "version": draft.version,
        "title": draft.data["title"],
        "doc_number": draft.data["doc_number"],
        "issuers": "\n".join(draft.data["issuers"]),
        "report_to": "市发展改革委",
        "frequency": "monthly",
        "due_day": "20",
        "due_offset_months": "0",
        "rule_text": "每月20日前报送",
    }
    client.post(reverse("plans:import_edit", args=[draft.pk]), header)
    go_live(client, draft, tracking_start="2026-12")
    plan = Plan.objects.get()
    assert periods(plan)[0] == ("2026年12月", datetime.date(2026, 12, 20))


def test_the_daily_loop_keeps_the_periods_coming(client_for, office):
    client = client_for(office)
    go_live(client, upload(client), tracking_start="2026-12")
    plan = Plan.objects.get()
    with time_machine.travel(at(2027, 2, 3, 7), tick=False):
        call_command("supervise", stdout=io.StringIO())
    assert [label for label, _due in periods(plan)][-2:] == ["2027年2月", "2027年3月"]
    with time_machine.travel(at(2027, 4, 2, 7), tick=False):
        call_command("ensure_periods", stdout=io.StringIO())
    assert periods(plan)[-1] == ("2027年5月", datetime.date(2027, 5, 25))
    assert expected(plan.periods.last()) == ["市交通运输局", "市商务局"]
