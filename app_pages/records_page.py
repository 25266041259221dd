"""活动明细: the records under the current filters, and an ad-hoc breakdown for questions nobody planned."""

import streamlit as st

from kepu import ui
from kepu.core.glossary import DIMENSIONS, MEASURES
from kepu.figures import tables
from kepu.storage import queries

ORDERS = {
    "start_date": "开始日期",
    "participants": "参与人次",
    "funding": "经费",
    "title": "活动名称",
    "town": "镇街",
    "bureau": "责任单位",
}


def render() -> None:
    f, _, drill, view = ui.begin("records", "活动明细")

    st.subheader("自定义分析")
    cols = st.columns([2, 2, 2])
    first = cols[0].selectbox("按", list(DIMENSIONS), format_func=DIMENSIONS.get, key="records:dim1")
    second = cols[1].selectbox(
        "再按（可选）",
        [None, *(d for d in DIMENSIONS if d != first)],
        format_func=lambda d: "—" if d is None else DIMENSIONS[d],
        key="records:dim2",
    )
    measure = cols[2].segmented_control(
        "统计", list(MEASURES), format_func=MEASURES.get, default="participants", key="records:measure", required=True
    )
    dims = (first,) if second is None else (first, second)
    drill.banner()
    chart_tab, table_tab = st.tabs(["图", "表"])
    with chart_tab:
        drill.chart(f, dims, measure, name="adhoc-" + "-".join(dims), limit=40)
    with table_tab:
        frame = ui.cached(queries.breakdown, drill.filters(f, leave_out=dims), dims)
        table = tables.pivot_or_list(frame, dims, measure)
        if len(dims) == 1:
            drill.table(
                table.rename(columns={first: DIMENSIONS[first], measure: MEASURES[measure]}),
                first,
                "adhoc-table-" + first,
                values=table[first].astype(str).tolist(),
            )
        else:
            drill.matrix(
                table,
                first,
                second,
                "adhoc-matrix-" + "-".join(dims),
                rows=table.index.astype(str).tolist(),
                columns={str(c): str(c) for c in table.columns},
            )

    st.subheader("活动记录")
    cols = st.columns([3, 2, 1], vertical_alignment="bottom")
    search = cols[0].text_input("搜索活动名称、编号或备注", key="records:search", placeholder="如：科普日")
    order = cols[1].selectbox("排序", list(ORDERS), format_func=ORDERS.get, key="records:order")
    descending = cols[2].toggle("倒序", value=True, key="records:desc")
    ui.records_table(view, "records:table", search=search, order=order, descending=descending)
