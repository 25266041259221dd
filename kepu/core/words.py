"""The sentences the dashboard, the briefing, the workbook and the meeting screen share: filters in words, how a
target is judged, and where it is heading. Written once so the four never disagree."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from kepu.core import fmt
from kepu.core.filters import Filters, Period
from kepu.core.glossary import DIMENSIONS
from kepu.core.plan import District
from kepu.core.standing import StandingJSON

METHODS = {
    "additive": "年度目标：应达值 = 各年目标 × 该年已过的比例；按当前进度预计 = 实际 ÷ 应达 × 目标。"
    "达成日期：按同一进度（实际 ÷ 应达）沿应达路径推算，到达目标的那一天。",
    "plan": "规划期目标：应达值 = 目标 × 规划期已过的比例（每年各占一份）；按当前进度预计 = 实际 ÷ 应达 × 目标。"
    "达成日期：按同一进度沿应达路径推算，到达目标的那一天。",
    "rate": "年度比率：取期间内有数据的最新一年，与该年目标比较；预计值即该年数值，不外推。",
    "level": "水平目标：按自基线年以来的增幅评定——最新一次调查比基线提高的幅度 ÷ 到该调查年份应提高的幅度"
    "（基线到目标的直线路径）；调查不必每年都有。预计值为历次调查的线性趋势（最小二乘）外推，"
    "达到年份为趋势线首次达到目标的调查年份。",
}
THRESHOLDS = "达标：实际 ≥ 应达；关注：≥ 应达的 90%；滞后：低于 90%；已过的年份中有一年未达到年度目标即为滞后。"
FINISHED = (
    "期间已结束：按期末应达一次评定为完成或未完成，不再预计；年度目标逐年评定，每一年都达到才算完成"
    "（缺数据的年份不能算达到）。"
)


def filters(f: Filters) -> str:
    """The filters in words, for captions: 2024年 · 沙土镇 · 全部责任单位 (· 人群：青少年, for a drill-down)."""
    towns = "、".join(f.town) if f.town else "全部镇街"
    bureaus = "、".join(f.bureau) if f.bureau else "全部责任单位"
    narrowed = [
        f"{DIMENSIONS[d]}：{'、'.join(v)}" for d, v in f.dimension_values().items() if d not in ("town", "bureau")
    ]
    as_of = [f"截至{f.as_of.year}年{f.as_of.month}月{f.as_of.day}日"] if f.as_of else []
    return " · ".join([f"{f.period.label()}", towns, bureaus, *narrowed, *as_of])


ANOMALY = "数据异常"


def actual(s: StandingJSON) -> str:
    """A standing's actual value with its unit, or 数据异常 when its stored values are not numbers."""
    return ANOMALY if s.get("anomaly") else fmt.value(s["actual"], s["unit"])


def status(s: StandingJSON) -> str:
    """A standing's verdict in words: 达标, 关注, 滞后 (open period), 完成, 未完成 (finished), 不评定, or 数据异常."""
    return ANOMALY if s.get("anomaly") else s["status"] or "不评定"


def method(s: StandingJSON) -> str:
    """How a standing (targets.Standing.to_json()) is judged and projected: the tooltip text."""
    pace = f" 本项：{s['pace']}。" if s.get("pace") else ""
    return f"{METHODS[s['rule']]} {FINISHED if s['finished'] else THRESHOLDS}{pace}"


def years_met(s: StandingJSON) -> str:
    """An annual target over several years, year by year: 达标 4/5 年；2023年未达到（85/100人次）. Empty otherwise."""
    over = [y for y in s["years"] if y["met"] is not None or (s["finished"] and y["actual"] is None)]
    if not over:
        return ""
    unit = s["unit"]
    met = sum(bool(y["met"]) for y in over)
    missed = [
        f"{y['year']}年无数据" if y["actual"] is None else f"{y['year']}年未达到（{fmt.value(y['actual'], unit)}）"
        for y in over
        if not y["met"]
    ]
    head = f"{'' if s['finished'] else '已过年份'}达标 {met}/{len(over)} 年"
    return "；".join([head, *missed])


def projection(s: StandingJSON) -> str:
    """Where a standing is heading: the date its target is reached at the current pace, or the shortfall at the
    target date. Empty when the view is not judged against the target."""
    unit, target_date = s["unit"], dt.date.fromisoformat(s["target_date"])
    if s["status"] is None:
        return ""
    if s["finished"]:
        return _outcome(s)
    missed = years_met(s) if any(y["met"] is False for y in s["years"]) else ""
    # a yearly rate's shortfall is its latest year's, already named among the years missed
    ahead = "" if missed and s["rule"] == "rate" else _ahead(s, unit, target_date)
    return "；".join(p for p in (missed, ahead) if p)


def _outcome(s: StandingJSON) -> str:
    """A finished period's result in the past tense: what was achieved against what was due, and the gap."""
    unit = s["unit"]
    if s["years"]:
        return years_met(s)
    got = fmt.value(s["actual"], unit)
    if s["status"] == "完成":
        return f"已完成：实际{got}"
    gap = f"，差{_gap(s['shortfall'], unit)}" if s["shortfall"] is not None else ""
    gain = f"；实现所需增幅的{s['share']:.0%}" if s["rule"] == "level" and s["share"] is not None else ""
    return f"未完成：实际{got}{gap}{gain}"


def _ahead(s: StandingJSON, unit: str, target_date: dt.date) -> str:
    """Where an open period is heading: the date the target is reached at the current pace, or the shortfall."""
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


# What a target rests on: every place that shows a target or its verdict says which kind it is.
BASIS_MEANINGS = {
    "纲要目标": "规划原文的数字",
    "示例目标": "规划原文没有数字、规划文件给出的演示值，应换成真实目标",
    "区定目标": "区里在目标管理页自定的目标（与纲要目标并列时分别评定）",
}


def basis(s: StandingJSON) -> str:
    """What a standing's target rests on, in words: 纲要目标, 示例目标 or 区定目标; when its years rest on different
    ones, the plan file's with the rest said: 示例目标（部分年份为区定目标）."""
    parts = sorted((p for p in dict.fromkeys(s["basis"].split("/")) if p), key=_basis_rank)
    if not parts:
        return "目标"
    head, rest = parts[0], parts[1:]
    return head + (f"（部分年份为{'、'.join(rest)}）" if rest else "")


def labelled(s: StandingJSON) -> str:
    """A standing's name with what its target rests on: 科普基础设施建设与开放（示例目标）."""
    return f"{s['name']}（{basis(s)}）"


def named(standings: list[StandingJSON]) -> str:
    """Standings named in a summarising sentence, each with its kind of target:
    科普基础设施建设与开放（示例目标）、科技辅导员培训（区定目标）."""
    return "、".join(labelled(s) for s in standings)


def tally(standings: list[StandingJSON]) -> str:
    """How many of the standings rest on each kind of target: 纲要目标4项、示例目标9项 (empty for none)."""
    counts: dict[str, int] = {}
    for label in sorted((basis(s) for s in standings), key=_basis_rank):
        counts[label] = counts.get(label, 0) + 1
    return "、".join(f"{label}{n}项" for label, n in counts.items())


def bases_note(standings: list[StandingJSON]) -> str:
    """What each kind of target among the standings means, for a data note: 纲要目标为规划原文的数字；… (empty
    for none)."""
    present = {p for s in standings for p in s["basis"].split("/") if p in BASIS_MEANINGS}
    return "；".join(f"{p}为{meaning}" for p, meaning in BASIS_MEANINGS.items() if p in present) + (
        "。" if present else ""
    )


def _basis_rank(label: str) -> int:
    """纲要目标 first, then 示例目标, then 区定目标 (by the label's start), anything else last."""
    return next((i for i, b in enumerate(BASIS_MEANINGS) if label.startswith(b)), len(BASIS_MEANINGS))


def outside_plans(period: Period, structure: str) -> str:
    """What a view of a period outside every plan shows, and why it judges nothing."""
    return (
        f"{period.label()}不在任何已载入规划的年份之内：只显示活动数字，不评定目标（没有目标可评）。"
        f"人群和重点工程沿用《{structure}》的划分；载入新一期规划后，按其目标评定。"
    )


def lowest(what: str, measure: str, values: dict[str, float], n: int = 5, decimals: int = 1) -> str:
    """The answer to "who is behind" in one line: 每千人参与人次最低的 3 个镇街：甲镇（1.5）、乙镇（2.0）、丙镇（2.5）.
    Ties keep the order given; NaN values are left out."""
    known = sorted(((v, i, k) for i, (k, v) in enumerate(values.items()) if v == v), key=lambda t: (t[0], t[1]))
    shown = [f"{name}（{value:,.{decimals}f}）" for value, _, name in known[:n]]
    if not shown:
        return f"筛选范围内没有可比较的{what}。"
    return f"{measure}最低的 {len(shown)} 个{what}：" + "、".join(shown)
