"""Real documents built from the flattened text format, for tests of the readers.

- `docx_from_text`: a Word file written by python-docx; tab lines become a real table whose
  empty cells are merged with the cell above, its first row repeating on every page.
- `pdf_from_docx`, `encrypted_pdf_from_docx`, `convert`: LibreOffice headless renders or saves
  it (cached by content for the test session: a conversion takes seconds).
- `xlsx_from_text`: an Excel workbook written by openpyxl, empty cells merged with the one above.
- `scanned_pdf`: a page turned into a picture (pdftoppm) in an image-only PDF, as a scanner makes.
- `pdf_with_unmapped_font`, `ole_file`: the odd files that arrive all the same (a PDF whose text
  cannot be decoded, the compound file of a password-protected or old Office document).
"""

import functools
import io
import json
import re
import struct
import subprocess
import tempfile
from pathlib import Path

import openpyxl
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from PIL import Image

from luoshi.conftest import require_program

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
            timeout=180,
        )
        (output,) = Path(directory, "out").iterdir()
        return output.read_bytes()


def scanned_pdf(pdf: bytes) -> bytes:
    """A PDF of the first page of `pdf` as a picture, the way a scanner makes one: no text."""
    require_program("pdftoppm", "poppler-utils")
    with tempfile.TemporaryDirectory() as directory:
        Path(directory, "in.pdf").write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "72", "-png", "-f", "1", "-l", "1", "in.pdf", "page"],
            cwd=directory,
            check=True,
            capture_output=True,
            timeout=60,
        )
        (png,) = Path(directory).glob("page*.png")
        output = io.BytesIO()
        Image.open(png).convert("RGB").save(output, format="PDF", resolution=72)
        return output.getvalue()


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
