"""Every target of a plan, evaluated for a view: the indicator's actual values, then progress.py's rules."""

from __future__ import annotations

import datetime as dt
import math
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
            "projected": num(p.projected),
            "reached": p.reached.isoformat() if p.reached else None,
            "shortfall": num(p.shortfall),
            "target_date": p.target_date.isoformat(),
            "note": self.note,
            "anomaly": self.anomaly,
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


def evaluate(
    con: db.Connection,
    f: Filters,
    as_of: dt.date,
    group: str | None = None,
    years_of_plan: dict[str, dict[int, float]] | None = None,
) -> list[Standing]:
    """The standing of every target of the plan covering f.period (only `group`'s, when given).

    `years_of_plan` is activity_years(con, f over the whole plan), when the caller already has it."""
    plan = catalog.plan_for(con, f.period)
    indicators = catalog.indicators(con, plan.id)
    targets = catalog.targets(con, plan.id)
    task_groups = catalog.tasks(con, plan.id).set_index("code").group_name
    activity_years = years_of_plan or _activity_years(con, indicators, f.with_period(plan.period))
    out = []
    for ind in _indicators(indicators):
        rows = targets[targets.indicator == ind.code]
        owner = ind.cohort or ind.project
        task = ind.task
        if rows.empty or (group is not None and group not in (owner, task_groups.get(task))):
            continue
        by_year = activity_years[ind.code] if ind.basis == "activities" else actual_by_year(con, ind, f)
        first = rows.iloc[0]
        if problem := _anomaly(ind.name, by_year, rows.value):
            out.append(_not_a_number(ind, first, plan, owner, task, problem))
            continue
        years = f.period.years
        notes = []
        rule = _rule(first.kind, ind.basis)
        if first.kind == "level":
            result = progress.level(first.value, int(first.year), int(first.baseline_year), by_year, years, as_of)
        elif first.kind == "plan":
            per_year = first.value / len(plan.period.years)
            result = progress.additive(dict.fromkeys(plan.period.years, per_year), by_year, years, as_of)
            if f.period != plan.period:
                notes.append("规划期目标按年平均分解")
        else:
            values = {int(y): v for y, v in zip(rows.year, rows.value, strict=True)}
            result = (progress.additive if rule == "additive" else progress.rate)(values, by_year, years, as_of)
        notes += [result.note] if result.note else []
        scope_note = _scope_note(ind.basis, f)
        if scope_note:
            notes.append(scope_note)
            if ind.basis == "activities":
                result = replace(result, projected=None, status=None, reached=None, shortfall=None)
        trend = tuple(
            (y, by_year.get(y, 0.0))
            for y in plan.period.years
            if y <= as_of.year and (ind.basis == "activities" or y in by_year)
        )
        in_period = rows[rows.year.isna() | rows.year.isin(years)] if first.kind == "annual" else rows
        basis = "/".join(dict.fromkeys(in_period.basis)) or first.basis  # a year edited on 目标管理 says so
        out.append(
            Standing(
                ind.code, ind.name, ind.unit, basis, first.kind, rule, owner, task, result, trend, "；".join(notes)
            )
        )
    return out


def activity_years(con: db.Connection, f: Filters) -> dict[str, dict[int, float]]:
    """Every activity-based indicator's value for each year of f's period, which should be a whole plan: the
    yearly trend behind the targets. It does not change with the year a view shows, so pages cache it apart."""
    plan = catalog.plan_for(con, f.period)
    return _activity_years(con, catalog.indicators(con, plan.id), f)


def _activity_years(con: db.Connection, indicators: pd.DataFrame, f: Filters) -> dict[str, dict[int, float]]:
    """Every activity-based indicator's value for each year of the view `f`, read in one pass."""
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
    frame = queries.indicator_years(con, f, wanted)
    return {w["code"]: {int(y): float(v) for y, v in zip(frame.year, frame[w["code"]], strict=True)} for w in wanted}


def actual_by_year(con: db.Connection, ind: IndicatorRow, f: Filters) -> dict[int, float]:
    """An observation-based indicator's value for each year (a survey rate, or 科普经费 per resident in `f`'s
    towns)."""
    if ind.observation is None:  # no series: no observations
        return {}
    if ind.basis == "observation":
        frame = catalog.observations(con, ind.observation, (DISTRICT,))
        return {int(y): float(v) for y, v in zip(frame.year, frame.value, strict=True)}
    frame = catalog.observations(con, ind.observation, f.town)  # per_capita
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
    first: pd.Series,
    plan: catalog.PlanInfo,
    owner: str | None,
    task: str | None,
    problem: str,
) -> Standing:
    """The standing of an indicator whose stored values are not numbers: no figure, no verdict, the reason."""
    target = float(first.value) if math.isfinite(float(first.value)) else None
    end = dt.date(int(first.year) if first.kind == "level" else plan.end_year, 12, 31)
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
    years_of_plan: dict[str, dict[int, float]] | None = None,
) -> list[StandingJSON]:
    """`evaluate` as JSON-ready dicts (what the pages show and `kepu summary` prints)."""
    return [s.to_json() for s in evaluate(con, f, as_of, group, years_of_plan)]
