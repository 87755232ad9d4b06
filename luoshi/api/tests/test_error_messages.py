"""The API's errors speak the user's language, Chinese unless they chose English: invalid input
answers 422 with one item per invalid value (pydantic's `type` and `loc`, a translated `msg`),
and an id larger than the database holds is refused there, not sent to the database."""

import pytest
from django.conf import settings
from django.test import Client

from luoshi.reporting.models import Report, ReportEntry
from luoshi.testing import lead_entry

pytestmark = pytest.mark.usefixtures("mid_november")

JSON = "application/json"
LARGEST_ID = 2**63 - 1


@pytest.fixture
def entry(commerce_reporter, commerce_leads, commerce_report):
    from luoshi.reporting import services

    services.start_draft(commerce_reporter, commerce_report)
    return lead_entry(commerce_report)


def put_entry(client, entry, body):
    return client.put(f"/api/v1/entries/{entry.pk}", body, content_type=JSON)


def test_a_missing_field_is_named_in_chinese(token_client, commerce_reporter, entry):
    response = put_entry(token_client(commerce_reporter), entry, {"progress": "进展"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"type": "missing", "loc": ["body", "data", "version"], "msg": "此项为必填项。"}]
    }


def test_a_value_of_the_wrong_type_is_explained_in_chinese(token_client, commerce_reporter, entry):
    response = put_entry(
        token_client(commerce_reporter), entry, {"version": "第一版", "progress": 5}
    )
    assert response.status_code == 422
    messages = {tuple(error["loc"]): error["msg"] for error in response.json()["detail"]}
    assert messages == {
        ("body", "data", "version"): "应为整数。",
        ("body", "data", "progress"): "应为文本。",
    }
    assert ReportEntry.objects.get(pk=entry.pk).version == entry.version  # nothing saved


def test_a_wrong_choice_lists_the_choices_in_chinese(token_client, commerce_reporter, entry):
    response = put_entry(
        token_client(commerce_reporter), entry, {"version": entry.version, "status": "finished"}
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "data", "status"]
    assert error["msg"].startswith("应为以下值之一：")
    assert "'done'" in error["msg"] and "'behind'" in error["msg"]


def test_an_id_out_of_the_databases_range_is_refused_not_a_500(
    token_client, coordinator, commerce_reporter, reported
):
    office = token_client(coordinator)
    response = office.post(
        "/api/v1/bulk-accept", {"report_ids": [LARGEST_ID + 1]}, content_type=JSON
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "data", "report_ids", 0]
    assert error["msg"] == f"超出范围：不能大于 {LARGEST_ID}。"

    response = token_client(commerce_reporter).get(f"/api/v1/reports?period={LARGEST_ID + 1}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == f"超出范围：不能大于 {LARGEST_ID}。"
    # The largest id itself is only one that no report has.
    response = office.post("/api/v1/bulk-accept", {"report_ids": [LARGEST_ID]}, content_type=JSON)
    assert response.json() == {"accepted": [], "skipped": []}
    assert not Report.objects.filter(pk=LARGEST_ID).exists()


def test_an_unknown_object_a_body_that_is_not_json_and_no_token_answer_in_chinese(
    token_client, commerce_reporter, entry
):
    client = token_client(commerce_reporter)
    assert client.get("/api/v1/reports/999999").json() == {"detail": "未找到"}
    response = put_entry(client, entry, "{version: 1")
    assert (response.status_code, response.json()) == (400, {"detail": "请求正文不是有效的 JSON。"})
    response = Client().get("/api/v1/plans")
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "请登录，或发送有效的 API 令牌。"},
    )
    response = Client().get("/api/v1/openapi.json")
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "请登录，或发送有效的 API 令牌。"},
    )


def test_a_user_who_chose_english_gets_english_messages(token_client, commerce_reporter, entry):
    client = token_client(commerce_reporter)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = put_entry(client, entry, {"version": "one"})
    assert response.json()["detail"][0]["msg"] == "Enter a whole number."
    assert client.get("/api/v1/reports/999999").json() == {"detail": "Not found"}
