"""Reading a document file into text for the parser."""

import re
from pathlib import Path

from luoshi.importing.model import ParsedPlan
from luoshi.importing.text import parse_text

# GB18030 is a superset of GBK and GB2312: every older Chinese text file decodes with it.
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
# GB18030 maps almost any bytes to some character, so a decoded image or archive is told apart by
# the control characters (NUL, ESC…) that text never holds; tabs, line and page breaks are text.
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


class UnreadableFile(Exception):
    pass


def decode_text(data: bytes) -> str:
    for encoding in TEXT_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if CONTROL.search(text):
            raise UnreadableFile(
                "文件含有文本中不会出现的控制字符，可能是图片、压缩包或 Word/PDF 文件，"
                "请提供 .txt 文本文件。"
            )
        return text
    raise UnreadableFile("文件不是 UTF-8 或 GB18030/GBK 编码的文本，无法读取。")


def read_document(filename: str, data: bytes) -> str:
    """The text of an uploaded plan document, in the form `parse_text` reads."""
    suffix = Path(filename).suffix.lower()
    if suffix != ".txt":
        raise UnreadableFile(f"暂不支持 {suffix or '无扩展名'} 文件，请提供 .txt 文本文件。")
    return decode_text(data)


def parse_document(filename: str, data: bytes) -> tuple[ParsedPlan, str]:
    """The parsed plan and the text it was read from; UnreadableFile or ParseError otherwise."""
    text = read_document(filename, data)
    return parse_text(text), text


def parse_file(path: Path) -> tuple[ParsedPlan, str]:
    return parse_document(path.name, path.read_bytes())
