"""The consolidated report as a GB/T 9704 .docx, opened again with python-docx, and rendered
by LibreOffice to PDF and PNG pages."""

import io
import subprocess

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from luoshi.documents import official
from luoshi.documents.pdf import docx_to_pdf
from luoshi.documents.report_docx import build_report_docx, chinese_number
from luoshi.documents.services import consolidated_report, default_options
from luoshi.reporting.models import Report
from luoshi.testing import require_cjk_font, require_program

pytestmark = pytest.mark.django_db


def _report(plan, period, **changes):
    options = default_options(plan)
    for key, value in changes.items():
        setattr(options, key, value)
    return consolidated_report(None, period, options)


def _docx(plan, period, **changes):
    data = build_report_docx(_report(plan, period, **changes))
    return data, Document(io.BytesIO(data))


def _east_asia(element) -> str | None:
    fonts = element.find(qn("w:rPr") + "/" + qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def test_page_is_a4_with_the_official_margins_and_grid(reported, october):
    _data, document = _docx(reported, october)
    section = document.sections[0]

    def mm(length):  # stored in twips: 210 mm is 11906 twips
        return round(length.mm, 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.bottom_margin)) == (37, 35)
    assert (mm(section.left_margin), mm(section.right_margin)) == (28, 26)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    # 22 lines of 28.95 pt fill the 225 mm text block; 28 characters fill the 156 mm line.
    pitch = int(grid.get(qn("w:linePitch")))
    assert 22 * pitch <= Mm(225).twips < 23 * pitch
    normal = document.styles["Normal"].element.find(qn("w:rPr"))
    spacing = int(normal.find(qn("w:spacing")).get(qn("w:val"))) / 20
    assert 27 * 16 < 28 * (16 + spacing) <= Mm(156).pt
    assert document.styles["Normal"].paragraph_format.line_spacing.twips == pitch


def test_fonts_sizes_and_heading_styles_are_the_official_ones(reported, october):
    _data, document = _docx(reported, october)
    styles = document.styles
    assert styles["Normal"].font.size == Pt(16)
    assert _east_asia(styles["Normal"].element) == "仿宋_GB2312"
    assert _east_asia(styles["Title"].element) == "方正小标宋简体"
    assert styles["Title"].font.size == Pt(22)
    for name, font, bold in (
        ("Heading 1", "黑体", False),
        ("Heading 2", "楷体_GB2312", False),
        ("Heading 3", "仿宋_GB2312", True),
    ):
        assert _east_asia(styles[name].element) == font
        assert styles[name].font.size == Pt(16)
        assert bool(styles[name].font.bold) is bold
    paragraphs = document.paragraphs
    title = next(p for p in paragraphs if p.style.name == "Title")
    assert title.text == "关于《促进绿色消费重点任务贯彻落实分工方案》2026年10月落实情况的报告"
    assert (
        title.alignment == WD_ALIGN_PARAGRAPH.CENTER or styles["Title"].paragraph_format.alignment
    )
    h1 = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert h1[0].startswith("一、") and h1[17].startswith("十八、")
    assert h1[18] == "十九、量化指标完成情况"
    assert any(p.text.startswith("（一）") for p in paragraphs if p.style.name == "Heading 2")
    assert any(p.text.startswith("1.") for p in paragraphs if p.style.name == "Heading 3")


def test_page_numbers_are_page_fields_right_on_odd_and_left_on_even_pages(reported, october):
    _data, document = _docx(reported, october)
    assert document.settings.odd_and_even_pages_header_footer
    settings_xml = document.settings.element
    assert settings_xml.find(qn("w:evenAndOddHeaders")) is not None
    section = document.sections[0]
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == alignment
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        for run in paragraph.runs:
            assert run.font.size == Pt(14)
            assert _east_asia(run._r) == "宋体"


def test_only_accepted_reports_are_included_unless_submitted_are_chosen(reported, october):
    accepted = october.reports.filter(status=Report.Status.ACCEPTED).count()
    submitted = october.reports.filter(status=Report.Status.SUBMITTED).count()
    assert accepted and submitted
    assert _report(reported, october).figures.included == accepted
    both = _report(reported, october, include_submitted=True)
    assert both.figures.included == accepted + submitted
    names = {t.name for _task, sections in both.tasks for s in sections for t in s.texts}
    only = {
        t.name
        for _task, sections in _report(reported, october).tasks
        for s in sections
        for t in s.texts
    }
    submitted_only = set(
        october.reports.filter(status=Report.Status.SUBMITTED).values_list(
            "organization__name", flat=True
        )
    )
    assert submitted_only <= names
    assert not (submitted_only & only)


def test_every_element_of_the_document_is_there(reported, october):
    _data, document = _docx(
        reported, october, as_document=True, doc_number="枣发改经贸〔2026〕12号"
    )
    texts = [p.text for p in document.paragraphs]
    report = _report(reported, october)
    assert texts[0] == "枣庄市发展和改革委员会文件"
    mark = document.paragraphs[0].runs[0]
    assert mark.font.color.rgb == official.RED
    assert "枣发改经贸〔2026〕12号" in texts
    assert "枣庄市人民政府：" in texts
    summary = next(t for t in texts if t.startswith("2026年10月应报送"))
    figures = report.figures
    assert f"按时报送{figures.on_time}个" in summary
    for name in figures.missing_names + figures.late_names:
        assert name in summary
    assert "附件：未报送进展情况的推进措施清单" in texts
    assert "枣庄市发展和改革委员会" in texts
    assert "2026年12月5日" in texts  # Arabic numerals, no leading zeros
    annex = document.tables[-2]
    assert annex.rows[0].cells[2].text == "措施内容"
    assert len(annex.rows) == len(report.unreported) + 1
    imprint = document.tables[-1]
    assert imprint.rows[0].cells[0].text.startswith("抄送：")
    assert imprint.rows[-1].cells[0].text == "枣庄市发展和改革委员会办公室"
    assert imprint.rows[-1].cells[1].text == "2026年12月5日印发"
    targets = document.tables[0]
    assert [c.text for c in targets.rows[0].cells] == ["措施", "指标", "责任部门", "实际", "灯"]
    assert len(targets.rows) == len(report.targets) + 1
    lights = {row.cells[4].text for row in targets.rows[1:]}
    assert lights <= {"绿灯", "黄灯", "红灯", "暂无"}


def test_chinese_numbers_for_headings():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 19, 20, 23)] == [
        "一",
        "九",
        "十",
        "十一",
        "十九",
        "二十",
        "二十三",
    ]


def test_renders_to_pdf_and_png_pages_that_look_like_an_official_document(
    reported, october, artifacts, tmp_path
):
    require_program("soffice", "libreoffice-writer")
    require_program("pdftoppm", "poppler-utils")
    require_cjk_font()
    data, _document = _docx(
        reported, october, as_document=True, doc_number="枣发改经贸〔2026〕12号"
    )
    (artifacts / "consolidated-report.docx").write_bytes(data)
    pdf = docx_to_pdf(data)
    assert pdf.startswith(b"%PDF-")
    (tmp_path / "report.pdf").write_bytes(pdf)
    import pdfplumber

    with pdfplumber.open(tmp_path / "report.pdf") as document:
        first = document.pages[0]
        assert round(first.width / 72 * 25.4) == 210 and round(first.height / 72 * 25.4) == 297
        text = first.extract_text()
        assert "枣庄市发展和改革委员会文件" in text
        assert "落实情况的报告" in text
        assert "— 1 —" in text
        assert "— 2 —" in document.pages[1].extract_text()
        fonts = {c["fontname"].split("+")[-1] for c in first.chars}
        assert any("NotoSerifCJK" in f for f in fonts), fonts
        lines = {round(c["top"]) for c in document.pages[1].chars if c["size"] > 15}
        assert len(lines) <= 23
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "72",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(tmp_path / "report.pdf"),
            str(artifacts / "consolidated-report"),
        ],
        check=True,
        timeout=120,
    )
    assert (artifacts / "consolidated-report.png").stat().st_size > 10_000
