"""Closing a measure (销号) through the pages: the lead department asks with its evidence on the
measure's closure page, the coordinator approves or rejects on the plan's list, everyone who
follows the measure sees the outcome; the evidence file goes only to those who may read it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.orgs.models import Organization
from luoshi.reporting import services
from luoshi.reporting.models import ClosureRequest
from luoshi.testing import PDF, department, make_user, measure, pdf_upload

# Every test here happens on Friday 20 November 2026, 10:30 (the root conftest's mid_november).
pytestmark = pytest.mark.usefixtures("mid_november")


def closure_url(m) -> str:
    return reverse("reporting:closure", args=[m.pk])


def closures_url(plan) -> str:
    return reverse("reporting:closures", args=[plan.pk])


def decide_url(request, decision: str) -> str:
    return reverse("reporting:closure_decide", args=[request.pk, decision])


def evidence_url(request) -> str:
    return reverse("reporting:closure_evidence", args=[request.pk])


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def asked(commerce_leads, commerce_reporter):
    """市商务局 (lead of 十.3) asked to close 十.3 with a text and a PDF."""
    return services.request_closure(
        commerce_reporter,
        measure("十.3"),
        "十.3已全部完成，见验收报告。",
        pdf_upload("验收报告.pdf"),
    )


@pytest.fixture
def linyi_coordinator(seed_plan):
    """A coordinator of another region's development office."""
    from luoshi.orgs.services import get_or_create_region

    office = Organization.objects.create(
        parent=get_or_create_region("临沂市"), kind="department", name="临沂市发展改革委"
    )
    return make_user("linyi", "coordinator", office)


# --- The lead department asks -------------------------------------------------------------------


def test_the_lead_reporter_asks_to_close_a_measure_with_evidence(
    client_for, commerce_reporter, commerce_leads
):
    client = client_for(commerce_reporter)
    home = text(client.get(reverse("reporting:home")))
    assert closure_url(measure("十.3")) in home and "申请销号" in home
    page = text(client.get(closure_url(measure("十.3"))))
    assert "提交销号申请" in page
    response = client.post(
        closure_url(measure("十.3")),
        {"evidence": "已建成示范点5个。", "evidence_file": pdf_upload("验收.pdf")},
        follow=True,
    )
    assert "销号申请已提交统筹单位。" in text(response)
    request = ClosureRequest.objects.get()
    assert (request.organization, request.status) == (department("市商务局"), "pending")
    assert request.evidence == "已建成示范点5个。" and request.evidence_file_name == "验收.pdf"
    assert AuditRecord.objects.filter(action="request closure").count() == 1
    # The form is gone; the page and the home say the request waits.
    assert "提交销号申请" not in text(response)
    assert "本部门的销号申请正在等待统筹单位审核。" in text(response)
    assert "销号待审核" in text(client.get(reverse("reporting:home")))


def test_the_department_head_may_ask_too(client_for, commerce_head, commerce_leads):
    response = client_for(commerce_head).post(
        closure_url(measure("一.2")), {"evidence": "已完成。"}
    )
    assert response.status_code == 302
    assert ClosureRequest.objects.get().requested_by == commerce_head


def test_a_second_request_from_another_tab_is_refused_and_the_first_kept(
    client_for, commerce_reporter, asked
):
    client = client_for(commerce_reporter)
    response = client.post(closure_url(measure("十.3")), {"evidence": "再次申请"}, follow=True)
    assert "该措施已有待处理的办结申请。" in text(response)
    assert ClosureRequest.objects.get().evidence == "十.3已全部完成，见验收报告。"
    assert AuditRecord.objects.filter(action="request closure").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"evidence": "   "}, "请说明措施已完成的佐证。"),
        ({"evidence": "x" * 4001}, "4000"),
    ],
)
def test_an_empty_or_overlong_evidence_is_refused_with_its_reason(
    client_for, commerce_reporter, commerce_leads, data, message
):
    response = client_for(commerce_reporter).post(closure_url(measure("十.3")), data)
    assert response.status_code == 200
    assert message in text(response)
    assert not ClosureRequest.objects.exists()


def test_a_file_that_is_not_an_allowed_type_is_refused_and_nothing_is_stored(
    client_for, commerce_reporter, commerce_leads
):
    upload = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = client_for(commerce_reporter).post(
        closure_url(measure("十.3")), {"evidence": "已完成。", "evidence_file": upload}, follow=True
    )
    assert "只能上传 PDF、PNG、JPEG" in text(response)
    assert not ClosureRequest.objects.exists()


def test_a_co_department_sees_the_measure_but_no_button_and_a_forged_post_is_refused(
    client_for, transport_reporter, asked
):
    client = client_for(transport_reporter)
    page = text(client.get(closure_url(measure("十.3"))))
    assert "只有牵头部门可以申请销号。" in page
    assert "提交销号申请" not in page
    assert "十.3已全部完成" not in page  # another department's evidence
    assert client.post(closure_url(measure("十.3")), {"evidence": "伪造"}).status_code == 403
    assert ClosureRequest.objects.count() == 1


def test_a_measures_only_department_asks_although_the_plan_names_no_lead(
    client_for, commerce_reporter, commerce_leads
):
    """A plan that lists one department for a measure often marks no role: that department
    answers for the measure, and closes it."""
    from luoshi.plans.models import Assignment

    alone = measure("十.3")
    alone.assignments.exclude(organization=department("市商务局")).delete()
    alone.assignments.update(role=Assignment.Role.UNKNOWN)
    client = client_for(commerce_reporter)
    assert "提交销号申请" in text(client.get(closure_url(alone)))
    assert client.post(closure_url(alone), {"evidence": "已完成。"}).status_code == 302
    assert ClosureRequest.objects.get().measure == alone


def test_with_several_departments_and_no_lead_nobody_asks_and_the_page_says_why(
    client_for, commerce_reporter, commerce_leads
):
    from luoshi.plans.models import Assignment

    shared = measure("十.3")
    assert shared.assignments.count() > 1
    shared.assignments.update(role=Assignment.Role.UNKNOWN)
    client = client_for(commerce_reporter)
    page = text(client.get(closure_url(shared)))
    assert "本措施未确定牵头部门" in page and "提交销号申请" not in page
    assert client.post(closure_url(shared), {"evidence": "已完成。"}).status_code == 403
    assert not ClosureRequest.objects.exists()


def test_a_department_the_measure_does_not_name_gets_404(client_for, commerce_leads):
    education = make_user("education", "reporter", department("市教育局"))
    client = client_for(education)
    assert client.get(closure_url(measure("十.3"))).status_code == 404
    assert client.post(closure_url(measure("十.3")), {"evidence": "x"}).status_code == 404


def test_a_coordinator_or_leader_cannot_ask_for_closure(client_for, coordinator, leader, asked):
    ClosureRequest.objects.all().delete()
    for user in (coordinator, leader):
        response = client_for(user).post(closure_url(measure("十.3")), {"evidence": "x"})
        assert response.status_code == 403
    assert not ClosureRequest.objects.exists()


def test_the_closure_page_refuses_the_wrong_method(client_for, commerce_reporter, commerce_leads):
    url = closure_url(measure("十.3"))
    assert client_for(commerce_reporter).put(url).status_code == 405


# --- The coordinator decides -------------------------------------------------------------------


def test_the_coordinator_sees_the_pending_requests_counted_and_approves_one(
    client_for, coordinator, commerce_reporter, asked, tracked
):
    client = client_for(coordinator)
    plans = text(client.get(reverse("reporting:home")))
    assert closures_url(tracked) in plans
    matrix = text(client.get(reverse("reporting:matrix", args=[tracked.pk])))
    assert closures_url(tracked) in matrix
    queue = text(client.get(reverse("reporting:queue", args=[tracked.pk])))
    assert closures_url(tracked) in queue
    page = text(client.get(closures_url(tracked)))
    assert "十.3已全部完成，见验收报告。" in page and "验收报告.pdf" in page
    assert "市商务局" in page
    response = client.post(decide_url(asked, "approve"), {"comment": "同意销号"}, follow=True)
    assert "措施十、3.已销号（已办结）。" in text(response)
    assert "没有待审核的销号申请。" in text(response)
    m = measure("十.3")
    assert m.closed_at is not None
    asked.refresh_from_db()
    assert (asked.status, asked.comment, asked.decided_by) == ("approved", "同意销号", coordinator)
    assert AuditRecord.objects.filter(action="close", object_id=str(m.pk)).count() == 1
    # The measure shows 已办结 on its pages, for the coordinator and the department.
    assert "已办结" in text(client.get(reverse("reporting:measure", args=[m.pk])))
    department_page = text(client_for(commerce_reporter).get(closure_url(m)))
    assert "已办结" in department_page and "同意销号" in department_page
    # It leaves the department's open measures, and its list of all measures marks it closed.
    department_client = client_for(commerce_reporter)
    assert closure_url(m) not in text(department_client.get(reverse("reporting:home")))
    measures = text(
        department_client.get(reverse("plans:department", args=[department("市商务局").pk]))
    )
    assert measures.count("已办结") == 1 and closure_url(m) in measures


def test_a_double_click_on_approve_closes_once_and_says_so(client_for, coordinator, asked):
    client = client_for(coordinator)
    client.post(decide_url(asked, "approve"))
    response = client.post(decide_url(asked, "approve"), follow=True)
    assert "该办结申请已处理。" in text(response)
    assert AuditRecord.objects.filter(action="close", object_type="plans.measure").count() == 1


def test_a_rejection_needs_a_reason_which_the_department_then_sees(
    client_for, coordinator, commerce_reporter, asked
):
    client = client_for(coordinator)
    response = client.post(decide_url(asked, "reject"), {"comment": "  "}, follow=True)
    assert "请写明不能销号的理由。" in text(response)
    asked.refresh_from_db()
    assert asked.status == "pending"
    client.post(decide_url(asked, "reject"), {"comment": "缺少验收材料，请补充。"})
    asked.refresh_from_db()
    assert asked.status == "rejected"
    assert measure("十.3").closed_at is None
    assert AuditRecord.objects.filter(action="reject closure").count() == 1
    department_client = client_for(commerce_reporter)
    home = text(department_client.get(reverse("reporting:home")))
    assert "销号被驳回" in home
    page = text(department_client.get(closure_url(measure("十.3"))))
    assert "缺少验收材料，请补充。" in page and "已驳回" in page
    # The department may ask again.
    assert "提交销号申请" in page
    department_client.post(closure_url(measure("十.3")), {"evidence": "已补充验收材料。"})
    assert ClosureRequest.objects.filter(status="pending").count() == 1


def test_the_coordinator_may_decide_from_the_measures_closure_page(client_for, coordinator, asked):
    client = client_for(coordinator)
    page = text(client.get(closure_url(measure("十.3"))))
    assert decide_url(asked, "approve") in page
    response = client.post(decide_url(asked, "approve"), {"next": "measure"})
    assert response["Location"] == closure_url(measure("十.3"))


def test_an_unknown_decision_is_a_bad_request(client_for, coordinator, asked):
    assert client_for(coordinator).post(decide_url(asked, "maybe")).status_code == 400
    asked.refresh_from_db()
    assert asked.status == "pending"


@pytest.mark.parametrize("persona", ["commerce_reporter", "commerce_head", "leader"])
def test_only_the_coordinator_decides(client_for, request, persona, asked):
    client = client_for(request.getfixturevalue(persona))
    for decision in ("approve", "reject"):
        assert client.post(decide_url(asked, decision), {"comment": "x"}).status_code == 403
    asked.refresh_from_db()
    assert asked.status == "pending"


def test_the_departments_see_no_list_of_a_plans_requests(
    client_for, commerce_reporter, leader, asked, tracked
):
    assert client_for(commerce_reporter).get(closures_url(tracked)).status_code == 403
    # A leader reads the list, without the buttons.
    page = text(client_for(leader).get(closures_url(tracked)))
    assert "十.3已全部完成" in page and decide_url(asked, "approve") not in page


def test_a_co_department_cannot_reach_the_request(client_for, transport_reporter, asked):
    client = client_for(transport_reporter)
    assert client.post(decide_url(asked, "approve")).status_code == 404
    assert client.get(evidence_url(asked)).status_code == 404


def test_another_regions_coordinator_gets_404_everywhere(
    client_for, linyi_coordinator, asked, tracked
):
    client = client_for(linyi_coordinator)
    assert client.get(closures_url(tracked)).status_code == 404
    assert client.get(closure_url(measure("十.3"))).status_code == 404
    assert client.post(decide_url(asked, "approve")).status_code == 404
    assert client.get(evidence_url(asked)).status_code == 404
    asked.refresh_from_db()
    assert asked.status == "pending"


# --- The evidence file -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["commerce_reporter", "commerce_head", "coordinator", "leader"])
def test_the_evidence_file_goes_to_the_department_and_the_plans_office(
    client_for, request, persona, asked
):
    response = client_for(request.getfixturevalue(persona)).get(evidence_url(asked))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert (
        "filename*=UTF-8''%E9%AA%8C%E6%94%B6%E6%8A%A5%E5%91%8A.pdf"
        in response["Content-Disposition"]
    )


def test_an_evidence_file_named_to_run_is_downloaded_as_what_its_bytes_are(
    client_for, commerce_reporter, commerce_leads
):
    client = client_for(commerce_reporter)
    upload = SimpleUploadedFile("验收.pdf.bat", PDF, "application/octet-stream")
    client.post(closure_url(measure("十.3")), {"evidence": "已完成。", "evidence_file": upload})
    response = client.get(evidence_url(ClosureRequest.objects.get()))
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.endswith(".pdf") and ".bat" not in disposition


def test_a_request_without_a_file_has_no_download(client_for, commerce_reporter, commerce_leads):
    request = services.request_closure(commerce_reporter, measure("一.2"), "已完成。")
    assert client_for(commerce_reporter).get(evidence_url(request)).status_code == 404


# --- Pinned query counts ------------------------------------------------------------------------


def test_the_closure_pages_have_pinned_query_counts(
    client_for, coordinator, commerce_reporter, asked, tracked, django_assert_num_queries
):
    services.request_closure(commerce_reporter, measure("一.2"), "一.2已完成。")
    client = client_for(coordinator)
    # Session, user, the plan, the pending count and page, the decided ones, the user's
    # organization (the navbar).
    with django_assert_num_queries(6):
        page = text(client.get(closures_url(tracked)))
    assert "一.2已完成。" in page and "十.3已全部完成" in page
    url = closure_url(measure("十.3"))
    # Session, user, the measure, its departments, the requests, the user's organization.
    with django_assert_num_queries(5):
        client.get(url)
    client = client_for(commerce_reporter)
    # The same for the department (the plan's visibility is a subquery of the measure's).
    with django_assert_num_queries(5):
        page = text(client.get(url))
    assert "十.3已全部完成" in page
