"""The 催报通知 for one reporting cycle, as a Word document laid out like a government notice (GB/T 9704 in spirit):
the issuer's red masthead over a red rule, the title 关于报送…的催报通知, the units it is addressed to (主送), the body
(the rule, the cycle, its due day, who has not reported and who reported late, in tables), what to do and by when
(a new deadline five working days after the notice), contact lines to fill in, the issuer and the date, and the
imprint (版记). Who is chased is kepu.figures.reporting's: the units missing the cycle, then those late."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pandas as pd
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from kepu.core.cycles import Cycle
from kepu.core.errors import UserError
from kepu.core.filters import Period
from kepu.core.plan import District
from kepu.figures import reporting
from kepu.reports import gov_doc
from kepu.reports.gov_doc import HEADING_FONT, RED, WIDTH
from kepu.storage import audit, catalog, db

TITLE = "催报通知"
WORKING_DAYS = 5  # the new deadline: this many working days (Monday to Friday) after the notice
FILLS = {"missing": "F8D7D7", "late": "FDEBD3"}


@dataclass(frozen=True)
class Notice:
    """What a 催报通知 says: the cycle, its rule, the units chased (reporting.chased rows), the day it is issued, and
    the plan and district it is issued under."""

    cycle: Cycle
    rule: str  # monthly, quarterly or yearly
    due_day: int
    chased: pd.DataFrame
    as_of: dt.date
    plan_name: str
    plan_document: str
    district: District
    demo: bool

    @property
    def missing(self) -> pd.DataFrame:
        return self.chased[self.chased.state == "missing"]

    @property
    def late(self) -> pd.DataFrame:
        return self.chased[self.chased.state == "late"]

    @property
    def deadline(self) -> dt.date:
        return working_days_after(self.as_of, WORKING_DAYS)


def notice(con: db.Connection, code: str | Cycle, as_of: dt.date) -> Notice:
    """The 催报通知 for a cycle as it stands on `as_of`. UserError when there is nothing to chase: the cycle is not
    yet due, or every unit reported on time."""
    c = code if isinstance(code, Cycle) else reporting.cycle(con, code)
    if not c.overdue(as_of):
        raise UserError(f"{c.label}的报送截止日期是{date_text(c.due)}，截至{date_text(as_of)}尚未过期，不需要催报")
    chased = reporting.chased(reporting.states(con, c, as_of))
    if chased.empty:
        raise UserError(f"{c.label}各单位均已按时报送，不需要催报")
    plan = catalog.plan_for(con, Period(c.first.year, c.first.year))
    rule = reporting.rule(con, c.first.year)
    return Notice(
        c,
        rule.cycle,
        rule.due_day,
        chased,
        as_of,
        plan.name,
        plan.document,
        catalog.district(con),
        catalog.is_demo(con),
    )


def document(con: db.Connection, code: str | Cycle, as_of: dt.date, user_name: str, where: str = "") -> bytes:
    """The 催报通知 for a cycle as .docx bytes, its making put in the audit log (who, which cycle, which file)."""
    n = notice(con, code, as_of)
    data = build(n)
    audit.record(con, user_name, "export", format="docx", report=TITLE, cycle=n.cycle.code, file=where or None)
    return data


def file_name(code: str) -> str:
    return f"{TITLE}_{code}.docx"


def title(n: Notice) -> str:
    return f"关于报送{n.cycle.label}科普活动情况的{TITLE}"


def build(n: Notice) -> bytes:
    """The notice as .docx bytes."""
    doc = Document()
    gov_doc.page(doc)
    _masthead(doc, n)
    head = gov_doc.para(doc, f"关于报送{n.cycle.label}", size=20, font=HEADING_FONT, align="center", before=6, after=12)
    head.runs[0].add_break()  # two lines, broken where the sense breaks (as a notice's title is set)
    gov_doc.run(head, f"科普活动情况的{TITLE}", size=20, font=HEADING_FONT)
    if n.demo:
        gov_doc.para(
            doc, "【演示数据】本通知由演示数据生成，所列单位和日期不代表真实情况。", size=12, align="center", colour=RED
        )
    gov_doc.para(doc, "、".join(n.chased.unit) + "：", before=6)
    gov_doc.para(doc, _opening(n), indent=True)
    number = iter("一二三")
    if len(n.missing):
        gov_doc.heading(doc, f"{next(number)}、未报送单位（{len(n.missing)}个）")
        overdue = f"已逾期{(n.as_of - n.cycle.due).days}天"
        rows = [
            [str(i), r["unit"], reporting.KINDS[r["unit_kind"]], "未报送", overdue]
            for i, r in enumerate(n.missing.to_dict("records"), start=1)
        ]
        gov_doc.table(doc, ["序号", "单位", "类别", "情况", "截至发文"], rows, (1.2, 6.2, 2.4, 2.8, 3.2),
                      fill=lambda *_: FILLS["missing"], centred=(0, 2, 3, 4))  # fmt: skip
    if len(n.late):
        gov_doc.heading(doc, f"{next(number)}、逾期报送单位（{len(n.late)}个）")
        rows = [
            [
                str(i),
                r["unit"],
                reporting.KINDS[r["unit_kind"]],
                f"{r['submitted']:%Y.%m.%d}",
                f"{r['days_late']}天",
                f"{r['activities']}",
            ]
            for i, r in enumerate(n.late.to_dict("records"), start=1)
        ]
        gov_doc.table(doc, ["序号", "单位", "类别", "报送日期", "逾期", "活动场次"], rows,
                      (1.2, 5.4, 2.2, 2.6, 1.8, 2.6), fill=lambda *_: FILLS["late"], centred=(0, 2, 3, 4),
                      numbers_from=5)  # fmt: skip
    gov_doc.heading(doc, f"{next(number)}、有关要求")
    for i, text in enumerate(_requirements(n)):
        gov_doc.para(doc, f"（{'一二三'[i]}）{text}", indent=True)
    contact = gov_doc.para(doc, "联系人：　　　　　　　　联系电话：", indent=True, before=6)
    contact.paragraph_format.keep_with_next = True
    _signature(doc, n)
    _imprint(doc, n)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _opening(n: Notice) -> str:
    when, word = reporting.RULE_WORDS[n.rule]
    document = f"（{n.plan_document}）" if n.plan_document else ""
    c = n.cycle
    counts = "，".join(
        text
        for text in (
            f"仍有{len(n.missing)}个单位未报送" if len(n.missing) else "",
            f"{len(n.late)}个单位逾期报送" if len(n.late) else "",
        )
        if text
    )
    return (
        f"按照《{n.plan_name}》{document}要求，各镇街、各责任单位应于{when}{n.due_day}日前报送本{word}科普活动开展情况。"
        f"{c.label}（{date_text(c.first)}至{date_text(c.last)}）的报送截止日期为{date_text(c.due)}。"
        f"截至{date_text(n.as_of)}，{counts}。现将有关情况通知如下。"
    )


def _requirements(n: Notice) -> list[str]:
    word = reporting.RULE_WORDS[n.rule][1]
    out = []
    if len(n.missing):
        out.append(
            f"请未报送的单位于{date_text(n.deadline)}前（{WORKING_DAYS}个工作日内），通过科学素质行动看板“数据填报”页面"
            f"或统一填报模板补报{n.cycle.label}科普活动情况；本{word}确未开展活动的，请在同一期限内书面说明情况。"
        )
    if len(n.late):
        out.append("逾期报送的单位要查明原因，今后严格按照规定时限报送。")
    out.append("各单位报送是否及时、完整，将纳入年度全民科学素质工作考核。")
    return out


def _masthead(doc: DocumentObject, n: Notice) -> None:
    issuer = n.district.issuer or f"{n.district.place}全民科学素质工作领导小组办公室"
    gov_doc.para(doc, issuer, size=26, font=HEADING_FONT, align="center", colour=RED, after=2)
    _rule(gov_doc.para(doc, "", size=6, after=12), "top", colour="C00000", size=18)


def _signature(doc: DocumentObject, n: Notice) -> None:
    for i, text in enumerate((n.district.issuer, date_text(n.as_of))):
        if text:
            p = gov_doc.para(doc, text, before=30 if i == 0 else 0)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.right_indent = Pt(28)
            p.paragraph_format.keep_with_next = i == 0 or None


def _imprint(doc: DocumentObject, n: Notice) -> None:
    """版记: the issuing office and the day it was printed, between two rules, at the end."""
    p = gov_doc.para(doc, f"{n.district.issuer}\t{date_text(n.as_of)}印发", size=12, before=36)
    p.paragraph_format.tab_stops.add_tab_stop(Cm(WIDTH), alignment=2)  # right, at the margin
    _rule(p, "top", colour="000000", size=8)
    _rule(p, "bottom", colour="000000", size=8)


def _rule(p: Paragraph, side: str, colour: str, size: int) -> None:
    properties = p._p.get_or_add_pPr()
    border = properties.find(qn("w:pBdr"))
    if border is None:
        border = OxmlElement("w:pBdr")
        properties.append(border)
    line = OxmlElement(f"w:{side}")
    for key, value in (("val", "single"), ("sz", str(size)), ("space", "4"), ("color", colour)):
        line.set(qn(f"w:{key}"), value)
    border.append(line)


def date_text(day: dt.date) -> str:
    """2026年1月10日."""
    return f"{day.year}年{day.month}月{day.day}日"


def working_days_after(day: dt.date, n: int) -> dt.date:
    """The n-th working day (Monday to Friday) after `day`; public holidays are not known here."""
    while n:
        day += dt.timedelta(days=1)
        n -= day.weekday() < 5
    return day
