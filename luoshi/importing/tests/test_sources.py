"""What the person who uploads a file is told when it holds no plan, and how files decode."""

import re
from pathlib import Path

import pytest

from luoshi.importing import ParseError, parse_text
from luoshi.importing.sources import UnreadableFile, decode_text, read_document

SEED = Path(__file__).resolve().parents[2] / "plans" / "seed" / "zaozhuang-2022-243.txt"
CJK = re.compile(r"[\u4e00-\u9fff]")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def assert_chinese(message: str):
    assert message.strip()
    assert CJK.search(message), message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n  \n",
        "关于印发某某方案的通知\n各有关单位：\n现印发给你们。",
        "某某工作分工方案\n重点任务\t推进措施\t责任部门\n",
        "某某工作分工方案\n重点任务\t推进措施\t责任部门\n一、任务甲\t\t\n",
        "重点任务\t推进措施\t责任部门\n一、任务\t1、做事。\t市商务局\n",  # no title
        "某某工作分工方案\n重点任务\t推进措施\t责任部门\n\t1、做事。\t市商务局\n",  # no task
    ],
)
def test_text_without_a_readable_plan_raises_parse_error_in_chinese(text):
    with pytest.raises(ParseError) as error:
        parse_text(text)
    assert_chinese(str(error.value))


def test_measure_before_any_task_is_reported_with_its_line_number():
    with pytest.raises(ParseError, match="第 3 行"):
        parse_text("某某工作分工方案\n重点任务\t推进措施\t责任部门\n\t1、做事。\t市商务局\n")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_seed_decodes_to_the_same_plan_in_every_encoding(encoding):
    text = SEED.read_text(encoding="utf-8")
    decoded = decode_text(text.encode(encoding))
    assert decoded == text
    assert parse_text(decoded).to_dict() == parse_text(text).to_dict()


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 10,
        PNG,
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",  # a .docx is a zip archive
        "某某方案\x00\x00".encode(),
    ],
)
def test_binary_data_is_unreadable_with_a_chinese_message(data):
    with pytest.raises(UnreadableFile) as error:
        decode_text(data)
    assert_chinese(str(error.value))


def test_tabs_page_breaks_and_line_endings_are_text():
    assert decode_text("方案\t表\f\r\n".encode("gbk")) == "方案\t表\f\r\n"


def test_a_truncated_word_file_is_unreadable():
    with pytest.raises(UnreadableFile) as error:
        read_document("方案.docx", b"PK\x03\x04")
    assert_chinese(str(error.value))


def test_a_gb18030_text_file_is_read_whatever_the_case_of_its_extension():
    assert read_document("方案.TXT", "某某方案".encode("gb18030")) == "某某方案"


TRADITIONAL = "關於印發濰坊市加快新能源汽車推廣應用實施方案的通知\n各區、縣（市）人民政府：\n"


@pytest.mark.parametrize("encoding", ["big5", "gb18030", "utf-8", "utf-16"])
def test_a_traditional_character_text_decodes_in_big5_gb18030_and_unicode(encoding):
    assert decode_text(TRADITIONAL.encode(encoding)) == TRADITIONAL


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_with_its_byte_order_mark_decodes(encoding):
    text = SEED.read_text(encoding="utf-8")
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    assert decode_text(bom + text.encode(encoding)) == text


def test_short_gbk_text_is_not_mistaken_for_big5():
    for text in ["方案", "市商务局", "重点任务\t推进措施\t责任部门"]:
        assert decode_text(text.encode("gbk")) == text


def test_a_text_file_under_another_extension_is_read_as_text():
    assert read_document("方案.md", "某某方案".encode("gb18030")) == "某某方案"
    assert read_document("方案.docx", "某某方案".encode()) == "某某方案"


def test_binary_data_under_a_foreign_extension_names_the_supported_types():
    with pytest.raises(UnreadableFile) as error:
        read_document("方案.exe", bytes(range(256)))
    assert ".exe" in str(error.value) and ".docx" in str(error.value)
