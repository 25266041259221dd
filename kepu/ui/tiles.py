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
    "完成": ("green", ":material/task_alt:"),
    "未完成": ("red", ":material/cancel:"),
    None: ("gray", ":material/remove:"),
    "数据异常": ("violet", ":material/report:"),
}


def status_badge(status: str | None, container=st) -> None:
    """The status as words and colour together (never colour alone)."""
    colour, icon = STATUS_BADGES[status]
    container.badge(status or "不评定", color=colour, icon=icon)


BASIS_BADGES = {  # by the kind a target rests on: the plan's own words, a demonstration value, the district's own
    "纲要目标": ("blue", ":material/menu_book:"),
    "示例目标": ("gray", ":material/science:"),
    "区定目标": ("primary", ":material/edit_note:"),
}


def basis_badge(s: StandingJSON, container=st) -> None:
    """What the target rests on (纲要目标, 示例目标, 区定目标, or a mix in words), as a badge beside the verdict."""
    label = words.basis(s)
    colour, icon = next((v for k, v in BASIS_BADGES.items() if label.startswith(k)), ("gray", None))
    container.badge(label, color=colour, icon=icon)


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
        basis_badge(s, cols[1])
        target = f"{words.basis(s)} {fmt.value(s['target'], unit)}"
        st.caption(plain(f"{target} · 应达 {fmt.value(s['expected'], unit)}"))
        if outlook := words.projection(s):
            st.caption(f":material/trending_up: {plain(outlook)}", help=plain(words.method(s)))
        if s["note"]:
            st.caption(plain(s["note"]))
