"""The test toolkit: the builders and helpers every app's tests import.

The fixtures (personas, the seed plan, a tracked plan, a month, a logged-in browser page) live
in the root conftest, luoshi/conftest.py, and are built with these. Data goes through the real
services, never raw inserts; datetimes are aware, in Asia/Shanghai.

Django and the apps are imported inside the functions: the pure-Python importer's tests use
`require_program` and the document builders at the end without Django.
"""

import datetime
import functools
import io
import itertools
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from contextlib import nullcontext
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from PIL import Image

# --- Time -------------------------------------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime.datetime:
    """An aware Asia/Shanghai datetime: at(2026, 11, 20, 10, 30)."""
    return datetime.datetime(*args, tzinfo=SHANGHAI)


# --- System programs --------------------------------------------------------------------------


def require_program(program: str, package: str):
    """Skip when a system program is missing; fail instead under LUOSHI_REQUIRE_ALL=1 (CI)."""
    if shutil.which(program) or Path(program).exists():
        return
    message = f"{program} is not installed (apt-get install {package})"
    if os.environ.get("LUOSHI_REQUIRE_ALL") == "1":
        pytest.fail(f"{message}, and LUOSHI_REQUIRE_ALL=1 forbids skipping")
    pytest.skip(message)


def require_cjk_font():
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    if not fonts.strip():
        require_program("/nonexistent/fonts-noto-cjk", "fonts-noto-cjk")


# --- People and departments -------------------------------------------------------------------


def password(username: str) -> str:
    """The password every test account is given."""
    return f"Test-{username}-42"


def department(name: str):
    """The department of the loaded directory called `name` (市商务局)."""
    from luoshi.orgs.models import Organization

    return Organization.objects.get(kind=Organization.Kind.DEPARTMENT, name=name)


def make_user(username: str, role: str, organization):
    """An account through the real service, with `password(username)`."""
    from luoshi.orgs.services import ensure_account

    return ensure_account(
        username, password(username), role=role, organization=organization, display_name=username
    )


# --- The seed plan ----------------------------------------------------------------------------


def measure(code: str):
    """The seed plan's measure `code` ("十.3": the third measure of key task 十、)."""
    from luoshi.plans.models import Measure

    task, no = code.split(".")
    return Measure.objects.get(key_task__label=f"{task}、", no=int(no))


def make_commerce_lead(coordinator, plan):
    """The seed names no lead; the coordinator makes 市商务局 the lead of 一.2 and of 十.3
    (which has a target, 不超过2000元, and 市交通运输局 among its co departments)."""
    from luoshi.plans.services import set_measure_departments

    for code, lead, co in [
        ("一.2", "市商务局", ["市发展改革委", "市财政局", "市农业农村局"]),
        ("十.3", "市商务局", ["市邮政管理局", "市交通运输局", "市供销合作社"]),
    ]:
        departments = [(department(lead), "lead")] + [(department(name), "co") for name in co]
        set_measure_departments(coordinator, measure(code), departments, needs_review=False)
    return plan


# --- Reporting --------------------------------------------------------------------------------


def track(plan, settings, since: datetime.date, *, on=None, ahead: int = 1):
    """`plan` tracked monthly from `since`: its periods and expected reports generated as on
    `on` (an aware datetime; now if not given), `ahead` periods past that month.

    `settings` is pytest-django's fixture: REPORTING_TRACKING_START and REPORTING_PERIODS_AHEAD
    stay set for the test, as later calls of ensure_periods read them.
    """
    import time_machine

    from luoshi.lib import clock
    from luoshi.reporting import services

    settings.REPORTING_TRACKING_START = since.isoformat()
    settings.REPORTING_PERIODS_AHEAD = ahead
    with time_machine.travel(on, tick=False) if on else nullcontext():
        services.ensure_periods(plan, clock.today())
    return plan


def month(plan, year: int, number: int):
    """The plan's period (month) that starts on the 1st of `number`/`year`."""
    return plan.periods.get(start=datetime.date(year, number, 1))


def fill(report, reporter, *, text=None, status="in_progress", statuses=None, actuals=None):
    """`report`'s draft, started if need be, with every entry written by `reporter` through
    save_entry: `text` as the progress (by default "本月推进顺利。", or, where that would
    repeat last period's text, the same naming the period: a repeated text cannot be
    submitted), `status` (or `statuses[measure id]`, with a reason when behind) and the
    `actuals` ({target id: value}) of the entry's measure. An entry that already says so is
    left as it is. Returns it."""
    from luoshi.plans.models import Target
    from luoshi.reporting import queries, services

    actuals = actuals or {}
    target_measures = dict(Target.objects.filter(pk__in=actuals).values_list("pk", "measure_id"))
    report = services.start_draft(reporter, report)
    entries = list(report.entries.all())
    queries.with_last_period(report, entries)
    for entry in entries:
        default = "本月推进顺利。"
        if entry.last_text == default:
            default = f"本月推进顺利。（{report.period.label}）"
        data = {
            "progress": text or default,
            "status": (statuses or {}).get(entry.measure_id, status),
        }
        if data["status"] == "behind":
            data["behind_reason"] = "资金尚未到位。"
        mine = {k: v for k, v in actuals.items() if target_measures[k] == entry.measure_id}
        if mine:
            data["actuals"] = mine
        elif all(getattr(entry, field) == value for field, value in data.items()):
            continue  # nothing to change
        services.save_entry(reporter, entry, data, entry.version)
    return report


def file_report(
    report,
    reporter,
    head,
    *,
    when=None,
    text=None,
    status="in_progress",
    statuses=None,
    actuals=None,
):
    """The one way a test files a report: drafted and filled as `fill()` does, submitted for
    sign-off by `reporter` and signed off by `head`, at `when` (an aware datetime; now if not
    given). Returns the submitted report."""
    from luoshi.lib import clock
    from luoshi.reporting import services

    with clock.frozen(when) if when else nullcontext():
        report = fill(
            report, reporter, text=text, status=status, statuses=statuses, actuals=actuals
        )
        services.submit_for_signoff(reporter, report)
        return services.sign_off(head, report)


def lead_entry(report):
    """The entry of 十.3, which 市商务局 leads (make_commerce_lead) and which has a target."""
    return report.entries.select_related("measure__key_task").get(measure=measure("十.3"))


def report_url(report) -> str:
    from django.urls import reverse

    return reverse("reporting:report", args=[report.pk])


def badges(page: str) -> list[tuple[str, str]]:
    """The badges of a page's content (its <main>, not the navbar): (text, title) of every
    element whose class names `badge`, in page order of their ends."""
    from html.parser import HTMLParser

    class Badges(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found, self.open, self.in_main = [], [], False

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            self.in_main = self.in_main or tag == "main"
            for badge in self.open:
                badge["depth"] += badge["tag"] == tag
            if self.in_main and "badge" in (attrs.get("class") or "").split():
                self.open.append({"tag": tag, "depth": 1, "text": "", "title": attrs.get("title")})

        def handle_endtag(self, tag):
            self.in_main = self.in_main and tag != "main"
            for badge in list(self.open):
                badge["depth"] -= badge["tag"] == tag
                if not badge["depth"]:
                    self.open.remove(badge)
                    self.found.append((badge["text"].strip(), badge["title"] or ""))

        def handle_data(self, data):
            for badge in self.open:
                badge["text"] += data

    parser = Badges()
    parser.feed(page)
    return parser.found


# --- Requests and uploads ---------------------------------------------------------------------

HX = {"HX-Request": "true"}  # the header htmx sends
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name: str = "证明.pdf"):
    """A small, real PDF as an uploaded file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# --- Dashboards -------------------------------------------------------------------------------

DASHBOARD_ENDPOINTS = [
    "progress_data",
    "heatmap_data",
    "timeliness_data",
    "targets_data",
    "lights_data",
]


def dashboard_url(name: str, plan=None) -> str:
    from django.urls import reverse

    return reverse(f"insights:{name}", args=[plan.pk] if plan else [])


def dashboard_json(client, name: str, plan=None) -> dict:
    """The JSON a dashboard chart loads, asserting it was answered as JSON."""
    response = client.get(dashboard_url(name, plan))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


# --- The browser ------------------------------------------------------------------------------


def fill_login_form(page, username: str, typed_password: str | None = None):
    """Fill the login form shown on `page` and send it, with `password(username)` unless another
    is typed. The `logged_in_page` fixture logs in with it; tests of the form itself use it."""
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(typed_password or password(username))
    page.get_by_role("button", name="登录").click()


def watch(page):
    """`page`, collecting what went wrong in `page.errors`: console errors, uncaught
    exceptions, failed requests (but those cut short by leaving the page) and HTTP errors."""
    page.errors = []
    page.on(
        "console",
        lambda m: (
            page.errors.append(f"{m.text} @ {m.location} on {page.url}")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on(
        "requestfailed",
        lambda r: (
            None
            if "ERR_ABORTED" in (r.failure or "")
            else page.errors.append(f"failed: {r.url} ({r.failure})")
        ),
    )
    page.on(
        "response",
        lambda r: page.errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None,
    )
    return page


# --- Plan documents ---------------------------------------------------------------------------
#
# Real documents built from the flattened text format, for the tests of the readers:
# - `docx_from_text`: a Word file written by python-docx; tab lines become a real table whose
#   empty cells are merged with the cell above, its first row repeating on every page.
# - `pdf_from_docx`, `encrypted_pdf_from_docx`, `convert`: LibreOffice headless renders or saves
#   it (cached by content for the test session: a conversion takes seconds).
# - `xlsx_from_text`: an Excel workbook written by openpyxl, empty cells merged with the one above.
# - `scanned_pdf`: a page turned into a picture (pdftoppm) in an image-only PDF, as a scanner makes.
# - `pdf_with_unmapped_font`, `ole_file`: the odd files that arrive all the same (a PDF whose text
#   cannot be decoded, the compound file of a password-protected or old Office document).

PARAGRAPH = re.compile(r"</?p>")
FONT_SIZE = Pt(12)


def _groups(text: str) -> list[tuple[str, list[str]]]:
    """The lines as ("p", [line]) and ("table", [row, …]) runs, in order."""
    groups: list[tuple[str, list[str]]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if "\t" in line:
            if groups and groups[-1][0] == "table":
                groups[-1][1].append(line)
            else:
                groups.append(("table", [line]))
        else:
            groups.append(("p", [line]))
    return groups


def _cell_paragraphs(cell: str) -> list[str]:
    return [part.strip() for part in PARAGRAPH.split(cell) if part.strip()]


def _rows(lines: list[str]) -> list[list[str]]:
    rows = [[cell.strip() for cell in line.split("\t")] for line in lines]
    width = max(len(row) for row in rows)
    return [row + [""] * (width - len(row)) for row in rows]


def _add_table(document, lines: list[str]):
    rows = _rows(lines)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    # The first row repeats at the top of every page, as official documents set it.
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    merge_from: list[int | None] = [None] * len(rows[0])
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            if not text:
                if merge_from[c] is not None:  # an empty cell continues the one above
                    table.cell(merge_from[c], c).merge(cell)
                continue
            merge_from[c] = r
            paragraphs = _cell_paragraphs(text)
            cell.paragraphs[0].text = paragraphs[0] if paragraphs else ""
            for paragraph in paragraphs[1:]:
                cell.add_paragraph(paragraph)


def _add_page_numbers(section):
    """A footer with the page number as official documents print it: — 3 —."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


def docx_from_text(text: str, indent: bool = True) -> bytes:
    """A real .docx of the text: A4, paragraphs indented by two characters (unless `indent` is
    false), tables with merges, page numbers in the footer."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(28)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    normal = document.styles["Normal"]
    normal.font.size = FONT_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Serif CJK SC")
    _add_page_numbers(section)
    for kind, lines in _groups(text):
        if kind == "table":
            _add_table(document, lines)
        else:
            paragraph = document.add_paragraph(lines[0].strip())
            if indent:
                paragraph.paragraph_format.first_line_indent = FONT_SIZE * 2
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def pdf_from_docx(data: bytes) -> bytes:
    """The .docx rendered to PDF by LibreOffice headless (cached: a conversion takes seconds)."""
    return convert(data, "docx", "pdf")


def encrypted_pdf_from_docx(data: bytes, password: str = "secret") -> bytes:
    """The .docx rendered to a PDF that needs `password` to open."""
    options = json.dumps(
        {
            "EncryptFile": {"type": "boolean", "value": "true"},
            "DocumentOpenPassword": {"type": "string", "value": password},
        }
    )
    return convert(data, "docx", f"pdf:writer_pdf_Export:{options}")


def convert(data: bytes, suffix: str, target: str) -> bytes:
    """`data` (a .`suffix` file) converted by LibreOffice headless: `target` is what
    `soffice --convert-to` takes (pdf, doc, "docx:MS Word 2007 XML", pdf:filter:options)."""
    require_program("soffice", "libreoffice-writer")
    return _convert(data, suffix, target)


@functools.cache
def _convert(data: bytes, suffix: str, target: str) -> bytes:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"plan.{suffix}"
        path.write_bytes(data)
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{directory}/profile",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                f"{directory}/out",
                str(path),
            ],
            check=True,
            capture_output=True,
            # A year of a plan's ledger (12 sheets of ~300 rows) takes LibreOffice a minute
            # on 2 idle cores, five on a loaded one.
            timeout=900,
        )
        (output,) = Path(directory, "out").iterdir()
        return output.read_bytes()


def scanned_pdf(pdf: bytes, first: int = 1, last: int = 1, dpi: int = 72) -> bytes:
    """A PDF of pages `first` to `last` of `pdf` as pictures at `dpi`, the way a scanner makes
    one: no text."""
    require_program("pdftoppm", "poppler-utils")
    with tempfile.TemporaryDirectory() as directory:
        Path(directory, "in.pdf").write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-png", "-f", str(first), "-l", str(last)]
            + ["in.pdf", "page"],
            cwd=directory,
            check=True,
            capture_output=True,
            timeout=120,
        )
        pages = [Image.open(png).convert("RGB") for png in sorted(Path(directory).glob("page*"))]
        output = io.BytesIO()
        pages[0].save(output, format="PDF", resolution=dpi, save_all=True, append_images=pages[1:])
        return output.getvalue()


def require_ocr():
    """Skip when the OCR engine (rapidocr) is missing; fail instead under LUOSHI_REQUIRE_ALL=1."""
    from luoshi.importing import ocr

    if ocr.available():
        return
    message = "rapidocr is not installed (pip install -r requirements.txt)"
    if os.environ.get("LUOSHI_REQUIRE_ALL") == "1":
        pytest.fail(f"{message}, and LUOSHI_REQUIRE_ALL=1 forbids skipping")
    pytest.skip(message)


def pdf_with_unmapped_font(lines: int = 10) -> bytes:
    """A hand-written PDF whose Type3 font names its glyphs but not their characters (no
    ToUnicode map), as some converters write: text extraction gives (cid:1)(cid:2)…"""
    content = b"".join(
        b"BT /F1 12 Tf 72 %d Td <010203010203> Tj ET\n" % (700 - 20 * k) for k in range(lines)
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000]"
        b" /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << /g1 6 0 R >>"
        b" /Encoding << /Type /Encoding /Differences [1 /g1 2 /g1 3 /g1] >>"
        b" /FirstChar 1 /LastChar 3 /Widths [1000 1000 1000] >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    output = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    output += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return output


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A compound file (OLE2, version 3) holding `streams` at its root: what Office writes for a
    password-protected .docx (EncryptionInfo, EncryptedPackage) and for old .doc/.xls files.
    Streams are padded to 4096 bytes so that they live in regular sectors (no mini stream)."""
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    sector = 512
    datas = [data.ljust(4096, b"\0") for data in streams.values()]
    fat = [fat_sector, end]  # sector 0: the FAT, sector 1: the directory
    starts = []
    for data in datas:
        count = -(-len(data) // sector)
        starts.append(len(fat))
        fat += [len(fat) + k + 1 for k in range(count - 1)] + [end]
    assert len(fat) <= sector // 4, "enough for a test file"
    fat += [free] * (sector // 4 - len(fat))

    def entry(name, kind, child, right, start, size):
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(encoded), kind, 1, no_stream, right, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", start, size)
        )

    names = list(streams)  # all black, chained by right siblings: a valid (if lopsided) tree
    directory = entry("Root Entry", 5, 1 if names else no_stream, no_stream, end, 0)
    for k, (name, data) in enumerate(zip(names, datas, strict=True)):
        right = k + 2 if k + 1 < len(names) else no_stream
        directory += entry(name, 2, no_stream, right, starts[k], len(data))
    directory = directory.ljust(-(-len(directory) // sector) * sector, b"\0")
    assert len(directory) == sector, "one directory sector holds four entries"
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<108I", *[free] * 108)
    )
    assert len(header) == sector
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + b"".join(datas)


def xlsx_from_text(text: str) -> bytes:
    """A workbook whose first sheet holds the text: paragraphs in column A, table rows across
    the columns, an empty table cell merged with the cell above it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "分工方案"
    r = 0
    for kind, lines in _groups(text):
        if kind == "p":
            r += 1
            if lines[0].strip():
                sheet.cell(r, 1, lines[0].strip())
            continue
        rows = _rows(lines)
        merge_from: list[int | None] = [None] * len(rows[0])
        for row in rows:
            r += 1
            for c, cell_text in enumerate(row, start=1):
                if cell_text:
                    merge_from[c - 1] = r
                    sheet.cell(r, c, "\n".join(_cell_paragraphs(cell_text)))
                elif merge_from[c - 1] is not None:
                    start = merge_from[c - 1]
                    # Widen the merged range that starts above to this row.
                    for merged in list(sheet.merged_cells.ranges):
                        if merged.min_row == start and merged.min_col == c:
                            sheet.unmerge_cells(str(merged))
                    sheet.merge_cells(start_row=start, start_column=c, end_row=r, end_column=c)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def swollen_zip(data: bytes, part: str, megabytes: int) -> bytes:
    """The Office file `data` with its `part` replaced by `megabytes` MB of zeros, deflated.

    A zip bomb: a few hundred KB that inflate past the readers' limit. Written in 1 MB chunks,
    so building it never holds the inflated part in memory.
    """
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for entry in source.infolist():
            if entry.filename != part:
                bomb.writestr(entry, source.read(entry))
        with bomb.open(part, "w", force_zip64=True) as swollen:
            chunk = bytes(1024 * 1024)
            for _ in range(megabytes):
                swollen.write(chunk)
    return output.getvalue()


# --- OFD (GB/T 33190) ---------------------------------------------------------------------------
#
# `ofd_from_text`: a small OFD writer following the standard's structure (OFD.xml → DocBody/
# DocRoot → Document.xml → Pages → each page's Content.xml), as OFD printers and converters lay a
# page out: every line a TextObject placed by its Boundary, its characters' advances in DeltaX
# ("g n v" for a run of equal ones), the table rules one PathObject a page (AbbreviatedData),
# lengths in millimetres from the top left corner. Paragraphs are indented by two characters and
# wrap greedily (an ASCII word and punctuation stay with their neighbours, as word processors
# keep them); a table's columns are as wide as their mean content asks, its header row repeats
# on every page, a row that does not fit goes to the next page whole, and an empty cell is merged
# with the one above (no rule between them). Widths come from the characters' kind: a CJK or
# full-width character is as wide as the font is tall, any other half as wide.

OFD_NAMESPACE = "http://www.ofdspec.org/2016"
ET.register_namespace("ofd", OFD_NAMESPACE)
OFD_SIZE = 4.2333  # mm: 12 pt
OFD_PITCH = OFD_SIZE * 1.5
OFD_PAGE = (210.0, 297.0)
OFD_LEFT, OFD_RIGHT, OFD_TOP, OFD_BOTTOM = 28.0, 28.0, 37.0, 35.0
OFD_PADDING = 1.5
OFD_CLOSING = set("，。、；：！？）》」』〕】％%,.;:!?)”’")
OFD_OPENING = set("（《「『〔【(“‘")


def _ofd_width(char: str) -> float:
    return OFD_SIZE if unicodedata.east_asian_width(char) in "WF" else OFD_SIZE / 2


def _ofd_units(text: str) -> list[str]:
    """The pieces a line may break between; a space hangs at the end of its line."""
    units: list[str] = []
    for char in text:
        before = units[-1][-1] if units else ""
        latin = before.isascii() and before.isalnum() and char.isascii() and char.isalnum()
        if units and (latin or char in OFD_CLOSING or char == " " or before in OFD_OPENING):
            units[-1] += char
        else:
            units.append(char)
    return units


def _ofd_wrap(text: str, width: float, indent: float = 0.0) -> list[str]:
    lines = [""]
    used = indent
    for unit in _ofd_units(text):
        if used + sum(_ofd_width(char) for char in unit.rstrip()) > width + 1e-6 and lines[-1]:
            lines.append("")
            used = 0.0
        lines[-1] += unit
        used += sum(_ofd_width(char) for char in unit)
    return lines


def _ofd_deltas(text: str) -> str:
    """DeltaX of a line: the advance after each character but the last, runs as "g n v"."""
    advances = [f"{_ofd_width(char):.4f}" for char in text[:-1]]
    out = []
    for value, run in itertools.groupby(advances):
        count = len(list(run))
        out.append(f"g {count} {value}" if count > 1 else value)
    return " ".join(out)


class _OfdPages:
    """The pages being written: text objects and rules, and the cursor."""

    def __init__(self):
        self.pages: list[list[ET.Element]] = []
        self.next_id = 1
        self.new_page()

    def new_page(self):
        self.pages.append([])
        self.y = OFD_TOP
        self.text(f"— {len(self.pages)} —", OFD_PAGE[0] / 2 - 3 * OFD_SIZE, OFD_PAGE[1] - 25)

    def room(self) -> float:
        return OFD_PAGE[1] - OFD_BOTTOM - self.y

    def element(self, tag: str, **attributes) -> ET.Element:
        element = ET.Element(f"{{{OFD_NAMESPACE}}}{tag}", ID=str(self.next_id), **attributes)
        self.next_id += 1
        self.pages[-1].append(element)
        return element

    def text(self, line: str, x: float, y: float):
        if not line:
            return
        width = sum(_ofd_width(char) for char in line)
        element = self.element(
            "TextObject",
            Boundary=f"{x:.4f} {y:.4f} {width:.4f} {OFD_PITCH:.4f}",
            Font="1",
            Size=f"{OFD_SIZE}",
        )
        code = ET.SubElement(element, f"{{{OFD_NAMESPACE}}}TextCode", X="0", Y=f"{OFD_SIZE}")
        if len(line) > 1:
            code.set("DeltaX", _ofd_deltas(line))
        code.text = line

    def rules(self, box: tuple[float, float, float, float], segments: list):
        x, y, width, height = box
        element = self.element(
            "PathObject", Boundary=f"{x:.4f} {y:.4f} {width:.4f} {height:.4f}", LineWidth="0.25"
        )
        data = ET.SubElement(element, f"{{{OFD_NAMESPACE}}}AbbreviatedData")
        data.text = " ".join(
            f"M {x0 - x:.4f} {y0 - y:.4f} L {x1 - x:.4f} {y1 - y:.4f}"
            for (x0, y0), (x1, y1) in segments
        )

    def paragraph(self, text: str):
        width = OFD_PAGE[0] - OFD_LEFT - OFD_RIGHT
        indent = 2 * OFD_SIZE
        for k, line in enumerate(_ofd_wrap(text.strip(), width, indent) if text.strip() else [""]):
            if self.room() < OFD_PITCH:
                self.new_page()
            self.text(line, OFD_LEFT + (indent if k == 0 else 0.0), self.y)
            self.y += OFD_PITCH

    def table(self, lines: list[str], widths: list[float]):
        rows = _rows(lines)
        total = sum(widths)
        edges = [OFD_LEFT + sum(widths[:c]) for c in range(len(widths) + 1)]
        cells = [
            [
                [
                    wrapped
                    for paragraph in _cell_paragraphs(text)
                    for wrapped in _ofd_wrap(paragraph, width - 2 * OFD_PADDING)
                ]
                for text, width in zip(row, widths, strict=True)
            ]
            for row in rows
        ]
        heights = [
            max(1, *(len(cell) for cell in row)) * OFD_PITCH + 2 * OFD_PADDING for row in cells
        ]
        started = [False] * len(widths)  # a column has had text: an empty cell continues it
        placed: list[tuple[float, list[bool]]] = []  # this page's rows: top, rule above each cell

        def close():
            if not placed:
                return
            top, bottom = placed[0][0], self.y
            segments = [((x, top), (x, bottom)) for x in edges]
            for row_top, ruled in placed:
                for c, rule in enumerate(ruled):
                    if rule or row_top == top:
                        segments.append(((edges[c], row_top), (edges[c + 1], row_top)))
            segments.append(((edges[0], bottom), (edges[-1], bottom)))
            self.rules((edges[0], top, total, bottom - top), segments)
            placed.clear()

        def place(r: int):
            ruled = [bool(rows[r][c]) or not started[c] for c in range(len(widths))]
            placed.append((self.y, ruled))
            for c, cell in enumerate(cells[r]):
                started[c] = started[c] or bool(rows[r][c])
                for k, line in enumerate(cell):
                    y = self.y + OFD_PADDING + k * OFD_PITCH
                    self.text(line, edges[c] + OFD_PADDING, y)
            self.y += heights[r]

        for r in range(len(rows)):
            if heights[r] > self.room():
                if heights[0] + heights[r] > OFD_PAGE[1] - OFD_TOP - OFD_BOTTOM:
                    raise ValueError("a table row taller than a page: the writer keeps rows whole")
                close()
                self.new_page()
                if r:
                    place(0)  # the header row again
            place(r)
        close()


def _ofd_node(tag: str, text: str | None = None, *children: ET.Element, **attributes):
    element = ET.Element(f"{{{OFD_NAMESPACE}}}{tag}", **attributes)
    element.text = text
    element.extend(children)
    return element


def _ofd_xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _ofd_columns(text: str) -> list[float]:
    """The widths of the columns, the same for every table of the text: as the square root of
    the mean length of the column's cells (at least four characters' worth)."""
    rows = _rows([line for line in text.splitlines() if "\t" in line])
    means = [max(sum(len(row[c]) for row in rows) / len(rows), 4.0) for c in range(len(rows[0]))]
    total = OFD_PAGE[0] - OFD_LEFT - OFD_RIGHT
    return [total * mean**0.5 / sum(m**0.5 for m in means) for mean in means]


def ofd_from_text(text: str) -> bytes:
    """A real OFD file of the text (A4 pages, see above), written as the standard lays it out."""
    pages = _OfdPages()
    for kind, lines in _groups(text):
        if kind == "table":
            pages.table(lines, _ofd_columns(text))
        else:
            pages.paragraph(lines[0])
    n = _ofd_node
    first_page_id = pages.next_id
    document = n(
        "Document",
        None,
        n(
            "CommonData",
            None,
            n("MaxUnitID", str(first_page_id + len(pages.pages))),
            n("PageArea", None, n("PhysicalBox", f"0 0 {OFD_PAGE[0]} {OFD_PAGE[1]}")),
            n("PublicRes", "PublicRes.xml"),
        ),
        n(
            "Pages",
            None,
            *(
                n("Page", ID=str(first_page_id + k), BaseLoc=f"Pages/Page_{k}/Content.xml")
                for k in range(len(pages.pages))
            ),
        ),
    )
    fonts = n("Fonts", None, n("Font", ID="1", FontName="宋体", FamilyName="宋体"))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        ofd = n(
            "OFD",
            None,
            n(
                "DocBody",
                None,
                n("DocInfo", None, n("DocID", "0" * 32)),
                n("DocRoot", "Doc_0/Document.xml"),
            ),
            Version="1.0",
            DocType="OFD",
        )
        archive.writestr("OFD.xml", _ofd_xml(ofd))
        archive.writestr("Doc_0/Document.xml", _ofd_xml(document))
        archive.writestr("Doc_0/PublicRes.xml", _ofd_xml(n("Res", None, fonts, BaseLoc="Res")))
        for k, objects in enumerate(pages.pages):
            layer = n("Layer", None, *objects, ID=str(pages.next_id + len(pages.pages) + k))
            content = n("Page", None, n("Content", None, layer))
            archive.writestr(f"Doc_0/Pages/Page_{k}/Content.xml", _ofd_xml(content))
    return output.getvalue()


# --- A plan of the test region that is not the seed ------------------------------------------

NIGHT_RULE = "各责任单位于每月25日前将工作进展情况报送市发展改革委。"


def night_plan_docx(rule: str = NIGHT_RULE) -> bytes:
    """A small table plan of 枣庄市 (not the seed), issued in 2022, as a real .docx: four measures
    of 市商务局 and 市交通运输局, reporting to 市发展改革委 by `rule` ("" states no rule)."""
    return docx_from_text(
        "\n".join(
            [
                "枣庄市发展和改革委员会 文件",
                "枣发改服务〔2022〕88号",
                "关于印发《枣庄市夜间经济提振行动分工方案》的通知",
                "市直有关部门：",
                f"现将《枣庄市夜间经济提振行动分工方案》印发给你们，请认真贯彻落实。{rule}",
                "枣庄市发展和改革委员会",
                "2022年5月6日",
                "枣庄市夜间经济提振行动分工方案",
                "重点任务\t推进措施\t责任部门",
                "一、培育夜间消费街区\t1、打造3条夜间特色街区，完善灯光、停车等配套设施。\t市商务局",
                "\t2、延长重点商圈营业时间，鼓励开展夜市活动。\t市商务局 市交通运输局",
                "二、保障夜间出行\t1、优化夜间公交线路，延长末班车运营时间。\t市交通运输局",
                "\t2、在夜间消费街区周边增设临时停车泊位。\t市交通运输局 市商务局",
            ]
        )
    )


# --- The region tree (issue 22) ---------------------------------------------------------------


def district_plan(district, office: str, doc_number: str):
    """The seed plan issued again by `office` of `district` (东区发展和改革局), which
    coordinates it: the district's own implementing plan, its departments made in the
    district by the real import."""
    import copy

    from luoshi.importing.sources import parse_file
    from luoshi.plans.seed import SEED
    from luoshi.plans.services import import_plan

    parsed, text = parse_file(SEED)
    parsed = copy.deepcopy(parsed)
    parsed.issuers, parsed.report_to, parsed.doc_number = [office], office, doc_number
    return import_plan(parsed, region=district, source_name=SEED.name, source_text=text)
