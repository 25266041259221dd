"""责任单位: the plan's bureau × task matrix; lead bureaus silent on a task stand out; what the towns' own
governments reported."""

import streamlit as st

from kepu import ui
from kepu.core import words
from kepu.figures import duty, tables
from kepu.storage import catalog, queries

PROGRESS = st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100)
COUNTS = {c: st.column_config.NumberColumn(format="localized") for c in ("场次", "人次", "经费（元）")}


def render() -> None:
    f, plan, drill, view = ui.begin("bureaus", "责任单位")
    drill.banner()

    st.subheader("责任分工矩阵（活动场次）")
    both = drill.filters(f, leave_out=("bureau", "task"))
    task_list = ui.cached(catalog.tasks, plan.id)
    bureaus = list(f.bureau) or ui.cached(catalog.plan_bureaus)  # towns' own governments: their own section
    matrix = tables.assignments(ui.cached(queries.assignments, both, plan.id), bureaus, task_list.code.tolist())
    drill.matrix(
        tables.assignment_style(matrix),
        "bureau",
        "task",
        "assignments",
        rows=matrix.index.tolist(),
        columns={c: c for c in matrix.columns},
        height=36 * (len(matrix) + 1) + 4,
        column_config={
            code: st.column_config.TextColumn(code, help=ui.plain(title), width="small")
            for code, title in zip(task_list.code, task_list.title, strict=True)
        },
    )
    st.caption(
        f"数字：该单位在该任务下报送的活动场次；“{tables.ASSIGNED_SILENT}”（红底）：规划指定其牵头、但期间内没有报送；"
        "空白：不是该任务的牵头单位。点击单元格可下钻到对应记录。"
    )

    st.subheader("各单位责任落实率", anchor="ranking")
    shown = tables.bureau_coverage(ui.cached(duty.bureaus_in, drill.filters(f, leave_out=("bureau",)), plan.id))
    if st.session_state.get("bureaus:intent") == "lagging":  # 问一句 asked who is behind: say it in words
        rates = dict(zip(shown["责任单位"], shown["落实率"], strict=True))  # in the table's order, ties too
        st.info(ui.plain(words.lowest("单位", "责任落实率（%）", rates, decimals=0)), icon=":material/trending_down:")
    # The rows a click selects are the table's, lowest 落实率 first: the values must be in that order.
    drill.table(shown, "bureau", "coverage", values=shown["责任单位"].tolist(), column_config={"落实率": PROGRESS})

    st.subheader("镇街自己报送的活动")
    own = tables.town_governments(ui.cached(queries.bureau_table, drill.filters(f, leave_out=("bureau",))))
    if own["场次"].sum() == 0:
        st.info("筛选范围内没有镇街以自己的名义（镇人民政府、街道办事处）报送的活动。")
    else:
        drill.table(own, "bureau", "governments", values=own["责任单位"].tolist(), column_config=COUNTS)
    st.caption(
        "各镇人民政府、街道办事处作为责任单位报送的本镇街活动。规划没有给它们分派任务，不计入上面的分工矩阵和落实率。"
    )

    if drill.active:
        st.subheader("对应的活动记录")
        ui.records_table(view, "bureaus:records")
