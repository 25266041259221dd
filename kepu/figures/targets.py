"""Every target of a plan, evaluated for a view: the indicator's actual values, then progress.py's rules."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TypeVar

import pandas as pd

from kepu.core import progress
from kepu.core.filters import Filters
from kepu.core.plan import DISTRICT
from kepu.core.progress import Progress
from kepu.core.standing import StandingJSON
from kepu.storage import catalog, db, queries

T = TypeVar("T")

NOT_JUDGED = "目标为全区口径，按镇街或责任单位筛选时只列实际值，不评定"
ANOMALY = "数据异常"


@dataclass(frozen=True)
class Standing:
    """One indicator with its target, over the view's period."""

    indicator: str
    name: str
    unit: str
    basis: str  # 纲要目标 or 示例目标
    kind: str  # annual, plan or level
    rule: str  # which progress rule judged it: additive, plan, rate or level
    group: str | None  # the cohort or project the indicator belongs to, if any
    task: str | None  # the task the indicator counts, if any
    progress: Progress
    trend: tuple[tuple[int, float], ...]  # the actual value of each year of the plan so far
    note: str
    pace: str = ""  # how expected-by-now was spread within the year, in words (while a period runs)
    anomaly: bool = False  # a stored value is not a number (it cannot get in through kepu, but a figure must not
    #                        fall over, or be judged, should one ever be there): shown as 数据异常, not judged

    def to_json(self) -> StandingJSON:
        p = self.progress
        num = _number
        return {
            "indicator": self.indicator,
            "name": self.name,
            "unit": self.unit,
            "basis": self.basis,
            "kind": self.kind,
            "rule": self.rule,
            "group": self.group,
            "task": self.task,
            "target": num(p.target),
            "actual": num(p.actual),
            "expected": num(p.expected),
            "status": p.status,
            "state": p.status,
            "finished": p.finished,
            "share": num(p.share),
            "years": [
                {"year": y.year, "actual": num(y.actual), "target": num(y.target), "met": y.met} for y in p.years
            ],
            "projected": num(p.projected),
            "reached": p.reached.isoformat() if p.reached else None,
            "shortfall": num(p.shortfall),
            "target_date": p.target_date.isoformat(),
            "note": self.note,
            "anomaly": self.anomaly,
            "pace": self.pace,
            "trend": [[y, num(v)] for y, v in self.trend],
        }


@dataclass(frozen=True)
class IndicatorRow:
    """An indicator as catalog.indicators lists it, with the store's missing values as None."""

    code: str
    name: str
    unit: str
    basis: str  # activities, observation or per_capita
    measure: str | None
    observation: str | None
    task: str | None
    activity_type: str | None
    cohort: str | None
    project: str | None


def _indicators(frame: pd.DataFrame) -> list[IndicatorRow]:
    """The rows of catalog.indicators, typed."""
    optional = ("measure", "observation", "task", "activity_type", "cohort", "project")
    return [
        IndicatorRow(r["code"], r["name"], r["unit"], r["basis"], *(_none(r[k]) for k in optional))
        for r in frame.to_dict("records")
    ]


# code → year → the twelve months' values: every activity indicator of a view, over a whole plan
Months = dict[str, dict[int, list[float]]]


def evaluate(
    con: db.Connection,
    f: Filters,
    as_of: dt.date,
    group: str | None = None,
    years_of_plan: Months | None = None,
) -> list[Standing]:
    """The standing of every target of the plan covering f.period (only `group`'s, when given); none for a period
    outside every plan (a year after the plan has figures, not targets).

    `years_of_plan` is activity_years(con, f over the whole plan), when the caller already has it."""
    plan = catalog.covering_plan(con, f.period)
    if plan is None:
        return []
    indicators = catalog.indicators(con, plan.id)
    by_indicator: dict[str, list[catalog.TargetRow]] = {}
    for row in catalog.target_rows(con, plan.id):  # plain tuples: a frame per slice cost more than the judging
        by_indicator.setdefault(row.indicator, []).append(row)
    task_groups = catalog.tasks(con, plan.id).set_index("code").group_name
    months = years_of_plan or _activity_months(con, indicators, f.with_period(plan.period))
    out = []
    for ind in _indicators(indicators):
        rows = by_indicator.get(ind.code, [])
        owner = ind.cohort or ind.project
        if not rows or (group is not None and group not in (owner, task_groups.get(ind.task))):
            continue
        if ind.basis == "activities":
            monthly = months.get(ind.code, {})
            by_year = {y: float(sum(m)) for y, m in monthly.items()}
        else:
            monthly, by_year = {}, actual_by_year(con, ind, f, as_of)
        plan_rows = [r for r in rows if r.basis == PLAN_SET]
        district_rows = [r for r in rows if r.basis == DISTRICT_SET]
        if not plan_rows or not district_rows:
            out.append(_standing(ind, rows, plan, f, as_of, by_year, monthly, owner))
            continue
        # A 纲要目标 is the plan's and stays as it is; the values the district set are judged beside it, over the
        # plan's values year by year (a year it did not set keeps the plan's).
        kept = [r for r, same in zip(plan_rows, _same_year(plan_rows, district_rows), strict=True) if not same]
        overridden = [r._replace(basis=DISTRICT_SET) for r in sorted([*kept, *district_rows], key=_year_order)]
        out.append(_standing(ind, plan_rows, plan, f, as_of, by_year, monthly, owner))
        out.append(_standing(ind, overridden, plan, f, as_of, by_year, monthly, owner))
    return out


PLAN_SET, DISTRICT_SET = "纲要目标", "区定目标"


def _same_year(rows: list[catalog.TargetRow], other: list[catalog.TargetRow]) -> list[bool]:
    """Which of `rows` have a year (or, for a target without years, any row) also in `other`."""
    if all(r.year is None for r in rows):
        return [True] * len(rows)
    years = {r.year for r in other}
    return [r.year in years for r in rows]


def _year(year: int | None) -> int:
    """A year a target of its kind must have (the plan loader and 目标管理 refuse one without)."""
    if year is None:
        raise ValueError("a level or annual target without its year")
    return int(year)


def _year_order(row: catalog.TargetRow) -> tuple[bool, int]:
    """Rows by year, those without a year last (in the order given: the sort is stable)."""
    return (row.year is None, row.year or 0)


def _standing(
    ind: IndicatorRow,
    rows: list[catalog.TargetRow],
    plan: catalog.PlanInfo,
    f: Filters,
    as_of: dt.date,
    by_year: dict[int, float],
    monthly: dict[int, list[float]],
    owner: str | None,
) -> Standing:
    """One indicator judged against one set of its target rows (the plan's, or the district's over them)."""
    first = rows[0]
    task = ind.task
    if problem := _anomaly(ind.name, by_year, [r.value for r in rows]):
        return _not_a_number(ind, first, plan, owner, task, problem)
    years = f.period.years
    finished = as_of >= dt.date(f.period.last, 12, 31)
    notes = []
    rule = _rule(first.kind, ind.basis)
    pace = progress.profile(_whole_years(monthly, plan), as_of.year)
    elapsed = pace or progress.year_elapsed
    timeline: tuple[progress.Year, ...] = ()
    current = None
    if first.kind == "level":
        result = progress.level(first.value, _year(first.year), _year(first.baseline_year), by_year, years, as_of)
    elif first.kind == "plan":
        per_year = first.value / len(plan.period.years)
        result = progress.additive(dict.fromkeys(plan.period.years, per_year), by_year, years, as_of, elapsed)
        if f.period != plan.period:
            notes.append("规划期目标按年平均分解")
    else:
        values = {_year(r.year): float(r.value) for r in rows}
        if rule == "additive":
            result = progress.additive(values, by_year, years, as_of, elapsed)
            if as_of.year in years and len(years) > 1:
                current = progress.additive(values, by_year, (as_of.year,), as_of, elapsed)
        else:
            result = progress.rate(values, by_year, years, as_of)
        if len(years) > 1:
            timeline = progress.year_by_year(values, by_year, years, as_of, counts=rule == "additive")
    notes += [result.note] if result.note else []
    scope_note = _scope_note(ind.basis, f)
    if scope_note:
        notes.append(scope_note)
        if ind.basis == "activities":
            result = replace(result, projected=None, status=None, reached=None, shortfall=None, share=None)
            timeline = tuple(replace(y, met=None) for y in timeline)
    if result.status is not None or timeline:
        result = progress.settle(result, timeline if result.status is not None else (), finished, current)
    spread = ""
    if rule in ("additive", "plan") and not finished and result.status is not None:
        spread = _pace_note(pace is not None, _whole_years(monthly, plan), as_of)
    trend = tuple(
        (y, by_year.get(y, 0.0))
        for y in plan.period.years
        if y <= as_of.year and (ind.basis == "activities" or y in by_year)
    )
    in_period = [r for r in rows if r.year is None or r.year in years] if first.kind == "annual" else rows
    basis = "/".join(dict.fromkeys(r.basis for r in in_period)) or first.basis  # a year edited on 目标管理 says so
    return Standing(
        ind.code,
        ind.name,
        ind.unit,
        basis,
        first.kind,
        rule,
        owner,
        task,
        result,
        trend,
        "；".join(n for n in notes if n),
        pace=spread,
    )


def _whole_years(monthly: dict[int, list[float]], plan: catalog.PlanInfo) -> dict[int, list[float]]:
    """The years whose months can shape a profile: those after the year the plan was issued (before it, work was
    not yet reported under the plan's tasks, so a year's months are a part of its work, not its shape)."""
    issued = re.match(r"\d{4}", plan.issued or "")
    first = int(issued[0]) + 1 if issued else plan.start_year
    return {y: m for y, m in monthly.items() if y >= first}


def _pace_note(profiled: bool, monthly: dict[int, list[float]], as_of: dt.date) -> str:
    """How expected-by-now was spread within the year, in words."""
    if not profiled:
        return "年内应达按天数均匀计算（往年数据不足两年）"
    earlier = sorted(y for y, m in monthly.items() if y < as_of.year and sum(m) > 0)
    return f"年内应达按{earlier[0]}—{earlier[-1]}年各月分布计算"


def activity_years(con: db.Connection, f: Filters) -> Months:
    """Every activity-based indicator's value for each month of f's period, which should be a whole plan: the
    trend behind the targets. It does not change with the year a view shows, so pages cache it apart."""
    plan = catalog.plan_for(con, f.period)
    return _activity_months(con, catalog.indicators(con, plan.id), f)


def _activity_months(con: db.Connection, indicators: pd.DataFrame, f: Filters) -> Months:
    """Every activity-based indicator's value for each month of the view `f`, read in one pass."""
    wanted: list[queries.IndicatorCount] = [
        {
            "code": i.code,
            "measure": i.measure,
            "task": i.task,
            "activity_type": i.activity_type,
            "cohort": i.cohort,
            "project": i.project,
        }
        for i in _indicators(indicators)
        if i.basis == "activities" and i.measure is not None  # an activity indicator names what it counts
    ]
    frame = queries.indicator_months(con, f, wanted)
    out: Months = {w["code"]: {} for w in wanted}
    for record in frame.to_dict("records"):
        year, month = int(record["year"]), int(record["month"])
        for w in wanted:
            out[w["code"]].setdefault(year, [0.0] * 12)[month - 1] = float(record[w["code"]])
    return out


def actual_by_year(con: db.Connection, ind: IndicatorRow, f: Filters, as_of: dt.date) -> dict[int, float]:
    """An observation-based indicator's value for each year (a survey rate, or 科普经费 per resident in `f`'s
    towns), as known on `as_of` (catalog.observations)."""
    if ind.observation is None:  # no series: no observations
        return {}
    if ind.basis == "observation":
        frame = catalog.observations(con, ind.observation, (DISTRICT,), as_of)
        return {int(y): float(v) for y, v in zip(frame.year, frame.value, strict=True)}
    frame = catalog.observations(con, ind.observation, f.town, as_of)  # per_capita
    return {int(y): v / p for y, v, p in zip(frame.year, frame.value, frame.population, strict=True) if p}


def _scope_note(basis: str, f: Filters) -> str:
    narrowed = f.dimension_values()
    if not narrowed:
        return ""
    if basis == "activities":
        return NOT_JUDGED
    if basis == "observation":
        return "全区抽样调查口径，不随筛选变化"
    if set(narrowed) - {"town"}:
        return "科普经费按镇街统计，只随镇街筛选变化"
    return "按所选镇街的经费和估算人口计算"


def _anomaly(name: str, by_year: dict[int, float], target_values: Iterable[float]) -> str:
    """What in an indicator's stored values is not a finite number, in words ("" when all are)."""
    bad_years = sorted(y for y, v in by_year.items() if not math.isfinite(v))
    if bad_years:
        return (
            f"{ANOMALY}：{'、'.join(map(str, bad_years))}年“{name}”的数值不是有效数字，未计算、未评定；"
            "请管理员在数据填报页撤销该批次后重新导入"
        )
    if not all(math.isfinite(float(v)) for v in target_values):
        return f"{ANOMALY}：“{name}”的目标值不是有效数字，未评定；请在目标管理页改正"
    return ""


def _not_a_number(
    ind: IndicatorRow,
    first: catalog.TargetRow,
    plan: catalog.PlanInfo,
    owner: str | None,
    task: str | None,
    problem: str,
) -> Standing:
    """The standing of an indicator whose stored values are not numbers: no figure, no verdict, the reason."""
    target = float(first.value) if math.isfinite(float(first.value)) else None
    end = dt.date(_year(first.year) if first.kind == "level" else plan.end_year, 12, 31)
    result = Progress(target, None, None, None, end, None, problem)
    rule = _rule(first.kind, ind.basis)
    return Standing(
        ind.code, ind.name, ind.unit, first.basis, first.kind, rule, owner, task, result, (), problem, anomaly=True
    )


def _rule(kind: str, basis: str) -> str:
    """Which progress rule judges a target: its kind for level and plan targets; for annual ones, additive when
    counted from activities, else a yearly rate."""
    if kind in ("level", "plan"):
        return kind
    return "additive" if basis == "activities" else "rate"


def _number(value: float | None) -> float | None:
    """A figure for JSON: rounded, and None for what is not a finite number (JSON has no infinity)."""
    return None if value is None or not math.isfinite(float(value)) else round(float(value), 4)


def _none(value: T) -> T | None:
    """A value from the store, with pandas' missing markers read as None."""
    return None if value is None or value != value else value


def report(
    con: db.Connection,
    f: Filters,
    as_of: dt.date,
    group: str | None = None,
    years_of_plan: Months | None = None,
) -> list[StandingJSON]:
    """`evaluate` as JSON-ready dicts (what the pages show and `kepu summary` prints)."""
    return [s.to_json() for s in evaluate(con, f, as_of, group, years_of_plan)]
