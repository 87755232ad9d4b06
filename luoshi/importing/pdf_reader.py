"""Reading a PDF with a text layer into the flattened text `parse_text` reads.

pdfplumber finds the ruled tables; every other character is running text. Running text is cut
into lines by the PDF and joined back into paragraphs here: a line starts a paragraph when it is
indented (official documents indent a paragraph's first line by two characters; centred titles
and right-aligned dates are "indented" too), when it opens with a numbering label (一、 （一）
1. （1）), after a wide vertical gap, or when the line above ended early — when the first word of
this line would have fitted on it. Chinese lines join without a space.

Table rows become tab-separated lines; a merged cell that pdfplumber reports as missing is an
empty cell (the continuation of the one above). Inside a cell, wrapped lines are joined the same
way, and a new `<p>` starts where a line opens with a label or the line above ended early. A table
that goes on at the top of the next page continues the same table (its repeated header row left
out); a row split by the page break is put back together. Page numbers (— 3 —, -3-, 第3页) are
left out.
"""

import io
import re
import statistics
from dataclasses import dataclass, field

import pdfplumber

BODY_LABEL = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百\d]+[）)]|\d+[、.．](?!\d)"
    r"|第[一二三四五六七八九十百\d]+[章条节]|[①-⑳])"
)
CELL_LABEL = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|\d+[、.．](?!\d)|[（(]\d+[）)]|[①-⑳])"
)
PAGE_NUMBER = re.compile(
    r"^(?:[-—–－―─]+\s*\d+\s*[-—–－―─]+|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?"
    r"|\d+\s*/\s*\d+|\d+)$"
)
UNMAPPED = re.compile(r"\(cid:\d+\)")
SENTENCE_END = tuple("。；;！!？?")
# A numbered item starts a paragraph after a line that closed a sentence, a lead-in (：) or the
# departments in brackets after a measure, not in the middle of a sentence.
ITEM_BEFORE = (*SENTENCE_END, "：", ":", "）", ")", "〕")
# A line cannot start with these, so the character before them wraps along.
CLOSING = set("，。、；：！？）》」』〕】％%,.;:!?)]}")
OPENING = set("（《「『〔【([{")
# Curly quotes keep the characters on both sides on their line.
QUOTES = set("“”‘’\"'")


class NoTextLayer(Exception):
    """The PDF holds no text: a scan or images only."""


class EncryptedPdf(Exception):
    """The PDF needs a password to open."""


class UnmappedText(Exception):
    """The PDF's fonts do not say which characters their glyphs are: the text is (cid:123)."""


@dataclass
class Line:
    chars: list[dict]
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    space_after: bool = False  # the line broke at a space, which the join must put back

    def first_word_width(self) -> float:
        """The width of what cannot be split from the line's first character."""
        chars = [c for c in self.chars if c["text"].strip()]
        if not chars:
            return 0.0
        end = 1
        while end < len(chars) and _unbreakable(chars[end - 1]["text"], chars[end]["text"]):
            end += 1
        return chars[end - 1]["x1"] - chars[0]["x0"]


def _unbreakable(before: str, after: str) -> bool:
    """Whether a line may not break between these two characters."""
    if before.isascii() and before.isalnum() and after.isascii() and after.isalnum():
        return True
    return before in OPENING or before in QUOTES or after in CLOSING or after in QUOTES


@dataclass
class Table:
    rows: list[list[list[Line] | None]]
    page: int  # the last page it is on
    right_edges: list[float] = field(default_factory=list)  # per column: where text must stop


def _lines(chars: list[dict]) -> list[Line]:
    """Characters grouped into lines, top to bottom, with spaces where the PDF left a gap."""
    chars = sorted(
        (c for c in chars if c["text"] and c.get("upright", True)), key=lambda c: c["bottom"]
    )
    groups: list[list[dict]] = []
    for char in chars:
        tolerance = max(char["size"], 1.0) * 0.5
        if groups and abs(char["bottom"] - groups[-1][0]["bottom"]) <= tolerance:
            groups[-1].append(char)
        else:
            groups.append([char])
    lines = []
    for group in groups:
        group.sort(key=lambda c: c["x0"])
        text = ""
        for k, char in enumerate(group):
            if (
                k
                and char["x0"] - group[k - 1]["x1"] > 0.5 * char["size"]
                and not (text.endswith(" ") or char["text"] == " ")
            ):
                text += " "
            text += char["text"]
        visible = [c for c in group if c["text"].strip()]
        if not visible:
            continue
        lines.append(
            Line(
                chars=group,
                text=text.strip(),
                x0=visible[0]["x0"],
                x1=visible[-1]["x1"],
                top=min(c["top"] for c in visible),
                bottom=max(c["bottom"] for c in visible),
                size=statistics.median(c["size"] for c in visible),
                space_after=group[-1]["text"].isspace(),
            )
        )
    return lines


def _join(text: str, line: Line, following: Line) -> str:
    """`text` (ending with `line`) and the wrapped line that follows it, as one paragraph."""
    ascii_words = text[-1:].isascii() and text[-1:].isalnum() and following.text[:1].isascii()
    if line.space_after or (ascii_words and following.text[:1].isalnum()):
        return text + " " + following.text
    return text + following.text


def _ended_early(line: Line, following: Line, right: float) -> bool:
    """Whether the first word of `following` would have fitted at the end of `line`."""
    width = following.first_word_width()
    if _latin(line.text[-1:]) != _latin(following.text[:1]):
        # Word and LibreOffice set a little space between Chinese and Latin letters or digits.
        width += 0.2 * following.size
    return line.x1 + width <= right - 0.2


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _in(char: dict, bbox) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def _table(page, found, number: int) -> Table:
    chars = [c for c in page.chars if _in(c, found.bbox)]
    rows: list[list[list[Line] | None]] = []
    columns: dict[int, tuple[float, float, float]] = {}  # column: cell x0, x1, leftmost text
    for row in found.rows:
        cells: list[list[Line] | None] = []
        for k, bbox in enumerate(row.cells):
            if bbox is None:
                cells.append(None)
                continue
            lines = _lines([c for c in chars if _in(c, bbox)])
            cells.append(lines)
            left = min((line.x0 for line in lines), default=bbox[2])
            x0, x1, known = columns.get(k, (bbox[0], bbox[2], bbox[2]))
            columns[k] = (min(x0, bbox[0]), max(x1, bbox[2]), min(known, left))
        rows.append(cells)
    width = max((len(r) for r in rows), default=0)
    edges = []
    for k in range(width):
        x0, x1, left = columns.get(k, (0.0, 0.0, 0.0))
        padding = max(left - x0, 0.0) if left < x1 else 0.0
        edges.append(x1 - padding)  # the padding on the right mirrors the one on the left
    return Table(rows, number, edges)


def _opens_item(label: re.Pattern, before: Line, line: Line) -> bool:
    return bool(label.match(line.text)) and before.text.endswith(ITEM_BEFORE)


def _cell_text(lines: list[Line] | None, right: float) -> str:
    if not lines:
        return ""
    paragraphs = [lines[0].text]
    for before, line in zip(lines, lines[1:], strict=False):
        if _opens_item(CELL_LABEL, before, line) or _ended_early(before, line, right):
            paragraphs.append(line.text)
        else:
            paragraphs[-1] = _join(paragraphs[-1], before, line)
    paragraphs = [p.replace("\t", " ").strip() for p in paragraphs if p.strip()]
    if len(paragraphs) == 1:
        return paragraphs[0]
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _texts(row: list[list[Line] | None]) -> list[str]:
    return ["".join(line.text for line in cell or []) for cell in row]


def _continues(previous: Table, row: list[list[Line] | None]) -> bool:
    """Whether the first row of a table's next page is the rest of a row the page break cut."""
    last = previous.rows[-1]
    if len(row) != len(last) or not any(row_cell for row_cell in row):
        return False
    if any(cell and CELL_LABEL.match(cell[0].text) for cell in row):
        return False
    for k, (above, below) in enumerate(zip(last, row, strict=True)):
        cut = above and below and not above[-1].text.endswith(SENTENCE_END)
        if cut and not _ended_early(above[-1], below[0], previous.right_edges[k]):
            return True
    return False


def _append(previous: Table, table: Table):
    """The table on the next page continues `previous`: repeated header and cut row mended."""
    rows = list(table.rows)
    if rows and _texts(rows[0]) == _texts(previous.rows[0]):
        rows = rows[1:]  # the header row repeated at the top of the page
    if rows and _continues(previous, rows[0]):
        cut = rows.pop(0)
        previous.rows[-1] = [
            (above or []) + (below or []) if (above or below) else above
            for above, below in zip(previous.rows[-1], cut, strict=True)
        ]
    previous.rows.extend(rows)
    previous.right_edges = [
        max(a, b) for a, b in zip(previous.right_edges, table.right_edges, strict=True)
    ]
    previous.page = table.page


def _page_blocks(page, number: int) -> list:
    found = [t for t in page.find_tables() if t.rows and max(len(r.cells) for r in t.rows) >= 2]
    body = [c for c in page.chars if not any(_in(c, t.bbox) for t in found)]
    tables = [(t.bbox[1], _table(page, t, number)) for t in found]
    return page_blocks(body, tables, page.height, number)


def page_blocks(chars: list[dict], tables: list[tuple[float, Table]], height: float, number: int):
    """A page's running-text lines and its tables ((top, table)) as (top, page, block), top to
    bottom; page numbers left out. The OCR of a scan builds its pages with this too."""
    blocks: list = []
    for line in _lines(chars):
        at_edge = line.top < height * 0.12 or line.bottom > height * 0.85
        is_number = PAGE_NUMBER.match(line.text.replace(" ", ""))
        if is_number and (at_edge or not line.text.isdigit()):
            continue  # a page number: — 3 —, -3-, 第3页, or a bare 3 in the margin
        blocks.append((line.top, number, line))
    blocks += [(top, number, table) for top, table in tables]
    return sorted(blocks, key=lambda block: block[0])


def _starts_paragraph(before: Line, line: Line, pitch: float, left: float, right: float) -> bool:
    if pitch > 2.2 * line.size or _opens_item(BODY_LABEL, before, line):
        return True
    if _ended_early(before, line, right):
        return True
    if line.x0 > left + 0.8 * line.size:
        # Indented, centred or set to the right: a paragraph of its own, unless it is the
        # second line of a centred title too long for one line (the first line is full).
        inset_left, inset_right = line.x0 - left, right - line.x1
        centred = inset_right > line.size and abs(inset_left - inset_right) < 0.5 * line.size
        return not (centred and abs(line.size - before.size) < 0.5)
    return False


def _paragraph_lines(lines: list[tuple[int, Line]], left: float, right: float) -> list[str]:
    out: list[str] = []
    previous: tuple[int, Line] | None = None
    for page, line in lines:
        starts = previous is None
        if previous is not None:
            before_page, before = previous
            pitch = line.top - before.top if page == before_page else 0.0
            if pitch > 3.2 * line.size:
                out.append("")
            starts = _starts_paragraph(before, line, pitch, left, right)
        if starts:
            out.append(line.text)
        else:
            out[-1] = _join(out[-1], previous[1], line)
        previous = page, line
    return out


def render(blocks: list) -> str:
    """The flattened text of the blocks `stitch` put in reading order."""
    body = [b for b in blocks if isinstance(b, tuple)]
    left = min((line.x0 for _, line in body), default=0.0)
    right = max((line.x1 for _, line in body), default=0.0)
    out: list[str] = []
    run: list[tuple[int, Line]] = []
    for block in blocks:
        if isinstance(block, tuple):
            run.append(block)
            continue
        out += _paragraph_lines(run, left, right)
        run = []
        if out and out[-1].count("\t") and block.rows:
            out.append("")  # two tables one after the other stay two tables
        for row in block.rows:
            cells = [_cell_text(cell, block.right_edges[k]) for k, cell in enumerate(row)]
            out.append("\t".join(cells))
    out += _paragraph_lines(run, left, right)
    return "\n".join(out)


def stitch(pages) -> list:
    """Paragraph lines as (page, Line) and tables, in reading order across the pages (each page
    as `page_blocks` gives it): a table that goes on at the top of the next page is one table."""
    blocks: list = []
    for page in pages:
        for k, (_, number, block) in enumerate(page):
            if isinstance(block, Table):
                previous = blocks[-1] if blocks else None
                if (
                    k == 0
                    and isinstance(previous, Table)
                    and previous.page == number - 1
                    and len(previous.right_edges) == len(block.right_edges)
                ):
                    _append(previous, block)
                else:
                    blocks.append(block)
            else:
                blocks.append((number, block))
    return blocks


def render_pages(pages) -> str:
    """The text of laid-out pages: pdfplumber's, or any with the same `chars`, `height`,
    `dedupe_chars()` and `find_tables()` (the OFD reader's)."""
    return render(
        stitch(_page_blocks(page.dedupe_chars(), number) for number, page in enumerate(pages))
    )


def read_pdf(data: bytes) -> str:
    """The text of a PDF; NoTextLayer for a scan, EncryptedPdf when it needs a password."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            blocks = stitch(
                _page_blocks(page.dedupe_chars(), number) for number, page in enumerate(pdf.pages)
            )
    except Exception:
        if b"/Encrypt" in data:
            raise EncryptedPdf from None
        raise
    text = render(blocks)
    unmapped = len(UNMAPPED.findall(text))
    readable = len(re.findall(r"[^\W_]", UNMAPPED.sub("", text)))
    if not readable and not unmapped:
        raise NoTextLayer
    if unmapped > readable:
        raise UnmappedText
    return text
