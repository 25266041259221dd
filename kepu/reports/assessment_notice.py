"""The 通报 of a year's 考核, laid out like a government document (公文): the issuer's red masthead and rule, the
title 关于…年度全民科学素质工作考核情况的通报, the addressees, 一、考核基本情况 二、考核结果 (the best units with their
facts) 三、存在的问题 (the weakest units with theirs) 四、工作要求, the attachments named, the signature and date, then
the attachments (each side's ranking, every item's points) on landscape pages. Built from a gathered Report; the
page, headings and tables are gov_doc's."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from kepu.core.assessment_scheme import SIDES
from kepu.figures import assessment, assessment_tables
from kepu.reports import gov_doc
from kepu.reports.assessment_report import (
    Report,
    best_items,
    change_text,
    date_text,
    item_fact,
    named,
    points,
    sample_note,
    side_sentence,
    standing,
)
from kepu.reports.gov_doc import HEADING_FONT, RED, SUBHEADING_FONT

ADDRESSEES = "各镇人民政府、街道办事处，区直有关部门（单位）："
SECTIONS = ("一、考核基本情况", "二、考核结果", "三、存在的问题", "四、工作要求")
ATTACHMENTS = {key: f"{SIDES[key]}考核得分排名表" for key in SIDES}
LANDSCAPE_WIDTH = 24.5  # cm between the margins of a landscape A4 page


def title(report: Report) -> str:
    return f"关于{report.title}情况的通报"


def build(report: Report) -> bytes:
    """The 通报 as .docx bytes."""
    doc = Document()
    gov_doc.page(doc)
    masthead(doc, report.district.issuer, f"〔{report.issued.year}〕　号")
    gov_doc.para(doc, title(report), size=22, font=HEADING_FONT, align="center", before=6, after=12)
    if note := sample_note(report):
        gov_doc.para(doc, note, size=12, colour=RED, align="center", after=8)
    gov_doc.para(doc, ADDRESSEES, after=2)
    gov_doc.para(
        doc,
        f"为推动全民科学素质行动各项任务落实，按照{_scheme_name(report)}，"
        f"{report.district.issuer or '区科协'}对各镇街和各责任单位{report.year}年度全民科学素质工作进行了考核。"
        "现将考核情况通报如下：",
        indent=True,
    )

    gov_doc.heading(doc, SECTIONS[0])
    gov_doc.para(doc, _method(report), indent=True)
    for key in SIDES:
        gov_doc.para(doc, side_sentence(report, key), indent=True)

    gov_doc.heading(doc, SECTIONS[1])
    for n, key in enumerate(SIDES):
        gov_doc.subheading(doc, f"（{'一二'[n]}）{SIDES[key]}")
        best, _ = named(report, key)
        of = len(assessment.units_of(report.result, key))
        if not best:
            gov_doc.para(doc, f"参加考核的{SIDES[key]}不足两个，不作排名通报。", indent=True)
            continue
        names = "、".join(f"{u['unit']}（{points(u['score'])}）" for u in best)
        gov_doc.para(doc, f"得分居前的是：{names}，予以通报表扬。", indent=True)
        for u in best:
            facts = "；".join(item_fact(i) for i in best_items(u))
            _fact(doc, u["unit"], f"{standing(u, of)}。{facts}。")

    gov_doc.heading(doc, SECTIONS[2])
    for n, key in enumerate(SIDES):
        _, worst = named(report, key)
        of = len(assessment.units_of(report.result, key))
        if not worst:
            continue
        gov_doc.subheading(doc, f"（{'一二'[n]}）{SIDES[key]}")
        names = "、".join(f"{u['unit']}（{points(u['score'])}）" for u in worst)
        gov_doc.para(doc, f"得分靠后的是：{names}。主要问题是：", indent=True)
        for u in worst:
            weak = assessment.weak_items(u)
            facts = "；".join(item_fact(i) for i in weak) if weak else "各项得分均不低，但总分相对靠后"
            _fact(doc, u["unit"], f"{standing(u, of)}。{facts}。")

    gov_doc.heading(doc, SECTIONS[3])
    for n, text in enumerate(_requirements(report), start=1):
        gov_doc.para(doc, f"{n}．{text}", indent=True)

    gov_doc.para(doc, "附件：", before=12, after=0)
    for n, key in enumerate(SIDES, start=1):
        gov_doc.para(doc, f"　　{n}．{report.year}年度{ATTACHMENTS[key]}", after=0)
    signature(doc, report.district.issuer, date_text(report.issued))
    for n, key in enumerate(SIDES, start=1):
        _attachment(doc, report, key, n)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def masthead(doc: DocumentObject, issuer: str, number: str) -> None:
    """The issuer's name in red as the masthead, the document number under it, and a red rule across the page."""
    gov_doc.para(doc, f"{issuer}文件", size=30, font=HEADING_FONT, align="center", colour=RED, before=18, after=18)
    line = gov_doc.para(doc, number, size=15, align="center", after=4)
    rule(line)


def rule(paragraph: Paragraph) -> None:
    """A red rule under a paragraph (the line under a masthead)."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "18"), ("space", "6"), ("color", "C00000")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().append(border)


def signature(doc: DocumentObject, issuer: str, day: str) -> None:
    """The issuer and the date, right-aligned, kept together."""
    for i, text in enumerate((issuer, day)):
        if text:
            p = gov_doc.para(doc, text, before=24 if i == 0 else 0, after=0)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.right_indent = Pt(28)
            p.paragraph_format.keep_with_next = i == 0 or None


def _fact(doc: DocumentObject, unit: str, text: str) -> None:
    """A unit's facts: its name in 楷体 bold, then the sentence."""
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(28)
    gov_doc.run(p, f"{unit}：", bold=True, font=SUBHEADING_FONT)
    gov_doc.run(p, text)


def _scheme_name(report: Report) -> str:
    name = f"《{report.result['title']}评分办法》"
    return f"{name}（示例）" if report.sample else name


def _method(report: Report) -> str:
    parts = []
    for key in SIDES:
        units = assessment.units_of(report.result, key)
        if not units:
            continue
        items = units[0]["items"]
        scored = "、".join(i["name"] for i in items if i["kind"] in ("auto", "manual"))
        extra = "、".join(f"{i['name']}{'加分' if i['kind'] == 'bonus' else '扣分'}" for i in items
                          if i["kind"] in ("bonus", "deduction"))  # fmt: skip
        total = report.result["totals"][key]
        parts.append(
            f"{SIDES[key]}考核设{scored}等{len(items)}项，满分{total:g}分" + (f"，另设{extra}" if extra else "")
        )
    issuer = report.district.issuer or "区科协"
    return (
        "考核采取数据自动计分与人工评分相结合的方式，按时报送、活动开展、重点活动参与、佐证材料等由报送数据自动计算，"
        f"组织领导等由{issuer}评定。{'；'.join(parts)}。统计截至{date_text(report.issued)}。"
    )


def _requirements(report: Report) -> list[str]:
    return [
        "各单位要对照考核结果，认真查找差距和不足。得分靠后的单位要分析原因、制定整改措施，"
        f"{report.district.issuer or '区科协'}将对存在问题的单位另行印发督办单，请按督办单要求按期报送整改情况。",
        "各单位要按报送周期在截止日前报送活动记录，确保数据真实准确，并同时上传照片、签到表、通知文件等佐证材料；"
        "审核退回的批次要按退回意见及时核实修改。",
        f"各单位要积极组织参加全国科普日、科技活动周等重点科普活动，落实规划分配的牵头任务，"
        f"推动{report.year + 1}年度全民科学素质工作再上新台阶。",
    ]


def _attachment(doc: DocumentObject, report: Report, key: str, n: int) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    gov_doc.para(doc, f"附件{n}", size=16, font=HEADING_FONT, after=6)
    gov_doc.caption(doc, f"{report.year}年度{ATTACHMENTS[key]}")
    units = assessment.units_of(report.result, key)
    if not units:
        gov_doc.para(doc, "无。")
        return
    items = units[0]["items"]
    headers = ["排名", SIDES[key], "总分", "较上年", *(assessment_tables.item_column(i) for i in items)]
    rows = [
        [
            str(u["rank"]),
            u["unit"],
            f"{u['score']:.2f}",
            "—" if u["change"] is None else f"{u['change']:+.2f}",
            *(f"{i['points']:g}" for i in u["items"]),
        ]
        for u in units
    ]
    first = (1.1, 3.6, 1.5, 1.5)
    side = (LANDSCAPE_WIDTH - sum(first)) / max(len(items), 1)
    gov_doc.table(doc, headers, rows, (*first, *[side] * len(items)), numbers_from=2, size=9, centred=(0,))
    gov_doc.para(doc, _legend(report, key), size=10)


def _legend(report: Report, key: str) -> str:
    notes = [f"满分{report.result['totals'][key]:g}分；加分项、扣分项另计（扣分为负数）；得分相同的并列"]
    changed = [u for u in assessment.units_of(report.result, key) if change_text(u)]
    if changed:
        notes.append("“较上年”为与上年度得分之差")
    return "注：" + "，".join(notes) + "。"
