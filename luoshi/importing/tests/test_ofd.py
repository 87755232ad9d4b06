"""OFD files (GB/T 33190) read from their text objects and the rules of their path objects."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from luoshi.importing import parse_text
from luoshi.importing.ofd_reader import read_ofd
from luoshi.importing.sources import UnreadableFile, read_document
from luoshi.testing import ofd_from_text, swollen_zip

SEED = Path(__file__).resolve().parents[2] / "plans" / "seed" / "zaozhuang-2022-243.txt"
CJK = re.compile(r"[\u4e00-\u9fff]")
NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
FUZZ = settings(max_examples=200, deadline=None, database=None)


def assert_unreadable(filename: str, data: bytes, *words: str):
    with pytest.raises(UnreadableFile) as error:
        read_document(filename, data)
    message = str(error.value)
    assert CJK.search(message), message
    for word in words:
        assert word in message, message


def package(parts: dict[str, str]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return output.getvalue()


def replaced(data: bytes, part: str, text: str | None) -> bytes:
    """The OFD `data` with `part` rewritten as `text`, or left out when `text` is None."""
    parts = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            parts[name] = archive.read(name).decode()
    if text is None:
        del parts[part]
    else:
        parts[part] = text
    return package(parts)


def test_the_seed_as_ofd_imports_as_the_txt():
    text = SEED.read_text(encoding="utf-8")
    data = ofd_from_text(text)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        page = archive.read("Doc_0/Pages/Page_1/Content.xml").decode()
    assert "OFD.xml" in names and "Doc_0/Document.xml" in names
    assert "<ofd:TextObject" in page and "<ofd:PathObject" in page and 'DeltaX="g ' in page
    got, expected = parse_text(read_document("方案.ofd", data)), parse_text(text)
    assert got.doc_number == "枣发改经贸〔2022〕243号"
    assert len(got.tasks) == 18
    assert sum(len(task.measures) for task in got.tasks) == 77
    assert [sorted(d.name for d in m.departments) for t in got.tasks for m in t.measures] == [
        sorted(d.name for d in m.departments) for t in expected.tasks for m in t.measures
    ]
    assert got.to_dict() == expected.to_dict()


def test_a_table_over_several_pages_keeps_its_rows_and_merged_cells():
    measure = "组织有关单位制定工作方案，明确责任分工和时间节点，加强督促检查，确保措施落到实处。"
    lines = ["某市推动某某工作分工方案", "", "重点任务\t推进措施\t责任部门\t完成时限"]
    for t, numeral in enumerate("一二三四五六"):
        for m in range(1, 5):
            lines.append(
                f"{f'{numeral}、推进第{t + 1}项工作' if m == 1 else ''}\t{m}、{measure}"
                f"\t{'市商务局 市财政局' if m != 2 else ''}\t{'2025年底前' if m == 1 else ''}"
            )
    text = "\n".join(lines) + "\n"
    data = ofd_from_text(text)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        pages = [name for name in archive.namelist() if name.endswith("Content.xml")]
    assert len(pages) >= 2
    read = read_ofd(data)
    rows = [line for line in read.splitlines() if "\t" in line and "重点任务" not in line]
    assert rows == lines[3:]
    got = parse_text(read)
    assert len(got.tasks) == 6
    second = got.tasks[0].measures[1]
    assert [d.name for d in second.departments] == ["市商务局", "市财政局"]  # merged from above


def page(objects: str) -> str:
    layer = f'<ofd:Layer ID="2">{objects}</ofd:Layer>'
    return f'<?xml version="1.0"?><ofd:Page {NS}><ofd:Content>{layer}</ofd:Content></ofd:Page>'


def minimal(content: str, **parts: str) -> bytes:
    return package(
        {
            "OFD.xml": f'<ofd:OFD {NS} Version="1.0" DocType="OFD"><ofd:DocBody>'
            "<ofd:DocRoot>/Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
            "Doc_0/Document.xml": f"<ofd:Document {NS}><ofd:CommonData><ofd:PageArea>"
            "<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
            '<ofd:TemplatePage ID="9" BaseLoc="Tpls/Tpl_0.xml"/></ofd:CommonData>'
            '<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0.xml"/></ofd:Pages></ofd:Document>',
            "Doc_0/Pages/Page_0.xml": content,
            **parts,
        }
    )


def test_text_is_placed_through_its_boundary_ctm_and_advances():
    # "g 3 10" stands for three advances of 10; the CTM halves the object's own coordinates (甲
    # to 戊 at 30, 35 … 50 mm, a second TextCode without X going on where the first ended), so
    # 己, in an object of its own at 56 mm on the same baseline, comes last. Rotated text (a
    # stamp) is left out; the indented line below is a paragraph of its own.
    text = (
        '<ofd:TextObject ID="3" Boundary="30 40 100 10" Size="10" CTM="0.5 0 0 0.5 0 0">'
        '<ofd:TextCode X="0" Y="10" DeltaX="g 3 10">甲乙丙丁</ofd:TextCode>'
        '<ofd:TextCode Y="10">戊</ofd:TextCode></ofd:TextObject>'
        '<ofd:TextObject ID="4" Boundary="56 40 10 10" Size="5">'
        '<ofd:TextCode X="0" Y="5">己</ofd:TextCode></ofd:TextObject>'
        '<ofd:TextObject ID="5" Boundary="40 48 50 10" Size="5">'
        '<ofd:TextCode X="0" Y="5" DeltaX="5 5">第二行</ofd:TextCode></ofd:TextObject>'
        '<ofd:TextObject ID="6" Boundary="100 100 50 50" Size="5" CTM="0 1 -1 0 0 0">'
        '<ofd:TextCode X="0" Y="5">公章</ofd:TextCode></ofd:TextObject>'
    )
    assert read_ofd(minimal(page(text))).splitlines() == ["甲乙丙丁戊己", "第二行"]


def test_a_ruled_table_in_a_template_page_and_its_text():
    # Two cells side by side: the rules are one path on a template page, drawn with S/L/C.
    rules = (
        '<ofd:PathObject ID="6" Boundary="30 30 100 20">'
        "<ofd:AbbreviatedData>S 0 0 L 100 0 L 100 20 L 0 20 C M 50 0 L 50 20</ofd:AbbreviatedData>"
        "</ofd:PathObject>"
    )
    cells = (
        '<ofd:TextObject ID="7" Boundary="32 35 40 6" Size="5">'
        '<ofd:TextCode X="0" Y="5" DeltaX="g 3 5">重点任务</ofd:TextCode></ofd:TextObject>'
        '<ofd:TextObject ID="8" Boundary="82 35 40 6" Size="5">'
        '<ofd:TextCode X="0" Y="5" DeltaX="g 3 5">责任部门</ofd:TextCode></ofd:TextObject>'
    )
    content = page(cells).replace("<ofd:Content>", '<ofd:Template TemplateID="9"/><ofd:Content>')
    data = minimal(content, **{"Doc_0/Tpls/Tpl_0.xml": page(rules)})
    assert read_ofd(data) == "重点任务\t责任部门"


def test_missing_or_broken_parts_get_a_clear_message():
    data = ofd_from_text(
        "某市推动某某工作分工方案\n重点任务\t推进措施\t责任部门\n一、甲\t1、做事。\t市商务局\n"
    )
    assert_unreadable(
        "方案.ofd", replaced(data, "Doc_0/Document.xml", None), "缺少", "Document.xml"
    )
    assert_unreadable("方案.ofd", replaced(data, "Doc_0/Pages/Page_0/Content.xml", None), "缺少")
    assert_unreadable("方案.ofd", replaced(data, "Doc_0/Document.xml", "<ofd:Document"), "XML")
    no_root = f"<ofd:OFD {NS}><ofd:DocBody/></ofd:OFD>"
    assert_unreadable("方案.ofd", replaced(data, "OFD.xml", no_root), "DocRoot")
    bad_number = page(
        '<ofd:TextObject ID="3" Boundary="a b c d" Size="5">'
        '<ofd:TextCode X="0" Y="5">字</ofd:TextCode></ofd:TextObject>'
    )
    assert_unreadable("方案.ofd", minimal(bad_number), "格式不正确")
    bad_path = page(
        '<ofd:PathObject ID="3" Boundary="0 0 1 1">'
        "<ofd:AbbreviatedData>M 0 Z</ofd:AbbreviatedData></ofd:PathObject>"
    )
    assert_unreadable("方案.ofd", minimal(bad_path), "格式不正确")
    assert_unreadable("方案.ofd", data[: len(data) // 2], "损坏")


def test_an_ofd_without_text_is_a_scan():
    rules = (
        '<ofd:PathObject ID="3" Boundary="0 0 10 10">'
        "<ofd:AbbreviatedData>M 0 0 L 10 0</ofd:AbbreviatedData></ofd:PathObject>"
    )
    assert_unreadable("方案.ofd", minimal(page(rules)), "没有文字", "扫描件")


def test_an_ofd_zip_bomb_is_refused_before_it_is_inflated():
    data = ofd_from_text("某市推动某某工作分工方案\n")
    bomb = swollen_zip(data, "Doc_0/Pages/Page_0/Content.xml", 201)
    assert_unreadable("方案.ofd", bomb, "200 MB")


def test_an_entity_expansion_bomb_is_refused():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "哈哈哈哈哈哈哈哈">'
        + "".join(f'<!ENTITY {chr(98 + k)} "{("&" + chr(97 + k) + ";") * 10}">' for k in range(8))
        + f"]><ofd:Page {NS}><ofd:Content><ofd:Layer>&i;</ofd:Layer></ofd:Content></ofd:Page>"
    )
    assert_unreadable("方案.ofd", minimal(laughs), "XML")


def test_a_part_that_fails_its_checksum_is_named():
    content = page(
        '<ofd:TextObject ID="3" Boundary="30 40 100 10" Size="5">'
        '<ofd:TextCode X="0" Y="5">某市推动某某工作分工方案</ofd:TextCode></ofd:TextObject>'
    )
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(minimal(content))) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_STORED) as archive,
    ):
        for name in source.namelist():
            archive.writestr(name, source.read(name))
    data = output.getvalue()
    assert read_ofd(data) == "某市推动某某工作分工方案"
    damaged = data.replace("分工方案".encode(), "分工办法".encode())  # stored, so CRC fails
    assert_unreadable("方案.ofd", damaged, "Page_0.xml", "无法解压")


def test_advances_and_numbers_that_would_blow_up_are_refused_or_cut():
    # "g 1000000000 5": a billion advances written in a few bytes; only the two needed are read.
    huge = page(
        '<ofd:TextObject ID="3" Boundary="30 40 100 10" Size="5">'
        '<ofd:TextCode X="0" Y="5" DeltaX="g 1000000000 5">方案</ofd:TextCode></ofd:TextObject>'
    )
    assert read_ofd(minimal(huge)) == "方案"
    endless = huge.replace('Size="5"', 'Size="inf"')
    assert_unreadable("方案.ofd", minimal(endless), "格式不正确")


TOKENS = st.sampled_from(["0", "5", "-3.5", "1e3", "g", "2", "nan", "x", "", "M", "L", "C", "B"])


def attribute(draw) -> str:
    return " ".join(draw(st.lists(TOKENS, max_size=8)))


@FUZZ
@given(st.data())
def test_whatever_the_numbers_an_ofd_is_read_or_refused_with_a_message(data):
    draw = data.draw
    content = page(
        f'<ofd:TextObject ID="3" Boundary="{attribute(draw)}" Size="{draw(TOKENS)}" '
        f'CTM="{attribute(draw)}"><ofd:TextCode X="{draw(TOKENS)}" Y="{draw(TOKENS)}" '
        f'DeltaX="{attribute(draw)}" DeltaY="{attribute(draw)}">方案正文</ofd:TextCode>'
        f'</ofd:TextObject><ofd:PathObject ID="4" Boundary="{attribute(draw)}" '
        f'CTM="{attribute(draw)}"><ofd:AbbreviatedData>{attribute(draw)}</ofd:AbbreviatedData>'
        "</ofd:PathObject>"
    )
    try:
        assert isinstance(read_document("方案.ofd", minimal(content)), str)
    except UnreadableFile as error:
        assert CJK.search(str(error))
