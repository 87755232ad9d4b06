"""Reading a Word (.docx) file into the flattened text `parse_text` reads.

Body paragraphs and tables come in document order. A table row is one line, its cells separated
by tabs; several paragraphs in a cell become `<p>…</p>`; a cell merged with the one above
(vMerge continue) is an empty cell; a cell spanning several grid columns is one cell followed by
empty ones, so the columns of every row stay aligned with the header. Automatic numbering is
written out as its label when the list format is a simple one (1. 1、 一、 （一）).
"""

import io
import re

import docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from luoshi.importing.office_zip import check_office_zip

CJK_DIGITS = "零一二三四五六七八九"
# Simple numbering formats: the label of a number n.
FORMATS = {
    "decimal": str,
    "decimalFullWidth": lambda n: str(n).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    ),
    "chineseCounting": lambda n: _chinese(n),
    "chineseCountingThousand": lambda n: _chinese(n),
    "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[n - 1] if 1 <= n <= 10 else "",
}
LEVEL_TEXT = re.compile(r"^[^%]{0,2}%(?P<level>[1-9])[^%]{0,2}$")


def _chinese(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (numbering stops well below a hundred)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    text = ("" if tens == 1 else CJK_DIGITS[tens]) + "十" if tens else ""
    return text + (CJK_DIGITS[ones] if ones else "")


class _Numbering:
    """The labels of automatically numbered paragraphs, counted in document order."""

    def __init__(self, document):
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        abstract = {a.get(qn("w:abstractNumId")): a for a in numbering.findall(qn("w:abstractNum"))}
        for num in numbering.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            definition = abstract.get(ref.get(qn("w:val"))) if ref is not None else None
            if definition is None:
                continue
            num_id = num.get(qn("w:numId"))
            for lvl in definition.findall(qn("w:lvl")):
                level = int(lvl.get(qn("w:ilvl"), "0"))
                fmt, text, start = (
                    lvl.find(qn(f"w:{tag}")) for tag in ("numFmt", "lvlText", "start")
                )
                self.levels[(num_id, level)] = (
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    text.get(qn("w:val")) if text is not None else "",
                    int(start.get(qn("w:val"))) if start is not None else 1,
                )

    def label(self, paragraph: Paragraph) -> str:
        num_pr = _numbering_properties(paragraph)
        if num_pr is None:
            return ""
        num_id_el, level_el = num_pr.find(qn("w:numId")), num_pr.find(qn("w:ilvl"))
        if num_id_el is None or num_id_el.get(qn("w:val")) == "0":  # numId 0: numbering off
            return ""
        num_id = num_id_el.get(qn("w:val"))
        level = int(level_el.get(qn("w:val"))) if level_el is not None else 0
        if (num_id, level) not in self.levels:
            return ""
        fmt, text, start = self.levels[(num_id, level)]
        counters = self.counters.setdefault(num_id, [])
        while len(counters) <= level:
            counters.append(0)
        del counters[level + 1 :]  # a deeper level starts again under a new item
        counters[level] += 1
        match = LEVEL_TEXT.match(text)
        if fmt not in FORMATS or not match or int(match["level"]) != level + 1:
            return ""
        number = FORMATS[fmt](start + counters[level] - 1)
        return text.replace(f"%{level + 1}", number) if number else ""


def _numbering_properties(paragraph: Paragraph):
    """The paragraph's w:numPr, its own or its style's (List Number and the like)."""
    path = f"{qn('w:pPr')}/{qn('w:numPr')}"
    num_pr = paragraph._p.find(path)
    if num_pr is not None:
        return num_pr
    try:
        style = paragraph.style
    except (KeyError, ValueError):
        return None
    while style is not None:
        num_pr = style.element.find(path)
        if num_pr is not None:
            return num_pr
        style = style.base_style
    return None


# The text of a paragraph, tracked insertions included and tracked deletions, tab-stop
# definitions and text boxes left out.
TEXT_PARTS = (
    "(.//w:t | .//w:tab | .//w:br | .//w:cr | .//w:noBreakHyphen)"
    "[not(ancestor::w:del) and not(ancestor::w:pPr) and not(ancestor::w:txbxContent)]"
)


def _text(paragraph: Paragraph) -> str:
    parts = []
    for element in paragraph._p.xpath(TEXT_PARTS):
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "t":
            parts.append(element.text or "")
        elif tag == "tab":
            parts.append(" ")
        elif tag == "noBreakHyphen":
            parts.append("-")
        elif element.get(qn("w:type")) not in ("page", "column"):
            parts.append("\n")
    return "".join(parts)


def _paragraph_text(paragraph: Paragraph, numbering: _Numbering) -> str:
    text = _text(paragraph)
    label = numbering.label(paragraph)
    return label + text if label and not text.startswith(label) else text


def _blocks(element, document, numbering: _Numbering):
    """("p", text) and ("table", element) in document order, looking inside content controls."""
    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            yield "p", _paragraph_text(Paragraph(child, document), numbering)
        elif child.tag == qn("w:tbl"):
            yield "table", child
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content, document, numbering)


def _cell_text(tc, document, numbering: _Numbering) -> str:
    paragraphs: list[str] = []
    for kind, value in _blocks(tc, document, numbering):
        if kind == "p":
            paragraphs.extend(line.strip() for line in value.split("\n"))
        else:  # a nested table: one paragraph per row, its cells side by side
            for row in _table_rows(value, document, numbering):
                paragraphs.append(" ".join(re.sub(r"</?p>", " ", c).strip() for c in row if c))
    paragraphs = [p for p in paragraphs if p]
    if len(paragraphs) == 1:
        return paragraphs[0]
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _span(tc) -> int:
    span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
    return int(span.get(qn("w:val"), "1")) if span is not None else 1


def _continues_above(tc) -> bool:
    merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
    return merge is not None and merge.get(qn("w:val"), "continue") == "continue"


def _grid(tr, name: str) -> int:
    element = tr.find(f"{qn('w:trPr')}/{qn(name)}")
    return int(element.get(qn("w:val"), "0")) if element is not None else 0


def _table_rows(tbl, document, numbering: _Numbering) -> list[list[str]]:
    rows = []
    for tr in tbl.findall(qn("w:tr")):
        cells = [""] * _grid(tr, "w:gridBefore")
        for tc in tr.findall(qn("w:tc")):
            text = "" if _continues_above(tc) else _cell_text(tc, document, numbering)
            cells.append(text.replace("\t", " "))
            cells.extend([""] * (_span(tc) - 1))
        rows.append(cells)
    return rows


def read_docx(data: bytes) -> str:
    """The text of a .docx; raises what python-docx raises on a broken file, and ZipBomb."""
    check_office_zip(data)
    document = docx.Document(io.BytesIO(data))
    numbering = _Numbering(document)
    lines: list[str] = []
    for kind, value in _blocks(document.element.body, document, numbering):
        if kind == "p":
            lines.extend(line.rstrip() for line in value.split("\n"))
        else:
            lines.extend("\t".join(row) for row in _table_rows(value, document, numbering))
    return "\n".join(lines)
