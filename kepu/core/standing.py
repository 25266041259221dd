"""A target's standing as JSON: the record kepu.figures.targets builds (Standing.to_json) and the words, the pages,
the exports, the slides and `kepu summary` read. Here, in the bottom layer, so kepu.core.words can name it."""

from __future__ import annotations

from typing import TypedDict


class YearJSON(TypedDict):
    """One year of an annual target: met is None while the year runs, or when a rate has no figure for it."""

    year: int
    actual: float | None
    target: float | None
    met: bool | None


class StandingJSON(TypedDict):
    """One indicator with its target over a view's period: figures rounded, dates as ISO text, JSON-ready."""

    indicator: str
    name: str
    unit: str
    basis: str  # 纲要目标, 示例目标 or 区定目标 (several joined by /)
    kind: str  # annual, plan or level
    rule: str  # which progress rule judged it: additive, plan, rate or level
    group: str | None  # the cohort or project the indicator belongs to, if any
    task: str | None  # the task the indicator counts, if any
    target: float | None
    actual: float | None
    expected: float | None
    status: str | None  # 达标, 关注, 滞后 (open period), 完成, 未完成 (finished), or None when not judged
    state: str | None  # the same verdict, under the name the 终期评估 and `kepu summary` use
    finished: bool  # the period is over: judged once, in the past tense, no projection
    share: float | None  # what the verdict judges: actual ÷ expected, or for a level target the gain ÷ the gain due
    years: list[YearJSON]  # an annual target over several years, year by year (empty otherwise)
    projected: float | None
    reached: str | None  # the date the target is reached at the current pace
    shortfall: float | None
    target_date: str
    note: str
    anomaly: bool
    pace: str  # how expected-by-now was spread within the year (往年各月分布 or 按天数), "" when not applicable
    trend: list[list[int | float | None]]  # [year, value] for each year of the plan so far


def share_of_expected(s: StandingJSON) -> float | None:
    """What a standing's verdict judges, as a share (1.0 = on the mark): actual ÷ expected-by-now, or for a level
    target the gain since the baseline ÷ the gain due. None when nothing is judged."""
    return s["share"]
