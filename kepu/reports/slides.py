"""The meeting-room screen: slides as HTML, sized to be read from five metres on a 1920×1080 screen (key figures
about 80 px tall, no text under 30 px) and scaled by the screen's width (vw) on other screens. Every text from the
store is escaped. Built from brief.gather."""

from __future__ import annotations

from html import escape

import pandas as pd

from kepu.core import fmt, words
from kepu.core.standing import StandingJSON, share_of_expected
from kepu.figures import brief
from kepu.figures.brief import Brief
from kepu.reports import town_map

SLIDES = {
    "overview": "总览",
    "cohorts": "五大人群",
    "projects": "四项重点工程",
    "towns": "镇街分布",
    "laggards": "谁落后了",
}
STATUS_CLASS = {"达标": "ok", "关注": "watch", "滞后": "behind", "完成": "ok", "未完成": "behind", None: "none"}


def render(slide: str, b: Brief, grid: pd.DataFrame | None = None) -> str:
    """One slide of a gathered view; the towns' slide places them by `grid` (catalog.town_grid)."""
    body = {
        "overview": _overview,
        "cohorts": lambda b: _groups(b, "cohort"),
        "projects": lambda b: _groups(b, "project"),
        "towns": lambda b: _towns(b, grid),
        "laggards": _laggards,
    }[slide](b)
    return f'<div class="kp-slide"><div class="kp-heading">{escape(SLIDES[slide])}</div>{body}</div>'


def _overview(b: Brief) -> str:
    figures = [
        ("规划期已过", fmt.percent(b["plan_elapsed"])),
        ("活动场次", fmt.count(b["activities"])),
        ("参与人次", fmt.count(b["participants"])),
        ("经费", fmt.money(b["funding"])),
    ]
    top = "".join(
        f'<div class="kp-figure"><div class="kp-label">{escape(label)}</div>'
        f'<div class="kp-big">{escape(value)}</div></div>'
        for label, value in figures
    )
    shown = brief.document_targets(b["targets"]) or [[s] for s in b["targets"][:4]]
    cards = "".join(_card(first["name"], words.actual(first), first, also=rest) for first, *rest in shown)
    return f'<div class="kp-row kp-figures">{top}</div><div class="kp-row">{cards}</div>'


def _groups(b: Brief, kind: str) -> str:
    cards = []
    for g, totals, standings in brief.group_standings(b, kind):
        s, rest = (standings[0], standings[1:]) if standings else (None, [])
        shown = words.actual(s) if s else fmt.people(totals["participants"])
        extra = "" if s and s["unit"] == "场次" else f"{fmt.count(totals['activities'])}场次"
        cards.append(_card(g["name"], shown, s, extra, rest))
    return f'<div class="kp-row{" kp-five" if len(cards) > 4 else ""}">{"".join(cards)}</div>'


def _card(
    name: str, value: str, s: StandingJSON | None, extra: str = "", also: list[StandingJSON] | None = None
) -> str:
    """A card: the figure, the verdict, the target with what it rests on (纲要目标, 示例目标, 区定目标) and the outlook;
    `also`: the same indicator judged on another target (a 区定目标 beside a 纲要目标), a line each."""
    status = s["status"] if s else None
    lines = []
    if s:
        lines.append(_target(s))
        lines.append(words.projection(s) or s["note"])
        lines += [f"{_target(t)}：{words.status(t)}" for t in also or []]
    else:
        lines.append("未设定数量目标")
    if extra:
        lines.append(extra)
    detail = "".join(f'<div class="kp-detail">{escape(line)}</div>' for line in lines if line)
    return (
        f'<div class="kp-card kp-{STATUS_CLASS[status]}"><div class="kp-name">{escape(name)}</div>'
        f'<div class="kp-value">{_value(value, s["unit"] if s else "人次")}</div>'
        f'<div class="kp-status kp-{STATUS_CLASS[status]}">{escape(words.status(s) if s else "不评定")}</div>'
        f"{detail}</div>"
    )


def _target(s: StandingJSON) -> str:
    """示例目标 2,000场次: the target with its kind, never a bare 目标."""
    return f"{words.basis(s)} {fmt.value(s['target'], s['unit'])}"


def _value(text: str, unit: str) -> str:
    """A figure with its unit set smaller, so 57.2万人次 fits a fifth of the screen."""
    if unit != "%" and text.endswith(unit):
        return f'{escape(text[: -len(unit)])}<span class="kp-unit">{escape(unit)}</span>'
    return escape(text)


def _laggards(b: Brief) -> str:
    towns = [(r["town"], f"{r['participants_per_1000']:,.0f}人次/千人") for r in b["lagging_towns"].to_dict("records")]
    bureaus = [(r["bureau"], f"落实率 {fmt.percent(r['coverage'])}") for r in b["lagging_bureaus"].to_dict("records")]
    tasks = [(r["code"], f"落实率 {fmt.percent(r['coverage'])}") for r in b["lagging_tasks"].to_dict("records")]
    behind = [
        (words.labelled(s), f"为应达的 {done:.0%}")
        for s in b["targets"]
        if s["status"] == "滞后" and (done := share_of_expected(s)) is not None
    ]
    missed = [(words.labelled(s), words.projection(s)) for s in b["targets"] if s["status"] == "未完成"]
    columns = [("镇街 · 每千人参与最少", towns), ("责任单位 · 落实率最低", bureaus), ("任务 · 落实率最低", tasks)]
    if behind:
        columns.insert(0, ("滞后的目标", behind))
    if missed:  # a finished period: what was not achieved, in the past tense
        columns.insert(0, ("未完成的目标", missed))
    html = []
    for heading, rows in columns:
        items = (
            "".join(
                f'<li><span class="kp-who">{escape(who)}</span><span class="kp-num">{escape(num)}</span></li>'
                for who, num in rows[:5]
            )
            or '<li><span class="kp-who">无</span></li>'
        )
        html.append(f'<div class="kp-list"><div class="kp-name">{escape(heading)}</div><ol>{items}</ol></div>')
    return f'<div class="kp-row">{"".join(html)}</div>'


def _towns(b: Brief, grid: pd.DataFrame | None) -> str:
    """The schematic tile map: each town's short name, participants per 1,000 residents and status, coloured by
    its status (town_map.STATES), with the legend and the rule beside it."""
    if grid is None or grid.empty:
        return '<div class="kp-detail">规划未给出各镇街在示意图上的位置。</div>'
    t = town_map.tiles(b["towns"], grid, town_map.STATUS)
    cells = []
    for town, short, row, col, value, status in zip(
        t.town, t.short, t.grid_row, t.grid_col, t.value, t.status, strict=True
    ):
        fill, ink, _ = town_map.STATES[status]
        figure = "—" if value is None or value != value else f"{float(value):,.0f}"
        cells.append(
            f'<div class="kp-tile" title="{escape(town)}" style="grid-row:{int(row) + 1};grid-column:{int(col) + 1};'
            f'background:{fill};color:{ink}"><div class="kp-tile-name">{escape(short)}</div>'
            f'<div class="kp-tile-num">{escape(figure)}</div><div class="kp-tile-word">{escape(status)}</div></div>'
        )
    keys = "".join(
        f'<div class="kp-key"><div class="kp-swatch" style="background:{town_map.STATES[state][0]}"></div>'
        f'<div><div class="kp-key-word">{escape(state)} · {count}个</div>'
        f'<div class="kp-detail">{escape(rule)}</div></div></div>'
        for state, rule, count in town_map.legend(t)
    )
    rate = town_map.district_rate(b["towns"])
    columns = int(t.grid_col.max()) + 1
    average = "" if rate is None else f"全区平均：每千人 {rate:,.0f} 人次"
    return (
        f'<div class="kp-map-row"><div class="kp-map" style="grid-template-columns:repeat({columns},1fr)">'
        f'{"".join(cells)}</div><div class="kp-legend">'
        f'<div class="kp-name">方块内：简称、每千人参与人次</div><div class="kp-key-word">{escape(average)}</div>'
        f'{keys}<div class="kp-detail">示意图：位置只大致对应地理方位，不代表面积和边界。</div></div></div>'
    )


def style(dark: bool) -> str:
    """The slides' CSS, light or dark; it also hides Streamlit's header so the slide has the whole screen."""
    bg, fg, card, muted, line = (
        ("#0e1117", "#f5f5f5", "#1b2130", "#c9d1dc", "#33405a")
        if dark
        else ("#ffffff", "#1a1a1a", "#f4f6fa", "#4a5568", "#d5dbe5")
    )
    return f"""<style>
header[data-testid="stHeader"] {{ display: none; }}
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {{ background: {bg}; color: {fg}; }}
[data-testid="stMainBlockContainer"] {{ padding: 1rem 2.5rem 1rem 2.5rem; max-width: 100%; }}
.stApp p, .stApp label, .stApp span, .stApp a {{ color: {fg}; }}
.kp-slide {{ color: {fg}; font-family: 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif; }}
.kp-heading {{ font-size: 2.92vw; font-weight: 700; margin: 0 0 24px 0; }}
.kp-row {{ display: flex; gap: 1.4vw; margin-bottom: 1.4vw; align-items: stretch; }}
.kp-row > div {{ flex: 1 1 0; min-width: 0; }}
.kp-figure {{ border-bottom: 3px solid {line}; padding-bottom: 12px; }}
.kp-label {{ font-size: 1.77vw; color: {muted}; }}
.kp-big {{ font-size: 4.38vw; font-weight: 700; line-height: 1.1; }}
.kp-card, .kp-list {{ background: {card}; border-radius: 16px; padding: 1.25vw 1.4vw; border-top: 12px solid {muted}; }}
.kp-five .kp-value {{ font-size: 3.5vw; }}
.kp-card.kp-ok {{ border-top-color: #2e7d32; }} .kp-card.kp-watch {{ border-top-color: #ef6c00; }}
.kp-card.kp-behind {{ border-top-color: #c62828; }}
.kp-name {{ font-size: 1.98vw; font-weight: 700; line-height: 1.25; margin-bottom: 8px; }}
.kp-value {{ font-size: 3.96vw; font-weight: 700; line-height: 1.15; white-space: nowrap; }}
.kp-unit {{ font-size: 1.98vw; font-weight: 700; margin-left: 4px; }}
.kp-status {{ display: inline-block; font-size: 1.98vw; font-weight: 700; color: #fff; border-radius: 10px;
  padding: 2px 20px; margin: 10px 0 14px 0; background: #757575; }}
.kp-status.kp-ok {{ background: #2e7d32; }} .kp-status.kp-watch {{ background: #e65100; }}
.kp-status.kp-behind {{ background: #c62828; }}
.kp-detail {{ font-size: 1.56vw; line-height: 1.35; color: {muted}; margin-top: 6px; }}
.kp-list ol {{ margin: 8px 0 0 0; padding-left: 1.4em; font-size: 1.77vw; line-height: 1.6; }}
.kp-list li {{ color: {fg}; }}
.kp-who {{ font-weight: 700; margin-right: 16px; color: {fg}; }} .kp-num {{ color: {muted}; }}
.kp-bar {{ font-size: 1.56vw; color: {muted}; }}
.stApp button {{ background: {card}; color: {fg}; border-color: {line}; }}
.stApp button p, .stApp label p {{ font-size: 18px; }}
.kp-exit {{ display: block; text-align: center; font-size: 18px; padding: 6px 12px; border: 1px solid {line};
  border-radius: 8px; background: {card}; color: {fg} !important; text-decoration: none; }}
.kp-map-row {{ display: flex; gap: 2vw; align-items: flex-start; }}
.kp-map {{ flex: 0 0 60vw; display: grid; grid-auto-rows: 7.4vw;
  gap: 0.5vw; }}
.kp-tile {{ border-radius: 10px; padding: 0.3vw 0.4vw; display: flex; flex-direction: column;
  justify-content: center; align-items: center; text-align: center; line-height: 1.1; overflow: hidden; }}
.stApp .kp-tile div {{ color: inherit; }}
.kp-tile-name {{ font-size: 1.98vw; font-weight: 700; white-space: nowrap; }}
.kp-tile-num {{ font-size: 1.77vw; font-weight: 700; }}
.kp-tile-word {{ font-size: 1.56vw; }}
.kp-legend {{ flex: 1 1 0; min-width: 0; }}
.kp-key {{ display: flex; gap: 0.8vw; align-items: center; margin: 0.6vw 0; }}
.kp-swatch {{ flex: 0 0 2.6vw; height: 2.6vw; border-radius: 6px; border: 2px solid {line}; }}
.kp-key-word {{ font-size: 1.77vw; font-weight: 700; line-height: 1.25; }}
.kp-key .kp-detail {{ margin-top: 0; }}
.kp-dots {{ font-size: 1.56vw; letter-spacing: 10px; color: {muted}; }}
</style>"""
