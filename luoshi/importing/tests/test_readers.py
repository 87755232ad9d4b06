"""The same plan from every kind of file: .txt, .docx, .pdf and .xlsx of the same content."""

import io
import json
import re
import zipfile
from pathlib import Path

import docx
import pdfplumber
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from luoshi.importing import ocr, parse_text
from luoshi.importing.docx_reader import read_docx
from luoshi.importing.pdf_reader import read_pdf
from luoshi.importing.sources import MAX_UPLOAD_BYTES, UnreadableFile, read_document
from luoshi.testing import (
    convert,
    docx_from_text,
    encrypted_pdf_from_docx,
    ole_file,
    pdf_from_docx,
    pdf_with_unmapped_font,
    scanned_pdf,
    xlsx_from_text,
)

HERE = Path(__file__).resolve().parent
SEED = HERE.parents[1] / "plans" / "seed" / "zaozhuang-2022-243.txt"
DOCUMENTS = [SEED, *sorted((HERE / "fixtures").glob("*.txt"))]
CJK = re.compile(r"[\u4e00-\u9fff]")


def plan(text: str) -> dict:
    return parse_text(text).to_dict()


def without_spaces_at_script_changes(value: dict) -> dict:
    """The plan with the spaces between Chinese and Latin letters or digits taken out.

    A PDF cannot say whether a line that ends at the margin before "2021" broke at a space
    (对 2021 年) or between the characters (对2021年): LibreOffice draws no space at the end of a
    full line. Only such spaces are dropped; any other difference still fails."""
    text = json.dumps(value, ensure_ascii=False)
    text = re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[0-9A-Za-z])", "", text)
    text = re.sub(r"(?<=[0-9A-Za-z%])\s+(?=[\u3000-\u9fff\uff00-\uffef])", "", text)
    return json.loads(text)


def assert_unreadable(filename: str, data: bytes, *words: str):
    with pytest.raises(UnreadableFile) as error:
        read_document(filename, data)
    message = str(error.value)
    assert CJK.search(message), message
    for word in words:
        assert word in message, message


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.stem)
def test_txt_in_any_encoding_and_docx_give_the_same_plan(path):
    text = path.read_text(encoding="utf-8")
    expected = plan(text)
    assert plan(read_document(path.name, path.read_bytes())) == expected
    assert plan(read_document("方案.txt", text.encode("gb18030"))) == expected
    assert plan(read_document("方案.txt", text.encode("utf-16"))) == expected
    assert plan(read_document("方案.docx", docx_from_text(text))) == expected


@pytest.mark.parametrize("indent", [True, False], ids=["indented", "flush"])
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.stem)
def test_pdf_rendered_by_libreoffice_gives_the_same_plan(path, indent):
    # Official documents indent a paragraph's first line; others do not, and then only where
    # the line before ended tells where a paragraph starts.
    text = path.read_text(encoding="utf-8")
    pdf = pdf_from_docx(docx_from_text(text, indent=indent))
    got = plan(read_document("方案.pdf", pdf))
    assert without_spaces_at_script_changes(got) == without_spaces_at_script_changes(plan(text))


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.stem)
def test_xlsx_gives_the_same_plan(path):
    text = path.read_text(encoding="utf-8")
    assert plan(read_document("方案.xlsx", xlsx_from_text(text))) == plan(text)


def test_the_seed_in_gbk_gives_the_seed_plan():
    text = SEED.read_text(encoding="utf-8")
    assert plan(read_document("方案.txt", text.encode("gbk"))) == plan(text)


def test_the_seed_pdf_keeps_its_header_fields():
    text = SEED.read_text(encoding="utf-8")
    got = parse_text(read_document("方案.pdf", pdf_from_docx(docx_from_text(text))))
    assert got.doc_number == "枣发改经贸〔2022〕243号"
    assert got.title == "促进绿色消费重点任务贯彻落实分工方案"
    assert str(got.issue_date) == "2022-09-21"
    assert got.parent_documents == [
        "国办发〔2022〕9号",
        "发改就业〔2022〕107号",
        "鲁发改经贸〔2022〕518号",
    ]
    assert got.report_to == "市发展改革委"
    assert len(got.tasks) == 18
    assert sum(len(task.measures) for task in got.tasks) == 77


# A long table: each task's departments cell covers two measures, its deadline cell all of them.
LONG_MEASURE = (
    "围绕{n}号任务，组织有关单位制定工作方案，明确责任分工和时间节点，加强督促检查，"
    "确保各项措施落到实处，形成可复制可推广的经验做法。"
)
TASK_NAMES = "一二三四五六七八"


def long_plan() -> str:
    lines = ["某市推动某某工作分工方案", "", "重点任务\t推进措施\t责任部门\t完成时限"]
    for t, numeral in enumerate(TASK_NAMES):
        for m in range(1, 6):
            task = f"{numeral}、推进第{t + 1}项重点工作" if m == 1 else ""
            department = (
                "市发展改革委 市财政局" if m == 1 else "" if m == 2 else f"市商务局 市第{m}局"
            )
            deadline = "2025年底前" if m == 1 else ""
            measure = f"{m}、" + LONG_MEASURE.format(n=f"{t + 1}.{m}")
            lines.append(f"{task}\t{measure}\t{department}\t{deadline}")
    return "\n".join(lines) + "\n"


def test_a_docx_table_over_several_pages_is_read_with_its_merged_cells():
    text = long_plan()
    data = docx_from_text(text)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert 'w:vMerge w:val="restart"' in xml and "<w:tblHeader/>" in xml  # real merges
    read = read_docx(data)
    assert read.splitlines()[2:] == text.splitlines()[2:]
    assert plan(read) == plan(text)


def test_a_docx_saved_again_by_libreoffice_gives_the_same_plan():
    # Another word processor writes the same merges its own way (explicit vMerge="continue").
    for text in [long_plan(), SEED.read_text(encoding="utf-8")]:
        data = convert(docx_from_text(text), "docx", "docx:MS Word 2007 XML")
        xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
        assert 'w:vMerge w:val="continue"' in xml
        assert plan(read_document("方案.docx", data)) == plan(text)


def test_a_pdf_table_over_several_pages_is_read_as_one_table():
    text = long_plan()
    pdf = pdf_from_docx(docx_from_text(text))
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        pages = [page.extract_text() for page in document.pages]
    assert len(pages) >= 3
    assert all("重点任务" in page for page in pages)  # the header row repeats on every page
    read = read_pdf(pdf)
    rows = [line for line in read.splitlines() if "\t" in line and "重点任务" not in line]
    assert rows == [line for line in text.splitlines()[3:] if line]
    assert plan(read) == plan(text)
    measures = [m for task in parse_text(read).tasks for m in task.measures]
    assert len(measures) == 40
    assert [d.name for d in measures[1].departments] == ["市发展改革委", "市财政局"]


PROSE = """关于推动某某工作的实施方案

为贯彻落实上级部署，结合本市实际，制定本方案。本方案适用于全市各级各部门，各单位要高度重视，加强组织领导，明确责任分工，确保各项任务按期完成，取得实效。
一、总体要求
（一）指导思想。坚持以人民为中心的发展思想，统筹发展和安全，推动经济社会高质量发展，为全面建设社会主义现代化强市提供有力支撑和坚强保障。
1.加强统筹协调。建立健全工作推进机制，定期研究解决重大问题，形成上下联动、部门协同、社会参与的工作格局。（市发展改革委牵头，市财政局、市商务局配合）
（1）完善制度。制定配套政策措施，2025年底前全市新建项目配套率达到100%。
二、保障措施
各有关单位要于每月28日前将工作进展情况报送市发展改革委。
"""


@pytest.mark.parametrize("indent", [True, False], ids=["indented", "flush"])
def test_pdf_running_text_is_joined_back_into_whole_paragraphs(indent):
    pdf = pdf_from_docx(docx_from_text(PROSE, indent=indent))
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        raw = document.pages[0].extract_text()
    assert "— 1 —" in raw  # the page number is on the page…
    read = read_pdf(pdf)
    assert "— 1 —" not in read  # …and not in the text
    paragraphs = [line for line in read.splitlines() if line.strip()]
    assert paragraphs == [line for line in PROSE.splitlines() if line.strip()]


OFFICIAL_TITLE = "关于进一步促进绿色低碳消费加快推动经济社会发展全面绿色转型的实施意见"
OFFICIAL_BODY = [
    "各区（市）人民政府，市政府各部门：",
    "为深入贯彻落实党中央、国务院关于碳达峰碳中和的决策部署，加快推动形成绿色低碳的生产方式"
    "和生活方式，促进消费持续恢复和升级，经市政府同意，现提出如下意见。",
    "一、总体要求",
    "坚持全面推进与重点突破相结合，坚持政府引导与市场主导相结合，到2025年，绿色消费理念深入"
    "人心，绿色低碳产品市场占有率大幅提升，重点领域消费绿色转型取得明显成效。",
]


def test_pdf_of_an_official_layout_keeps_its_title_and_paragraphs_whole():
    """GB/T 9704 style: a centred 22-point title that wraps, 16-point text on a fixed
    28-point pitch, first lines indented by two characters, the date set to the right."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    def build(document):
        title = document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.add_run(OFFICIAL_TITLE).font.size = Pt(22)
        for k, text in enumerate(OFFICIAL_BODY):
            paragraph = document.add_paragraph()
            paragraph.add_run(text).font.size = Pt(16)
            paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            paragraph.paragraph_format.line_spacing = Pt(28)
            paragraph.paragraph_format.space_after = Pt(0)
            if k:
                paragraph.paragraph_format.first_line_indent = Pt(32)
        date = document.add_paragraph()
        date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        date.add_run("2022年9月21日").font.size = Pt(16)

    pdf = pdf_from_docx(_docx(build))
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        raw = document.pages[0].extract_text().splitlines()
    assert OFFICIAL_TITLE not in raw  # the title takes two lines on the page
    read = [line for line in read_pdf(pdf).splitlines() if line.strip()]
    assert read == [OFFICIAL_TITLE, *OFFICIAL_BODY, "2022年9月21日"]


def _docx(build) -> bytes:
    document = docx.Document()
    build(document)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def test_docx_cells_spanning_columns_keep_the_columns_aligned():
    def build(document):
        table = document.add_table(rows=3, cols=3)
        for c, header in enumerate(["重点任务", "推进措施", "责任部门"]):
            table.cell(0, c).text = header
        table.cell(1, 0).merge(table.cell(1, 1)).text = "一、全行标题"
        table.cell(1, 2).text = "市商务局"
        table.cell(2, 1).text = "1、做事。"
        table.cell(2, 2).text = "市财政局"

    assert read_docx(_docx(build)).splitlines() == [
        "重点任务\t推进措施\t责任部门",
        "一、全行标题\t\t市商务局",
        "\t1、做事。\t市财政局",
    ]


def test_docx_paragraphs_in_a_cell_and_a_nested_table_become_paragraph_tags():
    def build(document):
        document.add_paragraph("正文第一段")
        table = document.add_table(rows=1, cols=2)
        cell = table.cell(0, 0)
        cell.paragraphs[0].text = "1、甲。"
        cell.add_paragraph("")
        cell.add_paragraph("2、乙。")
        nested = table.cell(0, 1).add_table(rows=2, cols=2)
        for r, c, value in [(0, 0, "牵头"), (0, 1, "市商务局"), (1, 0, "配合"), (1, 1, "市财政局")]:
            nested.cell(r, c).text = value
        document.add_paragraph("正文第二段")

    assert read_docx(_docx(build)).splitlines() == [
        "正文第一段",
        "<p>1、甲。</p><p>2、乙。</p>\t<p>牵头 市商务局</p><p>配合 市财政局</p>",
        "正文第二段",
    ]


def test_docx_tracked_insertions_count_and_tracked_deletions_do_not():
    def build(document):
        paragraph = document.add_paragraph("市商务局")
        paragraph._p.append(
            parse_xml(
                f"<w:ins {nsdecls('w')} w:id='1' w:author='a'><w:r>"
                "<w:t>、市财政局</w:t></w:r></w:ins>"
            )
        )
        paragraph._p.append(
            parse_xml(
                f"<w:del {nsdecls('w')} w:id='2' w:author='a'><w:r>"
                "<w:delText>、市教育局</w:delText></w:r></w:del>"
            )
        )

    assert read_docx(_docx(build)) == "市商务局、市财政局"


CHINESE_NUMBERING = (
    "<w:abstractNum {ns} w:abstractNumId='90'><w:lvl w:ilvl='0'><w:start w:val='1'/>"
    "<w:numFmt w:val='chineseCounting'/><w:lvlText w:val='%1、'/></w:lvl>"
    "<w:lvl w:ilvl='1'><w:start w:val='1'/><w:numFmt w:val='decimal'/>"
    "<w:lvlText w:val='（%2）'/></w:lvl>"
    "<w:lvl w:ilvl='2'><w:start w:val='1'/><w:numFmt w:val='decimal'/>"
    "<w:lvlText w:val='%1.%2.%3'/></w:lvl></w:abstractNum>"
)


def test_docx_automatic_numbering_is_written_out_as_its_label():
    def build(document):
        numbering = document.part.numbering_part.element
        numbering.insert(0, parse_xml(CHINESE_NUMBERING.format(ns=nsdecls("w"))))
        numbering.append(
            parse_xml(f"<w:num {nsdecls('w')} w:numId='90'><w:abstractNumId w:val='90'/></w:num>")
        )
        for level, text in [(0, "甲"), (1, "子"), (1, "丑"), (2, "细"), (0, "乙"), (1, "寅")]:
            paragraph = document.add_paragraph(text)
            paragraph._p.get_or_add_pPr().append(
                parse_xml(
                    f"<w:numPr {nsdecls('w')}><w:ilvl w:val='{level}'/>"
                    "<w:numId w:val='90'/></w:numPr>"
                )
            )
        document.add_paragraph("做事", style="List Number")
        document.add_paragraph("再做事", style="List Number")

    assert read_docx(_docx(build)).splitlines() == [
        "一、甲",
        "（1）子",
        "（2）丑",
        "细",  # 1.2.1 names several levels: not a simple format, the text stays as it is
        "二、乙",
        "（1）寅",
        "1.做事",
        "2.再做事",
    ]


def test_xlsx_reads_the_sheet_with_the_plan_table_and_keeps_its_title():
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "说明"
    workbook.active["A1"] = "填表说明：按月更新"
    sheet = workbook.create_sheet("台账")
    sheet.append(["某某工作任务分工台账"])
    sheet.merge_cells("A1:D1")
    sheet.append(["序号", "重点任务", "推进措施", "责任单位"])
    sheet.append([1, "一、任务甲", "1、做事。\n2、再做事。", "市商务局"])
    sheet.append([2, None, "3、还做事。", None])
    sheet.merge_cells("B3:B4")
    sheet.merge_cells("D3:D4")
    sheet.append(["注：本表由市发展改革委汇总。"])
    output = io.BytesIO()
    workbook.save(output)

    assert read_document("台账.xlsx", output.getvalue()).splitlines() == [
        "某某工作任务分工台账",
        "序号\t重点任务\t推进措施\t责任单位",
        "1\t一、任务甲\t<p>1、做事。</p><p>2、再做事。</p>\t市商务局",
        "2\t\t3、还做事。",
        "注：本表由市发展改革委汇总。",
    ]


# Bad input


def test_an_empty_file_is_unreadable():
    assert_unreadable("方案.docx", b"", "空")
    assert_unreadable("方案.txt", b"  \r\n", "空")


def test_a_file_over_the_size_limit_is_refused_naming_the_limit():
    assert_unreadable("方案.pdf", b"%PDF-1.7\n" + bytes(50 * 1024 * 1024), "20 MB", "上限")
    assert MAX_UPLOAD_BYTES == 20 * 1024 * 1024


def test_a_truncated_docx_is_corrupt():
    data = docx_from_text(SEED.read_text(encoding="utf-8"))
    assert_unreadable("方案.docx", data[: len(data) // 2], "损坏")


def test_a_docx_without_its_body_part_is_corrupt():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/styles.xml", "<w:styles/>")
    assert_unreadable("方案.docx", output.getvalue(), "损坏", "word/document.xml")


def test_a_docx_with_broken_xml_is_corrupt():
    output = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(docx_from_text("标题\n正文")))
    with zipfile.ZipFile(output, "w") as archive:
        for item in source.infolist():
            data = source.read(item)
            broken = item.filename == "word/document.xml"
            archive.writestr(item, data[:100] if broken else data)
    assert_unreadable("方案.docx", output.getvalue(), "Word", "损坏")


def test_a_corrupt_xlsx_is_unreadable():
    data = xlsx_from_text("标题\n重点任务\t推进措施\t责任部门\n一、甲\t1、做事。\t市商务局")
    assert_unreadable("台账.xlsx", data[:-200], "损坏")


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            block = bytes(1024 * 1024)
            for _ in range(201):
                part.write(block)
    assert len(output.getvalue()) < MAX_UPLOAD_BYTES
    assert_unreadable("方案.docx", output.getvalue(), "200 MB")


def test_a_password_protected_office_file_asks_for_the_password_to_be_removed():
    # Office stores a password-protected .docx or .xlsx as an OLE compound file.
    data = ole_file({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x8f" * 5000})
    assert_unreadable("方案.docx", data, "密码")
    assert_unreadable("台账.xlsx", data, "密码")


def test_a_scan_asks_for_a_text_layer_where_ocr_is_not_installed(monkeypatch):
    scan = scanned_pdf(pdf_from_docx(docx_from_text(SEED.read_text(encoding="utf-8"))))
    with pdfplumber.open(io.BytesIO(scan)) as document:
        assert document.pages[0].images and not document.pages[0].chars
    monkeypatch.setattr(ocr, "available", lambda: False)
    assert_unreadable("方案.pdf", scan, "没有文字层", "带文字层的 PDF", "OCR")
    picture = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(picture, format="PNG")
    assert_unreadable("方案.png", picture.getvalue(), "没有文字层", "OCR")


def test_a_pdf_whose_text_cannot_be_decoded_says_so():
    data = pdf_with_unmapped_font()
    with pdfplumber.open(io.BytesIO(data)) as document:
        assert "(cid:1)" in document.pages[0].extract_text()
    assert_unreadable("方案.pdf", data, "乱码", ".docx")


def test_an_encrypted_pdf_is_unreadable_with_a_clear_message():
    data = encrypted_pdf_from_docx(docx_from_text("标题\n正文"))
    assert_unreadable("方案.pdf", data, "加密")


def test_a_file_is_read_by_its_content_when_its_extension_lies():
    text = SEED.read_text(encoding="utf-8")
    data = docx_from_text(text)
    expected = plan(text)
    assert plan(read_document("方案.pdf", data)) == expected
    assert plan(read_document("方案.txt", data)) == expected
    assert plan(read_document("方案", xlsx_from_text(text))) == expected
    pdf = pdf_from_docx(data)
    assert without_spaces_at_script_changes(plan(read_document("方案.docx", pdf))) == (
        without_spaces_at_script_changes(expected)
    )


def test_unsupported_files_get_a_message_naming_the_supported_types():
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    assert_unreadable("方案.png", png, "图片", ".docx", ".pdf", ".xlsx", ".txt")
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("ppt/presentation.xml", "<p/>")
    assert_unreadable("方案.pptx", output.getvalue(), ".docx", ".pdf", ".xlsx", ".txt")
    assert_unreadable("方案.exe", b"MZ\x90\x00\x03" + bytes(200), ".exe", ".docx", ".txt")
    assert_unreadable("方案.rtf", rb"{\rtf1\ansi plan}", ".docx")


EXTENSIONS = [".txt", ".docx", ".pdf", ".xlsx", ".doc", ".xls", "", ".png"]
MAGIC = [b"", b"%PDF-1.4\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    extension=st.sampled_from(EXTENSIONS),
    magic=st.sampled_from(MAGIC),
    data=st.binary(max_size=2000),
)
def test_any_bytes_give_text_or_unreadable_file(extension, magic, data):
    try:
        text = read_document("方案" + extension, magic + data)
    except UnreadableFile as error:
        assert CJK.search(str(error))
    else:
        assert isinstance(text, str)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=10_000), flip=st.integers(0, 255))
def test_damaged_real_documents_give_text_or_unreadable_file(cut, flip):
    small = "标题\n重点任务\t推进措施\t责任部门\n一、甲\t1、做事。\t市商务局"
    for name, data in [("方案.docx", docx_from_text(small)), ("台账.xlsx", xlsx_from_text(small))]:
        position = cut % len(data)
        damaged = data[:position] + bytes([flip]) + data[position + 1 :]
        try:
            read_document(name, damaged)
        except UnreadableFile as error:
            assert CJK.search(str(error))
