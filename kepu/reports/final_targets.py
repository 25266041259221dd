"""A target's outcome in the words of the 终期评估: 完成 or 未完成 in the past tense, the target and the final figure,
the gap, year by year, and the summary paragraph's verdict. Read from the standings alone (kepu.core.standing), so
the Word report and the workbook say the same."""

from __future__ import annotations

from kepu.core import fmt, words
from kepu.core.standing import StandingJSON

DONE, NOT_DONE, NOT_JUDGED = "完成", "未完成", "未评定"

# A cell of the year-by-year table: a figure, a word (达到, 未达到…) or nothing.
Cell = float | str | None


def state(s: StandingJSON) -> str:
    """完成, 未完成, 未评定, or 数据异常."""
    return words.ANOMALY if s.get("anomaly") else s["state"] or NOT_JUDGED


def verdict(standings: list[StandingJSON]) -> str:
    """The summary paragraph's verdict: how many targets were 完成 of how many, by basis, and the 未完成 ones
    named with their kind (纲要目标, 示例目标…)."""
    if not standings:
        return "本规划没有设定数量目标。"
    states = [state(s) for s in standings]
    text = (
        f"规划设定的{len(standings)}项目标（{words.tally(standings)}）中，"
        f"完成{states.count(DONE)}项，未完成{states.count(NOT_DONE)}项"
    )
    if others := len(standings) - states.count(DONE) - states.count(NOT_DONE):
        text += f"，未评定{others}项（见“六、未能评估的事项”）"
    bases = dict.fromkeys(words.basis(s) for s in standings)
    if len(bases) > 1:
        text += "。其中" + "，".join(
            f"{label}完成{sum(st == DONE for s, st in zip(standings, states, strict=True) if words.basis(s) == label)}"
            f"/{sum(words.basis(s) == label for s in standings)}项"
            for label in bases
        )
    missed = [s for s, st in zip(standings, states, strict=True) if st == NOT_DONE]
    if missed:
        text += f"。未完成的是：{words.named(missed)}"
    elif states.count(DONE):
        text += "。评定的目标全部完成"
    return text + "。"


def target_text(s: StandingJSON, each: bool = True) -> str:
    """The target as the report states it: 500人次（每年100人次）(or, not `each`, 500人次), 每年1.000元, 2025年16.0%,
    规划期1,000人次."""
    unit, value = s["unit"], fmt.value(s["target"], s["unit"])
    per_year = {y["target"] for y in s["years"]}
    yearly = fmt.value(next(iter(per_year)), unit) if len(per_year) == 1 else ""
    if s["rule"] == "rate":
        return f"每年{yearly}" if yearly else value
    if s["rule"] == "level":
        return f"{s['target_date'][:4]}年{value}"
    if s["rule"] == "plan":
        return f"规划期{value}"
    return f"{value}（每年{yearly}）" if yearly and each else value


def actual_text(s: StandingJSON) -> str:
    """The final figure: the plan's total, or for a rate or a survey the latest year's, with its year."""
    figure = words.actual(s)
    if s["rule"] == "rate" and (known := [y["year"] for y in s["years"] if y["actual"] is not None]):
        return f"{known[-1]}年{figure}"
    if s["rule"] == "level" and s["trend"]:
        return f"{s['trend'][-1][0]}年{figure}"
    return figure


def gap(s: StandingJSON) -> float | None:
    """How far a 未完成 target fell short of its target, where one figure says it (None otherwise: met, not
    judged, or a rate missed in some years but not at the end)."""
    short = s["shortfall"]
    return short if state(s) == NOT_DONE and short is not None and short > 0 else None


def gap_text(s: StandingJSON) -> str:
    """差额 in words: 0.3个百分点, 59人次, or —."""
    short = gap(s)
    if short is None:
        return "—"
    return f"{short:.1f}个百分点" if s["unit"] == "%" else fmt.value(short, s["unit"])


def explanation(s: StandingJSON) -> str:
    """What the verdict rests on, in the past tense: 达标 3/5 年；2021年未达到（0人次）…, or why not judged."""
    if s["state"] is None:
        return s["note"] or "不评定"
    return words.projection(s) or s["note"] or "—"


def reason(s: StandingJSON) -> str:
    """The verdict's grounds in a few words, for a table whose year-by-year figures are beside it:
    为目标的88%；达标 3/5 年，2021、2023年未达到 — or 实现所需增幅的94%, or why it was not judged."""
    if s["state"] is None or s.get("anomaly"):
        return s["note"] or "不评定"
    parts = []
    if s["rule"] in ("additive", "plan") and s["share"] is not None:
        parts.append(f"为目标的{s['share']:.0%}")
    if s["rule"] == "level" and s["share"] is not None:
        parts.append(f"实现所需增幅的{s['share']:.0%}")
    over = [y for y in s["years"] if y["met"] is not None]
    if over:
        met = sum(bool(y["met"]) for y in over)
        missed = [y["year"] for y in over if not y["met"]]
        missed_text = "、".join(map(str, missed))
        parts.append(f"达标 {met}/{len(over)} 年" + (f"，{missed_text}年未达到" if missed else ""))
    return "；".join(parts) or "—"


def sentence(s: StandingJSON) -> str:
    """One target's outcome in a sentence: 科技辅导员培训（纲要目标）未完成：规划期合计441人次，目标500人次，差59人次；
    达标 3/5 年；2021年未达到（0人次）；2023年未达到（64人次）."""
    head = f"{words.labelled(s)}{state(s)}"
    if s["state"] is None:
        return f"{head}（{s['note']}）" if s["note"] else head
    if s["rule"] == "rate":
        return f"{head}：{words.years_met(s) or actual_text(s)}"
    total = "规划期合计" if s["rule"] == "additive" else "实际"
    text = f"{head}：{total}{actual_text(s)}，目标{target_text(s)}"
    if gap(s) is not None:
        text += f"，差{gap_text(s)}"
    if s["rule"] == "level" and s["share"] is not None:
        text += f"，实现所需增幅的{s['share']:.0%}"
    if met := words.years_met(s):
        text += f"；{met}"
    return text


def year_rows(s: StandingJSON, years: tuple[int, ...]) -> list[tuple[str, list[Cell], Cell]]:
    """A target year by year, as rows of (label, a cell per year, the plan's cell): 目标 and 实际 (figures), and
    for annual targets 评定 (达到, 未达到, 无数据). A survey's untaken years read 未调查."""
    if s["years"]:
        by_year = {y["year"]: y for y in s["years"]}
        at = [by_year.get(year) for year in years]
        whole = s["rule"] == "additive"  # a count adds up over the plan; a rate does not
        return [
            ("目标", [y["target"] if y else None for y in at], s["target"] if whole else None),
            ("实际", [y["actual"] if y else None for y in at], s["actual"] if whole else None),
            ("评定", [_met(y) for y in at], state(s)),
        ]
    trend = {y: v for y, v in s["trend"] if v is not None}  # [year, value]
    missing = "未调查" if s["rule"] == "level" else None
    due = int(s["target_date"][:4])
    return [
        ("目标", [s["target"] if s["rule"] == "level" and year == due else None for year in years], s["target"]),
        ("实际", [trend.get(year, missing) for year in years], s["actual"]),
        ("评定", [None] * len(years), state(s)),
    ]


def _met(y: object) -> str | None:
    if not isinstance(y, dict) or y["met"] is None:
        return None
    if y["actual"] is None:
        return "无数据"
    return "达到" if y["met"] else "未达到"


def figure(x: Cell, unit: str) -> str:
    """A figure in a table whose row names the unit: 294,225 (counts in full), 15.7 (%), 0.880 (元 per resident)."""
    if x is None:
        return "—"
    if isinstance(x, str):
        return x
    if fmt.value(x, unit) == fmt.ANOMALY:
        return fmt.ANOMALY
    if unit == "%":
        return f"{x:.1f}"
    if unit == "元":
        return f"{x:.3f}" if abs(x) < 10 else f"{x:,.2f}"
    return f"{x:,.0f}" if x == int(x) else f"{x:,.2f}"


def _years(years: list[int]) -> str:
    return "、".join(f"{y}年" for y in years)
