"""Charts as PNG images for the Word briefing: the page's own plotly figures, drawn by kaleido in a headless
Chromium (Debian's `chromium`; Chinese needs `fonts-noto-cjk`). All figures share one browser start."""

from __future__ import annotations

import asyncio

import pandas as pd
import plotly.graph_objects as go

from kepu.core.glossary import MEASURES, UNSPECIFIED
from kepu.figures.brief import Brief
from kepu.reports import charts

WIDTH, HEIGHT, SCALE, FONT_SIZE = 900, 420, 2, 17
TOWN_ENDS = 10  # the briefing shows the best and the worst towns per 1,000 residents


class ChartError(Exception):
    """The charts could not be drawn (no Chromium on this machine, or it failed); the message says what to do."""


def figures(b: Brief) -> list[tuple[str, go.Figure]]:
    """The briefing's charts for a gathered view (brief.gather), each with its caption."""
    out = []
    judged = [s for s in b["targets"] if s["status"]]
    if judged:
        out.append(("各项目标完成情况（实际为应达的百分比）", charts.completion(judged)))
    for kind, what, measure in (("cohort", "人群", "participants"), ("project", "重点工程", "activities")):
        frame = pd.DataFrame(b["by_cohort" if kind == "cohort" else "by_project"])
        frame = frame[(frame[kind] != UNSPECIFIED) & (frame[measure] > 0)]
        if len(frame):
            out.append((f"各{what}{MEASURES[measure]}（不含未注明{what}的记录）", charts.bar(frame, kind, measure)))
    months = pd.DataFrame(b["by_month"], columns=["month", "activities", "participants", "funding"])
    if len(months):
        out.append(("月度参与人次", charts.bar(months, "month", "participants")))
    towns = b["towns"][b["towns"].participants_per_1000.notna()]
    if len(towns):
        ranked = towns.sort_values("participants_per_1000", ascending=False)
        if len(ranked) > 2 * TOWN_ENDS:
            ranked = pd.concat([ranked.head(TOWN_ENDS), ranked.tail(TOWN_ENDS)])
        figure = charts.bar(ranked, "town", "participants_per_1000", label="每千人参与人次")
        out.append(("各镇街每千人参与人次", figure))
    return out


def render(figs: list[go.Figure]) -> list[bytes]:
    """PNG images of `figs`, drawn in one headless Chromium."""
    if not figs:
        return []
    try:
        return asyncio.run(_render(figs))
    except Exception as exc:  # kaleido raises its own and choreographer's errors; all mean the same to a user
        raise ChartError(
            "无法生成图表图片：需要本机安装 Chromium 浏览器和中文字体"
            f"（Debian/Ubuntu：apt-get install chromium fonts-noto-cjk）。详情：{exc}"
        ) from exc


async def _render(figs: list[go.Figure]) -> list[bytes]:
    import kaleido  # imported here: it is only needed when a briefing is made

    async with kaleido.Kaleido(n=1, mathjax=False) as k:
        out = []
        for fig in figs:
            height = max(HEIGHT, int(fig.layout.height or HEIGHT))
            fig = go.Figure(fig).update_layout(height=height, font_size=FONT_SIZE)  # read on paper, not a screen
            out.append(await k.calc_fig(fig, opts={"format": "png", "width": WIDTH, "height": height, "scale": SCALE}))
        return out
