"""Text made safe for where it goes: control characters out of stored text (xlsx and docx refuse
them), formulas out of exported spreadsheet cells, and file names fit for a download header."""

import re
from pathlib import PurePosixPath
from urllib.parse import quote

# C0 controls but tab and newline, DEL and the C1 controls: XML 1.0 (xlsx, docx) refuses most of
# them and none is text a person typed. Carriage returns are normalised to newlines first.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NEWLINES = re.compile("\r\n?")

# Excel and WPS read a cell starting with one of these as a formula, also after a tab or CR.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

# What a download name must not hold: line breaks (header injection), quotes, path separators.
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,8}")
_UNSAFE_IN_NAME = re.compile('["\\\\/:*?<>|;\x00-\x1f\x7f]+')


def strip_control(text: str) -> str:
    """`text` with CR / CRLF as newlines and every other control character but tab removed."""
    if not text:
        return text
    return _CONTROL.sub("", _NEWLINES.sub("\n", text))


def spreadsheet_safe(value):
    """A CSV cell that Excel or WPS will not run as a formula: a text starting with = + - @ (or a
    tab or CR) gets a leading single quote, unless it is a plain number such as "-3.5"."""
    is_formula = isinstance(value, str) and value.startswith(_FORMULA_START)
    if is_formula and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def download_name(name: str, default: str = "file") -> str:
    """`name` fit for a Content-Disposition header: no line breaks, quotes, path separators or
    control characters (each run becomes "_"), no leading dots, at most 150 characters."""
    cleaned = _UNSAFE_IN_NAME.sub("_", name or "").strip().lstrip(".").strip()
    return cleaned[-150:] or default


def with_extension(name: str, extension: str, *also: str) -> str:
    """`name` (sanitised by download_name) ending in `extension` (or one of `also`, e.g. ".jpeg"
    beside ".jpg"): a wrong last extension is replaced ("x.pdf.bat" → "x.pdf", "a.hta" → "a.pdf"),
    and a name without one gets it ("佐证" → "佐证.pdf")."""
    clean = download_name(name)
    accepted = tuple(e.lower() for e in (extension, *also))
    if clean.lower().endswith(accepted):
        return clean
    stem, dot, last = clean.rpartition(".")
    if dot and stem and _EXTENSION.fullmatch(last):
        clean = stem
    if clean.lower().endswith(accepted):
        return clean
    return clean + extension


def attachment_disposition(name: str) -> str:
    """The Content-Disposition of a download called `name` (sanitised by download_name): an
    ASCII fallback for old clients and the full name in RFC 5987 form."""
    clean = download_name(name)
    fallback = clean.encode("ascii", "ignore").decode().strip()
    if not PurePosixPath(fallback).stem.strip(" ._"):
        fallback = "file" + PurePosixPath(clean).suffix.encode("ascii", "ignore").decode()
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(clean)}"
