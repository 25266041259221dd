"""A target's tile and a status badge: figure, verdict in words and colour, target, expected-by-now, outlook."""

from __future__ import annotations

import streamlit as st

from kepu.core import fmt, words
from kepu.core.standing import StandingJSON
from kepu.ui.text import plain

STATUS_BADGES = {
    "达标": ("green", ":material/check_circle:"),
    "关注": ("orange", ":material/error:"),
    "滞后": ("red", ":material/cancel:"),
    None: ("gray", ":material/remove:"),
    "数据异常": ("violet", ":material/report:"),
}


def status_badge(status: str | None, container=st) -> None:
    """The status as words and colour together (never colour alone)."""
    colour, icon = STATUS_BADGES[status]
    container.badge(status or "不评定", color=colour, icon=icon)


def standing_tile(s: StandingJSON) -> None:
    """One target (a `Standing.to_json()`): actual with its yearly trend, status, target, expected-by-now and
    the projection to the target date."""
    unit = s["unit"]
    with st.container(border=True):
        # The plan's long names wrap here; as a metric label they would be cut off.
        st.markdown(f"**{plain(s['name'])}**", help=plain(words.method(s)))
        st.metric(
            s["name"],
            words.actual(s),
            label_visibility="collapsed",
            chart_data=[v for _, v in s["trend"]] or None,
            chart_type="bar" if unit in ("人次", "场次") else "line",
        )
        cols = st.columns(2)
        status_badge(words.ANOMALY if s.get("anomaly") else s["status"], cols[0])
        cols[1].caption(plain(s["basis"]))
        st.caption(plain(f"目标 {fmt.value(s['target'], unit)} · 应达 {fmt.value(s['expected'], unit)}"))
        if outlook := words.projection(s):
            st.caption(f":material/trending_up: {plain(outlook)}", help=plain(words.method(s)))
        if s["note"]:
            st.caption(plain(s["note"]))
