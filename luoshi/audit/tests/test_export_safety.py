"""Attacks on the audit log's export: a department name written as a formula reaches the CSV
as text, and malformed dates in the filter are refused with a message, never a 500."""

import csv
import io

import pytest
from django.urls import reverse

from luoshi.audit.services import record_event
from luoshi.orgs.services import update_organization
from luoshi.testing import department

pytestmark = pytest.mark.django_db


def _export(client, **query):
    response = client.get(reverse("audit:export"), query)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_a_formula_in_a_department_name_reaches_the_audit_csv_as_text(
    client_for, audit_admin, coordinator, commerce_reporter
):
    update_organization(
        coordinator, department("市商务局"), name="=cmd|'/c calc'!A1", full_name="", aliases=[]
    )
    commerce_reporter.refresh_from_db()
    record_event(commerce_reporter, "change", object_type="t.t", object_id="1")
    cells = [cell for row in _export(client_for(audit_admin)) for cell in row]
    assert "'=cmd|'/c calc'!A1" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


@pytest.mark.parametrize(
    "query",
    [
        {"start": "0001-01-01"},
        {"end": "9999-12-31"},
        {"start": "9999-12-31", "end": "0001-01-01"},
        {"start": "2026-13-45"},
        {"page": "99999999999999999999"},
    ],
)
def test_malformed_dates_in_the_audit_filter_are_refused_with_a_message(
    client_for, audit_admin, query
):
    client = client_for(audit_admin)
    page = client.get(reverse("audit:log"), query)
    assert page.status_code in (200, 400)
    if "page" not in query:
        assert "日期" in page.content.decode()
    export = client.get(reverse("audit:export"), query)
    assert export.status_code in (200, 400)


def test_a_nul_in_the_audit_search_finds_what_the_rest_of_the_words_find(
    client_for, audit_admin, commerce_reporter
):
    # PostgreSQL refuses a NUL in a query: the search drops control characters first.
    record_event(commerce_reporter, "login")
    client = client_for(audit_admin)
    page = client.get(reverse("audit:log"), {"q": "commerce\x00_reporter"})
    assert page.status_code == 200
    assert "commerce_reporter" in page.content.decode()
    assert client.get(reverse("audit:export"), {"q": "\x00"}).status_code == 200
