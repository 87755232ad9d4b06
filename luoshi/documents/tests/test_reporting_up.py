"""Reporting up in the same deployment (issue 23): 山东省's plan assigns three of its measures to
枣庄市's 市发展改革委; the city's plan (the seed) carries out two of them (province 十、1 by the
city's 十、2, province 十、2 by the city's 十、6, as test_lineage's hand mapping says) and the city
accepted its 市邮政管理局's October and November reports on them. The province reports by
quarter: the unit's reporter drafts its fourth-quarter report on the province's plan from
November, edits it, the unit's head signs it off, it is submitted.

Seen on 5 December 2026."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.importing.sources import parse_file
from luoshi.orgs.models import Organization
from luoshi.orgs.services import get_or_create_region
from luoshi.plans.models import Measure
from luoshi.plans.seed import SEED
from luoshi.plans.services import import_plan
from luoshi.reporting import services
from luoshi.reporting.models import Report
from luoshi.testing import at, department, fill, make_user, track

PROVINCE_PLAN = Path(__file__).parents[2] / "plans" / "tests" / "data" / "shandong-2022-518.txt"
NOVEMBER = datetime.date(2026, 11, 1)
QUARTER = datetime.date(2026, 10, 1)  # the province reports by quarter (每季度末月25日前)
DEPT = Organization.Kind.DEPARTMENT
# Written by hand from the texts below: cleaned as the brief's rule 1 says, one line per city
# measure carrying out the province's.
PROVINCE_10_1 = "（落实措施十、2.）市邮政管理局：新建智能快件箱45组，建成末端公共服务站12个。"
PROVINCE_10_2 = "（落实措施十、6.）市邮政管理局：推广使用可循环中转袋2000个。开展包装袋专项治理。"


@pytest.fixture
def early_december():
    with time_machine.travel(at(2026, 12, 5, 10), tick=False):
        yield


def measure_of(plan, task: str, no: int) -> Measure:
    return Measure.objects.get(key_task__plan=plan, key_task__label=f"{task}、", no=no)


def write(reporter, report, texts: dict) -> Report:
    """The draft filled as `fill()` does, then `texts` ({measure: progress}) written."""
    report = fill(report, reporter)
    for entry in report.entries.filter(measure__in=texts):
        services.save_entry(reporter, entry, {"progress": texts[entry.measure_id]}, entry.version)
    return report


def submit(reporter, head, report) -> Report:
    services.submit_for_signoff(reporter, report)
    return services.sign_off(head, report)


@pytest.fixture
def chain(client_for, region, settings, early_december):
    """The province's plan, the city's implementing it, the city's November accepted."""
    province = get_or_create_region("山东省")
    region.parent = province
    region.save()
    parsed, text = parse_file(PROVINCE_PLAN)
    province_plan = import_plan(
        parsed, region=province, source_name=PROVINCE_PLAN.name, source_text=text
    )
    parsed, text = parse_file(SEED)
    city_plan = import_plan(parsed, source_name=SEED.name, source_text=text)
    province_coordinator = make_user("sd_coord", "coordinator", province_plan.coordinator)
    drc, commerce = department("市发展改革委"), department("市商务局")
    # The province's coordinator picks the city's units on the measure edit page, where they
    # are named with their region.
    client = client_for(province_coordinator)
    for task, no, unit in [("十", 1, drc), ("十", 2, drc), ("十一", 1, drc), ("十一", 2, commerce)]:
        edit = reverse("plans:measure_edit", args=[measure_of(province_plan, task, no).pk])
        assert f'<option value="{unit.pk}">枣庄市 · {unit.name}</option>' in (
            client.get(edit).content.decode()
        )
        data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0"}
        data.update({"form-0-organization": unit.pk, "form-0-role": "lead"})
        assert client.post(edit, data).status_code == 302
    for plan in (province_plan, city_plan):
        track(plan, settings, datetime.date(2026, 10, 1), on=at(2026, 11, 1, 9))
    # The city: 市邮政管理局's October and November on its 十、2 and 十、6, both accepted;
    # 市市场监管局's November on 十、6 submitted, not accepted: not the city's word yet.
    city_coordinator = make_user("city_coord", "coordinator", city_plan.coordinator)
    post, market = department("市邮政管理局"), department("市市场监管局")
    post_reporter = make_user("post", "reporter", post)
    post_head = make_user("post_head", "approver", post)
    city_10_2, city_10_6 = measure_of(city_plan, "十", 2), measure_of(city_plan, "十", 6)
    for start, texts in [
        (datetime.date(2026, 10, 1), {city_10_2.pk: "10月，新建智能快件箱30组。"}),
        (
            NOVEMBER,
            {
                city_10_2.pk: "11月，我局新建智能快件箱45组，建成末端公共服务站12个。",
                city_10_6.pk: "本月，推广使用可循环中转袋2000个；开展包装袋专项治理。",
            },
        ),
    ]:
        report = Report.objects.get(period__plan=city_plan, period__start=start, organization=post)
        with time_machine.travel(at(start.year, start.month, 20, 10), tick=False):
            report = submit(post_reporter, post_head, write(post_reporter, report, texts))
            services.accept(city_coordinator, report)
    market_report = Report.objects.get(
        period__plan=city_plan, period__start=NOVEMBER, organization=market
    )
    market_reporter = make_user("market", "reporter", market)
    texts = {city_10_6.pk: "开展快递包装抽查3次。"}
    submit(
        market_reporter,
        make_user("market_head", "approver", market),
        write(market_reporter, market_report, texts),
    )
    return {
        "province_plan": province_plan,
        "report": Report.objects.get(
            period__plan=province_plan, period__start=QUARTER, organization=drc
        ),
        "commerce_report": Report.objects.get(
            period__plan=province_plan, period__start=QUARTER, organization=commerce
        ),
        "reporter": make_user("drc_reporter", "reporter", drc),
        "head": make_user("drc_head", "approver", drc),
        "city_coordinator": city_coordinator,
        "province_coordinator": province_coordinator,
        "measures": [
            measure_of(province_plan, t, n) for t, n in [("十", 1), ("十", 2), ("十一", 1)]
        ],
    }


def url(report) -> str:
    return reverse("documents:draft_from_below", args=[report.pk])


def progress(report) -> dict[str, str]:
    return {e.measure.code: e.progress for e in report.entries.select_related("measure__key_task")}


def test_the_city_unit_drafts_its_report_on_the_province_plan_and_submits_it(
    client_for, chain, django_assert_num_queries
):
    report, reporter = chain["report"], chain["reporter"]
    client = client_for(reporter)
    page = client.get(reverse("reporting:report", args=[report.pk])).content.decode()
    assert "从本级落实情况生成草稿" in page
    # Two entries filled through save_entry (its locks, versions, flags and audit each time).
    with django_assert_num_queries(55):
        response = client.post(url(report))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "已从本级已验收的落实情况生成草稿：十、1.、十、2.。请核对修改。" in page
    assert "本级没有落实措施，未生成：十一、1.。" in page
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT
    # The quarter's latest month the city accepted: November, not October; 市市场监管局's
    # November (not accepted) is not the city's word yet.
    assert progress(report) == {"十、1.": PROVINCE_10_1, "十、2.": PROVINCE_10_2, "十一、1.": ""}
    # Saved as the reporter's edits: versioned and audited like typing.
    drafted = report.entries.get(measure=chain["measures"][0])
    assert drafted.version == 2 and drafted.updated_by == reporter  # a new entry is 1
    assert AuditRecord.objects.filter(
        action="change",
        object_type="reporting.reportentry",
        object_id=str(drafted.pk),
        username="drc_reporter",
    ).exists()
    # Edited, the last measure written by hand, signed off by the unit's head, submitted.
    services.save_entry(
        reporter, drafted, {"progress": PROVINCE_10_1 + "下步再建20组。"}, drafted.version
    )
    last = report.entries.get(measure=chain["measures"][2])
    services.save_entry(reporter, last, {"progress": "全市绿色消费统计已按月报送。"}, last.version)
    report = submit(reporter, chain["head"], report)
    assert report.status == Report.Status.SUBMITTED and not report.late
    assert progress(report)["十、1."] == PROVINCE_10_1 + "下步再建20组。"
    # The province reviews it as any report of its plan.
    assert services.accept(chain["province_coordinator"], report).status == Report.Status.ACCEPTED


def test_a_second_click_overwrites_nothing(client_for, chain):
    report, reporter = chain["report"], chain["reporter"]
    services.start_draft(reporter, report)
    entry = report.entries.get(measure=chain["measures"][1])
    services.save_entry(reporter, entry, {"progress": "已写好的内容。"}, entry.version)
    client = client_for(reporter)
    client.post(url(report))
    response = client.post(url(report), follow=True)
    page = response.content.decode()
    assert "没有可新生成的内容。" in page
    assert "已有内容，未改动：十、1.、十、2.。" in page
    assert progress(report) == {"十、1.": PROVINCE_10_1, "十、2.": "已写好的内容。", "十一、1.": ""}


def test_nothing_is_drafted_from_what_the_city_has_not_accepted(client_for, chain):
    post_reports = Report.objects.filter(
        period__plan__region__name="枣庄市",
        organization=department("市邮政管理局"),
        status="accepted",
    )
    for report in post_reports:
        services.reopen(chain["city_coordinator"], report, "请补充数据。")
    report = chain["report"]
    response = client_for(chain["reporter"]).post(url(report), follow=True)
    page = response.content.decode()
    assert "没有可新生成的内容。" in page
    assert "本级本期尚无已验收的落实情况：十、1.、十、2.。" in page
    assert progress(report) == {"十、1.": "", "十、2.": "", "十一、1.": ""}


def test_a_report_whose_measures_nothing_carries_out_is_refused_in_chinese(client_for, chain):
    report = chain["commerce_report"]
    reporter = make_user("commerce_r", "reporter", report.organization)
    response = client_for(reporter).post(url(report), follow=True)
    assert response.status_code == 200
    assert "本报告的措施在本级的方案中都没有落实措施，无从生成草稿。" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.NOT_STARTED


def test_a_submitted_report_is_not_drafted_into(client_for, chain):
    report, reporter = chain["report"], chain["reporter"]
    client = client_for(reporter)
    client.post(url(report))
    report.refresh_from_db()
    for entry in report.entries.filter(progress=""):
        services.save_entry(reporter, entry, {"progress": "已报送。"}, entry.version)
    submit(reporter, chain["head"], report)
    response = client.post(url(report), follow=True)
    assert "此报告现在不能修改，未生成草稿。" in response.content.decode()
    page = client.get(reverse("reporting:report", args=[report.pk])).content.decode()
    assert "从本级落实情况生成草稿" not in page


def test_only_the_unit_may_draft(client_for, chain):
    report = chain["report"]
    province = Organization.objects.get(kind=Organization.Kind.REGION, name="山东省")
    jinan = get_or_create_region("济南市", parent=province)
    city = Organization.objects.get(kind=Organization.Kind.REGION, name="枣庄市")
    xuecheng = get_or_create_region("薛城区", parent=city)
    others = [
        make_user(
            "jinan",
            "reporter",
            Organization.objects.create(kind=DEPT, name="济南市发展改革委", parent=jinan),
        ),
        make_user(
            "xc",
            "reporter",
            Organization.objects.create(kind=DEPT, name="薛城区发展和改革局", parent=xuecheng),
        ),
        make_user("post_r", "reporter", department("市邮政管理局")),  # the city, not the unit
        chain["city_coordinator"],  # reads the city and below, not the province's plan
    ]
    for user in others:
        assert client_for(user).post(url(report)).status_code == 404
    assert client_for(chain["reporter"]).get(url(report)).status_code == 405
    assert client_for(None).post(url(report)).status_code == 302
    assert progress(report) == {}
