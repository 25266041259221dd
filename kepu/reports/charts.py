"""Plotly figures for the pages. Every bar carries its dimension value(s) in customdata, so a click can drill down."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from kepu.core import fmt, words
from kepu.core.glossary import DIMENSIONS, MEASURES
from kepu.core.standing import StandingJSON, share_of_expected

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif"
BLUE, FADED = "#1f5fa8", "#b8cbe3"
PALETTE = ["#1f5fa8", "#e07b39", "#3a9a5b", "#c0392b", "#8e6bbf", "#8c6d31", "#d16ba5", "#5f6b7a", "#17a2b8", "#b8a31c"]


def _layout(fig: go.Figure, height: int, title: str = "") -> go.Figure:
    fig.update_layout(
        font={"family": FONT, "size": 13},
        title={"text": title, "font": {"size": 15}} if title else None,
        height=height,
        margin={"l": 8, "r": 16, "t": 40 if title else 12, "b": 8},
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel={"font_family": FONT},
        dragmode=False,
        clickmode="event+select",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    fig.update_xaxes(gridcolor="#eceff3", zeroline=False)
    fig.update_yaxes(gridcolor="#eceff3", zeroline=False)
    return fig


def bar(
    frame: pd.DataFrame,
    dim: str,
    measure: str,
    selected: str | None = None,
    title: str = "",
    label: str | None = None,
    limit: int | None = None,
) -> go.Figure:
    """One bar per value of `dim`: months and years in order as columns, anything else largest first as rows."""
    label = label or MEASURES[measure]
    if dim in ("month", "year"):
        return _column(frame, dim, measure, selected, title, label)
    frame = frame.sort_values(measure, ascending=False)
    if limit:
        frame = frame.head(limit)
    labels = frame[dim].astype(str).tolist()
    colours = [BLUE if selected in (None, v) else FADED for v in labels]
    fig = go.Figure(
        go.Bar(
            x=frame[measure],
            y=labels,
            orientation="h",
            marker_color=colours,
            customdata=[[v] for v in labels],
            text=[_short(v, measure) for v in frame[measure]],
            textposition="auto",
            hovertemplate=f"%{{y}}<br>{label}：%{{x:,.0f}}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title=None, **count_ticks(frame[measure].max()))
    return _layout(fig, max(220, 26 * len(labels) + 60), title)


def _column(frame: pd.DataFrame, dim: str, measure: str, selected: str | None, title: str, label: str) -> go.Figure:
    labels = frame[dim].astype(str).tolist()
    colours = [BLUE if selected in (None, v) else FADED for v in labels]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=frame[measure],
            marker_color=colours,
            customdata=[[v] for v in labels],
            hovertemplate=f"%{{x}}<br>{label}：%{{y:,.0f}}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", tickangle=-45 if len(labels) > 12 else 0, nticks=min(len(labels), 20))
    fig.update_yaxes(title=None, **count_ticks(frame[measure].max()))
    return _layout(fig, 300, title)


def stacked(frame: pd.DataFrame, dim: str, by: str, measure: str, title: str = "") -> go.Figure:
    """Bars of `dim`, each split by `by`; each segment carries [dim value, by value]."""
    order = frame.groupby(dim)[measure].sum().sort_values(ascending=False).index.astype(str).tolist()
    if dim in ("month", "year"):
        order = sorted(order)
    fig = go.Figure()
    for i, (value, part) in enumerate(frame.groupby(by, sort=False)):
        part = part.set_index(part[dim].astype(str)).reindex(order).fillna({measure: 0})
        fig.add_bar(
            name=str(value),
            x=order,
            y=part[measure],
            marker_color=PALETTE[i % len(PALETTE)],
            customdata=[[d, str(value)] for d in order],
            hovertemplate=f"%{{x}} · {value}<br>{MEASURES[measure]}：%{{y:,.0f}}<extra></extra>",
        )
    fig.update_layout(barmode="stack", legend_title_text=DIMENSIONS.get(by, by))
    fig.update_yaxes(**count_ticks(frame.groupby(dim)[measure].sum().max()))
    fig.update_xaxes(type="category", tickangle=-45 if len(order) > 8 else 0)
    return _layout(fig, 420, title)


def grouped(
    frame: pd.DataFrame, dim: str, by: str, measure: str, order: list[str], selected: str | None = None
) -> go.Figure:
    """Bars of each of `order` (values of `dim`, those without any left out), one beside the other for each value of
    `by` (years: a campaign year over year), the ones not `selected` faded; each bar carries [dim value, by value]."""
    shown = [v for v in order if v in set(frame[dim].astype(str))]
    fig = go.Figure()
    for i, (value, part) in enumerate(frame.groupby(by, sort=True)):
        part = part.set_index(part[dim].astype(str)).reindex(shown).fillna({measure: 0})
        fig.add_bar(
            name=str(value),
            x=shown,
            y=part[measure],
            marker_color=PALETTE[i % len(PALETTE)],
            marker_opacity=[1.0 if selected in (None, d) else 0.3 for d in shown],
            customdata=[[d, str(value)] for d in shown],
            hovertemplate=f"%{{x}} · {value}<br>{MEASURES[measure]}：%{{y:,.0f}}<extra></extra>",
        )
    fig.update_layout(barmode="group", legend_title_text=DIMENSIONS.get(by, "年份" if by == "year" else by))
    fig.update_yaxes(**count_ticks(frame[measure].max()))
    fig.update_xaxes(type="category")
    return _layout(fig, 360)


def count_ticks(top: float) -> dict[str, list[float] | list[str]]:
    """Axis ticks labelled the Chinese way (5万, 10万) from 0 to about `top`."""
    top = float(top or 0)
    if top <= 0:
        return {}
    magnitude = 10 ** math.floor(math.log10(top / 4)) if top >= 4 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if top / (m * magnitude) <= 5)
    ticks = [i * step for i in range(int(top // step) + 2)]
    return {"tickvals": ticks, "ticktext": [fmt.count(t) for t in ticks]}


def _short(value: float, measure: str) -> str:
    if measure == "participants_per_1000":
        return f"{value:,.0f}"
    return fmt.money(value) if measure == "funding" else fmt.count(value)


STATUS_COLOURS = {
    "达标": "#2e7d32",
    "关注": "#ef6c00",
    "滞后": "#c62828",
    "完成": "#2e7d32",
    "未完成": "#c62828",
    None: "#9e9e9e",
}


def completion(standings: list[StandingJSON], title: str = "") -> go.Figure:
    """Each judged target's actual as a share of what is expected by now, coloured (and labelled) by status,
    with the 100% line: the picture of "are we on track"."""
    judged = [(s, done) for s in standings if s["status"] and (done := share_of_expected(s)) is not None]
    names = [words.labelled(s) for s, _ in judged]  # with its kind: an indicator can be judged on two targets
    shares = [done * 100 for _, done in judged]
    fig = go.Figure(
        go.Bar(
            x=shares,
            y=names,
            orientation="h",
            marker_color=[STATUS_COLOURS[s["status"]] for s, _ in judged],
            text=[f"{v:.0f}% {s['status']}" for v, (s, _) in zip(shares, judged, strict=True)],
            textposition="auto",
            hovertemplate="%{y}<br>实际为应达的 %{x:.0f}%<extra></extra>",
        )
    )
    fig.add_vline(x=100, line_dash="dash", line_color="#444")
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title="实际 ÷ 应达（%）", range=[0, max([110, *shares]) * 1.05])
    return _layout(fig, max(220, 34 * len(names) + 80), title)
