"""Progress, defined once: expected-by-now, status and projection for a target. Pure functions of numbers.

- annual targets: the expected value grows with the share of each year elapsed;
- plan-period targets: with the share of the plan elapsed (one nth of the target for each year of an n-year plan);
- level targets: the straight path from the baseline year's observed value to the target value in its year.
Status compares actual with expected; the projection carries the current pace to the target date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

# Status thresholds, as actual ÷ expected: at or above the first is 达标, at or above the second 关注, else 滞后.
THRESHOLDS = {
    "target": (1.0, 0.9),
    "coverage": (1.0, 0.75),  # 责任落实率: the share of lead bureaus that reported on a task
}
ON_TRACK, WATCH, BEHIND = "达标", "关注", "滞后"


def status(ratio: float | None, rule: str = "target") -> str | None:
    """达标, 关注 or 滞后 for a ratio of actual to expected (None when there is nothing to compare)."""
    if ratio is None:
        return None
    on_track, watch = THRESHOLDS[rule]
    return ON_TRACK if ratio >= on_track - 1e-9 else WATCH if ratio >= watch else BEHIND


def year_elapsed(year: int, as_of: dt.date) -> float:
    """The share of `year` that has passed by the end of `as_of` (0 before it starts, 1 once it is over)."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    if as_of < start:
        return 0.0
    if as_of >= end:
        return 1.0
    return ((as_of - start).days + 1) / (end - start).days


def span_elapsed(first: int, last: int, as_of: dt.date) -> float:
    """The share of the years first..last that has passed, each year weighing the same."""
    years = range(first, last + 1)
    return sum(year_elapsed(y, as_of) for y in years) / len(years)


@dataclass(frozen=True)
class Progress:
    """One target's standing over a period."""

    target: float | None
    actual: float | None
    expected: float | None
    projected: float | None  # at the target date, at the current pace
    target_date: dt.date
    status: str | None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.actual is None or not self.expected:
            return None
        return self.actual / self.expected


def additive(values: Mapping[int, float], actual: Mapping[int, float], years: tuple[int, ...],
             as_of: dt.date) -> Progress:
    """A target that adds up over the years (counts, sums): `values` is the target for each year."""
    target = sum(values.get(y, 0.0) for y in years)
    expected = sum(values.get(y, 0.0) * year_elapsed(y, as_of) for y in years)
    got = float(sum(actual.get(y, 0) for y in years))
    projected = got * target / expected if expected else None
    return _progress(target, got, expected, projected, years[-1])


def rate(values: Mapping[int, float], actual: Mapping[int, float], years: tuple[int, ...],
         as_of: dt.date) -> Progress:
    """A yearly rate (e.g. 元 per resident): judged on the latest year of the period that has a value."""
    seen = [y for y in years if y in actual and y <= as_of.year]
    if not seen:
        return Progress(values.get(years[-1]), None, None, None, dt.date(years[-1], 12, 31), None, "尚无数据")
    year = seen[-1]
    note = "" if year == years[-1] else f"最新为{year}年数据"
    return _progress(values.get(year), float(actual[year]), values.get(year), float(actual[year]), year, note)


def level(target: float, target_year: int, baseline_year: int, observed: Mapping[int, float],
          years: tuple[int, ...], as_of: dt.date) -> Progress:
    """A level to reach by `target_year`, on the straight path from the value observed in `baseline_year`."""
    seen = sorted(y for y in observed if y <= min(years[-1], as_of.year))
    if not seen:
        return Progress(target, None, None, None, dt.date(target_year, 12, 31), None, "尚无观测数据")
    year = seen[-1]
    actual = float(observed[year])
    if baseline_year not in observed:
        return Progress(target, actual, None, None, dt.date(target_year, 12, 31), None,
                        f"缺少基线（{baseline_year}年）观测值")
    base = float(observed[baseline_year])
    share = min(max((year - baseline_year) / (target_year - baseline_year), 0.0), 1.0)
    expected = base + (target - base) * share
    trend = [y for y in seen if y >= baseline_year]
    projected = observed[target_year] if target_year in observed else _line_at(trend, observed, target_year)
    note = f"{year}年观测值"
    return _progress(target, actual, expected, projected, target_year, note)


def _line_at(years: list[int], observed: Mapping[int, float], at: int) -> float | None:
    """The least-squares line through the observations, read at year `at`."""
    if len(years) < 2:
        return None
    n = len(years)
    mx = sum(years) / n
    my = sum(observed[y] for y in years) / n
    slope = sum((y - mx) * (observed[y] - my) for y in years) / sum((y - mx) ** 2 for y in years)
    return my + slope * (at - mx)


def _progress(target, actual, expected, projected, year, note="") -> Progress:
    ratio = actual / expected if expected else None
    return Progress(target, actual, expected, projected, dt.date(year, 12, 31), status(ratio), note)


def coverage(active: int, leads: int) -> float | None:
    """责任落实率: the share of a task's lead bureaus that reported at least one activity on it."""
    return active / leads if leads else None
