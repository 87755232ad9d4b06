"""Every reader of an Office file refuses a zip bomb before inflating it."""

import pytest

from luoshi.importing.docx_reader import read_docx
from luoshi.importing.office_zip import BrokenZip, ZipBomb, check_office_zip
from luoshi.importing.xlsx_reader import read_xlsx
from luoshi.testing import docx_from_text, swollen_zip, xlsx_from_text


def test_the_word_reader_refuses_a_swollen_docx():
    bomb = swollen_zip(docx_from_text("一、总体要求"), "word/document.xml", megabytes=201)
    with pytest.raises(ZipBomb, match="解压后超过 200 MB"):
        read_docx(bomb)


def test_the_excel_reader_refuses_a_swollen_xlsx():
    bomb = swollen_zip(xlsx_from_text("序号\t任务\n1\t推进"), "xl/worksheets/sheet1.xml", 201)
    with pytest.raises(ZipBomb):
        read_xlsx(bomb)


def test_a_normal_office_file_passes_and_a_broken_one_is_told_apart():
    check_office_zip(docx_from_text("一、总体要求"))
    with pytest.raises(BrokenZip):
        check_office_zip(b"PK\x03\x04 not really a zip")
