"""The activity records behind a view, with their own CSV download, and the measure picker."""

from __future__ import annotations

from functools import partial

import streamlit as st

from kepu.core import words
from kepu.core.filters import Filters
from kepu.core.glossary import MEASURES
from kepu.figures import tables
from kepu.reports import exports
from kepu.storage import queries
from kepu.ui.data import cached, today
from kepu.ui.downloads import export_file, requester
from kepu.ui.text import plain

RECORD_LIMIT = 500


def records_table(f: Filters, key: str, search: str = "", order: str = "start_date", descending: bool = True) -> None:
    """The activity records behind a view: how many there are, and the first RECORD_LIMIT of them."""
    total = cached(queries.count_records, f, search)
    frame = cached(queries.records, f, search, order, descending, RECORD_LIMIT)
    shown = f"，显示前 {RECORD_LIMIT} 条" if total > RECORD_LIMIT else ""
    searched = f"，名称、编号或备注含“{search}”" if search else ""
    left, right = st.columns([5, 1], vertical_alignment="center")
    left.caption(plain(f"共 {total:,} 条记录{shown}（{words.filters(f)}{searched}）"))
    if total:
        # In place of the table's own CSV button (hidden: it lets formulas through); at most exports.RECORD_LIMIT.
        right.download_button(
            "下载 CSV",
            partial(export_file, "csv", f, f.as_of or today(), None, requester(), search),
            exports.file_name(f, "csv"),
            exports.MIME["csv"],
            key=f"{key}:csv",
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
            help=f"下载这些记录（最多 {exports.RECORD_LIMIT:,} 条），Excel 可打开",
        )
        st.dataframe(tables.records(frame), key=key, hide_index=True, width="stretch", column_config=RECORD_COLUMNS)


RECORD_COLUMNS = {
    "参与人次": st.column_config.NumberColumn(format="localized"),
    "经费（元）": st.column_config.NumberColumn(format="localized"),
    "活动名称": st.column_config.TextColumn(width="large"),
}


def measure_picker(key: str) -> str:
    """Choose 场次, 人次 or 经费 for a page's breakdowns."""
    return st.segmented_control(
        "指标", list(MEASURES), format_func=MEASURES.__getitem__, default="participants", key=key, required=True
    )
