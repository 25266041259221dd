"""A schematic tile map of the towns: one square per town at its plan-given grid place, coloured by a measure per
1,000 residents; a click on a tile drills down (the tile's point carries its town in customdata)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from kepu.reports.charts import BLUE, FONT

# Measures the map colours by, per 1,000 residents: the town_table column they come from, and how many decimals.
PER_1000 = {
    "participants_per_1000": ("每千人参与人次", "participants", 0),
    "activities_per_1000": ("每千人活动场次", "activities", 2),
}
SCHEMATIC = "示意图：各镇街的位置只大致对应其地理方位，方块大小相同，不代表面积和边界。"
SCALE = "Blues"
GAP = 0.06  # between tiles, in tile widths


def short_name(town: str) -> str:
    """The town's name without 镇/街道, to fit a tile on a phone: 沙土镇 → 沙土, 佃户屯街道 → 佃户屯."""
    for suffix in ("街道", "镇"):
        if town.endswith(suffix) and len(town) > len(suffix) + 1:
            return town.removesuffix(suffix)
    return town


def tiles(towns: pd.DataFrame, grid: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The towns on the map with the measure's value. `towns` as queries.town_table gives it, `grid` as
    catalog.town_grid. Columns: town, short, grid_row, grid_col, value (None for a town outside the filters)."""
    _, column, _ = PER_1000[measure]
    values = towns.set_index("town")
    per_1000 = (values[column] * 1000.0 / values["population"]).where(values["population"] > 0)
    out = grid.assign(short=grid.town.map(short_name), value=grid.town.map(per_1000))
    return out[["town", "short", "grid_row", "grid_col", "value"]]


def tile_map(towns: pd.DataFrame, grid: pd.DataFrame, measure: str, selected: str | None = None) -> go.Figure:
    """Square tiles at each town's grid place, coloured by `measure` (a key of PER_1000), labelled with the short
    name and the value; towns outside the filters grey. Row 0 is north (drawn on top)."""
    label, _, decimals = PER_1000[measure]
    t = tiles(towns, grid, measure)
    known = t.value.dropna()
    low, high = (float(known.min()), float(known.max())) if len(known) else (0.0, 1.0)
    high = high if high > low else low + 1
    fig = go.Figure()
    colours, text_colours, texts, hover = [], [], [], []
    half = 0.5 - GAP / 2
    for town, short, row, col, value in zip(
        t.town.tolist(), t.short.tolist(), t.grid_row.tolist(), t.grid_col.tolist(), t.value.tolist(), strict=True
    ):
        if value is None or value != value:  # NaN: a town outside the filters
            fill, ink, shown = "#e3e6ea", "#5f6b7a", "—"
            hover.append(f"{town}<br>{label}：不在筛选范围内")
        else:
            share = (float(value) - low) / (high - low)
            fill = sample_colorscale(SCALE, [0.15 + 0.85 * share])[0]
            ink, shown = ("white" if share > 0.55 else "#1b2a3a"), f"{float(value):,.{decimals}f}"
            hover.append(f"{town}<br>{label}：{shown}")
        colours.append(fill)
        text_colours.append(ink)
        texts.append(f"{short}<br>{shown}")
        fig.add_shape(
            type="rect",
            x0=col - half,
            x1=col + half,
            y0=-row - half,
            y1=-row + half,
            fillcolor=fill,
            line={"color": "#c0392b" if town == selected else "white", "width": 3 if town == selected else 1},
            layer="below",
        )
    fig.add_trace(
        go.Scatter(
            x=t.grid_col,
            y=-t.grid_row,
            mode="markers+text",
            text=texts,
            textfont={"color": text_colours, "size": 12, "family": FONT},
            textposition="middle center",
            customdata=[[town] for town in t.town],
            hovertext=hover,
            hoverinfo="text",
            marker={
                "symbol": "square",
                "size": 34,
                "color": colours,
                "line": {"width": 0},
                "opacity": 1,
            },
            selected={"marker": {"opacity": 1}},
            unselected={"marker": {"opacity": 1}, "textfont": {"color": "#1b2a3a"}},
            showlegend=False,
        )
    )
    # a colour bar: an invisible trace carrying the scale
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={
                "colorscale": [[0, sample_colorscale(SCALE, [0.15])[0]], [1, sample_colorscale(SCALE, [1.0])[0]]],
                "cmin": low,
                "cmax": high,
                "color": [low],
                "showscale": True,
                # below the tiles, so that on a phone they keep the whole width
                "colorbar": {
                    "title": {"text": label, "side": "top"},
                    "orientation": "h",
                    "thickness": 10,
                    "len": 0.6,
                    "x": 0.5,
                    "y": -0.02,
                    "yanchor": "top",
                },
            },
            hoverinfo="skip",
            showlegend=False,
        )
    )
    rows, cols = int(t.grid_row.max()) + 1 if len(t) else 1, int(t.grid_col.max()) + 1 if len(t) else 1
    fig.update_layout(
        font={"family": FONT, "size": 12, "color": BLUE},
        height=130 + 70 * rows,
        margin={"l": 4, "r": 4, "t": 8, "b": 70},
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel={"font_family": FONT},
        dragmode=False,
        clickmode="event+select",
    )
    fig.update_xaxes(visible=False, range=[-0.55, cols - 0.45], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-rows + 0.45, 0.55], fixedrange=True, scaleanchor="x", scaleratio=1)
    return fig
