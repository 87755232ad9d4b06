"""Reading an OFD file (GB/T 33190, the Chinese fixed-layout format) into the text `parse_text`
reads.

An OFD file is a zip archive of XML: OFD.xml names the document (DocBody/DocRoot), the
document lists its pages (Pages/Page BaseLoc) and its template pages, and each page's content
holds text objects (TextObject: a Boundary, a font Size, TextCode runs with X/Y and the advance
of every character, DeltaX/DeltaY, where "g 3 5.2" stands for three advances of 5.2) and path
objects (PathObject: AbbreviatedData such as "M 0 0 L 120 0 C"). Lengths are millimetres, y grows
downwards, and an object's own coordinates are placed in its Boundary through its CTM.

The characters and the straight lines of the paths are laid out as pdfplumber lays out a PDF's,
in points; pdfplumber's table finder finds the ruled tables among the lines and the PDF reader
turns the pages into text, so an OFD reads exactly as the same page printed to PDF would.
Fonts are not read: a character is as wide as its size (half of it outside the CJK range).

The archive is opened by the importer's guarded opener (office_zip); the XML by the standard
library, whose expat refuses entity expansion bombs and never fetches external entities.
"""

import math
import posixpath
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass, field

from pdfplumber.table import TableFinder

from luoshi.importing.office_zip import open_office_zip
from luoshi.importing.pdf_reader import render_pages

POINTS_PER_MM = 72 / 25.4
A4 = "0 0 210 297"
IDENTITY = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
STRAIGHT = 0.1  # mm: a segment this close to level (or plumb) is a ruling line
PATH_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
# How many numbers each command of AbbreviatedData takes.
PATH_ARGUMENTS = {"S": 2, "M": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}


class BrokenOfd(Exception):
    """A part of the OFD file is missing or malformed; the message says which, in Chinese."""


class NoText(Exception):
    """The OFD file holds no text objects: a scan or images only."""


@dataclass
class Page:
    """One page, in points, as pdf_reader reads a pdfplumber page."""

    height: float
    chars: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)

    def dedupe_chars(self) -> "Page":
        return self

    def find_tables(self):
        return TableFinder(self).tables


def _local(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child) == name]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next(iter(_children(element, name)), None)


def _number(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise ValueError(token)
    return value


def _numbers(text: str | None) -> list[float]:
    return [_number(token) for token in (text or "").split()]


def _advances(text: str | None, needed: int) -> list[float]:
    """DeltaX or DeltaY written out: "g 3 5.2 1" is [5.2, 5.2, 5.2, 1.0]; no more than the
    `needed` advances of the characters there are ("g 1000000000 5" is not inflated)."""
    tokens = (text or "").split()
    out: list[float] = []
    k = 0
    while k < len(tokens) and len(out) < needed:
        if tokens[k] == "g":
            out += [_number(tokens[k + 2])] * min(int(tokens[k + 1]), needed - len(out))
            k += 3
        else:
            out.append(_number(tokens[k]))
            k += 1
    return out


class _Placement:
    """An object's coordinates on the page: through its CTM, then from its Boundary's corner."""

    def __init__(self, element: ET.Element):
        x, y, *_ = _numbers(element.get("Boundary")) or [0.0, 0.0]
        ctm = _numbers(element.get("CTM")) or IDENTITY
        self.a, self.b, self.c, self.d, self.e, self.f = ctm
        self.x, self.y = x, y

    def point(self, x: float, y: float) -> tuple[float, float]:
        return (
            self.x + self.a * x + self.c * y + self.e,
            self.y + self.b * x + self.d * y + self.f,
        )

    @property
    def upright(self) -> bool:
        return abs(self.b) < 1e-6 and abs(self.c) < 1e-6 and self.a > 0 and self.d > 0


def _width(char: str, size: float) -> float:
    return size if unicodedata.east_asian_width(char) in "WF" else size / 2


def _text_chars(element: ET.Element) -> list[dict]:
    placement = _Placement(element)
    if not placement.upright:
        return []  # rotated text: a stamp or a margin note, not the plan
    size = _number(element.get("Size", "0"))
    scale = _number(element.get("HScale", "1"))
    chars = []
    x = y = 0.0
    for code in _children(element, "TextCode"):
        text = code.text or ""
        x = _number(code.get("X", str(x)))
        y = _number(code.get("Y", str(y)))
        dx = _advances(code.get("DeltaX"), len(text))
        dy = _advances(code.get("DeltaY"), len(text))
        for k, char in enumerate(text):
            if k:
                x += dx[k - 1] if k - 1 < len(dx) else _width(text[k - 1], size) * scale
                y += dy[k - 1] if k - 1 < len(dy) else 0.0
            left, baseline = placement.point(x, y)
            right, _ = placement.point(x + _width(char, size) * scale, y)
            height = size * placement.d
            chars.append(
                {
                    "text": char,
                    "x0": left * POINTS_PER_MM,
                    "x1": right * POINTS_PER_MM,
                    "top": (baseline - 0.88 * height) * POINTS_PER_MM,
                    "bottom": (baseline + 0.12 * height) * POINTS_PER_MM,
                    "size": height * POINTS_PER_MM,
                    "upright": True,
                }
            )
        if text:
            x += _width(text[-1], size) * scale
    return chars


def _segments(data: str) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The straight segments of an AbbreviatedData path; curves only move the pen."""
    tokens = PATH_TOKEN.findall(data)
    segments = []
    start = pen = (0.0, 0.0)
    k = 0
    while k < len(tokens):
        command = tokens[k].upper()
        count = PATH_ARGUMENTS.get(command)
        if count is None:
            raise ValueError(f"unknown path command {command}")
        values = [_number(token) for token in tokens[k + 1 : k + 1 + count]]
        if len(values) < count:
            raise ValueError("a path command lacks its numbers")
        k += 1 + count
        if command in ("M", "S"):
            start = pen = (values[0], values[1])
        elif command == "L":
            segments.append((pen, (values[0], values[1])))
            pen = (values[0], values[1])
        elif command == "C":
            segments.append((pen, start))
            pen = start
        else:
            pen = (values[-2], values[-1])
    return segments


def _path_edges(element: ET.Element) -> list[dict]:
    if element.get("Stroke") == "false" and element.get("Fill") != "true":
        return []  # drawn with neither ink nor paint
    data = _child(element, "AbbreviatedData")
    if data is None:
        return []
    placement = _Placement(element)
    edges = []
    for start, end in _segments(data.text or ""):
        (x0, y0), (x1, y1) = placement.point(*start), placement.point(*end)
        if abs(y0 - y1) <= STRAIGHT and abs(x0 - x1) > STRAIGHT:
            orientation = "h"
        elif abs(x0 - x1) <= STRAIGHT and abs(y0 - y1) > STRAIGHT:
            orientation = "v"
        else:
            continue
        left, right = sorted((x0 * POINTS_PER_MM, x1 * POINTS_PER_MM))
        top, bottom = sorted((y0 * POINTS_PER_MM, y1 * POINTS_PER_MM))
        if orientation == "h":
            top = bottom = (top + bottom) / 2
        else:
            left = right = (left + right) / 2
        edges.append(
            {
                "x0": left,
                "x1": right,
                "top": top,
                "bottom": bottom,
                "doctop": top,
                "width": right - left,
                "height": bottom - top,
                "orientation": orientation,
                "object_type": "line",
            }
        )
    return edges


class _Package:
    """The parts of the archive, each read and parsed once, when first asked for (a template
    page serves many pages)."""

    def __init__(self, data: bytes):
        self.archive = open_office_zip(data)
        self.names = set(self.archive.namelist())
        self.parsed: dict[str, ET.Element] = {}

    def xml(self, name: str) -> ET.Element:
        if name not in self.names:
            raise BrokenOfd(f"OFD 文件已损坏：缺少 {name}，无法读取。")
        if name not in self.parsed:
            try:
                data = self.archive.read(name)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError):
                raise BrokenOfd(f"OFD 文件已损坏：{name} 无法解压，无法读取。") from None
            try:
                self.parsed[name] = ET.fromstring(data)
            except ET.ParseError:
                raise BrokenOfd(f"OFD 文件已损坏：{name} 不是有效的 XML，无法读取。") from None
        return self.parsed[name]


def _resolve(base: str, location: str | None, part: str) -> str:
    """A BaseLoc: from the archive's root when it starts with /, else from the part's folder."""
    location = (location or "").strip().replace("\\", "/")
    if not location:
        raise BrokenOfd(f"OFD 文件已损坏：{part} 中缺少文件位置（BaseLoc），无法读取。")
    if location.startswith("/"):
        return posixpath.normpath(location.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), location))


def _page(package: _Package, name: str, templates: dict[str, str], default_box: str) -> Page:
    root = package.xml(name)
    area = _child(root, "Area")
    box = _child(area, "PhysicalBox") if area is not None else None
    _, _, _, height = _numbers(box.text if box is not None else default_box)
    contents = [root]
    for template in _children(root, "Template"):
        location = templates.get(template.get("TemplateID", ""))
        if location is not None:
            contents.append(package.xml(location))
    page = Page(height=height * POINTS_PER_MM)
    for content in contents:
        for element in content.iter():
            if _local(element) == "TextObject":
                page.chars += _text_chars(element)
            elif _local(element) == "PathObject":
                page.edges += _path_edges(element)
    return page


def _pages(package: _Package) -> list[Page]:
    ofd = package.xml("OFD.xml")
    roots = [
        root.text.strip()
        for body in _children(ofd, "DocBody")
        for root in _children(body, "DocRoot")
        if root.text and root.text.strip()
    ]
    if not roots:
        raise BrokenOfd("OFD 文件已损坏：OFD.xml 中没有文档入口（DocRoot），无法读取。")
    document_name = _resolve("OFD.xml", roots[0], "OFD.xml")
    document = package.xml(document_name)
    common = _child(document, "CommonData")
    templates: dict[str, str] = {}
    default_box = A4
    if common is not None:
        for template in _children(common, "TemplatePage"):
            templates[template.get("ID", "")] = _resolve(
                document_name, template.get("BaseLoc"), document_name
            )
        area = _child(common, "PageArea")
        box = _child(area, "PhysicalBox") if area is not None else None
        if box is not None and len(_numbers(box.text)) == 4:
            default_box = box.text
    pages = _child(document, "Pages")
    entries = _children(pages, "Page") if pages is not None else []
    if not entries:
        raise BrokenOfd(f"OFD 文件已损坏：{document_name} 中没有页面，无法读取。")
    return [
        _page(
            package,
            _resolve(document_name, entry.get("BaseLoc"), document_name),
            templates,
            default_box,
        )
        for entry in entries
    ]


def read_ofd(data: bytes) -> str:
    """The text of an OFD file; BrokenOfd for a missing or malformed part, NoText for a scan.

    The guarded opener raises BrokenZip or ZipBomb first when the archive is not fit to open."""
    package = _Package(data)
    with package.archive:
        try:
            pages = _pages(package)
        except (ValueError, IndexError):
            raise BrokenOfd("OFD 文件已损坏：页面中的坐标或数值格式不正确，无法读取。") from None
    if not any(char["text"].strip() for page in pages for char in page.chars):
        raise NoText
    return render_pages(pages)
