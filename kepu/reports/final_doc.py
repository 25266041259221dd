"""The 终期评估报告 as a Word document, laid out like a Chinese government evaluation report: the title, the scope,
一、总体情况 … 七、数据说明, the issuer's signature, 附表. The content is final.py's and final_targets.py's; the
building blocks (page, headings, tables) are gov_doc.py's."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH

from kepu.core import fmt, words
from kepu.reports import final, final_targets, gov_doc
from kepu.reports.final import Evaluation
from kepu.reports.gov_doc import HEADING_FONT, RED, SUBHEADING_FONT, WIDTH

FILLS = {"完成": "E3F1E4", "达到": "E3F1E4", "已报送": "E3F1E4", "未完成": "F8D7D7", "未达到": "F8D7D7"}
FILLS |= {"未报送": "F8D7D7", "无数据": "FDEBD3", "未调查": "FDEBD3"}
SECTIONS = (
    "一、总体情况",
    "二、目标完成情况",
    "三、各人群行动落实情况",
    "四、重点工程落实情况",
    "五、责任单位落实情况",
    "六、未能评估的事项",
    "七、数据说明",
)
NUMERALS = "一二三四五六七八九十"


def build(e: Evaluation) -> bytes:
    """The report as .docx bytes."""
    b, doc = e.brief, Document()
    gov_doc.page(doc)
    gov_doc.para(doc, f"《{e.plan.name}》", size=20, font=HEADING_FONT, align="center", after=0)
    gov_doc.para(doc, final.TITLE, size=20, font=HEADING_FONT, align="center", after=8)
    gov_doc.para(
        doc,
        f"（评估期：{e.plan.period.label()}　统计截至：{final.date_text(b['as_of'])}）",
        size=14,
        font=SUBHEADING_FONT,
        align="center",
        after=4,
    )
    if b["demo"]:
        gov_doc.para(doc, "【演示数据】本报告由演示数据生成，数字不代表真实情况。", size=12, align="center", colour=RED)
    document = f"（{e.plan.document}）" if e.plan.document else ""
    gov_doc.para(
        doc,
        f"按照《{e.plan.name}》{document}要求，现将规划期（{e.plan.period.label()}）实施情况评估如下。"
        f"统计范围：{b['filters']}。",
        indent=True,
        before=10,
    )

    gov_doc.heading(doc, SECTIONS[0])
    _overall(doc, e)
    gov_doc.heading(doc, SECTIONS[1])
    _targets(doc, e)
    for heading, kind in ((SECTIONS[2], "cohort"), (SECTIONS[3], "project")):
        gov_doc.heading(doc, heading)
        _groups(doc, e, kind)
    gov_doc.heading(doc, SECTIONS[4])
    _bureaus(doc, e)
    gov_doc.heading(doc, SECTIONS[5])
    items = final.unmeasured(e)
    for i, item in enumerate(items or ["无。各项目标、各项任务均有数据可供评估。"], start=1):
        gov_doc.para(doc, f"{i}．{item}" if items else item, indent=True)
    gov_doc.heading(doc, SECTIONS[6])
    for i, note in enumerate(final.caveats(e), start=1):
        last = gov_doc.para(doc, f"{i}．{note}", indent=True)
    last.paragraph_format.keep_with_next = True  # the signature never stands on a page of its own
    _signature(doc, e)
    _appendix(doc, e)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _overall(doc: DocumentObject, e: Evaluation) -> None:
    b = e.brief
    gov_doc.para(
        doc,
        f"规划期内，各镇街、各责任单位共报送科普活动{fmt.count(b['activities'])}场次，"
        f"参与{fmt.people(b['participants'])}，投入经费{fmt.money(b['funding'])}。{final_targets.verdict(e.targets)}",
        indent=True,
    )
    rows = [final.duties(e, kind) for kind in final.KINDS]
    leads = sum(len(r) for r in rows)
    reported = sum(int(r.reported.sum()) for r in rows)
    if leads:
        gov_doc.para(
            doc,
            f"{len(b['tasks'])}项任务共有牵头单位{leads}个（次），规划期内有报送的{reported}个，"
            f"责任落实率{fmt.percent(reported / leads)}。",
            indent=True,
        )
    years = final.year_totals(e)
    body = [
        [f"{r['year']}年", f"{r['activities']:,}", f"{r['participants']:,}", f"{r['funding']:,.0f}"]
        for r in years.to_dict("records")
    ]
    body.append(["合计", f"{b['activities']:,}", f"{b['participants']:,}", f"{b['funding']:,.0f}"])
    gov_doc.caption(doc, "表1　规划期各年度科普活动情况")
    gov_doc.table(doc, ["年度", "活动场次", "参与人次", "投入经费（元）"], body, (3.4, 3.6, 4.2, 4.6), numbers_from=1)


def _targets(doc: DocumentObject, e: Evaluation) -> None:
    gov_doc.subheading(doc, "（一）各项目标完成情况")
    rows = [
        [
            str(i),
            f"{s['name']}（{words.basis(s)}）",
            final_targets.target_text(s, each=False),  # each year's target is in 表3
            final_targets.actual_text(s),
            final_targets.gap_text(s),
            final_targets.state(s),
            final_targets.reason(s),
        ]
        for i, s in enumerate(e.targets, start=1)
    ]
    if not rows:
        gov_doc.para(doc, "本规划没有设定数量目标。", indent=True)
        return
    gov_doc.caption(doc, "表2　各项目标完成情况")
    gov_doc.table(
        doc,
        ["序号", "目标（依据）", "目标值", "期末实际", "差额", "完成情况", "说明"],
        rows,
        (1.0, 3.6, 1.9, 1.9, 1.6, 1.8, 4.0),
        centred=(0, 5),
        fill=lambda _r, c, text: FILLS.get(text) if c == 5 else None,
    )
    gov_doc.subheading(doc, "（二）逐年完成情况")
    gov_doc.para(
        doc,
        "年度目标逐年评定，每一年都达到才算完成；规划期目标看规划期合计，水平目标看期末调查值。",
        indent=True,
    )
    gov_doc.caption(doc, "表3　各项目标逐年完成情况")
    years = [f"{y}年" for y in e.years]
    side = WIDTH - 3.6 - 1.0 - 2.2
    body = []
    for s in e.targets:
        label = f"{s['name']}\n{words.basis(s)}｜{s['unit']}"
        for what, cells, whole in final_targets.year_rows(s, e.years):
            body.append(
                [
                    label,
                    what,
                    *(final_targets.figure(c, s["unit"]) for c in cells),
                    final_targets.figure(whole, s["unit"]),
                ]
            )
    gov_doc.table(
        doc,
        ["目标", "项目", *years, "规划期"],
        body,
        (3.6, 1.0, *[side / len(years)] * len(years), 2.2),
        fill=lambda _r, c, text: FILLS.get(text) if c >= 2 else None,
        merge_first=True,
        numbers_from=2,
        size=9,
    )


def _groups(doc: DocumentObject, e: Evaluation, kind: str) -> None:
    groups = [g for g in e.brief["groups"] if g["kind"] == kind]
    for i, g in enumerate(groups):
        gov_doc.subheading(doc, f"（{NUMERALS[i % len(NUMERALS)]}）{g['full_name']}")
        gov_doc.para(doc, final.group_paragraph(e, kind, g["name"]), indent=True)
        rows = final.duties(e, kind)
        rows = rows[rows.group == g["name"]]
        if not len(rows):
            continue
        body = [
            [
                f"{r['code']}　{r['title']}",
                r["bureau"],
                f"{r['activities']:,}",
                f"{r['participants']:,}",
                "已报送" if r["reported"] else "未报送",
            ]
            for r in rows.to_dict("records")
        ]
        gov_doc.table(
            doc,
            ["任务", "牵头单位", "活动场次", "参与人次", "落实情况"],
            body,
            (5.1, 4.3, 1.9, 2.5, 2.0),
            fill=lambda _r, c, text: FILLS.get(text) if c == 4 else None,
            merge_first=True,
            centred=(4,),
            numbers_from=2,
        )


def _bureaus(doc: DocumentObject, e: Evaluation) -> None:
    gov_doc.para(doc, final.bureau_sentence(e), indent=True)
    bureaus = e.brief["bureaus"]
    if not len(bureaus):
        return
    body = [
        [
            r["bureau"],
            str(r["assigned"]),
            str(r["reported"]),
            fmt.percent(r["coverage"]),
            "、".join(r["silent_tasks"]) or "—",
            f"{r['activities']:,}",
        ]
        for r in bureaus.to_dict("records")
    ]
    gov_doc.caption(doc, "表4　各责任单位牵头任务落实情况")
    gov_doc.table(
        doc,
        ["责任单位", "牵头任务", "有报送", "落实率", "未报送的任务", "活动场次"],
        body,
        (4.5, 1.8, 1.5, 1.5, 3.9, 2.6),
        fill=lambda _r, c, text: "F8D7D7" if c == 4 and text != "—" else None,
        centred=(1, 2, 3),
        numbers_from=5,
    )


def _appendix(doc: DocumentObject, e: Evaluation) -> None:
    towns = e.brief["towns"]
    if not len(towns):
        return
    doc.add_page_break()
    gov_doc.para(doc, "附表", size=16, font=HEADING_FONT, after=6)
    gov_doc.caption(doc, "各镇街规划期科普活动情况")
    estimated = towns.population_estimated.fillna(False).astype(bool)
    body = [
        [
            r["town"],
            f"{r['population']:,}" + ("*" if est else ""),
            f"{r['activities']:,}",
            f"{r['participants']:,}",
            f"{r['funding']:,.0f}",
            _per_1000(r["participants_per_1000"]),
        ]
        for r, est in zip(towns.to_dict("records"), estimated, strict=True)
    ]
    gov_doc.table(
        doc,
        ["镇街", "人口", "活动场次", "参与人次", "投入经费（元）", "每千人参与人次"],
        body,
        (3.0, 2.4, 2.2, 2.8, 2.8, 2.6),
        numbers_from=1,
    )
    if estimated.any():
        gov_doc.para(doc, "注：标*的人口为估算值，每千人参与人次仅供参考。", size=11)


def _per_1000(x: float | None) -> str:
    """每千人参与人次, or — for 全区 (no population of its own)."""
    return "—" if x is None or x != x else f"{x:,.0f}"


def _signature(doc: DocumentObject, e: Evaluation) -> None:
    b = e.brief
    for i, text in enumerate((b["district"].issuer, final.date_text(b["as_of"]))):
        if text:
            p = gov_doc.para(doc, text, before=24 if i == 0 else 0)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.keep_with_next = i == 0 or None
