"""The ledger of a year printed as offices print it: LibreOffice renders the .xlsx to PDF, one
sheet per month on A4 landscape pages, every progress text whole on the page (a row too short
for its text would cut it off), the header repeated and the page numbers below."""

import datetime
import io
import subprocess

import pdfplumber
import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from luoshi.reporting.models import Report, ReportEntry
from luoshi.testing import at, convert, require_cjk_font, require_program, track

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

A4_LANDSCAPE_MM = (297, 210)


@pytest.fixture
def year(settings, seed_plan):
    """The seed plan tracked through 2026, its twelve months reported by the builder, seen on
    8 January 2027."""
    from luoshi.reporting.builder import build_reports

    with time_machine.travel(at(2027, 1, 8, 10, 0), tick=False):
        track(seed_plan, settings, datetime.date(2026, 1, 1))
        build_reports(
            seed_plan,
            datetime.date(2026, 1, 1),
            datetime.date(2026, 12, 31),
            today=datetime.date(2027, 1, 8),
        )
        yield seed_plan


def _mm(points: float) -> int:
    return round(points / 72 * 25.4)


def _borders(page) -> list[float]:
    """The x of the table's vertical borders (a border drawn twice counts once)."""
    borders: list[float] = []
    for x in sorted(e["x0"] for e in page.edges if e["orientation"] == "v"):
        if not borders or x - borders[-1] > 2:
            borders.append(x)
    return borders


def _column_text(page, left: float, right: float) -> str:
    """The text printed between `left` and `right` on the page, without line breaks."""
    cropped = page.crop((left, 0, right, page.height))
    return "".join((cropped.extract_text() or "").split())


def test_a_year_of_ledger_prints_every_progress_text_on_a4_landscape_pages(
    client_for, coordinator, year, artifacts, tmp_path
):
    require_program("soffice", "libreoffice-calc-nogui")
    require_program("/usr/lib/libreoffice/program/libsclo.so", "libreoffice-calc-nogui")
    require_program("pdftoppm", "poppler-utils")
    require_cjk_font()
    months = list(year.periods.filter(start__year=2026).order_by("start"))
    url = reverse("documents:ledger_xlsx", args=[year.pk])
    response = client_for(coordinator).get(url, {"periods": [p.pk for p in months]})
    assert response.status_code == 200
    data = response.content
    (artifacts / "ledger-year.xlsx").write_bytes(data)
    sheets = load_workbook(io.BytesIO(data)).sheetnames
    assert sheets == [p.label for p in months] + ["报送及时性"]
    pdf = convert(data, "xlsx", "pdf")
    (tmp_path / "ledger.pdf").write_bytes(pdf)
    (artifacts / "ledger-year.pdf").write_bytes(pdf)
    january = months[0]
    sent = ReportEntry.objects.filter(
        report__period=january,
        report__status__in=(Report.Status.SUBMITTED, Report.Status.ACCEPTED),
    )
    texts = {"".join(e.progress.split()) for e in sent}
    unsent = ReportEntry.objects.filter(
        report__period=january, report__status__in=Report.UNSUBMITTED
    ).exclude(progress="")
    assert texts and unsent.exists()
    with pdfplumber.open(tmp_path / "ledger.pdf") as document:
        pages = document.pages
        # Each month starts a page; a page holds several rows (318 a month).
        assert 13 <= len(pages) <= 13 * 318 / 4
        printed = ""
        for number, page in enumerate(pages, start=1):
            text = page.extract_text()
            if number == 1 or "2026年1月落实情况台账" in text:
                assert (_mm(page.width), _mm(page.height)) == A4_LANDSCAPE_MM
                assert "序号" in text and "进展情况" in text and "状态" in text
                assert f"第 {number} 页 共 {len(pages)} 页" in text
                # The table's borders: 8 vertical lines for 7 columns, 进展情况 the fifth.
                lines = _borders(page)
                assert len(lines) == 8, lines
                printed += _column_text(page, lines[4], lines[5])
            else:
                break
    missing = [t for t in texts if t not in printed]
    assert missing == [], f"{len(missing)} of {len(texts)} progress texts cut off"
    # The drafts of the reports never sent (the builder's missing ones) are not printed.
    drafts = {"".join(e.progress.split()) for e in unsent} - texts
    assert drafts and not [t for t in drafts if t in printed]
    for number in (1, 2):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "110",
                "-f",
                str(number),
                "-l",
                str(number),
                "-singlefile",
                str(tmp_path / "ledger.pdf"),
                str(artifacts / f"ledger-year-page-{number}"),
            ],
            check=True,
            timeout=120,
        )
        assert (artifacts / f"ledger-year-page-{number}.png").stat().st_size > 10_000
