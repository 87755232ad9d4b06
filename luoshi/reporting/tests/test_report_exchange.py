"""The report exchange file (docs/report-json.md): a city's submitted report exported as JSON and
imported by the province's luoshi as that unit's report on the province's copy of the plan.

The province's deployment is simulated in the same database: a plan with the seed's 文号 (its
brackets written [] instead of 〔〕) in a region 测试省, coordinated by 省发展改革委, whose
measures carry the seed's numbers and are assigned to 枣庄市商务局 — as the province's own
import of the same document would read them.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.orgs.models import Organization
from luoshi.orgs.services import get_or_create_region
from luoshi.plans.lineage import normalize_doc_number
from luoshi.plans.models import Assignment, KeyTask, Measure, Plan, Target
from luoshi.reporting import services
from luoshi.reporting.models import ImportedReport, Report
from luoshi.testing import at, department, make_user, month, track

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(reported, settings, seed_plan):
    """The province's copy of the seed plan, tracked from October, and its coordinator."""
    region = get_or_create_region("测试省")
    office = Organization.objects.create(
        parent=region, kind=Organization.Kind.DEPARTMENT, name="省发展改革委"
    )
    unit = Organization.objects.create(
        parent=region,
        kind=Organization.Kind.DEPARTMENT,
        name="枣庄市商务局",
        full_name="枣庄市商务局",
    )
    plan = Plan.objects.create(
        title=seed_plan.title,
        doc_number=seed_plan.doc_number.replace("〔", "[").replace("〕", "]"),
        region=region,
        coordinator=office,
        report_frequency="monthly",
        report_due_day=28,
    )
    commerce = department("市商务局")
    for task in seed_plan.key_tasks.all():
        copy = KeyTask.objects.create(plan=plan, no=task.no, label=task.label, title=task.title)
        for measure in task.measures.filter(assignments__organization=commerce):
            twin = Measure.objects.create(
                key_task=copy,
                no=measure.no,
                label=measure.label,
                path=measure.path,
                text=measure.text,
            )
            Assignment.objects.create(measure=twin, organization=unit, role="lead")
            for target in measure.targets.all():
                Target.objects.create(
                    measure=twin,
                    text=target.text,
                    value=target.value,
                    unit=target.unit,
                    comparator=target.comparator,
                    owner=unit,
                    confirmed=True,
                )
    track(plan, settings, datetime.date(2026, 10, 1), on=at(2026, 11, 1, 9))
    plan.unit = unit
    plan.coordinator_user = make_user("province_coordinator", "coordinator", office)
    return plan


def exported(client, user, report) -> bytes:
    client.force_login(user)
    response = client.get(reverse("reporting:export_file", args=[report.pk]))
    assert response.status_code == 200
    return response.content


def upload(client, plan, content: bytes, name="枣庄市商务局-2026年11月-上报.json"):
    client.force_login(plan.coordinator_user)
    url = reverse("reporting:import_file", args=[plan.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def confirm(client, plan, preview_response):
    context = preview_response.context
    url = reverse("reporting:import_file", args=[plan.pk])
    return client.post(
        url, {"confirm": "1", "payload": context["payload"], "name": context["name"]}
    )


# --- Export ----------------------------------------------------------------------------------


def test_the_export_holds_the_plan_unit_period_entries_and_signatures(
    client, reported, commerce_reporter
):
    data = json.loads(exported(client, commerce_reporter, reported["on_time"]))

    assert data["format"] == "luoshi-report/1"
    assert data["plan"]["doc_number"] == reported["on_time"].period.plan.doc_number
    assert data["plan"]["region"] == "枣庄市"
    assert data["unit"] == {"name": "市商务局", "full_name": "枣庄市商务局", "region": "枣庄市"}
    assert data["period"] == {"month": "2026-11", "label": "2026年11月", "due_date": "2026-11-28"}
    lead = next(entry for entry in data["entries"] if entry["measure"] == "十、3.")
    assert lead["role"] == "lead"
    assert lead["status"] == "in_progress"
    assert lead["progress"] == "十一月按时报送。"
    assert lead["actuals"] == [
        {"target": lead["actuals"][0]["target"], "unit": "元", "value": "1500"}
    ]
    assert data["signatures"] == {
        "drafted_by": "commerce_reporter",
        "signed_off_by": "commerce_head",
        "signed_off_at": "2026-11-20T10:30:00+08:00",
        "submitted_at": "2026-11-20T10:30:00+08:00",
    }
    assert data["generated_by"] == "commerce_reporter"
    assert AuditRecord.objects.filter(action="export", object_type="reporting.report").count() == 1


def test_the_download_is_an_attachment_named_after_the_unit_and_period(
    client, reported, coordinator
):
    client.force_login(coordinator)
    response = client.get(reverse("reporting:export_file", args=[reported["on_time"].pk]))
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    assert "2026%E5%B9%B411%E6%9C%88" in response["Content-Disposition"]  # 2026年11月


def test_the_report_page_links_to_the_export_for_its_department(
    client, reported, commerce_reporter
):
    client.force_login(commerce_reporter)
    page = client.get(reverse("reporting:report", args=[reported["on_time"].pk])).content.decode()
    assert "导出上报文件（JSON）" in page
    assert reverse("reporting:export_file", args=[reported["on_time"].pk]) in page


def test_another_department_cannot_export_the_report(client, reported, transport_reporter):
    client.force_login(transport_reporter)
    response = client.get(reverse("reporting:export_file", args=[reported["on_time"].pk]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_log_in(client, reported):
    response = client.get(reverse("reporting:export_file", args=[reported["on_time"].pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_draft_cannot_be_exported(client, reported, transport_reporter, tracked):
    draft = month(tracked, 2026, 11).reports.get(organization=transport_reporter.organization)
    client.force_login(transport_reporter)
    response = client.get(reverse("reporting:export_file", args=[draft.pk]), follow=True)
    assert "报告尚未报送，不能导出上报文件" in response.content.decode()
    assert not AuditRecord.objects.filter(action="export").exists()


def test_the_export_refuses_post(client, reported, commerce_reporter):
    client.force_login(commerce_reporter)
    response = client.post(reverse("reporting:export_file", args=[reported["on_time"].pk]))
    assert response.status_code == 405


def test_the_export_query_count_is_pinned(
    client, reported, commerce_reporter, django_assert_num_queries
):
    client.force_login(commerce_reporter)
    url = reverse("reporting:export_file", args=[reported["on_time"].pk])
    client.get(url)  # the session is loaded once
    with django_assert_num_queries(13):
        assert client.get(url).status_code == 200


# --- The round trip --------------------------------------------------------------------------


def test_the_file_round_trips_into_the_provinces_plan(
    client, reported, commerce_reporter, province
):
    content = exported(client, commerce_reporter, reported["on_time"])
    preview = upload(client, province, content)
    assert "导入为已报送的报告" in preview.content.decode()
    assert not ImportedReport.objects.exists()  # the preview writes nothing

    response = confirm(client, province, preview)

    report = Report.objects.get(period=month(province, 2026, 11), organization=province.unit)
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:report", args=[report.pk])
    assert report.status == "submitted"
    assert report.submitted_at == at(2026, 11, 20, 10, 30)
    assert report.late is False
    lead = report.entries.get(measure__key_task__label="十、", measure__no=3)
    assert lead.progress == "十一月按时报送。"
    assert lead.status == "in_progress"
    assert lead.role == "lead"
    assert [a.value for a in lead.actuals.all()] == [Decimal("1500")]
    assert lead.actuals.get().target.measure_id == lead.measure_id
    assert set(report.entries.values_list("progress", flat=True)) == {"十一月按时报送。"}
    record = report.imported_from
    assert (record.drafted_by_name, record.signed_off_by_name) == (
        "commerce_reporter",
        "commerce_head",
    )
    assert record.signed_off_at == at(2026, 11, 20, 10, 30)
    assert record.imported_by == province.coordinator_user
    audit = AuditRecord.objects.get(action="import report file")
    assert audit.object_id == str(report.pk)
    page = client.get(reverse("reporting:import_file", args=[province.pk])).content.decode()
    assert "已导入的上报文件" in page
    assert "枣庄市商务局-2026年11月-上报.json" in page


def test_a_report_imported_from_a_file_exports_its_original_signatures(
    client, reported, commerce_reporter, province
):
    content = exported(client, commerce_reporter, reported["on_time"])
    confirm(client, province, upload(client, province, content))
    report = Report.objects.get(period=month(province, 2026, 11), organization=province.unit)

    data = json.loads(exported(client, province.coordinator_user, report))

    assert data["unit"] == {"name": "枣庄市商务局", "full_name": "枣庄市商务局", "region": "测试省"}
    assert data["signatures"] == {
        "drafted_by": "commerce_reporter",
        "signed_off_by": "commerce_head",
        "signed_off_at": "2026-11-20T10:30:00+08:00",
        "submitted_at": "2026-11-20T10:30:00+08:00",
    }


def test_a_report_submitted_after_the_due_day_is_imported_late(
    client, reported, commerce_reporter, province
):
    data = json.loads(exported(client, commerce_reporter, reported["on_time"]))
    data["signatures"]["submitted_at"] = "2026-11-29T00:10:00+08:00"
    confirm(client, province, upload(client, province, json.dumps(data).encode()))
    report = Report.objects.get(period=month(province, 2026, 11), organization=province.unit)
    assert report.late is True


def test_the_same_file_twice_is_not_imported_twice(client, reported, commerce_reporter, province):
    content = exported(client, commerce_reporter, reported["on_time"])
    confirm(client, province, upload(client, province, content))

    again = upload(client, province, content)

    assert "这份文件已于 2026-11-20 10:30 导入，不再重复导入。" in again.content.decode()
    assert ImportedReport.objects.count() == 1
    assert AuditRecord.objects.filter(action="import report file").count() == 1


def test_a_returned_report_is_replaced_by_a_new_file(client, reported, commerce_reporter, province):
    data = json.loads(exported(client, commerce_reporter, reported["on_time"]))
    confirm(client, province, upload(client, province, json.dumps(data).encode()))
    report = Report.objects.get(period=month(province, 2026, 11), organization=province.unit)
    services.return_report(province.coordinator_user, report, "请补充数据。")
    for entry in data["entries"]:
        entry["progress"] = "十一月补充后重报。"
    data["signatures"]["submitted_at"] = "2026-11-20T16:00:00+08:00"

    preview = upload(client, province, json.dumps(data).encode())
    assert "该单位已退回的报告将被本文件替换。" in preview.content.decode()
    confirm(client, province, preview)

    report.refresh_from_db()
    assert report.status == "submitted"
    assert report.submitted_at == at(2026, 11, 20, 10, 30)  # the first submission stands
    assert report.resubmitted_at == at(2026, 11, 20, 16, 0)
    assert set(report.entries.values_list("progress", flat=True)) == {"十一月补充后重报。"}


# --- Bad input -------------------------------------------------------------------------------


def edited(client, reporter, report, change) -> bytes:
    data = json.loads(exported(client, reporter, report))
    change(data)
    return json.dumps(data, ensure_ascii=False).encode()


def another_measure(data):
    data["entries"][0]["measure"] = "九十九、1."


def another_unit(data):
    data["unit"] = {"name": "市商务局", "full_name": "济南市商务局", "region": "济南市"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello", "文件不是有效的 JSON"),
        ('{"format": "luoshi-report/1", "单位": "枣庄"}'.encode("gbk"), "文件不是 UTF-8 编码"),
        (
            b'{"format": "luoshi-report/2"}',
            "文件格式为 luoshi-report/2，本系统只能读取 luoshi-report/1",
        ),
        (b"[1, 2]", "不是上报文件（缺少 format 格式标识）"),
        (b'{"format": "luoshi-report/1"}', "上报文件缺少 plan 部分"),
        (
            lambda d: d["plan"].update(doc_number="鲁政办字〔2026〕1号"),
            "文件上报的是 鲁政办字〔2026〕1号",
        ),
        (lambda d: d["period"].update(month="2025-01"), "本方案没有 2025-01 这一报送期"),
        (another_unit, "市商务局、济南市商务局 不是本方案分工的责任单位"),
        (another_measure, "措施 九十九、1. 不在本方案中"),
        (lambda d: d["entries"][0].update(status="great"), "进展状态不是本系统认可的状态"),
        (lambda d: d["signatures"].update(submitted_at="yesterday"), "上报文件没有写明报送时间"),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_is_imported(
    client, reported, commerce_reporter, province, content, message
):
    if callable(content):
        content = edited(client, commerce_reporter, reported["on_time"], content)
    response = upload(client, province, content)
    assert response.status_code == 200
    assert "未导入任何内容" in response.content.decode()
    assert message in response.content.decode()
    assert not ImportedReport.objects.exists()


def test_a_fifty_megabyte_file_is_refused(client, province):
    response = upload(client, province, b" " * (50 * 1024 * 1024))
    assert "文件过大，不是上报文件" in response.content.decode()


def test_no_file_chosen_is_told(client, province):
    client.force_login(province.coordinator_user)
    response = client.post(reverse("reporting:import_file", args=[province.pk]))
    assert "请选择要上传的上报文件" in response.content.decode()


def test_a_tampered_confirmation_is_checked_again(client, reported, commerce_reporter, province):
    client.force_login(province.coordinator_user)
    url = reverse("reporting:import_file", args=[province.pk])
    response = client.post(url, {"confirm": "1", "payload": "{not json", "name": "x.json"})
    assert "文件不是有效的 JSON" in response.content.decode()
    assert not ImportedReport.objects.exists()


def test_brackets_of_the_document_number_are_read_alike():
    assert normalize_doc_number("枣政办字[2026] 12号") == "枣政办字〔2026〕12号"
    assert normalize_doc_number("枣政办字（2026）12号") == "枣政办字〔2026〕12号"


# --- The import page's permissions -----------------------------------------------------------


def test_the_matrix_links_the_import_page_for_the_plans_coordinator(client, province):
    client.force_login(province.coordinator_user)
    page = client.get(reverse("reporting:matrix", args=[province.pk])).content.decode()
    assert reverse("reporting:import_file", args=[province.pk]) in page
    assert "导入下级上报文件" in page


def test_the_import_page_is_refused_to_the_city_coordinator(client, province, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("reporting:import_file", args=[province.pk]))
    assert response.status_code == 404


def test_the_import_page_is_refused_to_a_department(client, province, commerce_reporter):
    client.force_login(commerce_reporter)
    response = client.get(reverse("reporting:import_file", args=[province.pk]))
    assert response.status_code == 403


def test_the_import_page_refuses_put(client, province):
    client.force_login(province.coordinator_user)
    response = client.put(reverse("reporting:import_file", args=[province.pk]))
    assert response.status_code == 405


def test_the_import_page_query_count_is_pinned(client, province, django_assert_num_queries):
    client.force_login(province.coordinator_user)
    url = reverse("reporting:import_file", args=[province.pk])
    client.get(url)
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200


def test_the_import_preview_query_count_is_pinned(
    client, reported, commerce_reporter, province, django_assert_num_queries
):
    content = exported(client, commerce_reporter, reported["on_time"])
    upload(client, province, content)  # logged in as the province's coordinator
    url = reverse("reporting:import_file", args=[province.pk])
    with django_assert_num_queries(10):  # whatever the number of entries
        response = client.post(url, {"file": SimpleUploadedFile("x.json", content)})
    assert "导入为已报送的报告" in response.content.decode()


@pytest.mark.parametrize("assignee", ["collective", "region"])
def test_a_member_of_an_assigned_collective_or_the_assigned_region_reports(
    client, reported, commerce_reporter, province, region, assignee
):
    """The province plan names 各市商务主管部门 (市商务局 among its members), or the city
    itself: the city's file is that unit's report."""
    if assignee == "collective":
        assigned = Organization.objects.create(
            parent=province.region, kind=Organization.Kind.COLLECTIVE, name="各市商务主管部门"
        )
        assigned.members.add(department("市商务局"))
        expected = department("市商务局")
    else:
        assigned = expected = region
    Assignment.objects.filter(measure__key_task__plan=province).update(organization=assigned)
    content = exported(client, commerce_reporter, reported["on_time"])

    confirm(client, province, upload(client, province, content))

    report = Report.objects.get(period=month(province, 2026, 11), organization=expected)
    assert report.status == "submitted"
    lead = report.entries.get(measure__key_task__label="十、", measure__no=3)
    assert (lead.progress, lead.role) == ("十一月按时报送。", "lead")
