"""The 督办单 for one lagging unit, laid out like a government supervision form: the issuer in red over 督办单, the
number and date above a red rule, then a bordered form — 督办事项, 承办单位, 考核结果, 存在问题 (each weak item with
the figures behind its points), 整改要求 (what to do about each), 办理时限 (by which date, and to whom) and 督办单位 —
and a note on how the points were counted. Built from a gathered Report."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from kepu.core.assessment_scheme import SIDES
from kepu.figures import assessment
from kepu.reports import gov_doc
from kepu.reports.assessment_notice import rule
from kepu.reports.assessment_report import (
    Report,
    date_text,
    deadline,
    item_fact,
    remedy,
    sample_note,
    standing,
    supervised,
)
from kepu.reports.gov_doc import HEADING_FONT, RED

LABEL_WIDTH, CONTENT_WIDTH = 3.0, 12.8  # cm
LABEL_FILL = "F2F2F2"


def rows(report: Report, unit_name: str) -> list[tuple[str, list[str]]]:
    """The form's rows: (label, paragraphs) — what the document prints, and what tests compare with the data."""
    key, unit, weak = supervised(report, unit_name)
    of = len(assessment.units_of(report.result, key))
    issuer = report.district.issuer or "区科协"
    return [
        ("督办事项", [f"{report.title}中得分偏低事项的整改"]),
        ("承办单位", [unit["unit"]]),
        ("考核结果", [f"{standing(unit, of)}（{SIDES[key]}考核满分{report.result['totals'][key]:g}分）。"]),
        ("存在问题", [f"{n}．{item_fact(i)}。" for n, i in enumerate(weak, start=1)]),
        ("整改要求", [f"{n}．{i['name']}：{remedy(i)}。" for n, i in enumerate(weak, start=1)]),
        (
            "办理时限",
            [f"请于{date_text(deadline(report))}前将整改情况书面报送{issuer}；逾期未报的，将在下一次考核通报中说明。"],
        ),
        ("督办单位", [f"{issuer}（盖章）", date_text(report.issued)]),
    ]


def build(report: Report, unit_name: str) -> bytes:
    """The 督办单 as .docx bytes; UserError when the unit has nothing to supervise."""
    form = rows(report, unit_name)
    doc = Document()
    gov_doc.page(doc)
    doc.sections[0].top_margin = Cm(2.5)  # a form on one page
    gov_doc.para(doc, report.district.issuer, size=20, font=HEADING_FONT, align="center", colour=RED, after=0)
    gov_doc.para(doc, "督　办　单", size=28, font=HEADING_FONT, align="center", colour=RED, after=6)
    line = gov_doc.para(doc, f"督办〔{report.issued.year}〕　号\t{date_text(report.issued)}", size=14, after=10)
    line.paragraph_format.tab_stops.add_tab_stop(Cm(gov_doc.WIDTH), alignment=2)  # right-aligned at the margin
    rule(line)
    _form(doc, form)
    gov_doc.para(
        doc,
        f"注：“存在问题”列出{report.year}年度考核中得分低于该项分值{assessment.LOW_SHARE:.0%}的评分项和扣分项，"
        f"数字截至{date_text(report.issued)}。自动计分项的计算方法见考核结果工作簿的“评分办法”表。",
        size=10.5,
        before=6,
        after=0,
    )
    if note := sample_note(report):
        gov_doc.para(doc, note, size=10.5, colour=RED)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _form(doc: DocumentObject, form: list[tuple[str, list[str]]]) -> None:
    table = doc.add_table(rows=len(form), cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, (LABEL_WIDTH, CONTENT_WIDTH), strict=True):
        column.width = Cm(width)
    for (label, texts), row in zip(form, table.rows, strict=True):
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        head, body = row.cells
        head.width, body.width = Cm(LABEL_WIDTH), Cm(CONTENT_WIDTH)
        _shade(head)
        p = head.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        gov_doc.run(p, label, size=13, font=HEADING_FONT)
        head.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        for n, text in enumerate(texts):
            p = body.paragraphs[0] if n == 0 else body.add_paragraph()
            p.paragraph_format.line_spacing = 1.1
            p.paragraph_format.space_after = Pt(2)
            if label == "督办单位":
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            gov_doc.run(p, text, size=12)
        for cell in (head, body):  # room above and below the text, as a form has
            cell.paragraphs[0].paragraph_format.space_before = Pt(3)
            cell.paragraphs[-1].paragraph_format.space_after = Pt(3)


def _shade(cell: object) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), LABEL_FILL)
    cell._tc.get_or_add_tcPr().append(shading)  # type: ignore[attr-defined]
