"""The Word briefing of a view, laid out like a Chinese government 工作简报: a red masthead, the title, the scope,
then 一、总体情况 … 六、数据说明. Built from a gathered view (brief.gather) and its chart images."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from kepu.core import fmt, words
from kepu.core.standing import StandingJSON, share_of_expected
from kepu.figures import brief, targets
from kepu.figures.brief import Brief
from kepu.reports import gov_doc

RED = RGBColor(0xC0, 0x00, 0x00)
BODY_FONT, HEADING_FONT = "仿宋", "黑体"  # FangSong and SimHei ship with Windows; LibreOffice falls back to Noto CJK
STATUS_FILL = {"达标": "E3F1E4", "关注": "FDEBD3", "滞后": "F8D7D7", "完成": "E3F1E4", "未完成": "F8D7D7"}
OPEN, FINISHED = ("达标", "关注", "滞后"), ("完成", "未完成")  # the verdicts on a period running, and one over
SECTIONS = ("一、总体情况", "二、五大人群", "三、四项重点工程", "四、需要关注的方面", "五、图表", "六、数据说明")


def build(b: Brief, images: list[tuple[str, bytes]], chart_problem: str | None = None) -> bytes:
    """The briefing as .docx bytes. `images`: (caption, PNG) pairs; `chart_problem`: why there are none."""
    doc = Document()
    _page(doc)
    _masthead(doc, b)
    _para(doc, brief.title(b) + "进展情况", size=18, bold=True, font=HEADING_FONT, align="center", after=6)
    _para(
        doc,
        f"统计范围：{b['filters']}。截至{_date(b['as_of'])}，规划期已过{fmt.percent(b['plan_elapsed'])}。",
        align="center",
        size=12,
        after=12,
    )

    _heading(doc, SECTIONS[0])
    if b["record_count"]:
        _para(
            doc,
            f"期间各镇街、各责任单位共报送科普活动{fmt.count(b['activities'])}场次，"
            f"参与{fmt.people(b['participants'])}，投入经费{fmt.money(b['funding'])}。{_verdict(b['targets'])}",
        )
    else:
        _para(doc, f"统计范围内尚无报送的活动记录。{_verdict(b['targets'])}")
    _target_table(doc, [s for s in b["targets"] if not s["group"]] or b["targets"], "指标")
    if b["focus"]:
        _focus(doc, b)

    for heading, kind in ((SECTIONS[1], "cohort"), (SECTIONS[2], "project")):
        _heading(doc, heading)
        _group_table(doc, b, kind)

    _heading(doc, SECTIONS[3])
    _laggards(doc, b)

    _heading(doc, SECTIONS[4])
    if chart_problem:
        _para(doc, f"（本次未附图表。{chart_problem}）")
    for i, (caption, png) in enumerate(images, start=1):
        doc.add_picture(io.BytesIO(png), width=Cm(15.5))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _para(doc, f"图{i}　{caption}", size=11, align="center", after=10)

    _heading(doc, SECTIONS[5])
    _para(doc, words.data_note(b))
    _para(doc, f"共有{b['record_count']:,}条活动记录符合上述统计范围。状态判定：{words.THRESHOLDS}")
    if bases := words.bases_note(b["targets"]):
        _para(doc, f"目标依据：{bases}")
    for rule in dict.fromkeys(s["rule"] for s in b["targets"]):
        _para(doc, words.METHODS[rule], size=11)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _outlook(s: StandingJSON) -> str:
    """The projection, or why there is none (the long scope note is said once, in _verdict)."""
    if outlook := words.projection(s):
        return outlook
    if targets.NOT_JUDGED in s["note"]:
        rest = s["note"].replace(targets.NOT_JUDGED, "").strip("；")
        return "只列实际值" + (f"（{rest}）" if rest else "")
    return s["note"] or "—"


def _verdict(standings: list[StandingJSON]) -> str:
    judged = [s for s in standings if s["status"]]
    scope = f"（{targets.NOT_JUDGED}。）" if any(targets.NOT_JUDGED in s["note"] for s in standings) else ""
    if not judged:
        return "按当前筛选，各项目标不作评定。" + scope
    # An open period counts all three verdicts (zeros too); a finished one its two; and any other present.
    usual = FINISHED if any(s["status"] in FINISHED for s in judged) else OPEN
    shown = [k for k in (*OPEN, *FINISHED) if k in usual or any(s["status"] == k for s in judged)]
    counts = "，".join(f"{k}{sum(s['status'] == k for s in judged)}项" for k in shown)
    text = f"{len(judged)}项目标（{words.tally(judged)}）中，{counts}"
    for k in ("滞后", "未完成"):  # the verdicts to act on, each target named with its kind
        if named := words.named([s for s in judged if s["status"] == k]):
            text += f"；{k}的是{named}"
    return text + "。" + scope


def _target_table(doc: DocumentObject, standings: list[StandingJSON], first: str) -> None:
    rows = [
        [s["name"], fmt.value(s["target"], s["unit"]), words.actual(s), words.status(s), words.basis(s), _outlook(s)]
        for s in standings
    ]
    _table(
        doc,
        [first, "目标", "实际", "状态", "依据", "进度研判"],
        rows,
        status_col=3,
        widths=(3.6, 2.2, 2.2, 1.6, 2.2, 4.2),
    )


def _group_table(doc: DocumentObject, b: Brief, kind: str) -> None:
    rows = []
    for g, totals, standings in brief.group_standings(b, kind):
        figure = f"{fmt.count(totals['activities'])}场次 / {fmt.people(totals['participants'])}"
        if not standings:
            rows.append([g["full_name"], figure, "未设定数量目标", "—", "—", "—"])
        for s in standings:
            target = f"{s['name']}：{fmt.value(s['target'], s['unit'])}"
            rows.append([g["full_name"], figure, target, words.status(s), words.basis(s), _outlook(s)])
    _table(
        doc,
        ["名称", "活动与参与", "目标", "状态", "依据", "进度研判"],
        rows,
        status_col=3,
        widths=(3.4, 2.8, 3.0, 1.6, 2.2, 3.0),
    )


def _focus(doc: DocumentObject, b: Brief) -> None:
    group = next(g for g in b["groups"] if g["name"] == b["focus"])
    _para(doc, f"专题：{group['full_name']}", bold=True, font=HEADING_FONT, before=6)
    standings = [s for s in b["targets"] if s["group"] == b["focus"]]
    if standings:
        _target_table(doc, standings, "指标")
    tasks = b["tasks"][b["tasks"].group_name == b["focus"]]
    rows = [
        [
            t["code"],
            t["title"],
            fmt.percent(t["coverage"]),
            t["status"] or "不评定",
            "、".join(t["silent_bureaus"]) or "—",
        ]
        for t in tasks.to_dict("records")
    ]
    _table(
        doc,
        ["任务", "内容", "责任落实率", "状态", "未报送的牵头单位"],
        rows,
        status_col=3,
        widths=(1.2, 7.0, 2.0, 1.6, 4.2),
    )


def _laggards(doc: DocumentObject, b: Brief) -> None:
    towns = b["lagging_towns"]
    _para(doc, "（一）每千人参与人次最低的镇街", bold=True, font=HEADING_FONT)
    if len(towns):
        _para(
            doc,
            "；".join(
                f"{r['town']}{r['participants_per_1000']:,.0f}人次/千人{_share(r['share_of_average'])}"
                for r in towns.to_dict("records")
            )
            + "。",
        )
    else:
        _para(doc, "筛选范围内没有可比较的镇街。")
    bureaus = b["lagging_bureaus"]
    _para(doc, "（二）责任落实率最低的责任单位", bold=True, font=HEADING_FONT)
    _para(
        doc,
        "；".join(
            f"{r['bureau']}落实率{fmt.percent(r['coverage'])}（未报送：{'、'.join(r['silent_tasks']) or '无'}）"
            for r in bureaus.to_dict("records")
        )
        + "。"
        if len(bureaus)
        else "无。",
    )
    tasks = b["lagging_tasks"]
    _para(doc, "（三）责任落实率最低的任务", bold=True, font=HEADING_FONT)
    _para(
        doc,
        "；".join(
            f"{r['code']}落实率{fmt.percent(r['coverage'])}（未报送：{'、'.join(r['silent_bureaus']) or '无'}）"
            for r in tasks.to_dict("records")
        )
        + "。"
        if len(tasks)
        else "无。",
    )
    behind = [(s, done) for s in b["targets"] if s["status"] == "滞后" and (done := share_of_expected(s)) is not None]
    if behind:
        _para(doc, "（四）滞后的目标", bold=True, font=HEADING_FONT)
        _para(
            doc,
            "；".join(
                f"{words.labelled(s)}实际{fmt.value(s['actual'], s['unit'])}，为应达的{done:.0%}，{words.projection(s)}"
                for s, done in behind
            )
            + "。",
        )
    missed = [s for s in b["targets"] if s["status"] == "未完成"]  # a finished period: what was not achieved
    if missed:
        _para(doc, "（四）未完成的目标", bold=True, font=HEADING_FONT)
        _para(doc, "；".join(f"{words.labelled(s)}：{words.projection(s)}" for s in missed) + "。")


def _share(share: float | None) -> str:
    """（为平均水平的36%）, or nothing when there is no average (no activity at all)."""
    return "" if share is None or share != share else f"（为平均水平的{share:.0%}）"


# --- layout -----------------------------------------------------------------------------------------------------


def _page(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    section.left_margin, section.right_margin = Cm(2.6), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    normal.paragraph_format.line_spacing = 1.25
    normal.paragraph_format.space_after = Pt(4)


def _masthead(doc: DocumentObject, b: Brief) -> None:
    _para(doc, "科学素质行动工作简报", size=30, bold=True, font=HEADING_FONT, align="center", colour=RED, after=4)
    _para(doc, f"（{b['filters'].split(' · ')[0]}进展）", size=14, align="center", after=4)
    line = _para(doc, f"{b['district'].issuer}\t{_date(b['as_of'])}", size=14, after=10)
    line.paragraph_format.tab_stops.add_tab_stop(Cm(15.8), alignment=2)  # right-aligned at the right margin
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "18"), ("space", "4"), ("color", "C00000")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    line._p.get_or_add_pPr().append(border)


def _heading(doc: DocumentObject, text: str) -> None:
    _para(doc, text, size=16, font=HEADING_FONT, before=10, after=6)


def _para(
    doc: DocumentObject,
    text: str,
    size: float | None = None,
    bold: bool = False,
    font: str | None = None,
    align: str | None = None,
    colour: RGBColor | None = None,
    before: float = 0,
    after: float | None = None,
) -> Paragraph:
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    gov_doc.style(run, size, bold, font, colour)
    if align == "center":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if before:
        paragraph.paragraph_format.space_before = Pt(before)
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    return paragraph


def _table(
    doc: DocumentObject,
    headers: list[str],
    rows: list[list[str]],
    status_col: int | None = None,
    widths: tuple[float, ...] = (),
) -> None:
    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # Word and LibreOffice then keep the column widths below
    for column, width in zip(table.columns, widths, strict=False):
        column.width = Cm(width)
    for row_index, values in enumerate([headers, *rows]):
        for col, value in enumerate(values):
            cell = table.cell(row_index, col)
            if widths:
                cell.width = Cm(widths[col])
            cell.text = ""
            run = cell.paragraphs[0].add_run(str(value))
            gov_doc.style(run, size=11, bold=row_index == 0, font=HEADING_FONT if row_index == 0 else None)
            fill = "DCE6F2" if row_index == 0 else STATUS_FILL.get(value) if col == status_col else None
            if fill:
                shading = OxmlElement("w:shd")
                shading.set(qn("w:val"), "clear")
                shading.set(qn("w:fill"), fill)
                cell._tc.get_or_add_tcPr().append(shading)
    doc.add_paragraph().paragraph_format.space_after = Pt(2)


def _date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"
