"""Old Word, WPS and Excel files (.doc, .wps, .xls, .et) are saved as .docx/.xlsx by LibreOffice
headless, then read as those: the same plan as the .txt they were made from."""

import re
import tempfile
from pathlib import Path

import pytest

from luoshi.importing import parse_text
from luoshi.importing.sources import UnreadableFile, read_document
from luoshi.testing import convert, docx_from_text, ole_file, require_program, xlsx_from_text

SEED = Path(__file__).resolve().parents[2] / "plans" / "seed" / "zaozhuang-2022-243.txt"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_same_plan_as_the_seed(text: str):
    expected = parse_text(SEED.read_text(encoding="utf-8"))
    got = parse_text(text)
    assert len(got.tasks) == 18
    assert sum(len(task.measures) for task in got.tasks) == 77

    def departments(plan):
        return [
            sorted(department.name for department in measure.departments)
            for task in plan.tasks
            for measure in task.measures
        ]

    assert departments(got) == departments(expected)
    assert got.to_dict() == expected.to_dict()


def assert_unreadable(filename: str, data: bytes, *words: str):
    with pytest.raises(UnreadableFile) as error:
        read_document(filename, data)
    message = str(error.value)
    assert CJK.search(message), message
    for word in words:
        assert word in message, message


@pytest.fixture(scope="module")
def seed_doc() -> bytes:
    """The seed as a ruled-table .docx, saved as .doc (Word 97-2003) by LibreOffice."""
    doc = convert(docx_from_text(SEED.read_text(encoding="utf-8")), "docx", "doc")
    assert doc.startswith(OLE_MAGIC) and "WordDocument".encode("utf-16-le") in doc
    return doc


@pytest.fixture(scope="module")
def seed_xls() -> bytes:
    """The seed as a workbook, saved as .xls (Excel 97-2003) by LibreOffice Calc."""
    require_program("/usr/lib/libreoffice/program/libsclo.so", "libreoffice-calc-nogui")
    xls = convert(xlsx_from_text(SEED.read_text(encoding="utf-8")), "xlsx", "xls")
    assert xls.startswith(OLE_MAGIC) and "Workbook".encode("utf-16-le") in xls
    return xls


def test_the_seed_saved_as_doc_imports_as_the_txt(seed_doc):
    assert_same_plan_as_the_seed(read_document("方案.doc", seed_doc))


def test_the_seed_saved_as_xls_imports_as_the_txt(seed_xls):
    assert_same_plan_as_the_seed(read_document("方案.xls", seed_xls))


def test_the_name_does_not_decide_how_an_old_file_is_read(seed_doc, seed_xls):
    # WPS Writer (.wps) and WPS Spreadsheets (.et) files are Word and Excel compound files with a
    # WordDocument or Workbook stream; no WPS can run here to make one, so these are the .doc and
    # the .xls under those names: the content, not the name, picks the conversion.
    assert_same_plan_as_the_seed(read_document("方案.wps", seed_doc))
    assert_same_plan_as_the_seed(read_document("方案.et", seed_xls))
    assert_same_plan_as_the_seed(read_document("方案.docx", seed_doc))  # renamed


def test_a_corrupt_doc_is_unreadable_with_a_clear_message(seed_doc):
    # The start of the Word stream zeroed, the directory (at the end) intact: LibreOffice fails.
    damaged = seed_doc[:512] + bytes(4096) + seed_doc[4608:]
    assert "WordDocument".encode("utf-16-le") in damaged
    assert_unreadable("方案.doc", damaged, "Word", "损坏", "另存为 .docx")
    # Cut short, the directory lost: not even the kind of file can be told.
    assert_unreadable("方案.doc", seed_doc[: len(seed_doc) // 3], "损坏", ".docx")


def test_an_excel_file_named_doc_is_read_as_excel(seed_xls):
    assert_same_plan_as_the_seed(read_document("方案.doc", seed_xls))


def test_without_libreoffice_an_old_file_asks_to_be_saved_as_docx_or_xlsx(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice, no libreoffice
    doc = ole_file({"WordDocument": b"\xec\xa5\xc1\x00"})
    assert_unreadable("方案.doc", doc, "未安装 LibreOffice", "另存为 .docx")
    assert_unreadable("方案.wps", doc, "未安装 LibreOffice", "WPS")
    xls = ole_file({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00"})
    assert_unreadable("台账.xls", xls, "未安装 LibreOffice", "另存为 .xlsx")
    assert_unreadable("台账.et", xls, "未安装 LibreOffice", "WPS 表格")


def test_a_compound_file_of_no_known_kind_asks_to_be_saved_again():
    assert_unreadable("方案.doc", ole_file({"Contents": b"\x01" * 100}), "无法识别", ".docx")


def test_a_conversion_that_takes_too_long_is_stopped_with_everything_it_started(
    monkeypatch, tmp_path
):
    # A stand-in for soffice that hangs as a stuck one would, in a child of its own (as soffice
    # runs soffice.bin), whose command line carries the profile's path, as soffice.bin's does.
    bin_dir, work = tmp_path / "bin", tmp_path / "work"
    bin_dir.mkdir()
    work.mkdir()
    stuck = bin_dir / "soffice"
    stuck.write_text("#!/bin/sh\n/bin/sh -c '/bin/sleep 60; :' \"$1\" &\nwait\n")
    stuck.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr("luoshi.importing.sources.CONVERSION_SECONDS", 1)
    monkeypatch.setattr(tempfile, "tempdir", str(work))  # where the profile goes
    assert_unreadable("方案.doc", ole_file({"WordDocument": b"\xec\xa5"}), "超时", "另存为 .docx")
    left = []
    for process in Path("/proc").iterdir():
        try:
            command = (process / "cmdline").read_bytes()
        except OSError:
            continue
        if str(work).encode() in command:
            left.append(command)
    assert not left  # the child is gone with the process it was started by
    assert not list(work.iterdir())  # and the temporary directory with them
