"""The building blocks of a Word document in the style of a Chinese government report (公文): an A4 page with its
page number (— 1 —), 黑体 headings and 楷体 sub-headings over 仿宋 body text indented two characters, centred table
captions, and bordered tables whose header repeats on every page. FangSong, SimHei and KaiTi ship with Windows;
LibreOffice falls back to Noto CJK."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

BODY_FONT, HEADING_FONT, SUBHEADING_FONT = "仿宋", "黑体", "楷体"
RED = RGBColor(0xC0, 0x00, 0x00)
WIDTH = 15.8  # cm between the margins of an A4 page
HEADER_FILL = "DCE6F2"

Fill = Callable[[int, int, str], str | None]  # (row, column, text) → a cell's background, or None


def page(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    section.left_margin, section.right_margin = Cm(2.6), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    normal.paragraph_format.line_spacing = 1.25
    normal.paragraph_format.space_after = Pt(4)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    page = OxmlElement("w:fldSimple")  # the page number, filled in by Word or LibreOffice
    page.set(qn("w:instr"), "PAGE")
    number = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    number.append(text)
    page.append(number)
    footer._p.append(page)
    footer.add_run(" —")


def heading(doc: DocumentObject, text: str) -> None:
    p = para(doc, text, size=16, font=HEADING_FONT, before=12, after=6)
    p.paragraph_format.keep_with_next = True


def subheading(doc: DocumentObject, text: str) -> None:
    p = para(doc, text, size=15, font=SUBHEADING_FONT, bold=True, before=6, after=4)
    p.paragraph_format.keep_with_next = True


def caption(doc: DocumentObject, text: str) -> None:
    p = para(doc, text, size=12, font=HEADING_FONT, align="center", before=4, after=4)
    p.paragraph_format.keep_with_next = True


def para(
    doc: DocumentObject,
    text: str,
    size: float | None = None,
    bold: bool = False,
    font: str | None = None,
    align: str | None = None,
    colour: RGBColor | None = None,
    indent: bool = False,
    before: float = 0,
    after: float | None = None,
) -> Paragraph:
    paragraph = doc.add_paragraph()
    run(paragraph, text, size, bold, font, colour)
    if align == "center":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if indent:  # two characters, as Chinese body text starts
        paragraph.paragraph_format.first_line_indent = Pt(2 * (size or 14))
    if before:
        paragraph.paragraph_format.space_before = Pt(before)
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    return paragraph


def run(
    paragraph: Paragraph,
    text: str,
    size: float | None = None,
    bold: bool = False,
    font: str | None = None,
    colour: RGBColor | None = None,
) -> None:
    style(paragraph.add_run(text), size, bold, font, colour)


def style(
    run: Run, size: float | None = None, bold: bool = False, font: str | None = None, colour: RGBColor | None = None
) -> None:
    """A run's size, weight, colour and font (the font set for Chinese text too, which Word keeps apart)."""
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold or None
    if font:
        run.font.name = font
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if colour is not None:
        run.font.color.rgb = colour


def table(
    doc: DocumentObject,
    headers: list[str],
    rows: list[list[str]],
    widths: Sequence[float],
    fill: Fill | None = None,
    merge_first: bool = False,
    numbers_from: int | None = None,
    size: float = 10.5,
    centred: tuple[int, ...] = (),
) -> Table:
    """A bordered table, header shaded and repeated on each page, rows kept whole; `merge_first` merges runs of the
    same text in the first column; columns from `numbers_from` on are right-aligned."""
    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # Word and LibreOffice then keep the widths below
    _narrow_margins(table)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for i, (row, values) in enumerate(zip(table.rows, [headers, *rows], strict=True)):
        cells = row.cells  # once a row: table.cell(i, j) rebuilds the whole grid on every call
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if i == 0:
            properties.append(OxmlElement("w:tblHeader"))
        repeat = merge_first and i > 1 and rows[i - 1][0] == rows[i - 2][0]
        # A short run of rows under one merged cell stays on one page (each row but its last keeps with the next);
        # a long one keeps its first three, so the merged cell's text is never left behind on a page of its own.
        together = merge_first and 0 < i < len(rows) and rows[i - 1][0] == rows[i][0]
        together = together and (_run_length(rows, i - 1) <= 6 or _position(rows, i - 1) < 2)
        for col, text in enumerate(values):
            cell = cells[col]
            cell.width = Cm(widths[col])
            paragraph = cell.paragraphs[0]  # written into, not via cell.text: an empty cell must stay empty to merge
            paragraph.paragraph_format.first_line_indent = None
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.line_spacing = 1.0
            paragraph.paragraph_format.keep_with_next = together or i == 0 or None
            if i == 0 or col in centred:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif numbers_from is not None and col >= numbers_from:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if not (repeat and col == 0):
                run(paragraph, text, size=size, bold=i == 0, font=HEADING_FONT if i == 0 else None)
            shade = HEADER_FILL if i == 0 else fill(i, col, text) if fill else None
            if shade:
                _shade(cell._tc, shade)
    if merge_first:
        _merge_runs(table, [r[0] for r in rows])
    doc.add_paragraph().paragraph_format.space_after = Pt(2)
    return table


def _narrow_margins(table: Table) -> None:
    """Cell margins of 0.1 cm left and right (Word's default is 0.19): a figure like 2,500,000 fits its column."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "57")  # twentieths of a point
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties = table._tbl.tblPr
    look = properties.find(qn("w:tblLook"))
    if look is not None:  # the schema's order: tblCellMar comes before tblLook
        look.addprevious(margins)
    else:
        properties.append(margins)


def _run_length(rows: list[list[str]], i: int) -> int:
    """How many rows share row i's first-column text (the run it belongs to)."""
    return sum(1 for r in rows if r[0] == rows[i][0])


def _position(rows: list[list[str]], i: int) -> int:
    """Row i's place in its run (0 for the first)."""
    return sum(1 for r in rows[:i] if r[0] == rows[i][0])


def _merge_runs(table: Table, firsts: list[str]) -> None:
    """Merge each run of equal first-column texts into one cell (the text written only in its first row)."""
    start = 0
    for i in range(1, len(firsts) + 1):
        if i == len(firsts) or firsts[i] != firsts[start]:
            if i - start > 1:
                table.cell(start + 1, 0).merge(table.cell(i, 0))
            start = i


def _shade(tc: object, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), colour)
    tc.get_or_add_tcPr().append(shading)  # type: ignore[attr-defined]
