"""Editing targets (目标管理): every change logged with who and when, and the dashboard refreshed.

A 纲要目标 is the plan document's own number and is never changed here: the district may set a 区定目标 beside it
(another row of `targets`, the same indicator, kind and year, basis 区定目标), judged apart from it, and take it
away again. A 示例目标 (a demonstration value the plan file supplies) is simply replaced, and is a 区定目标 from
then on."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from kepu.core.errors import UserError
from kepu.core.glossary import BASES, DISTRICT_SET
from kepu.core.numbers import MAX_BY_UNIT, parse_number
from kepu.storage import audit, db, store

PLAN_SET = BASES[0]  # 纲要目标
Edit = tuple[str, int | None, object]  # indicator, year (None for a target over the whole plan), value as typed


def editable_targets(con: db.Connection, plan_id: str) -> pd.DataFrame:
    """The plan's targets as 目标管理 shows them, one row per indicator and year. Columns: indicator, name, unit,
    kind, year, value, basis (纲要目标, 示例目标, or 区定目标 once a 示例目标 has been edited), district (the
    区定目标 set beside a 纲要目标; missing when there is none), updated_by, updated_at (the latest change)."""
    return db.query(
        con,
        """
        SELECT t.indicator, i.name, i.unit, t.kind, t.year, t.value, t.basis, d.value AS district,
               coalesce(d.updated_by, t.updated_by) AS updated_by, coalesce(d.updated_at, t.updated_at) AS updated_at
        FROM targets t JOIN indicators i ON i.plan_id = t.plan_id AND i.code = t.indicator
        LEFT JOIN targets d ON t.basis = $plan_set AND d.basis = $district AND d.plan_id = t.plan_id
                           AND d.indicator = t.indicator AND d.year IS NOT DISTINCT FROM t.year
        WHERE t.plan_id = $plan AND NOT (t.basis = $district AND EXISTS (
            SELECT 1 FROM targets p WHERE p.plan_id = t.plan_id AND p.indicator = t.indicator
                                      AND p.year IS NOT DISTINCT FROM t.year AND p.basis = $plan_set))
        ORDER BY i.sort, t.year""",
        {"plan": plan_id, "plan_set": PLAN_SET, "district": DISTRICT_SET},
    )


def split(targets: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """editable_targets in two, each indexed from 0: the 纲要目标 (read-only, each with its 区定目标 if any), and
    the rest (示例目标 and 区定目标, edited in place)."""
    document = targets.basis == PLAN_SET
    return targets[document].reset_index(drop=True), targets[~document].reset_index(drop=True)


def changes(targets: pd.DataFrame, edited: pd.Series[float]) -> list[Edit]:
    """The edits a 目标值 column holds against `targets` (editable_targets): (indicator, year, new value) for each
    changed row, the value as typed."""
    changed = edited.ne(targets["value"]) & edited.notna()
    return [
        (targets.indicator[i], None if pd.isna(targets.year[i]) else int(targets.year[i]), edited[i])
        for i in changed[changed].index
    ]


def district_changes(targets: pd.DataFrame, edited: pd.Series[str]) -> list[Edit]:
    """The edits a 区定目标 column (text, as_text) holds against the 纲要目标 rows of editable_targets: (indicator,
    year, text as typed) for each row whose 区定目标 was set or changed, and (indicator, year, None) for each one
    emptied (taken away)."""
    out: list[Edit] = []
    for i in targets.index:
        old, new = as_text(targets.district[i]), str(edited[i] or "").strip()
        if new == old:
            continue
        year = None if pd.isna(targets.year[i]) else int(targets.year[i])
        out.append((targets.indicator[i], year, new or None))
    return out


def as_text(value: float | None) -> str:
    """A target value as the editor shows it for typing over: 120, 0.5, 1200000; empty for none."""
    if value is None or math.isnan(value):
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


def save(con: db.Connection, plan_id: str, edits: list[Edit], user_name: str) -> list[tuple[bool, str]]:
    """Apply each edit (update_target; clear_district_target for a value of None); returns, for each, whether it
    was saved and a sentence saying what happened. A refused edit is logged, and does not stop the others."""
    out = []
    for indicator, year, value in edits:
        try:
            if value is None:
                out.append((True, clear_district_target(con, plan_id, indicator, year, user_name)))
            else:
                out.append((True, update_target(con, plan_id, indicator, year, value, user_name)))
        except UserError as exc:
            audit.record(
                con,
                user_name,
                "target.refused",
                plan=plan_id,
                indicator=indicator,
                year=year,
                value=str(value),
                reason=str(exc),
            )
            out.append((False, f"{_label(con, plan_id, indicator, year)}未保存：{exc}"))
    return out


def _label(con: db.Connection, plan_id: str, indicator: str, year: int | None) -> str:
    """An indicator's target as a sentence names it: “科技辅导员培训”（2021年）."""
    name = db.scalar(con, "SELECT name FROM indicators WHERE plan_id = ? AND code = ?", [plan_id, indicator])
    return f"“{name or indicator}”" + (f"（{year}年）" if year else "")


@dataclass(frozen=True)
class _Row:
    """One row of `targets` for an indicator and year, with the indicator's unit."""

    value: float
    basis: str
    kind: str
    baseline_year: int | None
    unit: str


def _rows(con: db.Connection, plan_id: str, indicator: str, year: int | None) -> dict[str, _Row]:
    """The rows of `targets` for one indicator and year, by basis (a 纲要目标 may have a 区定目标 beside it)."""
    found = db.rows(
        con,
        """SELECT t.value, t.basis, t.kind, t.baseline_year, i.unit FROM targets t JOIN indicators i
                           ON i.plan_id = t.plan_id AND i.code = t.indicator
                           WHERE t.plan_id = $plan AND t.indicator = $ind AND t.year IS NOT DISTINCT FROM $year""",
        {"plan": plan_id, "ind": indicator, "year": year},
    )
    if not found:
        raise UserError(f"没有找到指标 {indicator} {year or ''} 的目标")
    return {basis: _Row(float(value), basis, kind, baseline, unit) for value, basis, kind, baseline, unit in found}


def update_target(
    con: db.Connection, plan_id: str, indicator: str, year: int | None, value: object, user_name: str
) -> str:
    """Set one target value (a number, or text a person typed: kepu.numbers decides, within the unit's range).
    A 纲要目标 stays as it is: the value becomes (or changes) the 区定目标 beside it, and the 纲要目标's own value
    takes that away again. A 示例目标 the district sets itself becomes a 区定目标. Returns a sentence saying what
    changed."""
    rows = _rows(con, plan_id, indicator, year)
    if PLAN_SET in rows:
        return _set_beside(con, plan_id, indicator, year, value, user_name, rows)
    old = next(iter(rows.values()))
    value = parse_number(value, "目标值", high=MAX_BY_UNIT.get(old.unit, 1e9))
    if old.value == float(value):
        return "目标值未改变"
    new_basis = DISTRICT_SET if old.basis == "示例目标" else old.basis
    with db.transaction(con):
        db.execute(
            con,
            """UPDATE targets SET value = $value, basis = $basis, updated_by = $user, updated_at = $now
                           WHERE plan_id = $plan AND indicator = $ind AND year IS NOT DISTINCT FROM $year""",
            {
                "value": float(value),
                "basis": new_basis,
                "user": user_name,
                "now": dt.datetime.now(),
                "plan": plan_id,
                "ind": indicator,
                "year": year,
            },
        )
        audit.record(
            con,
            user_name,
            "target.update",
            plan=plan_id,
            indicator=indicator,
            year=year,
            old=old.value,
            new=float(value),
            basis=new_basis,
        )
        store.bump_data_version(con, "targets")
    return f"已将{_label(con, plan_id, indicator, year)}的目标由 {old.value:g} 改为 {value:g}"


def _set_beside(
    con: db.Connection,
    plan_id: str,
    indicator: str,
    year: int | None,
    value: object,
    user_name: str,
    rows: dict[str, _Row],
) -> str:
    """Set the 区定目标 beside a 纲要目标 (which stays as it is); its own value takes the 区定目标 away."""
    plan_row, district = rows[PLAN_SET], rows.get(DISTRICT_SET)
    number = parse_number(value, DISTRICT_SET, high=MAX_BY_UNIT.get(plan_row.unit, 1e9))
    label = _label(con, plan_id, indicator, year)
    if number == plan_row.value:
        if district is None:
            return f"{label}的纲要目标就是 {number:g}，不需要另设区定目标"
        return clear_district_target(con, plan_id, indicator, year, user_name)
    if district is not None and district.value == number:
        return "目标值未改变"
    key = {"plan": plan_id, "ind": indicator, "year": year, "district": DISTRICT_SET}
    stamp = {"value": number, "user": user_name, "now": dt.datetime.now()}
    with db.transaction(con):
        if district is None:
            db.execute(
                con,
                """INSERT INTO targets (plan_id, indicator, kind, year, value, baseline_year, basis, updated_by,
                                       updated_at)
                   VALUES ($plan, $ind, $kind, $year, $value, $baseline, $district, $user, $now)""",
                {**key, **stamp, "kind": plan_row.kind, "baseline": plan_row.baseline_year},
            )
        else:
            db.execute(
                con,
                """UPDATE targets SET value = $value, updated_by = $user, updated_at = $now
                   WHERE plan_id = $plan AND indicator = $ind AND year IS NOT DISTINCT FROM $year
                         AND basis = $district""",
                {**key, **stamp},
            )
        audit.record(
            con,
            user_name,
            "target.update",
            plan=plan_id,
            indicator=indicator,
            year=year,
            old=None if district is None else district.value,
            new=number,
            basis=DISTRICT_SET,
            beside=f"{PLAN_SET} {plan_row.value:g}（未改变）",
        )
        store.bump_data_version(con, "targets")
    kept = f"纲要目标 {plan_row.value:g} 不变"
    if district is None:
        return f"已为{label}设定区定目标 {number:g}（{kept}，两者分别评定）"
    return f"已将{label}的区定目标由 {district.value:g} 改为 {number:g}（{kept}）"


def clear_district_target(con: db.Connection, plan_id: str, indicator: str, year: int | None, user_name: str) -> str:
    """Take away the 区定目标 set beside a 纲要目标, so the indicator is judged on the 纲要目标 alone. Returns a
    sentence saying what happened; a UserError for a target that is no 纲要目标."""
    rows = _rows(con, plan_id, indicator, year)
    label = _label(con, plan_id, indicator, year)
    if PLAN_SET not in rows:
        raise UserError(f"{label}不是纲要目标，没有可取消的区定目标；要改示例目标或区定目标，请直接填写新的目标值")
    plan_value, district = rows[PLAN_SET].value, rows.get(DISTRICT_SET)
    if district is None:
        return f"{label}没有区定目标，仍按纲要目标 {plan_value:g} 评定"
    with db.transaction(con):
        db.execute(
            con,
            """DELETE FROM targets WHERE plan_id = $plan AND indicator = $ind AND year IS NOT DISTINCT FROM $year
                                        AND basis = $district""",
            {"plan": plan_id, "ind": indicator, "year": year, "district": DISTRICT_SET},
        )
        audit.record(
            con,
            user_name,
            "target.clear",
            plan=plan_id,
            indicator=indicator,
            year=year,
            old=district.value,
            basis=DISTRICT_SET,
            beside=f"{PLAN_SET} {plan_value:g}（未改变）",
        )
        store.bump_data_version(con, "targets")
    return f"已取消{label}的区定目标 {district.value:g}，只按纲要目标 {plan_value:g} 评定"
