"""Progress, defined once: expected-by-now, status and projection for a target. Pure functions of numbers.

- annual targets: the expected value grows with the share of each year elapsed;
- plan-period targets: with the share of the plan elapsed (one nth of the target for each year of an n-year plan);
- level targets: the straight path from the baseline year's observed value to the target value in its year.
Status compares actual with expected; the projection carries the current pace to the target date, and from it
either the date the target is reached (`reached`) or how far short it falls at the target date (`shortfall`).

Within a year, expected-by-now follows the monthly profile of earlier years when at least two exist (`profile`):
activity peaks in May (科技活动周) and September (全国科普日), so a straight line would call everyone 滞后 in April
and 达标 in October. A level target is judged on the gain achieved since its baseline, not on the ratio of levels.

A finished period (`settle`) is judged once and in the past tense: 完成 or 未完成 against what was due by its end,
an annual target year by year (a yearly floor missed in one year is not made up by another); no projection.
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
DONE, NOT_DONE = "完成", "未完成"  # the verdicts of a finished period
Elapsed = Callable[[int, dt.date], float]  # the share of a year's target due by the end of a day


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


def profile(monthly: Mapping[int, list[float]], before: int, least: int = 2) -> Elapsed | None:
    """An `Elapsed` that follows how earlier years' totals fell month by month: the share of a year due by a day is
    the earlier years' share of the months before it, plus the day's part of its own month. `monthly`: year → the
    twelve months' values; only whole years before `before` with a total count. None when fewer than `least`."""
    earlier = [months for y, months in monthly.items() if y < before and sum(months) > 0]
    if len(earlier) < least:
        return None
    total = sum(sum(months) for months in earlier)
    shares = [sum(months[m] for months in earlier) / total for m in range(12)]

    def elapsed(year: int, as_of: dt.date) -> float:
        if as_of < dt.date(year, 1, 1):
            return 0.0
        if as_of.year > year:
            return 1.0
        month_start = as_of.replace(day=1)
        next_month = dt.date(year + as_of.month // 12, as_of.month % 12 + 1, 1)
        within = ((as_of - month_start).days + 1) / (next_month - month_start).days
        return min(1.0, sum(shares[: as_of.month - 1]) + shares[as_of.month - 1] * within)

    return elapsed


@dataclass(frozen=True)
class Year:
    """One year of an annual target: its figure, its target, and whether it was met (None while the year runs, or
    when a rate has no figure for it)."""

    year: int
    actual: float | None
    target: float | None
    met: bool | None


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
    shortfall: float | None = None  # target − projected (open period) or expected − actual (finished), when short
    share: float | None = None  # what the status judges: actual ÷ expected, or for a level the gain achieved ÷ due
    finished: bool = False  # the period is over: status is 完成 or 未完成
    years: tuple[Year, ...] = ()  # an annual target over several years, year by year

    @property
    def ratio(self) -> float | None:
        return self.share


def additive(
    values: Mapping[int, float],
    actual: Mapping[int, float],
    years: tuple[int, ...],
    as_of: dt.date,
    elapsed: Elapsed = year_elapsed,
) -> Progress:
    """A target that adds up over the years (counts, sums): `values` is the target for each year; `elapsed` how
    much of a year's target is due by a day (linear, or a `profile`)."""
    target = sum(values.get(y, 0.0) for y in years)
    expected = sum(values.get(y, 0.0) * elapsed(y, as_of) for y in years)
    got = float(sum(actual.get(y, 0) for y in years))
    projected = got * target / expected if expected else None
    result = _progress(target, got, expected, projected, years[-1])
    if projected is None or not got or projected < target - 1e-9:  # projected is None when nothing is expected
        return _short(result)

    # At the current pace the actual is got/expected times the expected path; find the day that path reaches target.
    def path(day: dt.date) -> float:
        return sum(values.get(y, 0.0) * elapsed(y, day) for y in years)

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
    if target_year <= years[-1] and as_of >= dt.date(years[-1], 12, 31):
        share = 1.0  # the period ran to the target year and is over: what was due is the target itself
    expected = base + (target - base) * share
    trend = [y for y in seen if y >= baseline_year]
    projected = observed[target_year] if target_year in observed else _line_at(trend, observed, target_year)
    note = f"{year}年调查值；{baseline_year}年基线{base:g}"
    result = _progress(target, actual, expected, projected, target_year, note)
    if expected > base:  # judged on the gain: of the rise due by the survey year, how much was achieved
        gain = (actual - base) / (expected - base)
        result = replace(result, share=gain, status=status(gain))
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
    return Progress(target, actual, expected, projected, dt.date(year, 12, 31), status(ratio), note, share=ratio)


def year_by_year(
    values: Mapping[int, float], actual: Mapping[int, float], years: tuple[int, ...], as_of: dt.date, counts: bool
) -> tuple[Year, ...]:
    """Each year of `years` begun by `as_of`: its figure (a count is 0 when nothing was reported; a rate has none),
    its target, and whether it was met once over."""
    out = []
    for y in years:
        if as_of < dt.date(y, 1, 1):
            break
        got = actual.get(y, 0.0 if counts else None)
        target = values.get(y)
        over = as_of >= dt.date(y, 12, 31)
        met = None if not over or got is None or target is None else got >= target - 1e-9
        out.append(Year(y, None if got is None else float(got), target, met))
    return tuple(out)


def settle(result: Progress, years: tuple[Year, ...], finished: bool, current: Progress | None = None) -> Progress:
    """The verdict by the kind of period. Finished: 完成 or 未完成 against what was due by its end (every year's
    target, for an annual one), no projection, the gap as shortfall. Open: a year already missed is 滞后 whatever
    the total; otherwise the running year's standing (`current`) when there is one, else the period's."""
    result = replace(result, years=years)
    if result.status is None and not years:
        return result
    if finished:
        due = result.target if result.expected is None else result.expected
        if years:
            done = all(y.met for y in years)
        else:
            done = result.actual is not None and due is not None and result.actual >= due - 1e-9
        gap = None if done or due is None or result.actual is None else due - result.actual
        return replace(
            result, status=DONE if done else NOT_DONE, finished=True, projected=None, reached=None, shortfall=gap
        )
    if any(y.met is False for y in years):
        return replace(result, status=BEHIND)
    if current is not None and current.status is not None:
        return replace(result, status=current.status, share=current.share)
    return result


def coverage(active: int, leads: int) -> float | None:
    """责任落实率: the share of a task's lead bureaus that reported at least one activity on it."""
    return active / leads if leads else None
