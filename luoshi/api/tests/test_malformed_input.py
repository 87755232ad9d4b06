"""Malformed numbers sent to the API answer 400 or 422 with a message, never a 500."""

import json

import pytest

from luoshi.testing import lead_entry

pytestmark = pytest.mark.usefixtures("mid_november")


@pytest.mark.parametrize(
    "raw", ["1e100", "-1e100", '"1e100"', "Infinity", "NaN", '"inf"', '"-inf"', '"nan"', '"1e-1"']
)
def test_an_impossible_actual_is_refused_with_a_message(
    token_client, commerce_reporter, commerce_leads, target, commerce_report, raw
):
    from luoshi.reporting import services

    services.start_draft(commerce_reporter, commerce_report)
    entry = lead_entry(commerce_report)
    body = f'{{"version": {entry.version}, "actuals": {{"{target.pk}": {raw}}}}}'
    response = token_client(commerce_reporter).put(
        f"/api/v1/entries/{entry.pk}", body, content_type="application/json"
    )
    if raw == '"1e-1"':  # a small number in exponent form is a number like any other
        assert response.status_code == 200, response.content
        return
    assert response.status_code in (400, 422), response.content
    detail = json.dumps(response.json(), ensure_ascii=False)
    assert "实际值" in detail or "number" in detail.lower() or "decimal" in detail.lower()
    assert not entry.actuals.exists()
