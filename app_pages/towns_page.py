"""镇街: the towns ranked, absolutely and per 1,000 residents, and a town × cohort matrix."""

import streamlit as st

from kepu import ui
from kepu.core import words
from kepu.core.glossary import MEASURES
from kepu.figures import tables
from kepu.reports import town_figures, town_map
from kepu.storage import catalog, queries

RANKINGS = {"participants_per_1000": "每千人参与人次", **MEASURES}
CHART_ENDS = 20  # with more towns than twice this, the chart shows the best and the worst


def render() -> None:
    f, _plan, drill, view = ui.begin("towns", "镇街")
    st.caption(
        ui.plain(
            f"人口为估算值：{words.population(ui.cached(catalog.district))}，按零星公开数据分配到各镇街，"
            "待录入各镇街真实人口后替换。“全区”指区级统一组织、不落在具体镇街的活动，不参与排名。"
        )
    )
    drill.banner()

    st.subheader("分布图（示意）")
    shown_by = st.segmented_control(
        "着色依据",
        list(town_map.COLOURINGS),
        format_func=town_map.COLOURINGS.get,
        default="participants_per_1000",
        key="towns:map-measure",
        required=True,
    )
    everywhere = ui.cached(queries.town_table, drill.filters(f, leave_out=("town",)))
    around = drill.filters(f, leave_out=("town",))
    drill.plot(ui.shared(town_figures.map_figure, around, shown_by, drill.values.get("town")), ("town",), "map")
    if shown_by == town_map.STATUS:
        st.caption(ui.plain(town_map.status_rule(town_map.district_rate(everywhere))))
    st.caption(ui.plain(town_map.SCHEMATIC + "浅灰色为不在筛选范围内的镇街。点击方块可下钻到该镇街。"))

    st.subheader("排名", anchor="ranking")
    ranking = st.segmented_control(
        "排名依据",
        list(RANKINGS),
        format_func=RANKINGS.get,
        default="participants_per_1000",
        key="towns:ranking",
        required=True,
    )
    frame = everywhere
    if st.session_state.get("towns:intent") == "lagging":  # 问一句 asked who is behind: say it in words
        ranked_towns = frame[frame.participants_per_1000.notna()]
        per_1000 = dict(zip(ranked_towns.town, ranked_towns.participants_per_1000, strict=True))
        st.info(ui.plain(words.lowest("镇街", "每千人参与人次", per_1000)), icon=":material/trending_down:")
    chosen = drill.values.get("town")
    ranked = ui.shared(town_figures.ranking_figure, around, ranking, chosen, RANKINGS[ranking], CHART_ENDS)
    drill.plot(ranked, ("town",), "ranking")
    if frame.participants_per_1000.notna().sum() > 2 * CHART_ENDS:
        st.caption(f"镇街较多，图中只列最高和最低的各 {CHART_ENDS} 个；完整排名见下表。")
    shown = tables.towns(frame)
    drill.table(
        shown,
        "town",
        "town-table",
        values=shown["镇街"].tolist(),
        column_config={
            "人口": st.column_config.NumberColumn("人口（估算）", format="localized"),
            "人口为估算": st.column_config.CheckboxColumn("估算"),
            "场次": st.column_config.NumberColumn(format="localized"),
            "人次": st.column_config.NumberColumn(format="localized"),
            "经费（元）": st.column_config.NumberColumn(format="localized"),
        },
    )

    st.subheader("镇街 × 人群（参与人次）")
    towns = ui.cached(catalog.towns).name.tolist()
    cohorts, _ = ui.plan_groups()
    both = drill.filters(f, leave_out=("town", "cohort"))
    matrix = tables.matrix(
        ui.cached(queries.breakdown, both, ("town", "cohort")),
        "town",
        "cohort",
        "participants",
        towns if not f.town else list(f.town),
        [g.name for g in cohorts],
    )
    styled = tables.heat(matrix) if len(matrix) <= tables.STYLE_LIMIT else matrix  # styling thousands of cells is slow
    drill.matrix(
        styled, "town", "cohort", "town-cohort", rows=matrix.index.tolist(), columns={c: c for c in matrix.columns}
    )
    st.caption("一项活动面向多个人群时，在每个人群下都计入。点击单元格可下钻。")

    if drill.active:
        st.subheader("对应的活动记录")
        ui.records_table(view, "towns:records")
