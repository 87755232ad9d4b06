"""The region's default score sheet: kept by the region's coordinators, read by the timeliness
ranking of every plan of the region that has no sheet of its own."""

import pytest
import time_machine
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.supervision.models import ScoreSheet
from luoshi.testing import at, make_user

PAGE = "/supervision/score-sheet/"
SHEET = {"start": "100", "per_missing": "25", "per_late": "1", "per_returned": "2"}


@pytest.fixture(autouse=True)
def _today():
    # 2 November 2026: every department missed the October report (due 28 October).
    with time_machine.travel(at(2026, 11, 2, 10), tick=False):
        yield


@pytest.fixture
def jinan_coordinator(db):
    from luoshi.orgs.models import Organization

    jinan = Organization.objects.create(kind="region", name="济南市")
    office = Organization.objects.create(kind="department", name="市发展改革委", parent=jinan)
    return make_user("jinan_coordinator", "coordinator", office)


def commerce_score(client, plan) -> str:
    """The score of 市商务局 on the plan's ranking page, as shown."""
    page = client.get(reverse("supervision:scores", args=[plan.pk]), {"year": "2026"})
    row = page.content.decode().split("<td>市商务局</td>")[1]
    return row.split("<strong>")[1].split("</strong>")[0]


def test_the_url_is_the_page():
    assert reverse("supervision:region_scores") == PAGE


def test_the_region_default_scores_the_plans_without_a_sheet_of_their_own(
    client_for, coordinator, tracked
):
    client = client_for(coordinator)
    assert commerce_score(client, tracked) == "90"  # 100 − 10 for the missing October report
    scores = client.get(reverse("supervision:scores", args=[tracked.pk])).content.decode()
    assert "本方案使用本地区默认评分表" in scores
    assert f'href="{PAGE}">本地区默认评分表</a>' in scores
    response = client.post(PAGE, SHEET, follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert "评分标准已保存" in response.content.decode()
    assert commerce_score(client, tracked) == "75"  # 100 − 25
    sheet = ScoreSheet.objects.get(region=tracked.region)
    record = AuditRecord.objects.get(action="change score sheet")
    assert record.object_id == str(sheet.pk)
    assert record.changes["per_missing"] == {"old": None, "new": "25"}
    page = client.get(PAGE).content.decode()
    assert 'value="25.00"' in page
    assert f"<td>{tracked.title}</td><td>本地区默认评分表</td>" in page


def test_a_plan_with_its_own_sheet_keeps_it_and_can_follow_the_default_again(
    client_for, coordinator, tracked
):
    client = client_for(coordinator)
    client.post(PAGE, SHEET)
    client.post(
        reverse("supervision:scores", args=[tracked.pk]) + "?year=2026",
        {"start": "100", "per_missing": "5", "per_late": "1", "per_returned": "2"},
    )
    assert commerce_score(client, tracked) == "95"  # the plan's own sheet wins
    page = client.get(PAGE).content.decode()
    assert f"<td>{tracked.title}</td><td>本方案评分标准</td>" in page
    url = reverse("supervision:scores_use_region_sheet", args=[tracked.pk])
    assert client.post(url).status_code == 302
    assert commerce_score(client, tracked) == "75"
    assert not ScoreSheet.objects.filter(plan=tracked).exists()
    assert AuditRecord.objects.filter(action="change score sheet").count() == 3
    assert client.post(url).status_code == 302  # a second click: nothing left to drop
    assert AuditRecord.objects.filter(action="change score sheet").count() == 3


def test_another_regions_coordinator_keeps_only_their_own_regions_sheet(
    client_for, coordinator, jinan_coordinator, tracked
):
    jinan = client_for(jinan_coordinator)
    page = jinan.get(PAGE).content.decode()
    assert "济南市" in page
    assert tracked.title not in page
    jinan.post(PAGE, {**SHEET, "per_missing": "50"})
    assert ScoreSheet.objects.get().region.name == "济南市"
    other_plan = reverse("supervision:scores_use_region_sheet", args=[tracked.pk])
    assert jinan.post(other_plan).status_code == 404
    assert jinan.get(reverse("supervision:scores", args=[tracked.pk])).status_code == 404
    assert commerce_score(client_for(coordinator), tracked) == "90"  # 枣庄 untouched


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "分值须在0至1000之间"), ("abc", "输入一个数字"), ("", "这个字段是必填项")],
)
def test_bad_points_are_refused_in_chinese(client_for, coordinator, tracked, value, message):
    response = client_for(coordinator).post(PAGE, {**SHEET, "per_late": value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ScoreSheet.objects.exists()
    assert not AuditRecord.objects.filter(action="change score sheet").exists()


def test_only_coordinators_keep_the_region_sheet(
    client_for, commerce_reporter, leader, system_admin, tracked
):
    for user in (commerce_reporter, leader, system_admin):
        client = client_for(user)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, SHEET).status_code == 403
    use = reverse("supervision:scores_use_region_sheet", args=[tracked.pk])
    assert client_for(commerce_reporter).post(use).status_code == 403
    assert not ScoreSheet.objects.exists()


def test_a_coordinator_of_the_region_sees_the_link_others_do_not(
    client_for, coordinator, leader, tracked
):
    url = reverse("supervision:scores", args=[tracked.pk])
    assert "本地区默认评分表" in client_for(coordinator).get(url).content.decode()
    assert "本地区默认评分表" not in client_for(leader).get(url).content.decode()


def test_the_wrong_method_is_refused(client_for, coordinator, tracked):
    use = reverse("supervision:scores_use_region_sheet", args=[tracked.pk])
    assert client_for(coordinator).get(use).status_code == 405
    assert client_for(coordinator).put(PAGE).status_code == 405


def test_the_page_has_a_pinned_query_count(
    client_for, coordinator, tracked, django_assert_num_queries
):
    client = client_for(coordinator)
    client.post(PAGE, SHEET)
    with django_assert_num_queries(5):
        assert client.get(PAGE).status_code == 200
