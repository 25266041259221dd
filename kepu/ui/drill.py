"""Drill-down: clicking a bar, a table row or a matrix cell narrows the page to it and shows its records."""

from __future__ import annotations

from typing import Any, cast

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kepu.core.filters import Filters
from kepu.core.glossary import DIMENSIONS
from kepu.reports import charts
from kepu.storage import db, queries
from kepu.ui.data import made, shared
from kepu.ui.text import plain

# Dimensions a link (or 问一句) can drill a page to, as query parameters: cohort=青少年, task=Y1…
LINKED = ("cohort", "project", "task", "activity_type")


def breakdown_chart(
    con: db.Connection,
    f: Filters,
    dims: tuple[str, ...],
    measure: str,
    selected: str | None,
    title: str,
    limit: int | None,
    together: dict[str, pd.DataFrame] | None = None,
) -> go.Figure | None:
    """The breakdown of `f` by one dimension (bars) or two (stacked bars); None when it has no records. Built once
    for every session through `shared`. `together`: the breakdowns of `f` made in one pass (queries.breakdowns),
    when the dimension is among them."""
    frame = together[dims[0]] if together is not None else queries.breakdown(con, f, dims)
    if frame.empty:
        return None
    if len(dims) == 1:
        return charts.bar(frame, dims[0], measure, selected, title, limit=limit)
    return charts.stacked(frame, dims[0], dims[1], measure, title)


class Drill:
    """The selections made on one page's charts and tables. Each selection narrows the page's figures, except
    those of the chart or table it was made in (which keeps showing the alternatives)."""

    def __init__(self, page: str):
        self.page = page
        generation = st.session_state.get(f"{page}:generation", 0)
        self.prefix = f"{page}:{generation}:"
        self.specs: dict = st.session_state.setdefault(f"{page}:specs", {})
        # What a link or 问一句 drilled to comes first; a click on a chart or table then overrides it.
        self.values: dict[str, str] = {d: v for d in LINKED if (v := st.query_params.get(d))}
        self.values.update(st.session_state.get(f"{page}:asked") or {})
        for key, spec in self.specs.items():
            if key.startswith(self.prefix):
                self.values.update(_decode(st.session_state.get(key), spec))

    def filters(self, base: Filters, leave_out: tuple[str, ...] = ()) -> Filters:
        """`base` narrowed by every selection but those on the dimensions in `leave_out`."""
        chosen = {d: v for d, v in self.values.items() if d not in leave_out}
        return base.narrowed(**chosen) if chosen else base

    def chart(
        self,
        base: Filters,
        dims: tuple[str, ...],
        measure: str = "participants",
        title: str = "",
        name: str | None = None,
        limit: int | None = None,
        together: tuple[str, ...] = (),
    ) -> None:
        """A breakdown of `base` by one dimension (bars) or two (stacked bars); a click narrows the page.
        `together`: the dimensions (of queries.BUNDLED) the page charts alike, made in one pass over the records
        while their filters are the same (undrilled); a page with one such chart gains nothing from it."""
        selected = self.values.get(dims[0]) if len(dims) == 1 else None
        narrowed = self.filters(base, leave_out=dims)
        bundle = len(dims) == 1 and dims[0] in together
        made_together = made(queries.breakdowns, narrowed, together) if bundle else None
        # A Made reaches breakdown_chart as its value (data._call unwraps it); typed here as what it arrives as.
        fig = shared(breakdown_chart, narrowed, dims, measure, selected, title, limit, cast(Any, made_together))
        if fig is None:
            st.info(plain(f"{title or DIMENSIONS[dims[0]]}：筛选范围内没有记录"))
            return
        self.plot(fig, dims, name or "-".join(dims))

    def plot(self, fig, dims: tuple[str, ...], name: str) -> None:
        """A figure whose bars carry values of `dims` in customdata; clicking one narrows the page to it."""
        key = self.prefix + name
        self.specs[key] = {"dims": dims}
        st.plotly_chart(fig, key=key, on_select="rerun", selection_mode="points", config={"displayModeBar": False})

    def table(self, frame, dim: str, name: str, values: list[str] | None = None, **kwargs) -> None:
        """A table whose rows are values of `dim` (the column `dim`, or `values`); selecting a row narrows."""
        key = self.prefix + name
        self.specs[key] = {"dims": (dim,), "rows": list(values if values is not None else frame[dim])}
        st.dataframe(frame, key=key, on_select="rerun", selection_mode="single-row", hide_index=True, **kwargs)

    def matrix(
        self, frame, row_dim: str, col_dim: str, name: str, rows: list[str], columns: dict[str, str], **kwargs
    ) -> None:
        """A matrix (rows: values of row_dim; `columns` maps column labels to values of col_dim); selecting a cell
        narrows to both."""
        key = self.prefix + name
        self.specs[key] = {"dims": (row_dim, col_dim), "rows": rows, "columns": columns}
        st.dataframe(frame, key=key, on_select="rerun", selection_mode="single-cell", **kwargs)

    @property
    def active(self) -> bool:
        return bool(self.values)

    def banner(self) -> None:
        """The current selections in words, with a button to clear them."""
        if not self.values:
            st.caption("提示：点击图中的柱条或表中的行、格，可下钻到该项并列出对应的活动记录。")
            return
        words = "；".join(f"{DIMENSIONS[d]} = {v}" for d, v in self.values.items())
        cols = st.columns([5, 1], vertical_alignment="center")
        cols[0].info(plain(f"已下钻：{words}（页面数字已按此缩小，对应记录见下方）"), icon=":material/filter_alt:")
        cols[1].button("清除下钻", key=f"{self.page}:clear", on_click=self._clear, width="stretch")

    def _clear(self) -> None:
        key = f"{self.page}:generation"
        st.session_state[key] = st.session_state.get(key, 0) + 1
        st.session_state[f"{self.page}:specs"] = {}
        st.session_state[f"{self.page}:asked"] = {}
        for dim in LINKED:
            st.query_params.pop(dim, None)


def _decode(event, spec: dict) -> dict[str, str]:
    """The dimension values a selection state points at (the state arrives as a plain dict or Streamlit's object)."""
    if not event or "selection" not in event:
        return {}
    selection = event["selection"]
    dims = spec["dims"]
    if selection.get("points"):
        custom = selection["points"][0].get("customdata")
        if custom is None:
            return {}
        custom = custom if isinstance(custom, list | tuple) else [custom]
        return {d: str(v) for d, v in zip(dims, custom, strict=False)}
    if selection.get("cells") and "columns" in spec:
        row, column = selection["cells"][0]
        if row < len(spec["rows"]) and column in spec["columns"]:
            return {dims[0]: spec["rows"][row], dims[1]: spec["columns"][column]}
        return {}
    if selection.get("rows") and "rows" in spec:
        row = selection["rows"][0]
        return {dims[0]: spec["rows"][row]} if row < len(spec["rows"]) else {}
    return {}
