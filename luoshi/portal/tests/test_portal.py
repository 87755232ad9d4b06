"""The public portal: the coordinator publishes a reviewed snapshot per period; anonymous
visitors read it and download it as open data; nothing internal ever reaches it."""

import csv
import io
import json

import pytest
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.orgs.models import User
from luoshi.orgs.services import ensure_account
from luoshi.portal import services as portal
from luoshi.portal.models import Publication
from luoshi.reporting import services
from luoshi.testing import department, file_report, measure

# Seen on 20 November 2026, as the dashboards are (the root conftest's `reported`).
pytestmark = pytest.mark.usefixtures("mid_november")


def publish_url(period):
    return reverse("portal:publish", args=[period.plan_id, period.pk])


def preview_url(period):
    return reverse("portal:preview", args=[period.plan_id, period.pk])


@pytest.fixture
def published(client_for, coordinator, reported, november):
    response = client_for(coordinator).post(publish_url(november))
    assert response.status_code == 302
    return Publication.objects.get(withdrawn_at__isnull=True)


# --- Before anything is published -------------------------------------------------------------


def test_the_portal_says_nothing_is_published_yet(client_for, tracked):
    client = client_for(None)
    page = client.get(reverse("portal:index")).content.decode()
    assert "尚未发布" in page
    assert '<html lang="zh-Hans">' in page
    assert client.get(reverse("portal:plan", args=[tracked.pk])).status_code == 404


# --- Publishing -------------------------------------------------------------------------------


def test_the_coordinator_previews_a_period_then_publishes_it(
    client_for, coordinator, reported, november
):
    client = client_for(coordinator)
    manage = client.get(reverse("portal:manage", args=[november.plan_id])).content.decode()
    assert preview_url(november) in manage and "未发布" in manage
    preview = client.get(preview_url(november)).content.decode()
    assert "十一月按时报送。" in preview
    assert publish_url(november) in preview
    assert not Publication.objects.exists()  # a preview publishes nothing
    client.post(publish_url(november))
    publication = Publication.objects.get()
    assert publication.published_by == coordinator and publication.is_live
    record = AuditRecord.objects.get(action="publish")
    assert record.object_id == str(publication.pk) and record.username == "coordinator"
    manage = client.get(reverse("portal:manage", args=[november.plan_id])).content.decode()
    assert reverse("portal:withdraw", args=[publication.pk]) in manage


def test_an_anonymous_visitor_reads_the_published_plan(client_for, published, tracked):
    client = client_for(None)
    index = client.get(reverse("portal:index")).content.decode()
    assert tracked.title in index and reverse("portal:plan", args=[tracked.pk]) in index
    page = client.get(reverse("portal:plan", args=[tracked.pk])).content.decode()
    assert "枣发改经贸〔2022〕243号" in page
    assert "枣庄市发展和改革委员会" in page  # the issuers, as issued
    assert page.count('class="measure ') == 77
    assert "十一月按时报送。" in page  # accepted progress of the period
    assert "市商务局" in page and "（牵头）" in page
    assert "2026年11月" in page
    assert reverse("portal:publication_csv", args=[published.pk]) in page
    assert reverse("portal:publication_json", args=[published.pk]) in page
    assert "/login/" not in page and "csrfmiddlewaretoken" not in page


def test_the_open_data_downloads_are_csv_with_a_bom_and_json(client_for, published, target):
    client = client_for(None)
    response = client.get(reverse("portal:publication_csv", args=[published.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["重点任务", "措施编号", "推进措施"]
    commerce = [r for r in rows if r[7] == "市商务局"]
    assert commerce and all(r[9] == "十一月按时报送。" for r in commerce)
    assert any("实际值 1500元" in r[5] for r in rows if r[1] == "十、3.")
    response = client.get(reverse("portal:publication_json", args=[published.pk]))
    data = json.loads(response.content)
    assert data["plan"]["doc_number"] == "枣发改经贸〔2022〕243号"
    assert data["period"]["label"] == "2026年11月"
    [ten] = [t for t in data["tasks"] if t["label"] == "十、"]
    [m3] = [m for m in ten["measures"] if m["code"] == "十、3."]
    assert m3["targets"][0]["actual"] == "1500"


def test_the_portal_never_shows_drafts_comments_problems_or_staff(
    client_for,
    coordinator,
    reported,
    commerce_reporter,
    commerce_head,
    transport_reporter,
    transport_head,
    november,
):
    # A named reporter writes contact details into an accepted report, with problems.
    named = ensure_account(
        "li_reporter",
        "Test-li-42",
        role="reporter",
        organization=department("市邮政管理局"),
        display_name="李秀英",
    )
    postal_head = ensure_account(
        "postal_head",
        "Test-ph-42",
        role="approver",
        organization=department("市邮政管理局"),
        display_name="王建国",
    )
    report = november.reports.get(organization=named.organization)
    report = services.start_draft(named, report)
    for entry in report.entries.all():
        services.save_entry(
            named,
            entry,
            {
                "progress": "已完成快递网点摸底，王建国同志带队检查。"
                "联系人：李秀英，电话13912345678，0632-3311234。",
                "status": "behind",
                "behind_reason": "内部滞后原因",
                "problems": "内部问题不宜公开",
                "next_steps": "下步内部安排",
            },
            entry.version,
        )
    services.submit_for_signoff(named, report)
    report = services.sign_off(postal_head, report)
    services.accept(coordinator, report)
    # A draft (never submitted) and a returned report with the coordinator's comment.
    transport = november.reports.get(organization=transport_reporter.organization)
    entry = transport.entries.first()
    services.save_entry(transport_reporter, entry, {"progress": "草稿中的文字"}, entry.version)
    returned = file_report(
        tracked_report(november, "市供销合作社"),
        *people("市供销合作社"),
        text="被退回的报告文字",
    )
    services.return_report(coordinator, returned, "退回意见：请补充数据")

    client_for(coordinator).post(publish_url(november))
    publication = Publication.objects.get(withdrawn_at__isnull=True)
    client = client_for(None)
    pages = [
        client.get(reverse("portal:plan", args=[publication.plan_id])).content.decode(),
        client.get(reverse("portal:publication_csv", args=[publication.pk])).content.decode(),
        client.get(reverse("portal:publication_json", args=[publication.pk])).content.decode(),
    ]
    for page in pages:
        assert "已完成快递网点摸底" in page  # the accepted progress is there
        for secret in [
            "草稿中的文字",
            "被退回的报告文字",
            "退回意见",
            "内部问题不宜公开",
            "内部滞后原因",
            "下步内部安排",
            "李秀英",
            "王建国",
            "赵填报",
            "钱审核",
            "13912345678",
            "3311234",
            "commerce_reporter",
            "commerce_head",
        ]:
            assert secret not in page, secret


def tracked_report(period, name):
    return period.reports.get(organization=department(name))


def people(name):
    org = department(name)
    reporter = ensure_account(
        f"r{org.pk}", "Test-r-42", role="reporter", organization=org, display_name="赵填报"
    )
    head = ensure_account(
        f"h{org.pk}", "Test-h-42", role="approver", organization=org, display_name="钱审核"
    )
    return reporter, head


def test_a_later_acceptance_reaches_the_portal_only_when_published_again(
    client_for, coordinator, published, november, transport_reporter, transport_head
):
    transport = file_report(
        tracked_report(november, "市交通运输局"),
        transport_reporter,
        transport_head,
        text="交通局后来的报告",
    )
    services.accept(coordinator, transport)
    client = client_for(None)
    plan_url = reverse("portal:plan", args=[november.plan_id])
    assert "交通局后来的报告" not in client.get(plan_url).content.decode()
    client_for(coordinator).post(publish_url(november))
    assert "交通局后来的报告" in client_for(None).get(plan_url).content.decode()
    published.refresh_from_db()
    assert not published.is_live  # replaced, kept as history
    assert Publication.objects.filter(withdrawn_at__isnull=True).count() == 1


def test_the_coordinator_withdraws_a_publication(client_for, coordinator, published):
    client = client_for(coordinator)
    response = client.post(reverse("portal:withdraw", args=[published.pk]))
    assert response.status_code == 302
    client.post(reverse("portal:withdraw", args=[published.pk]))  # a double click
    assert AuditRecord.objects.filter(action="withdraw").count() == 1
    anonymous = client_for(None)
    assert anonymous.get(reverse("portal:plan", args=[published.plan_id])).status_code == 404
    assert anonymous.get(reverse("portal:publication", args=[published.pk])).status_code == 404
    url = reverse("portal:publication_csv", args=[published.pk])
    assert anonymous.get(url).status_code == 404
    assert "尚未发布" in anonymous.get(reverse("portal:index")).content.decode()


def test_an_older_period_stays_readable_beside_the_latest(
    client_for, coordinator, reported, tracked
):
    october = tracked.periods.get(start__month=10)
    november = tracked.periods.get(start__month=11)
    client = client_for(coordinator)
    client.post(publish_url(october))
    client.post(publish_url(november))
    page = client_for(None).get(reverse("portal:plan", args=[tracked.pk])).content.decode()
    old = Publication.objects.get(period=october)
    assert "十一月按时报送。" in page
    assert reverse("portal:publication", args=[old.pk]) in page
    page = client_for(None).get(reverse("portal:publication", args=[old.pk])).content.decode()
    assert "十月补报。" in page and "十一月按时报送。" not in page


# --- Who may publish --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["commerce_reporter", "commerce_head", "leader", "audit_admin"])
def test_only_the_coordinator_publishes(client_for, request, persona, november):
    client = client_for(request.getfixturevalue(persona))
    assert client.post(publish_url(november)).status_code == 403
    assert client.get(preview_url(november)).status_code == 403
    assert client.get(reverse("portal:manage", args=[november.plan_id])).status_code == 403
    assert not Publication.objects.exists()


def test_another_office_cannot_publish_or_withdraw(client_for, published, november):
    other = ensure_account(
        "other_coordinator",
        "Test-o-42",
        role="coordinator",
        organization=department("市商务局"),
        display_name="孙统筹",
    )
    client = client_for(other)
    assert client.post(publish_url(november)).status_code == 404
    assert client.post(reverse("portal:withdraw", args=[published.pk])).status_code == 404
    published.refresh_from_db()
    assert published.is_live


def test_publishing_needs_a_post_and_a_login(client_for, coordinator, november):
    assert client_for(coordinator).get(publish_url(november)).status_code == 405
    response = client_for(None).post(publish_url(november))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client_for(None).post(reverse("portal:index")).status_code == 405


def test_contacts_are_masked_in_progress_text():
    text = "联系人：张伟，电话13800138000、0632-8812345，邮箱 zw@example.cn。"
    masked = portal.mask_contacts(text)
    for secret in ["张伟", "13800138000", "8812345", "zw@example.cn"]:
        assert secret not in masked


def test_staff_names_are_masked_wherever_they_stand_in_the_text():
    masked = portal.mask_contacts("经欧阳明华、王伟协调，王伟明已到位。", ["王伟", "欧阳明华"])
    assert masked == "经＊＊＊、＊＊＊协调，＊＊＊明已到位。"
    assert portal.mask_contacts("王伟明已到位。") == "王伟明已到位。"  # no names, no change


@pytest.mark.django_db
def test_only_personal_names_of_accounts_count_as_staff_names():
    User.objects.create(username="a", display_name="欧阳明华", password="!")
    User.objects.create(username="b", display_name="市商务局填报员", password="!")
    User.objects.create(username="c", display_name="Zhang Wei", password="!")
    assert "欧阳明华" in portal.staff_names()
    assert "市商务局填报员" not in portal.staff_names()
    assert "Zhang Wei" not in portal.staff_names()


# --- Cached pages and pinned query counts -----------------------------------------------------


def test_public_pages_have_pinned_query_counts_and_come_from_the_cache(
    client_for, published, django_assert_num_queries
):
    client = client_for(None)
    pages = {
        reverse("portal:index"): 2,  # the version stamp, the live publications
        reverse("portal:plan", args=[published.plan_id]): 3,  # + the other periods
        reverse("portal:publication", args=[published.pk]): 3,
        reverse("portal:publication_csv", args=[published.pk]): 2,
        reverse("portal:publication_json", args=[published.pk]): 2,
    }
    for url, count in pages.items():
        with django_assert_num_queries(count):
            first = client.get(url)
        with django_assert_num_queries(1):  # only the version stamp
            again = client.get(url)
        assert again.content == first.content
        assert again.get("Content-Disposition") == first.get("Content-Disposition")


def test_a_query_string_neither_breaks_nor_bypasses_the_cache(
    client_for, published, django_assert_num_queries
):
    client = client_for(None)
    url = reverse("portal:publication", args=[published.pk])
    first = client.get(url)
    with django_assert_num_queries(1):  # only the version stamp: the same cached page
        odd = client.get(url, {"q": "x" * 20_000, "page": "\x00 ２"})
    assert odd.status_code == 200
    assert odd.content == first.content


def test_publishing_again_refreshes_the_cached_pages(
    client_for, coordinator, published, november, transport_reporter, transport_head
):
    plan_url = reverse("portal:plan", args=[november.plan_id])
    client_for(None).get(plan_url)
    transport = file_report(
        tracked_report(november, "市交通运输局"),
        transport_reporter,
        transport_head,
        text="交通局新的进展",
    )
    services.accept(coordinator, transport)
    client_for(coordinator).post(publish_url(november))
    assert "交通局新的进展" in client_for(None).get(plan_url).content.decode()


def test_the_snapshot_takes_a_constant_number_of_queries(
    reported, november, django_assert_num_queries
):
    with django_assert_num_queries(8):
        portal.snapshot(november.plan, november)
    measure("一.2")  # the plan is not re-read per measure


def test_the_publishing_pages_have_pinned_query_counts(
    client_for, coordinator, published, november, tracked, django_assert_num_queries
):
    client = client_for(coordinator)
    # Session, user, plan, publications, periods with their counts, organization (base.html).
    with django_assert_num_queries(5):
        client.get(reverse("portal:manage", args=[tracked.pk]))
    # Session, user, plan, period, the snapshot (8), organization (base.html).
    with django_assert_num_queries(12):
        client.get(preview_url(november))
    client.post(publish_url(tracked.periods.get(start__month=10)))
    with django_assert_num_queries(5):
        client.get(reverse("portal:manage", args=[tracked.pk]))
