"""Reading a scanned plan (an image-only PDF, or .png/.jpg/.tif pictures) by OCR, offline.

RapidOCR runs the PP-OCR Chinese models that its wheel ships (no download at run time) on
ONNX Runtime. Reading is split in two so that the slow part can be cached and run in the
background:

- `recognise(data)` renders every page at 200 dpi (pypdfium2 for a PDF, Pillow for pictures),
  finds the ruled lines of its tables (OpenCV) and reads the text boxes (RapidOCR): about two
  seconds a page on two cores. What it returns is plain JSON (`PageReading.to_dict`), kept by
  the caller under the file's hash.
- `scan_text(pages)` turns those readings into the flattened text `parse_text` reads, in
  milliseconds: the boxes become characters laid out as a PDF's text layer would place them,
  and the ruled lines give the tables' rows and columns, so the PDF reader's paragraph and
  table rules (and its mending of tables cut by a page break) apply unchanged.

OCR drops the spaces between names in a cell (市商务局市国资委): `split_glued_names` puts them
back where one office's name ends and the next one starts with 市/县/区/省.
"""

import functools
import io
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pypdfium2
from PIL import Image, ImageSequence

from luoshi.importing.pdf_reader import Line, Table, _lines, page_blocks, render, stitch

DPI = 200
POINTS = 72 / DPI  # one pixel of the 200 dpi page, in PDF points
# A ruled line is a run of dark pixels at least this long (text strokes are far shorter).
MIN_RULE = DPI  # one inch
MAX_PAGES = 200

# A cell that holds office names only (市…局, 市…委, 枣庄…分局), with or without spaces.
OFFICE_RUN = re.compile(
    r"(?:\s*[\u4e00-\u9fff（）()]{2,20}?(?:局|委|办|厅|部|院|中心|政府|公司|联|会|社|行))+\s*"
)
# Where one office's name ends and the next begins when OCR glued them (市商务局市国资委).
GLUED = re.compile(
    r"(?:(?<=[局委办厅部院）)])|(?<=中心|政府|公司))(?=[市县区省][\u4e00-\u9fff]{2,})"
)


class NotAScan(Exception):
    """The file is neither a picture nor a PDF OCR can render."""


@dataclass
class PageReading:
    """One page: its size in pixels, the ruled lines and the text boxes OCR found on it."""

    width: int
    height: int
    # Horizontal rules as [y, x0, x1], vertical ones as [x, y0, y1].
    horizontal: list[list[int]] = field(default_factory=list)
    vertical: list[list[int]] = field(default_factory=list)
    # Text boxes as [x0, top, x1, bottom, text, score].
    boxes: list[list] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "width": self.width,
            "height": self.height,
            "horizontal": self.horizontal,
            "vertical": self.vertical,
            "boxes": self.boxes,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "PageReading":
        return cls(**data)


# --- Pages to pictures ----------------------------------------------------------------------


def page_count(data: bytes) -> int:
    """How many pages the scan has (a PDF's pages, a TIFF's frames)."""
    try:
        if b"%PDF-" in data[:1024]:
            return len(pypdfium2.PdfDocument(data))
        with Image.open(io.BytesIO(data)) as image:
            return getattr(image, "n_frames", 1)
    except Exception:  # pdfium and Pillow raise many kinds of errors on a broken file
        raise NotAScan from None


def without_text(data: bytes) -> bool:
    """Whether none of a PDF's pages has text: a scan."""
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:  # encrypted or broken: the PDF reader says which
        return False
    try:
        return all(page.get_textpage().count_chars() == 0 for page in document)
    finally:
        document.close()


def page_images(data: bytes, dpi: int = DPI, only: int | None = None):
    """The pages as RGB pictures, one after the other (`only`: that page alone, from 0)."""
    if b"%PDF-" in data[:1024]:
        document = pypdfium2.PdfDocument(data)
        numbers = range(len(document)) if only is None else [only]
        for number in numbers:
            page = document[number]
            yield page.render(scale=dpi / 72).to_pil().convert("RGB")
            page.close()
        document.close()
        return
    try:
        image = Image.open(io.BytesIO(data))
        frames = list(ImageSequence.Iterator(image))
    except Exception:  # Pillow raises many kinds of errors on a broken picture
        raise NotAScan from None
    for number, frame in enumerate(frames):
        if only is None or number == only:
            yield _at_dpi(frame, dpi)


def _at_dpi(frame: Image.Image, dpi: int) -> Image.Image:
    """A picture scaled so that an A4 page is as wide as at `dpi` (scanners differ)."""
    rgb = frame.convert("RGB")
    width = round(210 / 25.4 * dpi)
    if abs(rgb.width - width) > width * 0.1 and rgb.width < rgb.height * 1.5:
        rgb = rgb.resize((width, round(rgb.height * width / rgb.width)))
    return rgb


def page_png(data: bytes, number: int, dpi: int = 100) -> bytes:
    """Page `number` (from 0) as a PNG, for showing beside what was read from it."""
    (image,) = page_images(data, dpi, only=number)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


# --- Recognition ----------------------------------------------------------------------------


@functools.cache
def _engine():
    from rapidocr import RapidOCR  # slow to import: only when a scan arrives

    return RapidOCR(params={"Global.log_level": "warning"})


def available() -> bool:
    """Whether the OCR engine is installed."""
    try:
        import rapidocr  # noqa: F401
    except ImportError:
        return False
    return True


def _rules(gray: np.ndarray) -> tuple[list[list[int]], list[list[int]]]:
    """The horizontal and vertical ruled lines of a page, as [y, x0, x1] and [x, y0, y1]."""
    import cv2

    dark = (gray < 200).astype(np.uint8)
    found = []
    for kernel in ((MIN_RULE, 1), (1, MIN_RULE)):
        lines = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones(kernel[::-1], np.uint8))
        count, _, stats, _ = cv2.connectedComponentsWithStats(lines)
        segments = []
        for x, y, w, h, _ in stats[1:count]:
            if kernel[0] > 1:
                segments.append([int(y + h // 2), int(x), int(x + w)])
            else:
                segments.append([int(x + w // 2), int(y), int(y + h)])
        found.append(sorted(segments))
    return found[0], found[1]


def read_page(image: Image.Image) -> PageReading:
    """The ruled lines and text boxes of one page picture."""
    pixels = np.asarray(image)
    horizontal, vertical = _rules(np.asarray(image.convert("L")))
    result = _engine()(pixels)
    boxes = []
    if result.boxes is None:  # a blank page
        return PageReading(image.width, image.height, horizontal, vertical)
    for box, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        boxes.append(
            [int(min(xs)), int(min(ys)), int(max(xs)), int(max(ys)), text, round(float(score), 3)]
        )
    return PageReading(image.width, image.height, horizontal, vertical, boxes)


def recognise(data: bytes, progress: Callable[[int, int], None] | None = None) -> list[PageReading]:
    """Every page of a scan read by OCR; `progress(done, total)` after each page."""
    total = page_count(data)
    if total > MAX_PAGES:
        raise NotAScan
    pages = []
    for image in page_images(data):
        pages.append(read_page(image))
        if progress:
            progress(len(pages), total)
    return pages


# --- Readings to text -----------------------------------------------------------------------


def _width(char: str) -> float:
    return 0.55 if char.isascii() else 1.0


def _chars(box: list) -> list[dict]:
    """A text box as characters placed as a PDF's text layer places them, in points."""
    x0, top, x1, bottom, text, _ = box
    text = text.strip()
    if not text:
        return []
    unit = (x1 - x0) / sum(_width(c) for c in text)
    size = (bottom - top) * 0.8 * POINTS
    chars, x = [], float(x0)
    for char in text:
        width = unit * _width(char)
        chars.append(
            {
                "text": char,
                "x0": x * POINTS,
                "x1": (x + width) * POINTS,
                "top": top * POINTS,
                "bottom": bottom * POINTS,
                "size": size,
                "upright": True,
            }
        )
        x += width
    return chars


def _clusters(values: list[int], gap: int = 12) -> list[int]:
    """Values within `gap` of each other as one (their mean)."""
    groups: list[list[int]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= gap:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [round(sum(g) / len(g)) for g in groups]


@dataclass
class _Grid:
    x0: float
    top: float
    x1: float
    bottom: float
    columns: list[int]  # the x of every vertical rule, left to right
    rows: list[int]  # the y of every horizontal rule, top to bottom
    # Per column, the y of the rules that cross it.
    crossing: list[list[int]]

    def holds(self, box: list) -> bool:
        x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        return self.x0 <= x <= self.x1 and self.top <= y <= self.bottom


def _grids(page: PageReading) -> list[_Grid]:
    """The ruled tables of a page: vertical rules that overlap in height make one table."""
    grids = []
    vertical = sorted(page.vertical, key=lambda v: v[1])
    groups: list[list[list[int]]] = []
    for rule in vertical:
        if groups and rule[1] <= max(v[2] for v in groups[-1]) + 5:
            groups[-1].append(rule)
        else:
            groups.append([rule])
    for group in groups:
        columns = _clusters([v[0] for v in group])
        if len(columns) < 3:
            continue  # a box or a single rule, not a table of two columns or more
        top, bottom = min(v[1] for v in group), max(v[2] for v in group)
        horizontal = [h for h in page.horizontal if top - 5 <= h[0] <= bottom + 5]
        rows = _clusters([top, bottom, *(h[0] for h in horizontal)])
        crossing = []
        for left, right in zip(columns, columns[1:], strict=False):
            middle = (left + right) / 2
            ys = [h[0] for h in horizontal if h[1] <= middle <= h[2]]
            crossing.append(_clusters([top, bottom, *ys]))
        grids.append(_Grid(columns[0], top, columns[-1], bottom, columns, rows, crossing))
    return grids


def _cell_lines(boxes: list[list], names: tuple[str, ...]) -> list[Line]:
    lines = _lines([char for box in boxes for char in _chars(box)])
    joined = "".join(line.text for line in lines)
    if not OFFICE_RUN.fullmatch(joined):
        return lines
    # A cell of office names only: one line, the names spaced again (they wrapped anywhere).
    first, last = lines[0], lines[-1]
    text = split_glued_names(joined, names)
    return [
        Line(
            [c for line in lines for c in line.chars],
            text,
            first.x0,
            first.x1,
            first.top,
            last.bottom,
            first.size,
        )
    ]


def split_glued_names(text: str, names: tuple[str, ...] = ()) -> str:
    """A run of office names OCR read without their separators, spaced again: 市商务局市国资委
    → 市商务局 市国资委. The directory's `names` (longest first) are cut out where they appear;
    the rest is cut where an office's name ends and the next opens with 市/县/区/省. A name in
    brackets stays with the one before it: 市发展改革委(市粮食和储备局)."""
    text = text.replace(" ", "")
    parts: list[str] = []
    rest, k = 0, 0
    while k < len(text):
        if text[k] in "（(":
            close = min((text.find(c, k) for c in "）)" if c in text[k:]), default=-1)
            k = close + 1 if close > k else len(text)
            continue
        name = next((n for n in names if text.startswith(n, k)), None)
        if name is None:
            k += 1
            continue
        parts += _by_endings(text[rest:k])
        parts.append(name)
        k = rest = k + len(name)
    parts += _by_endings(text[rest:])
    merged: list[str] = []
    for part in parts:
        if merged and part[:1] in "（(":
            merged[-1] += part
        else:
            merged.append(part)
    return " ".join(merged)


def _by_endings(text: str) -> list[str]:
    return [part for part in GLUED.sub(" ", text).split(" ") if part]


def _table(grid: _Grid, boxes: list[list], number: int, names: tuple[str, ...]) -> Table:
    rows: list[list[list[Line] | None]] = [[] for _ in grid.rows[:-1]]
    edges = []
    for k, (left, right) in enumerate(zip(grid.columns, grid.columns[1:], strict=False)):
        inside = [b for b in boxes if left <= (b[0] + b[2]) / 2 < right]
        starts = grid.crossing[k]
        text_left = min((b[0] for b in inside), default=right)
        padding = max(text_left - left, 0) if text_left < right else 0
        # OCR's boxes end at the ink: a full line may stop most of a character short of the
        # edge (and a closing 、，。 half of one more), so the edge is taken that much earlier.
        slack = 0.8 * statistics.median([b[3] - b[1] for b in inside] or [0])
        edges.append((right - padding - slack) * POINTS)
        for r, (upper, lower) in enumerate(zip(grid.rows, grid.rows[1:], strict=False)):
            opening = next((y for y in starts if abs(y - upper) <= 12), None)
            if opening is None:
                rows[r].append(None)  # merged with the cell above
                continue
            end = next((y for y in starts if y > opening + 12), lower)
            cell = [b for b in inside if opening <= (b[1] + b[3]) / 2 < end]
            rows[r].append(_cell_lines(cell, names))
    rows = [row for row in rows if any(cell for cell in row) or not row]
    return Table(rows, number, edges)


def _page_blocks(page: PageReading, number: int, names: tuple[str, ...]) -> list:
    grids = _grids(page)
    tables = []
    for grid in grids:
        inside = [b for b in page.boxes if grid.holds(b)]
        table = _table(grid, inside, number, names)
        if table.rows:
            tables.append((grid.top * POINTS, table))
    body = [b for b in page.boxes if not any(g.holds(b) for g in grids)]
    chars = [char for box in body for char in _chars(box)]
    return page_blocks(chars, tables, page.height * POINTS, number)


def scan_text(pages: list[PageReading], names=()) -> str:
    """The flattened text of a scan, from its pages' readings; `names`: the directory's names
    of departments, to part the names OCR glued together."""
    known = tuple(sorted(set(names), key=len, reverse=True))
    return render(stitch(_page_blocks(page, number, known) for number, page in enumerate(pages)))


def page_of(text: str, page_texts: list[str]) -> int | None:
    """The page (from 0) whose boxes hold the opening words of `text`, if one does."""
    opening = re.sub(r"\s|<[^>]*>", "", text)[:8]
    if not opening:
        return None
    return next((k for k, page in enumerate(page_texts) if opening in page), None)
