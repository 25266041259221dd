"""A target's standing as JSON: the record kepu.figures.targets builds (Standing.to_json) and the words, the pages,
the exports, the slides and `kepu summary` read. Here, in the bottom layer, so kepu.core.words can name it."""

from __future__ import annotations

from typing import TypedDict


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
    status: str | None  # 达标, 关注, 滞后, or None when not judged
    projected: float | None
    reached: str | None  # the date the target is reached at the current pace
    shortfall: float | None
    target_date: str
    note: str
    anomaly: bool
    trend: list[list[int | float | None]]  # [year, value] for each year of the plan so far


def share_of_expected(s: StandingJSON) -> float | None:
    """Actual ÷ expected-by-now (what a status judges), or None when there is no actual or nothing is expected yet.
    A standing with a status always has one."""
    actual, expected = s["actual"], s["expected"]
    if actual is None or not expected:
        return None
    return actual / expected
