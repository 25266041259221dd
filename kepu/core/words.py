"""The sentences the dashboard, the briefing, the workbook and the meeting screen share: filters in words, how a
target is judged, and where it is heading. Written once so the four never disagree."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from kepu.core import fmt
from kepu.core.filters import Filters
from kepu.core.glossary import DIMENSIONS
from kepu.core.plan import District
from kepu.core.standing import StandingJSON

METHODS = {
    "additive": "年度目标：应达值 = 各年目标 × 该年已过的比例；按当前进度预计 = 实际 ÷ 应达 × 目标。"
    "达成日期：按同一进度（实际 ÷ 应达）沿应达路径推算，到达目标的那一天。",
    "plan": "规划期目标：应达值 = 目标 × 规划期已过的比例（每年各占一份）；按当前进度预计 = 实际 ÷ 应达 × 目标。"
    "达成日期：按同一进度沿应达路径推算，到达目标的那一天。",
    "rate": "年度比率：取期间内有数据的最新一年，与该年目标比较；预计值即该年数值，不外推。",
    "level": "水平目标：应达值取基线年观测值到目标值的直线路径；预计值为历年观测值的线性趋势（最小二乘）外推，"
    "达到年份为趋势线首次达到目标的调查年份。",
}
THRESHOLDS = "达标：实际 ≥ 应达；关注：≥ 应达的 90%；滞后：低于 90%。"


def filters(f: Filters) -> str:
    """The filters in words, for captions: 2024年 · 沙土镇 · 全部责任单位 (· 人群：青少年, for a drill-down)."""
    towns = "、".join(f.town) if f.town else "全部镇街"
    bureaus = "、".join(f.bureau) if f.bureau else "全部责任单位"
    narrowed = [
        f"{DIMENSIONS[d]}：{'、'.join(v)}" for d, v in f.dimension_values().items() if d not in ("town", "bureau")
    ]
    return " · ".join([f"{f.period.label()}", towns, bureaus, *narrowed])


ANOMALY = "数据异常"


def actual(s: StandingJSON) -> str:
    """A standing's actual value with its unit, or 数据异常 when its stored values are not numbers."""
    return ANOMALY if s.get("anomaly") else fmt.value(s["actual"], s["unit"])


def status(s: StandingJSON) -> str:
    """A standing's verdict in words: 达标, 关注, 滞后, 不评定, or 数据异常."""
    return ANOMALY if s.get("anomaly") else s["status"] or "不评定"


def method(s: StandingJSON) -> str:
    """How a standing (targets.Standing.to_json()) is judged and projected: the tooltip text."""
    return f"{METHODS[s['rule']]} {THRESHOLDS}"


def projection(s: StandingJSON) -> str:
    """Where a standing is heading: the date its target is reached at the current pace, or the shortfall at the
    target date. Empty when the view is not judged against the target."""
    unit, target_date = s["unit"], dt.date.fromisoformat(s["target_date"])
    if s["reached"]:
        reached = dt.date.fromisoformat(s["reached"])
        met = s["actual"] is not None and s["target"] is not None and s["actual"] >= s["target"]
        if s["rule"] in ("rate", "level"):
            return f"{reached.year}年已达到目标" if met else f"按趋势预计{reached.year}年达到目标"
        when = f"{reached.year}年{reached.month}月"
        return f"已达到目标（按平均进度约于{when}达到）" if met else f"按当前进度，预计{when}达到目标"
    if s["shortfall"] is not None:
        if s["rule"] == "rate":
            return f"{target_date.year}年为{fmt.value(s['actual'], unit)}，差{_gap(s['shortfall'], unit)}"
        return (
            f"按当前进度，到{target_date.year}年底预计{fmt.value(s['projected'], unit)}，差{_gap(s['shortfall'], unit)}"
        )
    return ""


class DataFacts(TypedDict):
    """What data_note reads of a gathered view (kepu.figures.brief.Brief holds these keys among its others)."""

    district: District
    demo: bool
    estimated_population: bool
    latest_activity: str | None  # ISO date of the latest activity record


def data_note(b: DataFacts) -> str:
    """What the reader should know about the data: demo or real, estimated populations, how fresh."""
    parts = []
    district = b["district"]
    if b["demo"]:
        parts.append(f"本数据为演示数据（随机生成，仅供试用），不代表{district.place}的真实情况")
    if b["estimated_population"]:
        parts.append(f"镇街人口为估算值（按{population(district)}分配）")
    latest = b["latest_activity"]
    parts.append(f"最新一条活动记录的日期为 {latest}" if latest else "尚无活动记录")
    parts.append("活动面向多个人群时在每个人群下都计入，各人群之和可大于合计")
    return "；".join(parts) + "。"


def population(d: District) -> str:
    """Where the district's population comes from, in words: 第七次全国人口普查（2020）常住人口 1,098,707 人."""
    return f"{d.population_source or '全区人口'} {d.population:,} 人"


def _gap(x: float, unit: str) -> str:
    return f"{x:.1f}个百分点" if unit == "%" else fmt.value(x, unit)
