"""总览: are we on track? The plan's four targets, the cohorts and projects side by side, who is behind, the trend."""

import streamlit as st

from kepu import ui
from kepu.core import fmt, words
from kepu.core.standing import StandingJSON
from kepu.figures import brief, duty, summary, tables, targets

SHARE = st.column_config.NumberColumn(format="%.0f%%", width="small")


def render() -> None:
    f, plan, drill, view = ui.begin("overview", "科学素质行动 · 总览")
    trend = ui.made(targets.activity_years, view.with_period(plan.period))  # the same for every year shown
    figures = ui.cached(summary.summary, view, ui.as_of(), trend)
    headline(figures)
    drill.banner()

    st.subheader("纲要目标")
    if figures["plan"] is None:
        st.info(ui.plain(words.outside_plans(f.period, plan.name)), icon=":material/event_busy:")
    plan_targets = brief.document_targets(figures["targets"])  # each with the 区定目标 set beside it, if any
    for col, standings in zip(st.columns(len(plan_targets) or 1), plan_targets, strict=False):
        with col:
            for target in standings:
                ui.standing_tile(target)

    st.subheader("五大人群 · 四项重点工程")
    cohorts, projects = ui.plan_groups()
    for col, groups in zip(st.columns(2, gap="large"), (cohorts, projects), strict=True):
        with col:
            group_list(groups, figures["targets"], judged=figures["plan"] is not None)

    st.subheader("谁落后了")

    bureaus, tasks = ui.cached(
        duty.laggards_in, drill.filters(f, leave_out=("bureau",)), drill.filters(f, leave_out=("task",)), plan.id
    )
    laggards = (  # heading (bold), its note, rows found, display, dimension, key column, share column, note
        (
            "镇街",
            "（每千人参与人次最低）",
            ui.cached(summary.lagging_towns, drill.filters(f, leave_out=("town",))),
            tables.lagging_towns,
            "town",
            "town",
            "为平均水平",
            "“为平均水平”：与各镇街合计的每千人人次相比。人口为估算值。",
        ),
        (
            "责任单位",
            "（责任落实率最低）",
            bureaus,
            tables.lagging_bureaus,
            "bureau",
            "bureau",
            "落实率",
            "落实率：所牵头的任务中，有活动报送的比例。",
        ),
        (
            "任务",
            "（责任落实率最低）",
            tasks,
            tables.lagging_tasks,
            "task",
            "code",
            "落实率",
            "落实率：牵头单位中，有活动报送的比例。",
        ),
    )
    for col, (heading, which, frame, show, dim, column, share, note) in zip(st.columns(3), laggards, strict=True):
        with col:
            st.markdown(f"**{ui.plain(heading)}**{ui.plain(which)}")
            drill.table(
                show(frame), dim, f"lagging-{dim}s", values=frame[column].tolist(), column_config={share: SHARE}
            )
            st.caption(ui.plain(note))

    st.subheader("月度趋势")
    drill.chart(f, ("month",), ui.measure_picker("overview:measure"))

    if drill.active:
        st.subheader("对应的活动记录")
        ui.records_table(view, "overview:records")


def headline(figures: summary.Summary) -> None:
    """How much of the plan period has passed, and the view's totals."""
    elapsed = figures["plan_elapsed"]
    cols = st.columns([2, 1, 1, 1])
    with cols[0]:
        if elapsed is None:  # a year after the plan (or across two): figures, no targets
            st.metric(
                "规划期",
                "不在任何规划期内",
                help=ui.plain("本期间不在任何已载入规划的年份之内：只显示数字，不评定目标"),
            )
        else:
            st.metric("规划期已过", fmt.percent(elapsed), help=ui.plain(f"截至 {figures['as_of']}"))
            st.progress(min(max(elapsed, 0.0), 1.0))
    cols[1].metric("活动场次", fmt.count(figures["activities"]))
    cols[2].metric("参与人次", fmt.count(figures["participants"]))
    cols[3].metric("经费", fmt.money(figures["funding"]))


def group_list(groups: list, standings: list[StandingJSON], judged: bool = True) -> None:
    """Each cohort or project: a link to its page, its figure against its target, and its status. `judged` is
    False for a period outside every plan, which has no targets."""
    for g in groups:
        own = [s for s in standings if s["group"] == g.name]
        with st.container(border=True):
            left, right = st.columns([5, 1.4], vertical_alignment="center")
            left.page_link(ui.page(g.slug), label=g.full_name, icon=":material/arrow_forward:")
            if not own:
                left.caption(ui.plain("未设定数量目标" if judged else "规划期以外，不评定目标"))
            for s in own:
                target = f"{words.basis(s)} {fmt.value(s['target'], s['unit'])}"
                left.markdown(f"**{ui.plain(words.actual(s))}** · {ui.plain(target)}")
                if outlook := words.projection(s):
                    left.caption(f":material/trending_up: {ui.plain(outlook)}", help=ui.plain(words.method(s)))
                ui.status_badge(words.ANOMALY if s.get("anomaly") else s["status"], right)
