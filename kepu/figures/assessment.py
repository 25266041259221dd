"""The yearly 考核 of the towns and the bureaus: every unit's points on every item of the plan's scheme, its score,
its rank and its change on last year.

A score is the sum of its items: the automatic items (kepu.figures.assessment_rules) and the items scored by hand
(assessment_manual; not yet scored: 0), plus bonus items, minus deduction items (shown as negative points). Each
item is capped at its points; deductions are taken in the scheme's order and never take a score below 0, so the
score is always the plain sum of the items' points. Points are rounded to two decimals and the score is the sum of
the rounded points. Units with equal scores share a rank (1, 1, 3). Who is assessed: every town (not 全区), and the
bureaus that lead at least one of the plan's tasks."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

import pandas as pd

from kepu.core import assessment_scheme
from kepu.core.assessment_scheme import Item, Scheme, Side
from kepu.core.errors import UserError
from kepu.core.filters import Filters, Period
from kepu.figures.assessment_rules import RULES, Context, Scored, fmt_date
from kepu.storage import assessment_admin, assessment_data, catalog, db

LOW_SHARE = 0.6  # an item scoring under 60% of its points is a weak one (督办单, 通报)


class ItemResult(TypedDict):
    item: str  # the item's code
    name: str
    kind: str  # auto, manual, bonus or deduction
    points: float  # negative for a deduction
    max: float
    basis: str  # how the points came: the figures behind them, or the reason given by hand
    records: dict[str, object] | None  # the filters giving the records behind an automatic item (filters_of)
    rule: str | None  # the automatic rule (None: scored by hand)
    note: str  # the scheme's scoring standard for the item


class UnitResult(TypedDict):
    unit: str
    score: float
    rank: int
    previous: float | None  # last year's score (None when last year was not assessed)
    change: float | None
    items: list[ItemResult]


class Assessment(TypedDict):
    year: int
    as_of: str
    plan: str
    title: str
    scheme_label: str  # 示例 for a demonstration scheme
    note: str
    totals: dict[str, float]  # towns / bureaus → the side's total
    towns: list[UnitResult]
    bureaus: list[UnitResult]


def assess(con: db.Connection, year: int, as_of: dt.date) -> Assessment:
    """The year's 考核 as it stood on `as_of`: {year, scheme_label, towns, bureaus, …}, each side's units ranked."""
    if year > as_of.year:
        raise UserError(f"{year}年晚于统计日期 {as_of}：只能考核已经开始的年份")
    plan, scheme = _scheme(con, year)
    if plan is None or scheme is None:
        raise UserError(f"{year}年所在的规划没有考核方案：请在规划文件的 assessment 部分写明评分项后重建数据库")
    previous = _previous_scores(con, year - 1, as_of)
    sides = {key: _side(con, plan, scheme.side(key), year, as_of, previous) for key in ("towns", "bureaus")}
    return {
        "year": year,
        "as_of": as_of.isoformat(),
        "plan": plan,
        "title": scheme.title,
        "scheme_label": scheme.label,
        "note": scheme.note,
        "totals": {"towns": scheme.towns.total, "bureaus": scheme.bureaus.total},
        "towns": sides["towns"],
        "bureaus": sides["bureaus"],
    }


def filters_of(item: ItemResult) -> Filters | None:
    """The filters giving the activity records behind an item (None when none are: items scored by hand)."""
    r = item["records"]
    if r is None:
        return None
    as_of = r.get("as_of")
    dims = {k: tuple(v) for k, v in r.items() if k not in ("period", "as_of") and isinstance(v, list)}
    f = Filters(Period.parse(str(r["period"])), as_of=dt.date.fromisoformat(str(as_of)) if as_of else None)
    return f.narrowed(**dims)


def weak_items(unit: UnitResult) -> list[ItemResult]:
    """A unit's auto and manual items under LOW_SHARE of their points, and any deduction, weakest first."""
    weak = [
        i
        for i in unit["items"]
        if (i["kind"] in ("auto", "manual") and i["points"] < LOW_SHARE * i["max"])
        or (i["kind"] == "deduction" and i["points"] < 0)
    ]
    return sorted(weak, key=lambda i: (i["points"] / i["max"]) if i["kind"] != "deduction" else -1.0)


def units_of(result: Assessment, key: str) -> list[UnitResult]:
    """One side's units, ranked: key towns or bureaus."""
    return result["towns"] if key == "towns" else result["bureaus"]


def unit_result(result: Assessment, name: str) -> tuple[str, UnitResult]:
    """The side (towns or bureaus) and result of the unit called `name`; UserError when it was not assessed."""
    for key in ("towns", "bureaus"):
        for unit in units_of(result, key):
            if unit["unit"] == name:
                return key, unit
    raise UserError(f"{name}不在{result['year']}年的考核范围内（责任单位只考核在规划中牵头任务的单位）")


def _scheme(con: db.Connection, year: int) -> tuple[str | None, Scheme | None]:
    plan = catalog.plan_for(con, Period(year, year))
    raw = assessment_data.scheme(con, plan.id)
    return plan.id, assessment_scheme.parse(raw) if raw else None


def _previous_scores(con: db.Connection, year: int, as_of: dt.date) -> dict[tuple[str, str], float]:
    """Last year's scores by (side, unit), as they stood on `as_of`; empty when that year is before every plan or
    its plan has no scheme."""
    plans = catalog.plans(con)
    if not plans or year < plans[0].start_year:
        return {}
    plan, scheme = _scheme(con, year)
    if plan is None or scheme is None:
        return {}
    return {
        (key, u["unit"]): u["score"]
        for key in ("towns", "bureaus")
        for u in _side(con, plan, scheme.side(key), year, as_of, {})
    }


def _side(
    con: db.Connection,
    plan: str,
    side: Side,
    year: int,
    as_of: dt.date,
    previous: dict[tuple[str, str], float],
) -> list[UnitResult]:
    ctx = _context(con, plan, side, year, as_of)
    manual = assessment_admin.manual_points(con, year)
    manual = manual[manual.unit_kind == ctx.unit_kind]
    by_hand = {(r.unit, r.item): r for r in manual.itertuples()}
    computed = {i.code: RULES[i.rule](ctx, i) for i in side.items if i.rule}
    units: list[UnitResult] = []
    for u in ctx.units:
        scored = [computed[i.code][u] if i.rule else _by_hand(i, by_hand.get((u, i.code))) for i in side.items]
        items = _items(side, scored)
        score = round(sum(i["points"] for i in items), 2)
        before = previous.get((side.key, u))
        change = None if before is None else round(score - before, 2)
        units.append({"unit": u, "score": score, "rank": 0, "previous": before, "change": change, "items": items})
    return _ranked(units)


def _context(con: db.Connection, plan: str, side: Side, year: int, as_of: dt.date) -> Context:
    if side.key == "towns":
        towns = assessment_data.towns(con)
        return Context(con, plan, year, as_of, "town", list(towns), populations=towns)
    leads = assessment_data.lead_bureaus(con, plan)
    return Context(con, plan, year, as_of, "bureau", list(leads), lead_tasks=leads)


def _by_hand(item: Item, row: object | None) -> Scored:
    if row is None:
        return Scored(0.0, "尚未评分" if item.kind != "deduction" else "无扣分")
    scored_at = pd.Timestamp(row.scored_at).date()  # type: ignore[attr-defined]
    basis = f"{row.reason}（{row.scored_by}，{fmt_date(scored_at)}评定）"  # type: ignore[attr-defined]
    return Scored(float(row.points), basis)  # type: ignore[attr-defined]


def _items(side: Side, scored: list[Scored]) -> list[ItemResult]:
    """The unit's items with their points: each capped at its max, rounded; deductions negative, in the scheme's
    order, and never taking the running score below 0."""
    out: list[ItemResult] = []
    running = round(sum(round(min(s.points, i.max), 2) for i, s in zip(side.items, scored, strict=True)
                        if i.kind != "deduction"), 2)  # fmt: skip
    for item, s in zip(side.items, scored, strict=True):
        points = round(min(max(s.points, 0.0), item.max), 2)
        basis = s.basis
        if item.kind == "deduction":
            taken = min(points, running)
            if taken < points:
                basis += f"（应扣{points:g}分，扣至总分为0）"
            running = round(running - taken, 2)
            points = -taken if taken else 0.0
        records = None if s.records is None else _records(s.records)
        out.append(
            {
                "item": item.code,
                "name": item.name,
                "kind": item.kind,
                "points": points,
                "max": item.max,
                "basis": basis,
                "records": records,
                "rule": item.rule,
                "note": item.note,
            }
        )
    return out


def _records(f: Filters) -> dict[str, object]:
    out: dict[str, object] = {"period": str(f.period)}
    out |= {k: list(v) for k, v in f.dimension_values().items()}
    out["as_of"] = f.as_of.isoformat() if f.as_of else None
    return out


def _ranked(units: list[UnitResult]) -> list[UnitResult]:
    """Units by score, highest first (ties in the plan's order), each with its rank: equal scores share one."""
    order = sorted(range(len(units)), key=lambda n: -units[n]["score"])
    out: list[UnitResult] = []
    for place, n in enumerate(order):
        unit = units[n]
        same = place and units[order[place - 1]]["score"] == unit["score"]
        unit["rank"] = out[-1]["rank"] if same else place + 1
        out.append(unit)
    return out


assert set(RULES) == set(assessment_scheme.RULES)
