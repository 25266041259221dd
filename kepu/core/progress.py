"""Progress, defined once: expected-by-now, status and projection for a target. Pure functions of numbers.

- annual targets: the expected value grows with the share of each year elapsed;
- plan-period targets: with the share of the plan elapsed (one nth of the target for each year of an n-year plan);
- level targets: the straight path from the baseline year's observed value to the target value in its year.
Status compares actual with expected; the projection carries the current pace to the target date, and from it
either the date the target is reached (`reached`) or how far short it falls at the target date (`shortfall`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

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
    reached: dt.date | None = None  # when the target is (or was) reached at the current pace
    shortfall: float | None = None  # target − projected, when the projection falls short

    @property
    def ratio(self) -> float | None:
        if self.actual is None or not self.expected:
            return None
        return self.actual / self.expected


def additive(
    values: Mapping[int, float], actual: Mapping[int, float], years: tuple[int, ...], as_of: dt.date
) -> Progress:
    """A target that adds up over the years (counts, sums): `values` is the target for each year."""
    target = sum(values.get(y, 0.0) for y in years)
    expected = sum(values.get(y, 0.0) * year_elapsed(y, as_of) for y in years)
    got = float(sum(actual.get(y, 0) for y in years))
    projected = got * target / expected if expected else None
    result = _progress(target, got, expected, projected, years[-1])
    if projected is None or not got or projected < target - 1e-9:  # projected is None when nothing is expected
        return _short(result)

    # At the current pace the actual is got/expected times the expected path; find the day that path reaches target.
    def path(day: dt.date) -> float:
        return sum(values.get(y, 0.0) * year_elapsed(y, day) for y in years)

    need = target * expected / got
    return replace(result, reached=_first_day(path, need, dt.date(years[0], 1, 1), result.target_date))


def rate(values: Mapping[int, float], actual: Mapping[int, float], years: tuple[int, ...], as_of: dt.date) -> Progress:
    """A yearly rate (e.g. 元 per resident): judged on the latest year of the period that has a value."""
    seen = [y for y in years if y in actual and y <= as_of.year]
    if not seen:
        return Progress(values.get(years[-1]), None, None, None, dt.date(years[-1], 12, 31), None, "尚无数据")
    year = seen[-1]
    note = "" if year == years[-1] else f"最新为{year}年数据"
    got = float(actual[year])
    result = _progress(values.get(year), got, values.get(year), got, year, note)
    met = result.target is not None and got >= result.target - 1e-9
    return replace(result, reached=result.target_date) if met else _short(result)


def level(
    target: float,
    target_year: int,
    baseline_year: int,
    observed: Mapping[int, float],
    years: tuple[int, ...],
    as_of: dt.date,
) -> Progress:
    """A level to reach by `target_year`, on the straight path from the value observed in `baseline_year`."""
    seen = sorted(y for y in observed if y <= min(years[-1], as_of.year))
    if not seen:
        return Progress(target, None, None, None, dt.date(target_year, 12, 31), None, "尚无观测数据")
    year = seen[-1]
    actual = float(observed[year])
    if baseline_year not in observed:
        return Progress(
            target, actual, None, None, dt.date(target_year, 12, 31), None, f"缺少基线（{baseline_year}年）观测值"
        )
    base = float(observed[baseline_year])
    share = min(max((year - baseline_year) / (target_year - baseline_year), 0.0), 1.0)
    expected = base + (target - base) * share
    trend = [y for y in seen if y >= baseline_year]
    projected = observed[target_year] if target_year in observed else _line_at(trend, observed, target_year)
    note = f"{year}年观测值"
    result = _progress(target, actual, expected, projected, target_year, note)
    met = [y for y in trend if observed[y] >= target - 1e-9]
    if met:  # observed at the target already
        return replace(result, reached=dt.date(met[0], 12, 31))
    crossing = _year_crossing(trend, observed, target)
    if crossing is not None and crossing <= target_year:
        return replace(result, reached=dt.date(crossing, 12, 31))
    return _short(result)


def _line_at(years: list[int], observed: Mapping[int, float], at: int) -> float | None:
    """The least-squares line through the observations, read at year `at`."""
    if len(years) < 2:
        return None
    n = len(years)
    mx = sum(years) / n
    my = sum(observed[y] for y in years) / n
    slope = sum((y - mx) * (observed[y] - my) for y in years) / sum((y - mx) ** 2 for y in years)
    return my + slope * (at - mx)


def _year_crossing(years: list[int], observed: Mapping[int, float], target: float) -> int | None:
    """The first whole year at whose survey the rising least-squares line reaches `target` (None if it falls)."""
    at_last = _line_at(years, observed, years[-1])
    at_next = _line_at(years, observed, years[-1] + 1)
    if at_last is None or at_next is None:  # fewer than two years: no line
        return None
    slope = at_next - at_last
    if slope <= 0:
        return None
    return years[-1] + max(1, math.ceil((target - at_last) / slope - 1e-9))


def _first_day(path: Callable[[dt.date], float], need: float, first: dt.date, last: dt.date) -> dt.date | None:
    """The first day from `first` to `last` on which the rising `path(day)` reaches `need` (bisection)."""
    if path(last) < need - 1e-9:
        return None
    lo, hi = 0, (last - first).days
    while lo < hi:
        mid = (lo + hi) // 2
        if path(first + dt.timedelta(days=mid)) >= need - 1e-9:
            hi = mid
        else:
            lo = mid + 1
    return first + dt.timedelta(days=lo)


def _short(result: Progress) -> Progress:
    """`result` with its shortfall at the target date, when the projection falls short of the target."""
    if result.target is None or result.projected is None or result.projected >= result.target - 1e-9:
        return result
    return replace(result, shortfall=result.target - result.projected)


def _progress(
    target: float | None, actual: float, expected: float | None, projected: float | None, year: int, note: str = ""
) -> Progress:
    ratio = actual / expected if expected else None
    return Progress(target, actual, expected, projected, dt.date(year, 12, 31), status(ratio), note)


def coverage(active: int, leads: int) -> float | None:
    """责任落实率: the share of a task's lead bureaus that reported at least one activity on it."""
    return active / leads if leads else None
