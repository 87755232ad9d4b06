"""Attacks on the portal's masking: a phone number written with separators, full-width digits,
a country prefix or an area code, or an ID-card number, must not reach the public page, the CSV
or the JSON — while the figures of progress text (amounts, dates, counts, percentages, years,
document numbers) always do."""

import csv
import io
import itertools
import json

import pytest
from django.urls import reverse

from luoshi.plans.models import Measure
from luoshi.portal import services as portal
from luoshi.portal.models import Publication
from luoshi.reporting import builder, services
from luoshi.testing import department, file_report

pytestmark = pytest.mark.usefixtures("mid_november")

# Each way a red-team tester wrote a number past the first masking.
BYPASSES = [
    "138-0013-8000",
    "138 0013 8000",
    "１３８００１３８０００",
    "１３８－００１３－８０００",
    "+86 13800138000",
    "+8613900139000",
    "0086-13700137000",
    "008613600136000",
    "0632-1234567",
    "(0632)2345678",
    "（0632）3456789",
    "0632 4567890",
    "0632-5678901-801",
    "010-87654321",
    "37040219900307123X",
    "370402199003071236",
]

# Figures a progress text holds: none of them is ever masked.
FIGURES = (
    "完成投资1234.5万元，共12345678元，2026年11月28日（2026-11-28）前完成35.6%，"
    "新增13家企业，按枣发改经贸〔2022〕243号第十.3项推进，2022—2025年累计120000人次。"
)


@pytest.fixture
def exposed(client_for, coordinator, commerce_reporter, commerce_head, november):
    """A published period whose accepted progress text holds every bypass and every figure."""
    commerce = department("市商务局")
    text = "联络方式：" + "、".join(BYPASSES) + "。" + FIGURES
    report = file_report(
        november.reports.get(organization=commerce), commerce_reporter, commerce_head, text=text
    )
    services.accept(coordinator, report)
    publish = reverse("portal:publish", args=[november.plan_id, november.pk])
    assert client_for(coordinator).post(publish).status_code == 302
    return Publication.objects.get(withdrawn_at__isnull=True)


def _published_texts(client, publication, plan_id):
    page = client.get(reverse("portal:plan", args=[plan_id])).content.decode()
    body = client.get(reverse("portal:publication_csv", args=[publication.pk])).content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    data = json.loads(client.get(reverse("portal:publication_json", args=[publication.pk])).content)
    progress = [
        entry["progress"]
        for task in data["tasks"]
        for measure in task["measures"]
        for entry in measure["progress"]
    ]
    return {"page": page, "csv": "\n".join(",".join(row) for row in rows), "json": progress}


@pytest.mark.parametrize("number", BYPASSES)
def test_a_phone_or_id_number_is_masked_on_the_page_the_csv_and_the_json_however_written(
    client_for, exposed, tracked, number
):
    texts = _published_texts(client_for(None), exposed, tracked.pk)
    assert "联络方式：" in texts["page"]  # the text is there, masked
    assert number not in texts["page"]
    assert number not in texts["csv"]
    assert not any(number in text for text in texts["json"])


def test_the_figures_of_progress_text_reach_the_page_the_csv_and_the_json(
    client_for, exposed, tracked
):
    texts = _published_texts(client_for(None), exposed, tracked.pk)
    assert FIGURES in texts["page"]
    assert FIGURES in texts["csv"]
    masked = "联络方式：" + "、".join(["＊＊＊"] * len(BYPASSES)) + "。" + FIGURES
    assert masked in texts["json"]  # every number whole, prefix and area code included


@pytest.mark.parametrize(
    "text, expected",
    [
        ("电话：138-0013-8000", "电话：＊＊＊"),
        ("请拨１３８ ００１３ ８０００。", "请拨＊＊＊。"),
        ("座机(0632)1234567转801，", "座机＊＊＊，"),
        ("身份证号37040219900307123x，", "身份证号＊＊＊，"),
        ("电话3313683", "电话＊＊＊"),
        ("邮箱 zw＠example.cn", "邮箱 ＊＊＊"),
        ("投资1234.5万元，完成35.6%。", "投资1234.5万元，完成35.6%。"),
        ("2026年11月28日（2026-11-28）", "2026年11月28日（2026-11-28）"),
        ("累计12345678元，18000000人次", "累计12345678元，18000000人次"),
        ("〔2022〕243号、鲁发改经贸〔2022〕518号", "〔2022〕243号、鲁发改经贸〔2022〕518号"),
        ("2022—2025年，13家企业，第十.3项", "2022—2025年，13家企业，第十.3项"),
    ],
)
def test_masking_takes_the_number_and_leaves_the_figure(text, expected):
    assert portal.mask_contacts(text) == expected


def test_the_seed_plans_measure_texts_are_never_masked(seed_plan):
    texts = list(Measure.objects.filter(key_task__plan=seed_plan).values_list("text", flat=True))
    assert len(texts) == 77
    changed = [text for text in texts if portal.mask_contacts(text) != text]
    assert changed == []


def test_the_data_builders_progress_texts_are_never_masked(seed_plan):
    """Every sentence the builder can write, around every measure of the seed plan."""
    parts = [
        *builder.ACTIONS,
        *builder.RESULTS,
        *builder.PROBLEMS,
        *builder.NEXT_STEPS,
        *builder.BEHIND_REASONS,
        *builder.RETURN_COMMENTS,
    ]
    assert portal.mask_contacts("\n".join(parts)) == "\n".join(parts)
    topics = [
        text[:18].rstrip("，。；、")
        for text in Measure.objects.filter(key_task__plan=seed_plan).values_list("text", flat=True)
    ]
    for topic, action, result in itertools.product(
        topics[:: len(topics) // 7], builder.ACTIONS, builder.RESULTS
    ):
        text = f"{builder.SAMPLE_MARK}2026年11月，围绕“{topic}”，{action}，{result}。"
        assert portal.mask_contacts(text) == text
