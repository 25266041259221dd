"""Editing targets (目标管理): every change logged with who and when, and the dashboard refreshed."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kepu import audit, db, store
from kepu.glossary import DISTRICT_SET


def editable_targets(con, plan_id: str) -> pd.DataFrame:
    """The plan's targets with their indicators. Columns: indicator, name, unit, kind, year, value, basis,
    updated_by, updated_at."""
    return db.query(con, """
        SELECT t.indicator, i.name, i.unit, t.kind, t.year, t.value, t.basis, t.updated_by, t.updated_at
        FROM targets t JOIN indicators i ON i.plan_id = t.plan_id AND i.code = t.indicator
        WHERE t.plan_id = ? ORDER BY i.sort, t.year""", [plan_id])


def update_target(con, plan_id: str, indicator: str, year: int | None, value: float, user_name: str) -> str:
    """Set one target value. A 示例目标 the district sets itself becomes a 区定目标; a 纲要目标 keeps its basis
    (the change is in the log). Returns a sentence saying what changed."""
    if value is None or value != value or value < 0:
        raise ValueError("目标值应为不小于 0 的数")
    rows = db.rows(con, """SELECT t.value, t.basis, t.kind, i.unit FROM targets t JOIN indicators i
                           ON i.plan_id = t.plan_id AND i.code = t.indicator
                           WHERE t.plan_id = $plan AND t.indicator = $ind AND t.year IS NOT DISTINCT FROM $year""",
                   {"plan": plan_id, "ind": indicator, "year": year})
    if not rows:
        raise ValueError(f"没有找到指标 {indicator} {year or ''} 的目标")
    old, basis, kind, unit = rows[0]
    if unit == "%" and value > 100:
        raise ValueError("比例目标应在 0 到 100 之间")
    if float(old) == float(value):
        return "目标值未改变"
    new_basis = DISTRICT_SET if basis == "示例目标" else basis
    with db.transaction(con):
        db.execute(con, """UPDATE targets SET value = $value, basis = $basis, updated_by = $user, updated_at = $now
                           WHERE plan_id = $plan AND indicator = $ind AND year IS NOT DISTINCT FROM $year""",
                   {"value": float(value), "basis": new_basis, "user": user_name, "now": dt.datetime.now(),
                    "plan": plan_id, "ind": indicator, "year": year})
        audit.record(con, user_name, "target.update", plan=plan_id, indicator=indicator, year=year, old=float(old),
                     new=float(value), basis=new_basis)
        store.bump_data_version(con)
    return f"已将 {indicator}{f'（{year}年）' if year else ''} 的目标由 {old:g} 改为 {value:g}"
