"""Editing targets (目标管理): every change logged with who and when, and the dashboard refreshed."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kepu.core.errors import UserError
from kepu.core.glossary import DISTRICT_SET
from kepu.core.numbers import MAX_BY_UNIT, parse_number
from kepu.storage import audit, db, store


def editable_targets(con: db.Connection, plan_id: str) -> pd.DataFrame:
    """The plan's targets with their indicators. Columns: indicator, name, unit, kind, year, value, basis,
    updated_by, updated_at."""
    return db.query(
        con,
        """
        SELECT t.indicator, i.name, i.unit, t.kind, t.year, t.value, t.basis, t.updated_by, t.updated_at
        FROM targets t JOIN indicators i ON i.plan_id = t.plan_id AND i.code = t.indicator
        WHERE t.plan_id = ? ORDER BY i.sort, t.year""",
        [plan_id],
    )


def changes(targets: pd.DataFrame, edited: pd.Series[float]) -> list[tuple[str, int | None, object]]:
    """The edits a 目标值 column holds against `targets` (editable_targets): (indicator, year, new value) for each
    changed row, the value as typed."""
    changed = edited.ne(targets["value"]) & edited.notna()
    return [
        (targets.indicator[i], None if pd.isna(targets.year[i]) else int(targets.year[i]), edited[i])
        for i in changed[changed].index
    ]


def save(
    con: db.Connection, plan_id: str, edits: list[tuple[str, int | None, object]], user_name: str
) -> list[tuple[bool, str]]:
    """Apply each edit (see update_target); returns, for each, whether it was saved and a sentence saying what
    happened. A refused edit is logged, and does not stop the others."""
    out = []
    for indicator, year, value in edits:
        try:
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


def update_target(
    con: db.Connection, plan_id: str, indicator: str, year: int | None, value: object, user_name: str
) -> str:
    """Set one target value (a number, or text a person typed: kepu.numbers decides, within the unit's range).
    A 示例目标 the district sets itself becomes a 区定目标; a 纲要目标 keeps its basis (the change is in the log).
    Returns a sentence saying what changed."""
    rows = db.rows(
        con,
        """SELECT t.value, t.basis, t.kind, i.unit FROM targets t JOIN indicators i
                           ON i.plan_id = t.plan_id AND i.code = t.indicator
                           WHERE t.plan_id = $plan AND t.indicator = $ind AND t.year IS NOT DISTINCT FROM $year""",
        {"plan": plan_id, "ind": indicator, "year": year},
    )
    if not rows:
        raise UserError(f"没有找到指标 {indicator} {year or ''} 的目标")
    old, basis, _kind, unit = rows[0]
    value = parse_number(value, "目标值", high=MAX_BY_UNIT.get(unit, 1e9))
    if float(old) == float(value):
        return "目标值未改变"
    new_basis = DISTRICT_SET if basis == "示例目标" else basis
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
            old=float(old),
            new=float(value),
            basis=new_basis,
        )
        store.bump_data_version(con)
    return f"已将{_label(con, plan_id, indicator, year)}的目标由 {old:g} 改为 {value:g}"
