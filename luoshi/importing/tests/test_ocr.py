"""Scanned plans read by OCR: the layout rebuilt from the boxes and ruled lines, glued department
names parted, and the engine itself run on two scanned pages of the seed with the network cut."""

import io
import socket
from pathlib import Path

import pytest
from PIL import Image

from luoshi.importing import ocr, parse_text
from luoshi.importing.ocr import PageReading, scan_text, split_glued_names
from luoshi.importing.sources import is_scan, read_document
from luoshi.testing import docx_from_text, pdf_from_docx, require_ocr, scanned_pdf

SEED = Path(__file__).resolve().parents[2] / "plans" / "seed" / "zaozhuang-2022-243.txt"


def test_glued_names_are_parted_where_one_office_ends_and_the_next_begins():
    assert split_glued_names("市商务局市国资委") == "市商务局 市国资委"
    assert split_glued_names("市发展改革委市财政局市城乡水务局") == (
        "市发展改革委 市财政局 市城乡水务局"
    )
    # 城市 inside a name is no boundary; a name in brackets stays with the one before it.
    assert split_glued_names("市城市管理局市生态环境局") == "市城市管理局 市生态环境局"
    assert split_glued_names("市发展改革委(市粮食和储备局)市财政局") == (
        "市发展改革委(市粮食和储备局) 市财政局"
    )


def test_the_directory_parts_names_that_open_without_a_place():
    names = ("枣庄银保监分局", "市人民银行")
    assert split_glued_names("市人民银行枣庄银保监分局") == "市人民银行枣庄银保监分局"
    assert split_glued_names("市人民银行枣庄银保监分局", names) == "市人民银行 枣庄银保监分局"


def _box(x0, top, x1, text):
    return [x0, top, x1, top + 36, text, 1.0]


def test_a_ruled_table_is_rebuilt_from_the_lines_and_the_boxes_positions():
    # An A4 page at 200 dpi: a title, then a table of three columns whose first cell spans two
    # rows (the rule between them stops at the second column), as a scanned plan has it.
    page = PageReading(
        width=1654,
        height=2339,
        horizontal=[[300, 200, 1400], [360, 200, 1400], [600, 600, 1400], [900, 200, 1400]],
        vertical=[[200, 300, 900], [600, 300, 900], [1000, 300, 900], [1400, 300, 900]],
        boxes=[
            _box(700, 150, 916, "分工方案"),
            _box(210, 310, 354, "重点任务"),
            _box(610, 310, 754, "推进措施"),
            _box(1010, 310, 1154, "责任部门"),
            _box(210, 370, 498, "一、加快提升"),
            _box(610, 370, 916, "1、推广绿色产品。"),
            _box(1010, 370, 1298, "市商务局市国资委"),
            _box(610, 610, 916, "2、建设回收网络。"),
            _box(1010, 610, 1154, "市民政局"),
            _box(780, 2200, 860, "-5-"),  # the page number
        ],
    )
    assert scan_text([page]) == (
        "分工方案\n"
        "重点任务\t推进措施\t责任部门\n"
        "一、加快提升\t1、推广绿色产品。\t市商务局 市国资委\n"
        "\t2、建设回收网络。\t市民政局"
    )


def test_pictures_and_pdfs_without_text_are_scans():
    picture = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(picture, format="PNG")
    assert is_scan(picture.getvalue())
    assert not is_scan("标题\n正文".encode())
    text_pdf = pdf_from_docx(docx_from_text("标题\n正文"))
    assert not is_scan(text_pdf)
    assert is_scan(scanned_pdf(text_pdf))


def _cut_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("the network is cut off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    ocr._engine.cache_clear()  # the engine loads its models with the network cut


@pytest.mark.slow
def test_two_scanned_pages_of_the_seed_are_read_offline(monkeypatch):
    require_ocr()
    pdf = pdf_from_docx(docx_from_text(SEED.read_text(encoding="utf-8")))
    # Pages 3 and 4: the header of the plan's table and key task 一's measures, at 200 dpi.
    scan = scanned_pdf(pdf, first=3, last=4, dpi=200)
    _cut_network(monkeypatch)
    plan = parse_text(read_document("扫描件.pdf", scan)).to_dict()
    (task, *_) = plan["tasks"]
    assert task["label"] == "一、"
    assert task["title"] == "加快提升食品消费绿色化水平"
    measures = task["measures"]
    assert [m["label"] for m in measures[:6]] == ["1、", "2、", "3、", "4、", "5、", "6、"]
    assert measures[0]["text"].startswith("深入推进绿色高质高效行动")

    def names(m):
        return {d["name"] for d in plan["tasks"][0]["measures"][m]["departments"]}

    assert names(0) == {"市农业农村局", "市市场监管局"}
    assert names(2) == {"市工业和信息化局", "市农业农村局"}  # OCR glued 市工业和信息化局市农
    assert names(4) == {"市教育局", "市国资委", "市机关事务服务中心", "市城市管理局"}
    assert names(5) == {"市民政局"}
