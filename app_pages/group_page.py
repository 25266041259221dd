"""One template for the five cohort pages and the four project pages."""

from functools import partial

import streamlit as st

from kepu import ui
from kepu.core import fmt, words
from kepu.core.standing import StandingJSON
from kepu.figures import duty, tables, targets
from kepu.storage import catalog, queries
from kepu.storage.queries import Totals

ICONS = {"cohort": ":material/groups:", "project": ":material/engineering:"}
CHART_LIMIT = 40  # bars per breakdown; a province has thousands of towns


def page(group) -> st.Page:
    """The page of a cohort or project (a row of catalog.groups)."""
    return st.Page(partial(render, group.name), title=group.name, url_path=group.slug, icon=ICONS[group.kind])


def render(name: str) -> None:
    group = ui.plan_group(name)
    f, plan, drill, view = ui.begin(f"group:{group.slug}", group.full_name, focus=name)
    own = {group.kind: name}  # cohort=… or project=…
    trend = ui.made(targets.activity_years, view.with_period(plan.period))  # the same for every year shown
    standings = ui.cached(targets.report, view, ui.as_of(), group=name, years_of_plan=trend)
    headline(standings, ui.cached(queries.totals, view.narrowed(**own)))
    if ui.cached(catalog.covering_plan, f.period) is None:
        st.info(ui.plain(words.outside_plans(f.period, plan.name)), icon=":material/event_busy:")
    drill.banner()

    st.subheader("任务与责任落实")
    frame = ui.cached(duty.tasks_in, drill.filters(f, leave_out=("task",)), plan.id, name)
    shown = tables.status_style(tables.tasks(frame, standings))
    drill.table(
        shown,
        "task",
        "tasks",
        values=frame.code.tolist(),
        column_config={
            "内容": st.column_config.TextColumn(width="medium"),
            "落实率": st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100),
            "场次": st.column_config.NumberColumn(format="localized"),
            "人次": st.column_config.NumberColumn(format="localized"),
        },
    )
    st.caption("状态：有数量目标的任务按目标评定，其余按责任落实率（牵头单位中有活动报送的比例）评定。点击一行可下钻。")

    st.subheader("分布")
    measure = ui.measure_picker(f"group:{group.slug}:measure")
    base = f.narrowed(**own)
    tabs = st.tabs(["按镇街", "按责任单位", "按活动类型"])
    for tab, dim in zip(tabs, ("town", "bureau", "activity_type"), strict=True):
        with tab:
            drill.chart(base, (dim,), measure, limit=CHART_LIMIT, together=queries.BUNDLED)
    st.subheader("月度趋势", anchor="trend")
    drill.chart(base, ("month",), measure, together=queries.BUNDLED)

    st.subheader("活动记录")
    ui.records_table(view.narrowed(**own), f"group:{group.slug}:records")


def headline(standings: list[StandingJSON], totals: Totals) -> None:
    """The group's targets, then its totals."""
    cols = st.columns(len(standings) + 1)
    for col, s in zip(cols, standings, strict=False):
        with col:
            ui.standing_tile(s)
    with cols[-1], st.container(border=True):
        st.metric("活动场次", fmt.count(totals["activities"]))
        st.metric("参与人次", fmt.count(totals["participants"]))
        st.metric("经费", fmt.money(totals["funding"]))
