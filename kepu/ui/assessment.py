"""The 考核 page's parts: the year picker, a side's ranking (selecting a row opens the unit), a unit's items with
their bases and the records behind an automatic item, the administrators' manual scoring, and the downloads (考核结果
workbook, 通报, a unit's 督办单), each made when its button is clicked and logged with who took it."""

from __future__ import annotations

import datetime as dt
from functools import partial

import streamlit as st

from kepu.core.assessment_scheme import SIDES
from kepu.core.errors import UserError
from kepu.figures import assessment, assessment_tables
from kepu.figures.assessment import Assessment, UnitResult
from kepu.reports import assessment_notice, assessment_report, assessment_sheet, assessment_supervision, exports
from kepu.storage import assessment_admin, audit
from kepu.storage.auth import User
from kepu.ui.data import cached, cursor, direct, today
from kepu.ui.downloads import requester
from kepu.ui.filters import filters
from kepu.ui.records import records_table
from kepu.ui.text import plain

POINTS = st.column_config.NumberColumn(format="%.2f")
CHANGE = st.column_config.NumberColumn(format="%+.2f", help="与上年度得分之差")


def year_and_date() -> tuple[int, dt.date]:
    """The year to assess (picked here; the shared period's year when it is a single one, else last year) and the
    statistics date (the shared 截至日期, else today)."""
    f = filters()
    as_of = f.as_of or today()
    years = cached(assessment_tables.years, as_of)
    if not years:
        raise UserError("规划中没有考核方案，或还没有可以考核的年份")
    wanted = f.period.first if f.period.first == f.period.last else as_of.year - 1
    index = years.index(wanted) if wanted in years else 0
    year = st.selectbox(
        "考核年度", years, index=index, key="assessment:year", format_func=lambda y: f"{y}年度", width=220
    )
    return int(year), as_of


def scheme_note(result: Assessment) -> None:
    """What the page shows and under which scheme; a 示例 scheme said plainly."""
    if result["scheme_label"] == "示例":
        st.warning(plain(f"示例评分办法：{result['note'] or '规划文件中的考核方案是示例'}"), icon=":material/science:")
    st.caption(
        plain(
            f"{result['year']}年度{result['title']}，统计截至 {result['as_of']}。"
            "得分 = 各评分项之和（加分项加、扣分项减，扣分不使总分低于 0）；得分相同的并列。"
            "点击表中一行查看该单位的各项得分和依据。"
        )
    )


def ranking(result: Assessment, key: str) -> UnitResult | None:
    """A side's ranking table; returns the unit whose row is selected (None when none is)."""
    table = assessment_tables.ranking(result, key)
    if table.empty:
        st.info(plain(f"{result['year']}年度没有参加考核的{SIDES[key]}"))
        return None
    columns = dict.fromkeys(table.columns[4:], POINTS) | {"得分": POINTS, "较上年": CHANGE}
    event = st.dataframe(
        table,
        key=f"assessment:{key}:{result['year']}",
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        column_config=columns,
    )
    rows = event.selection.rows if event and event.selection else []
    return assessment.units_of(result, key)[rows[0]] if rows else None


def unit_detail(result: Assessment, key: str, unit: UnitResult) -> None:
    """A unit's standing, its items with their bases, and the records behind an automatic item picked here."""
    of = len(assessment.units_of(result, key))
    st.markdown(f"#### {plain(unit['unit'])}")
    st.caption(plain(assessment_report.standing(unit, of)))
    st.dataframe(
        assessment_tables.items(unit),
        key=f"assessment:items:{key}:{unit['unit']}",
        hide_index=True,
        width="stretch",
        column_config={"依据": st.column_config.TextColumn(width="large"), "得分": POINTS},
    )
    drillable = [i for i in unit["items"] if i["records"] is not None]
    if not drillable:
        return
    names = {i["item"]: i for i in drillable}
    picked = st.segmented_control(
        "查看记录",
        list(names),
        format_func=lambda code: names[code]["name"],
        key=f"assessment:drill:{key}:{unit['unit']}",
        help="该自动计分项所依据的活动记录",
    )
    if picked:
        f = assessment.filters_of(names[picked])
        if f is not None:
            records_table(f, f"assessment:records:{key}:{picked}")


def manual_scoring(result: Assessment, user: User) -> None:
    """Administrators score the by-hand items (组织领导, 加分, 扣分…) of any unit, with a reason."""
    for saved, message in st.session_state.pop("assessment:results", []):
        (st.success if saved else st.error)(plain(message))
    cols = st.columns([1, 2, 2])
    sides = list(SIDES)
    key = str(cols[0].selectbox("类别", sides, format_func=lambda k: SIDES[k], key="assessment:manual-side"))
    units = assessment.units_of(result, key)
    if not units:
        return
    unit = str(cols[1].selectbox("单位", [u["unit"] for u in units], key=f"assessment:manual-unit-{key}"))
    items = {i["item"]: i for i in assessment_tables.by_hand(units[0])}
    item = str(
        cols[2].selectbox(
            "评分项",
            list(items),
            format_func=lambda code: assessment_tables.item_column(items[code]),
            key=f"assessment:manual-item-{key}",
        )
    )
    current = next(i for u in units if u["unit"] == unit for i in u["items"] if i["item"] == item)
    st.caption(plain(f"评分标准：{items[item]['note'] or '—'}　当前：{current['basis']}"))
    with st.form("assessment:manual", border=True):
        points = st.number_input(
            "分数（扣分项填扣去的分数）",
            min_value=0.0,
            max_value=items[item]["max"],
            value=abs(current["points"]),  # the points given so far
            step=0.5,
            key=f"assessment:points:{unit}:{item}",
        )
        reason = st.text_input("评分理由", key="assessment:reason", placeholder="如：成立领导小组，召开专题会议2次")
        left, right = st.columns(2)
        save = left.form_submit_button("保存评分", type="primary", width="stretch")
        clear = right.form_submit_button("清除该项评分", width="stretch")
    if not (save or clear):
        return
    try:
        kind = "town" if key == "towns" else "bureau"
        target = direct(assessment_admin.resolve, result["year"], unit, item, kind)
        if save:
            message = direct(assessment_admin.set_points, target, points, reason, user)
        else:
            message = direct(assessment_admin.clear_points, target, user, reason)
        st.session_state["assessment:results"] = [(True, message)]
    except UserError as exc:
        st.session_state["assessment:results"] = [(False, str(exc))]
    st.rerun()


def downloads(result: Assessment, unit: UnitResult | None) -> None:
    """The 考核结果 workbook, the 通报, and the selected unit's 督办单 (when it has weak items)."""
    year, as_of = result["year"], dt.date.fromisoformat(result["as_of"])
    cols = st.columns(3)
    for col, kind, icon in zip(
        cols[:2], ("assessment", "notice"), (":material/table_view:", ":material/summarize:"), strict=True
    ):
        col.download_button(
            f"{assessment_report.KINDS_OF_REPORT[kind]}（.{assessment_report.FORMAT_OF[kind]}）",
            partial(_file, kind, year, as_of, None, requester()),
            assessment_report.file_name(kind, year),
            exports.MIME[assessment_report.FORMAT_OF[kind]],
            key=f"assessment:download-{kind}",
            on_click="ignore",
            icon=icon,
            width="stretch",
        )
    if unit is None:
        cols[2].caption("选中一个单位后可下载它的督办单")
    elif not assessment.weak_items(unit):
        cols[2].caption(plain(f"{unit['unit']}各项得分均不低，无需督办"))
    else:
        cols[2].download_button(
            f"督办单：{unit['unit']}（.docx）",
            partial(_file, "supervision", year, as_of, unit["unit"], requester()),
            assessment_report.file_name("supervision", year, unit["unit"]),
            exports.MIME["docx"],
            key="assessment:download-supervision",
            on_click="ignore",
            icon=":material/report:",
            width="stretch",
        )


def _file(kind: str, year: int, as_of: dt.date, unit: str | None, who: tuple[str, audit.Origin]) -> bytes:
    """Make a 考核 document (on Streamlit's download thread, with a cursor of its own) and log who took it."""
    name, origin = who
    audit.set_origin(origin)
    con = cursor()
    report = assessment_report.gather(con, year, as_of)
    if kind == "assessment":
        data = assessment_sheet.build(report)
    elif kind == "notice":
        data = assessment_notice.build(report)
    else:
        data = assessment_supervision.build(report, unit or "")
    assessment_report.log(con, name, kind, year, unit)
    return data
