"""Reading an uploaded document file (.txt, .docx, .pdf, .ofd, .xlsx, and the old .doc, .wps,
.xls and .et) into text for the parser.

The content decides how a file is read, not its name: a PDF saved as 方案.docx is read as a PDF,
and an old Word or WPS file (an OLE compound file) is saved as .docx by LibreOffice headless
whatever its name, then read as one (Excel and WPS Spreadsheets files as .xlsx).
Everything that can go wrong with a file (empty, too big, corrupt, password-protected, LibreOffice
missing, a scan without a text layer) ends as `UnreadableFile` with a Chinese message for the
person who uploaded it.
"""

import re
import zipfile
from pathlib import Path

from charset_normalizer import from_bytes

from luoshi.importing import libreoffice, ocr
from luoshi.importing.docx_reader import read_docx
from luoshi.importing.model import ParsedPlan
from luoshi.importing.ofd_reader import BrokenOfd, NoText, read_ofd
from luoshi.importing.office_zip import BrokenZip, ZipBomb, open_office_zip
from luoshi.importing.pdf_reader import EncryptedPdf, NoTextLayer, UnmappedText, read_pdf
from luoshi.importing.text import parse_text
from luoshi.importing.xlsx_reader import read_xlsx

MB = 1024 * 1024
MAX_UPLOAD_BYTES = 20 * MB
SUPPORTED = (
    "Word（.docx、.doc）、WPS（.wps、.et）、PDF（.pdf，含扫描件）、OFD（.ofd）、"
    "Excel（.xlsx、.xls）、图片（.png、.jpg、.tif）或文本（.txt）"
)

# GB18030 maps almost any bytes to some character, so a decoded image or archive is told apart by
# the control characters (NUL, ESC…) that text never holds; tabs, line and page breaks are text.
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")


class UnreadableFile(Exception):
    pass


def decode_text(data: bytes) -> str:
    """Text in UTF-8, UTF-16 (with its byte-order mark), GB18030/GBK/GB2312 or Big5.

    GB18030 is a superset of GBK and GB2312: every older simplified-Chinese file decodes with it.
    Traditional-character files may be Big5; when bytes decode both ways, charset-normalizer's
    character statistics choose."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _checked(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise UnreadableFile("文件不是有效的 UTF-16 文本，无法读取。") from None
    try:
        return _checked(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    try:
        simplified = data.decode("gb18030")
    except UnicodeDecodeError:
        simplified = None
    # Simplified Chinese is almost all in GB2312; Big5 bytes read as GB18030 give rare characters.
    if simplified is not None and _gb2312_share(simplified) >= 0.9:
        return _checked(simplified)
    try:
        traditional = data.decode("big5")
    except UnicodeDecodeError:
        traditional = None
    if simplified is not None and traditional is not None:
        best = from_bytes(data, cp_isolation=["gb18030", "big5"]).best()
        return _checked(traditional if best and best.encoding == "big5" else simplified)
    if simplified is not None or traditional is not None:
        return _checked(simplified if simplified is not None else traditional)
    raise UnreadableFile("文件不是 UTF-8、GB18030/GBK 或 Big5 编码的文本，无法读取。")


def _gb2312_share(text: str) -> float:
    hanzi = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not hanzi:
        return 1.0
    common = 0
    for c in hanzi:
        try:
            c.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common / len(hanzi)


def _checked(text: str) -> str:
    if CONTROL.search(text):
        raise UnreadableFile(
            "文件含有文本中不会出现的控制字符，可能是图片、压缩包或损坏的文件，"
            f"请提供 {SUPPORTED} 文件。"
        )
    return text


def _sniff(data: bytes) -> str:
    """What the content is, from its first bytes: pdf, zip, ole, image, rtf or text."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    if data.startswith(IMAGE_MAGIC):
        return "image"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    return "text"


def _holds(data: bytes, stream: str) -> bool:
    """Whether the compound file `data` names a stream called `stream` in its directory (where a
    name is UTF-16, ended by a NUL: "Book" is not "Bookmarks")."""
    return (stream + "\0").encode("utf-16-le") in data


# What old Office files are, by the stream that holds their content: Word and WPS Writer
# (.doc, .wps: a WordDocument stream), Excel and WPS Spreadsheets (.xls, .et: a Workbook
# stream, an older Excel's Book stream). LibreOffice saves them as .docx or .xlsx, with the one
# input filter that reads them (so that a damaged file is refused, not read as plain text).
LEGACY = (
    ("WordDocument", "doc", "MS Word 97", "docx:MS Word 2007 XML", "Word（.doc）或 WPS（.wps）"),
    (
        "Workbook",
        "xls",
        "MS Excel 97",
        "xlsx:Calc MS Excel 2007 XML",
        "Excel（.xls）或 WPS 表格（.et）",
    ),
    ("Book", "xls", "MS Excel 95", "xlsx:Calc MS Excel 2007 XML", "Excel（.xls）"),
)
CONVERSION_SECONDS = 90


def _read_ole(data: bytes) -> str:
    """An OLE compound file is an old Office document, or a new one locked with a password."""
    if _holds(data, "EncryptedPackage") or _holds(data, "EncryptionInfo"):
        raise UnreadableFile(
            "文件设置了打开密码，无法读取。请在 Word 或 Excel 中取消密码后重新上传。"
        )
    for stream, suffix, infilter, target, kind in LEGACY:
        if _holds(data, stream):
            return _read_zip(_converted(data, suffix, infilter, target, kind))
    raise UnreadableFile(
        "这是旧版 Office 格式的文件，但已损坏或无法识别其内容。"
        "请在 Word、WPS 或 Excel 中打开并另存为 .docx 或 .xlsx 后上传。"
    )


def _converted(data: bytes, suffix: str, infilter: str, target: str, kind: str) -> bytes:
    save_as = "另存为 .docx" if suffix == "doc" else "另存为 .xlsx"
    try:
        return libreoffice.convert(
            data, suffix, target, infilter=infilter, timeout=CONVERSION_SECONDS
        )
    except libreoffice.LibreOfficeMissing:
        raise UnreadableFile(
            f"服务器未安装 LibreOffice，无法读取旧版 {kind} 文件。"
            f"请在 Word 或 WPS 中{save_as}后上传，或请系统管理员安装 LibreOffice。"
        ) from None
    except libreoffice.ConversionTimedOut:
        raise UnreadableFile(
            f"转换旧版 {kind} 文件超时，请稍后重试，或在 Word 或 WPS 中{save_as}后上传。"
        ) from None
    except libreoffice.ConversionFailed:
        raise UnreadableFile(
            f"旧版 {kind} 文件已损坏、设置了密码或格式不正确，无法读取。"
            f"请在 Word 或 WPS 中打开并{save_as}后上传。"
        ) from None


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return open_office_zip(data)
    except (BrokenZip, ZipBomb) as error:
        raise UnreadableFile(str(error)) from None


def _read_zip(data: bytes) -> str:
    names = set(_open_zip(data).namelist())
    if "word/document.xml" in names:
        return _guarded(read_docx, data, "Word")
    if "xl/workbook.xml" in names:
        return _guarded(read_xlsx, data, "Excel")
    if "OFD.xml" in names:
        return _read_ofd(data)
    if any(name.startswith("word/") for name in names):
        raise UnreadableFile("Word 文件已损坏：缺少正文部分（word/document.xml），无法读取。")
    if any(name.startswith("xl/") for name in names):
        raise UnreadableFile("Excel 文件已损坏：缺少工作簿部分（xl/workbook.xml），无法读取。")
    if "mimetype" in names or "content.xml" in names:
        raise UnreadableFile(
            f"这是 OpenDocument（.odt/.ods）或 WPS 格式的文件，请另存为 {SUPPORTED} 后上传。"
        )
    raise UnreadableFile(f"这是一个压缩包，不是 Word 或 Excel 文件。请上传 {SUPPORTED} 文件。")


def _guarded(reader, data: bytes, kind: str) -> str:
    try:
        return reader(data)
    except Exception:  # python-docx, openpyxl and lxml raise many kinds of errors on broken files
        raise UnreadableFile(
            f"{kind} 文件已损坏或格式不正确，无法读取。请重新保存后上传。"
        ) from None


def _read_ofd(data: bytes) -> str:
    try:
        return read_ofd(data)
    except (BrokenOfd, BrokenZip, ZipBomb) as error:
        raise UnreadableFile(str(error)) from None
    except NoText:
        raise UnreadableFile(
            "这个 OFD 文件没有文字（可能是扫描件或图片），无法读取其中的文字。"
            "请上传由 Word 或 WPS 直接导出的 OFD，或上传 .docx 原文件。"
        ) from None
    except Exception:  # pdfplumber's table finder, on lines no real page has
        raise UnreadableFile("OFD 文件已损坏或格式不正确，无法读取。") from None


def _read_pdf(data: bytes) -> str:
    try:
        return read_pdf(data)
    except NoTextLayer:
        return read_scan(data)
    except UnmappedText:
        raise UnreadableFile(
            "这个 PDF 的字体没有文字编码，读出的只是乱码（复制粘贴出来也是乱码）。"
            "请上传 .docx 原文件，或在 Word/WPS 中重新导出 PDF。"
        ) from None
    except EncryptedPdf:
        raise UnreadableFile(
            "这个 PDF 已加密（设置了密码），无法读取。请上传未加密的 PDF 或 .docx 原文件。"
        ) from None
    except Exception:  # pdfminer raises many kinds of errors on a broken file
        raise UnreadableFile("PDF 文件已损坏或格式不正确，无法读取。") from None


# --- Scans: pictures and PDFs without a text layer, read by OCR (luoshi.importing.ocr) -------


def is_scan(data: bytes) -> bool:
    """Whether the file is read by OCR (slow: callers run it in the background)."""
    kind = _sniff(data)
    return kind == "image" or (kind == "pdf" and ocr.without_text(data))


def read_scan(data: bytes) -> str:
    """The text of a scanned PDF or of pictures (.png/.jpg/.tif), read by OCR."""
    return ocr.scan_text(scan_pages(data))


def scan_pages(data: bytes, progress=None) -> list[ocr.PageReading]:
    """The pages of a scan read by OCR (slow); `progress(done, total)` after each page."""
    if not ocr.available():
        raise UnreadableFile(
            "这个文件是扫描件或图片，没有文字层；本系统未安装文字识别（OCR）组件，无法读取。"
            "请上传带文字层的 PDF（由 Word 或 WPS 直接导出），或上传 .docx 原文件。"
        )
    try:
        return ocr.recognise(data, progress)
    except ocr.NotAScan:
        raise UnreadableFile(
            f"图片已损坏、格式不受支持或页数超过 {ocr.MAX_PAGES} 页，无法识别。"
            f"请上传 {SUPPORTED} 文件。"
        ) from None


# --- Every kind of file -----------------------------------------------------------------------


def read_document(filename: str, data: bytes) -> str:
    """The text of an uploaded plan document, in the form `parse_text` reads."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnreadableFile(
            f"文件大小为 {len(data) / MB:.1f} MB，超过了 {MAX_UPLOAD_BYTES // MB} MB 的上限。"
            "请删去图片等无关内容后重新上传。"
        )
    if not data.strip():
        raise UnreadableFile("文件是空的，没有任何内容。")
    kind = _sniff(data)
    if kind == "pdf":
        return _read_pdf(data)
    if kind == "zip":
        return _read_zip(data)
    if kind == "ole":
        return _read_ole(data)
    if kind == "image":
        return read_scan(data)
    if kind == "rtf":
        raise UnreadableFile(
            f"暂不支持 RTF 文件，请在 Word 中另存为 .docx 后上传（支持 {SUPPORTED}）。"
        )
    suffix = Path(filename).suffix.lower()
    try:
        return decode_text(data)
    except UnreadableFile:
        if suffix not in (".txt", ".text", ""):
            raise UnreadableFile(
                f"无法识别这个 {suffix} 文件的内容。支持的文件类型：{SUPPORTED}。"
            ) from None
        raise


def parse_document(filename: str, data: bytes) -> tuple[ParsedPlan, str]:
    """The parsed plan and the text it was read from; UnreadableFile or ParseError otherwise."""
    text = read_document(filename, data)
    return parse_text(text), text


def parse_file(path: Path) -> tuple[ParsedPlan, str]:
    return parse_document(path.name, path.read_bytes())
