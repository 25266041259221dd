"""A schematic tile map of the towns: one square per town at its plan-given grid place, coloured by a measure per
1,000 residents or by the town's status against the district rate; a click on a tile drills down (the tile's
point carries its town in customdata). The meeting screen draws the same tiles in HTML (slides.py) from `tiles`."""

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
STATUS = "status"  # the third colouring: each town's status, on participants per 1,000 residents
COLOURINGS = {**{m: label for m, (label, _, _) in PER_1000.items()}, STATUS: "状态（对比全区平均）"}
SCHEMATIC = "示意图：各镇街的位置只大致对应其地理方位，方块大小相同，不代表面积和边界。"
SCALE = "Blues"
GAP = 0.06  # between tiles, in tile widths

# A town's status, in words a leader can repeat: its participants per 1,000 residents against the district rate,
# which is the towns' total participants per 1,000 of their total population, over the towns in the filters. That
# rate is the base of the overview's "为平均水平" (summary.lagging), so the map and the 谁落后了 list agree.
AHEAD, LOW, FAR_BEHIND = "领先", "偏低", "明显落后"
NO_RECORD = "无记录"  # no activity at all in the filters: not reported, which is not the same as a low rate
NO_POPULATION = "缺人口数"  # activity but no population to divide by
OUTSIDE = "不在筛选范围"
# Below half the district rate a town is 明显落后: a round share anyone can check in their head ("不到全区平均的一半"),
# and wide enough that it names the few towns that need a visit rather than the whole lower half.
FAR_BEHIND_SHARE = 0.5
# fill, text colour, and the rule in words. Blue / orange / dark vermillion (after Okabe & Ito) stay apart for
# colour-blind viewers and on a washed-out projector, by lightness as well as hue; the word is always beside them.
STATES = {
    AHEAD: ("#0a6bb0", "#ffffff", "不低于全区平均"),
    LOW: ("#f2a33a", "#1b1b1b", "低于全区平均"),
    FAR_BEHIND: ("#b53a0c", "#ffffff", "不到全区平均的一半"),
    NO_RECORD: ("#454b55", "#ffffff", "筛选范围内没有活动记录"),
    NO_POPULATION: ("#b9bfc7", "#1b2a3a", "缺少人口数，无法折算"),
    OUTSIDE: ("#e3e6ea", "#5f6b7a", "不在筛选范围内"),
}
ALWAYS_SHOWN = (AHEAD, LOW, FAR_BEHIND, NO_RECORD)  # in every legend; the other two only when a town has them


def short_name(town: str) -> str:
    """The town's name without 镇/街道, to fit a tile on a phone: 沙土镇 → 沙土, 佃户屯街道 → 佃户屯."""
    for suffix in ("街道", "镇"):
        if town.endswith(suffix) and len(town) > len(suffix) + 1:
            return town.removesuffix(suffix)
    return town


def _counted(towns: pd.DataFrame) -> pd.DataFrame:
    """The rows of a town_table that are towns with a population (not 全区, which has none of its own)."""
    return towns[(towns.kind != "全区") & (towns.population.fillna(0) > 0)]


def district_rate(towns: pd.DataFrame) -> float | None:
    """Participants per 1,000 residents over the towns of `towns` (queries.town_table) that have a population: the
    sum of their participants × 1000 / the sum of their populations. None when no town has a population."""
    counted = _counted(towns)
    population = float(counted.population.sum())
    return float(counted.participants.sum()) * 1000.0 / population if population > 0 else None


def statuses(towns: pd.DataFrame) -> pd.DataFrame:
    """Each town of `towns` (queries.town_table; 全区 left out) with its status. Columns: town, rate (participants
    per 1,000 residents; None without a population), share (of the district rate; None without one), status."""
    towns = towns[towns.kind != "全区"]
    rate = (towns.participants * 1000.0 / towns.population).where(towns.population.fillna(0) > 0)
    average = district_rate(towns)
    share = rate / average if average else pd.Series(float("nan"), index=towns.index)
    status = [
        NO_RECORD
        if activities == 0
        else NO_POPULATION
        if r != r  # NaN: no population
        else AHEAD
        if average is None or r >= average
        else LOW
        if r >= FAR_BEHIND_SHARE * average
        else FAR_BEHIND
        for activities, r in zip(towns.activities.fillna(0).tolist(), rate.tolist(), strict=True)
    ]
    return pd.DataFrame(
        {"town": towns.town.to_numpy(), "rate": rate.to_numpy(), "share": share.to_numpy(), "status": status}
    )


def status_rule(rate: float | None) -> str:
    """The status rule in one sentence, with the district rate it compares against."""
    base = "" if rate is None else f"（筛选范围内各镇街合计，每千人 {rate:,.0f} 人次）"
    return (
        f"状态按每千人参与人次与全区平均{base}比较：不低于平均为{AHEAD}，低于平均为{LOW}，"
        f"不到平均的一半为{FAR_BEHIND}；筛选范围内没有活动记录的为{NO_RECORD}。"
    )


def legend(t: pd.DataFrame) -> list[tuple[str, str, int]]:
    """The states to show beside the tiles of `tiles`: (state, its rule, how many towns), in STATES' order."""
    counts = t.status.value_counts()
    return [
        (state, rule, int(counts.get(state, 0)))
        for state, (_, _, rule) in STATES.items()
        if state in ALWAYS_SHOWN or counts.get(state, 0)
    ]


def tiles(towns: pd.DataFrame, grid: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The towns on the map with the measure's value (for STATUS: participants per 1,000) and status. `towns` as
    queries.town_table gives it, `grid` as catalog.town_grid. Columns: town, short, grid_row, grid_col, value
    (None for a town outside the filters), status, share (of the district rate)."""
    _, column, _ = PER_1000["participants_per_1000" if measure == STATUS else measure]
    values = towns.set_index("town")
    per_1000 = (values[column] * 1000.0 / values["population"]).where(values["population"] > 0)
    judged = statuses(towns).set_index("town")
    out = grid.assign(
        short=grid.town.map(short_name),
        value=grid.town.map(per_1000),
        status=grid.town.map(judged.status).fillna(OUTSIDE),
        share=grid.town.map(judged.share),
    )
    return out[["town", "short", "grid_row", "grid_col", "value", "status", "share"]]


def _measure_colours(t: pd.DataFrame, measure: str) -> tuple[list[tuple[str, str, str, str]], float, float]:
    """Per tile: fill, text colour, the figure shown and the hover line, on the measure's colour scale; and the
    scale's ends."""
    label, _, decimals = PER_1000[measure]
    known = t.value.dropna()
    low, high = (float(known.min()), float(known.max())) if len(known) else (0.0, 1.0)
    high = high if high > low else low + 1
    out = []
    for value in t.value.tolist():
        if value is None or value != value:  # NaN: a town outside the filters
            out.append((*STATES[OUTSIDE][:2], "—", f"{label}：不在筛选范围内"))
            continue
        share = (float(value) - low) / (high - low)
        figure = f"{float(value):,.{decimals}f}"
        fill = sample_colorscale(SCALE, [0.15 + 0.85 * share])[0]
        out.append((fill, "white" if share > 0.55 else "#1b2a3a", figure, f"{label}：{figure}"))
    return out, low, high


def _status_colours(t: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    """Per tile: fill, text colour, the figure shown and the hover lines (the figure, then the status in words)."""
    out = []
    for value, status, share in zip(t.value.tolist(), t.status.tolist(), t.share.tolist(), strict=True):
        fill, ink, rule = STATES[status]
        figure = "—" if value is None or value != value else f"{float(value):,.0f}"
        of_average = "" if share is None or share != share else f"，为全区平均的 {share:.0%}"
        out.append((fill, ink, figure, f"每千人参与人次：{figure}<br>状态：{status}（{rule}{of_average}）"))
    return out


def tile_map(towns: pd.DataFrame, grid: pd.DataFrame, measure: str, selected: str | None = None) -> go.Figure:
    """Square tiles at each town's grid place, coloured by `measure` (a key of PER_1000, or STATUS), labelled with
    the short name and the value; towns outside the filters grey. Row 0 is north (drawn on top)."""
    t = tiles(towns, grid, measure)
    by_status = measure == STATUS
    low = high = 0.0
    if by_status:
        looks = _status_colours(t)
    else:
        looks, low, high = _measure_colours(t, measure)
    fills, inks, shown, hover = ([look[i] for look in looks] for i in range(4))
    outline = "#111111" if by_status else "#c0392b"  # the chosen town; red would vanish on a 明显落后 tile
    fig = go.Figure()
    half = 0.5 - GAP / 2
    for town, row, col, fill in zip(t.town.tolist(), t.grid_row.tolist(), t.grid_col.tolist(), fills, strict=True):
        fig.add_shape(
            type="rect",
            x0=col - half,
            x1=col + half,
            y0=-row - half,
            y1=-row + half,
            fillcolor=fill,
            line={"color": outline if town == selected else "white", "width": 4 if town == selected else 1},
            layer="below",
        )
    fig.add_trace(
        go.Scatter(
            x=t.grid_col,
            y=-t.grid_row,
            mode="markers+text",
            text=[f"{s}<br>{v}" for s, v in zip(t.short.tolist(), shown, strict=True)],
            textfont={"color": inks, "size": 12, "family": FONT},
            textposition="middle center",
            customdata=[[town] for town in t.town],
            hovertext=[f"{town}<br>{h}" for town, h in zip(t.town.tolist(), hover, strict=True)],
            hoverinfo="text",
            marker={"symbol": "square", "size": 34, "color": fills, "line": {"width": 0}, "opacity": 1},
            selected={"marker": {"opacity": 1}},
            unselected={"marker": {"opacity": 1}, "textfont": {"color": "#1b2a3a"}},
            showlegend=False,
        )
    )
    for trace in _status_legend(t) if by_status else [_colour_bar(PER_1000[measure][0], low, high)]:
        fig.add_trace(trace)
    rows, cols = int(t.grid_row.max()) + 1 if len(t) else 1, int(t.grid_col.max()) + 1 if len(t) else 1
    fig.update_layout(
        font={"family": FONT, "size": 12, "color": BLUE},
        height=130 + 70 * rows + (30 if by_status else 0),
        margin={"l": 4, "r": 4, "t": 8, "b": 100 if by_status else 70},
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel={"font_family": FONT},
        dragmode=False,
        clickmode="event+select",
        # below the tiles, so that on a phone they keep the whole width; a click on an entry must not hide tiles
        legend={
            "orientation": "h",
            "x": 0.5,
            "xanchor": "center",
            "y": -0.02,
            "yanchor": "top",
            "itemclick": False,
            "itemdoubleclick": False,
            "font": {"size": 13, "color": "#1b2a3a"},
        },
    )
    fig.update_xaxes(visible=False, range=[-0.55, cols - 0.45], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-rows + 0.45, 0.55], fixedrange=True, scaleanchor="x", scaleratio=1)
    return fig


def _colour_bar(label: str, low: float, high: float) -> go.Scatter:
    """An invisible trace carrying the measure's colour scale, drawn as a bar below the tiles."""
    return go.Scatter(
        x=[None],
        y=[None],
        mode="markers",
        marker={
            "colorscale": [[0, sample_colorscale(SCALE, [0.15])[0]], [1, sample_colorscale(SCALE, [1.0])[0]]],
            "cmin": low,
            "cmax": high,
            "color": [low],
            "showscale": True,
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


def _status_legend(t: pd.DataFrame) -> list[go.Scatter]:
    """Invisible traces, one a state, that give the legend its entries: the state's colour, word, rule and count."""
    return [
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "square", "size": 14, "color": STATES[state][0], "line": {"width": 1, "color": "#888"}},
            name=f"{state}：{rule}（{count}个）",
            hoverinfo="skip",
            showlegend=True,
        )
        for state, rule, count in legend(t)
    ]
