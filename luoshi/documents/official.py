"""GB/T 9704-2012 page layout for python-docx documents (公文格式).

A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; a grid of 22 lines × 28
characters; body 3号 (16 pt) 仿宋_GB2312; title 2号 (22 pt) 方正小标宋简体; headings 一、 黑体,
（一） 楷体_GB2312, 1. 仿宋 bold; page numbers "— 1 —" in 4号 (14 pt) 宋体, odd pages right and even
pages left, one character in from the edge. Every font is named in the east-Asian slot (w:rFonts
eastAsia) as well as the Latin ones, so Word and WPS pick the official faces; on Linux the
fontconfig aliases of fonts/fonts.conf map them to free stand-ins.
"""

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph

from luoshi.lib.text import strip_control

SONG = "宋体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"

BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
TABLE_PT = 12  # 小4号, for tables

MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
LINES = 22
TEXT_HEIGHT_PT = (297 - MARGINS_MM["top"] - MARGINS_MM["bottom"]) / 25.4 * 72
TEXT_WIDTH_PT = (210 - MARGINS_MM["left"] - MARGINS_MM["right"]) / 25.4 * 72
LINE_PITCH_TWIPS = int(TEXT_HEIGHT_PT / LINES * 20)  # 579: 22 lines a page
# 28 characters a line: each 3号 character is drawn 0.25 pt narrower (w:spacing -5 twentieths),
# 28 × 15.75 pt = 441 pt in the 442 pt line. A "linesAndChars" grid would do the same in Word,
# but LibreOffice gives every 16 pt character two 15.8 pt grid cells (14 a line), so the grid
# holds lines only and the character spacing holds the characters.
CHAR_SPACING_TWENTIETHS = -5
RED = RGBColor(0xE6, 0x00, 0x12)  # 发文机关标志 and the separator line are red (GB/T 9704 7.2.3)
EM_DASH = "\u2014"


def set_font(run_or_style, name: str, size: float | None = None, *, bold: bool | None = None):
    """Name `name` in every font slot (ascii, hAnsi, eastAsia, cs), dropping theme fonts."""
    font = run_or_style.font
    font.name = name
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)
    # Punctuation such as the em dash of page numbers is drawn from the east-Asian font.
    fonts.set(qn("w:hint"), "eastAsia")
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _exact_lines(paragraph_format, twips: int = LINE_PITCH_TWIPS):
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.line_spacing = Twips(twips)
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)


def new_document():
    """An empty document with the GB/T 9704 page, grid, styles and page-number footers."""
    document = Document()
    section = document.sections[0]
    _set_page(section)
    _set_styles(document)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number_footers(section)
    return document


def _set_page(section):
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    # The footer sits in the bottom margin: the page number 7 mm below the text block.
    section.footer_distance = Mm(28)
    section.header_distance = Mm(15)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.attrib.pop(qn("w:charSpace"), None)


def _set_styles(document):
    styles = document.styles
    normal = styles["Normal"]
    set_font(normal, FANGSONG, BODY_PT)
    normal.font.color.rgb = RGBColor(0, 0, 0)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CHAR_SPACING_TWENTIETHS))
    normal.element.get_or_add_rPr().append(spacing)
    _exact_lines(normal.paragraph_format)
    # Body paragraphs start two characters in (GB/T 9704 7.3.3); others set their own indent.
    normal.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    # Default for runs with no style too (docDefaults), so tables and footers inherit 仿宋.
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for key in list(fonts.attrib):
            del fonts.attrib[key]
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(slot), FANGSONG)
        size = rpr.find(qn("w:sz"))
        if size is None:
            size = OxmlElement("w:sz")
            rpr.append(size)
        size.set(qn("w:val"), str(BODY_PT * 2))
    for name, font, bold in (
        ("Heading 1", HEITI, False),
        ("Heading 2", KAITI, False),
        ("Heading 3", FANGSONG, True),
    ):
        style = styles[name]
        set_font(style, font, BODY_PT, bold=bold)
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        _exact_lines(style.paragraph_format)
        style.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        style.paragraph_format.keep_with_next = True
    title = styles["Title"]
    set_font(title, XIAOBIAOSONG, TITLE_PT, bold=False)
    title.font.color.rgb = RGBColor(0, 0, 0)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.first_line_indent = Pt(0)
    # 33 pt between title lines, off the body grid (a 22 pt line would take two grid lines).
    _exact_lines(title.paragraph_format, int(TITLE_PT * 1.5 * 20))
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    title.element.get_or_add_pPr().insert(0, snap)
    # python-docx's template gives Title a bottom border; GB/T 9704 has none.
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)


def _page_field(paragraph):
    """A PAGE field: Word, WPS and LibreOffice put the page's number there."""
    run = paragraph.add_run()
    set_font(run, SONG, PAGE_NUMBER_PT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text.strip() == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            value = OxmlElement("w:t")
            value.text = text
            run._r.append(value)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _page_number_paragraph(footer, alignment):
    paragraph = footer.paragraphs[0]
    paragraph.alignment = alignment
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.first_line_indent = Pt(0)
    # 单页码居右空一字，双页码居左空一字 (one body character from the edge).
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = Pt(BODY_PT)
    else:
        fmt.left_indent = Pt(BODY_PT)
    dash = paragraph.add_run(f"{EM_DASH} ")
    set_font(dash, SONG, PAGE_NUMBER_PT)
    _page_field(paragraph)
    dash = paragraph.add_run(f" {EM_DASH}")
    set_font(dash, SONG, PAGE_NUMBER_PT)


def _page_number_footers(section):
    section.footer.is_linked_to_previous = False
    _page_number_paragraph(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    section.even_page_footer.is_linked_to_previous = False
    _page_number_paragraph(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


class Writer:
    """Adds the parts of an official document to a `new_document()`, with cached styles."""

    def __init__(self, document=None):
        self.document = document or new_document()
        styles = self.document.styles
        # Style ids looked up once: python-docx resolves a style object per paragraph slowly.
        self.style_ids = {
            name: styles[name].style_id for name in ("Heading 1", "Heading 2", "Heading 3", "Title")
        }
        self.table_style = styles["Table Grid"]
        self._end = self.document.element.body.sectPr  # new paragraphs go before it

    def _paragraph(self, text: str = "", style_id: str | None = None) -> Paragraph:
        """A paragraph appended as raw XML: python-docx's add_paragraph is ten times slower."""
        p = OxmlElement("w:p")
        if style_id:
            ppr = OxmlElement("w:pPr")
            style = OxmlElement("w:pStyle")
            style.set(qn("w:val"), style_id)
            ppr.append(style)
            p.append(ppr)
        if text:
            run = OxmlElement("w:r")
            value = OxmlElement("w:t")
            value.set(qn("xml:space"), "preserve")
            value.text = strip_control(text)  # XML refuses control characters (older data)
            run.append(value)
            p.append(run)
        self._end.addprevious(p)
        return Paragraph(p, self.document._body)

    def blank(self):
        return self._paragraph()

    def run_in(self, lead: str, text: str):
        """A body paragraph led by a run-in heading in 楷体 (（一）推进……。 then the text)."""
        paragraph = self._paragraph(lead)
        set_font(paragraph.runs[0], KAITI, BODY_PT)
        paragraph.add_run(strip_control(text))
        return paragraph

    def body(self, text: str, *, indent: bool = True, align=None):
        paragraph = self._paragraph(text)
        if not indent:
            paragraph.paragraph_format.first_line_indent = Pt(0)
        if align is not None:
            paragraph.alignment = align
        return paragraph

    def _styled(self, text: str, name: str):
        return self._paragraph(text, self.style_ids[name])

    def heading(self, text: str, level: int):
        return self._styled(text, f"Heading {level}")

    def title(self, text: str):
        return self._styled(text, "Title")

    def issuer_mark(self, office: str):
        """发文机关标志: the office's name and 文件, red 方正小标宋, centred, fitted to the line."""
        text = f"{office}文件"
        size = min(36, int(TEXT_WIDTH_PT * 0.95 / max(len(text), 1)))
        paragraph = self._paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Pt(0)
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
        paragraph.paragraph_format.line_spacing = Pt(size * 1.3)
        paragraph.paragraph_format.space_before = Pt(size)
        run = paragraph.add_run(strip_control(text))
        set_font(run, XIAOBIAOSONG, size)
        run.font.color.rgb = RED
        return paragraph

    def doc_number(self, number: str, signer: str = ""):
        """发文字号 centred under the mark, then the red separator line (GB/T 9704 7.2.4–7.2.6).
        An upward document names its 签发人: the number one character in from the left, and
        "签发人：" in 仿宋 with the name in 楷体 one character in from the right."""
        self.blank()
        paragraph = self._paragraph(number)
        paragraph.paragraph_format.first_line_indent = Pt(0)
        if signer:
            fmt = paragraph.paragraph_format
            fmt.left_indent = fmt.right_indent = Pt(BODY_PT)
            fmt.tab_stops.add_tab_stop(Pt(TEXT_WIDTH_PT - 2 * BODY_PT), WD_TAB_ALIGNMENT.RIGHT)
            paragraph.add_run("\t签发人：")
            name = paragraph.add_run(strip_control(signer))
            set_font(name, KAITI, BODY_PT)
        else:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        ppr = paragraph._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("val", "single"), ("sz", "12"), ("space", "12"), ("color", "E60012")):
            bottom.set(qn(f"w:{key}"), value)
        borders.append(bottom)
        ppr.append(borders)
        self.blank()
        return paragraph

    def table(self, header: list[str], rows: list[list[str]], widths_mm: list[float]):
        table = self.document.add_table(rows=1, cols=len(header))
        table.style = self.table_style
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        cells = table.rows[0].cells
        for cell, text in zip(cells, header, strict=True):
            self._cell_text(cell, text, bold=True, center=True)
        _repeat_header(table.rows[0])
        for values in rows:
            row = table.add_row()
            # A row is never cut across two pages.
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            cells = row.cells
            for cell, text in zip(cells, values, strict=True):
                self._cell_text(cell, text)
        _fix_widths(table, widths_mm)
        return table

    def _cell_text(self, cell, text: str, *, bold=False, center=False):
        paragraph = cell.paragraphs[0]
        _off_grid(paragraph)
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(strip_control(text))
        set_font(run, HEITI if bold else FANGSONG, TABLE_PT)

    def page_break(self):
        self.document.add_page_break()

    def imprint(self, copy_to: str, printed_by: str, printed_on: str):
        """版记: 抄送 and 印发机关 + 印发日期 between lines, 4号 仿宋 (GB/T 9704 7.4)."""
        rows = []
        if copy_to:
            rows.append([(f"抄送：{copy_to}。", WD_ALIGN_PARAGRAPH.LEFT)])
        rows.append(
            [(printed_by, WD_ALIGN_PARAGRAPH.LEFT), (f"{printed_on}印发", WD_ALIGN_PARAGRAPH.RIGHT)]
        )
        table = self.document.add_table(rows=len(rows), cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _fix_widths(table, [88, 68])  # "2026年12月5日印发" on one line at 4号
        if copy_to:
            table.rows[0].cells[0].merge(table.rows[0].cells[1])
        for row, parts in zip(table.rows, rows, strict=True):
            for cell, (text, align) in zip(row.cells, parts, strict=False):
                paragraph = cell.paragraphs[0]
                paragraph.alignment = align
                fmt = _off_grid(paragraph)
                if align == WD_ALIGN_PARAGRAPH.LEFT:
                    fmt.left_indent = Pt(PAGE_NUMBER_PT)
                else:
                    fmt.right_indent = Pt(PAGE_NUMBER_PT)
                run = paragraph.add_run(strip_control(text))
                set_font(run, FANGSONG, PAGE_NUMBER_PT)
        _imprint_borders(table)
        return table


def _off_grid(paragraph):
    """Table text: single spacing, not snapped to the 22-line grid, no first-line indent."""
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.first_line_indent = Pt(0)
    fmt.space_before = Pt(2)
    fmt.space_after = Pt(2)
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().insert(0, snap)
    return fmt


def _fix_widths(table, widths_mm):
    """Fixed column widths (the grid and every cell), which Word, WPS and LibreOffice keep."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _repeat_header(row):
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _imprint_borders(table):
    """First and last lines thick (0.35 mm), the lines between thin (0.25 mm); no verticals."""
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge, size in (("top", 8), ("bottom", 8), ("insideH", 4)):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), str(size))
        element.set(qn("w:color"), "000000")
        borders.append(element)
    for edge in ("left", "right", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)
