"""The figures the 考核 scores come from, one named query each: who is assessed, participation this year and last,
the campaigns held and joined, the records with 佐证材料, the tasks a bureau leads and reports on, and returned batches.

Each takes the kind of unit (town or bureau) and the days counted (first to last, inclusive): the activities counted
are those in any figure (not retracted, not pending) begun on those days. The unit's column is chosen from
UNIT_COLUMN, never from input; every value is a bound parameter. Each returns a few numbers per unit, never records."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from kepu.core.plan import DISTRICT
from kepu.storage import db
from kepu.storage.review import RETURNED

UNIT_COLUMN = {"town": "a.town", "bureau": "a.bureau"}
COUNTED = "NOT a.retracted AND NOT a.pending AND a.start_date BETWEEN $first AND $last"
Days = tuple[dt.date, dt.date]  # first and last day counted, inclusive


def scheme(con: db.Connection, plan_id: str) -> dict[str, Any]:
    """The plan's 考核 scheme as its plan file gives it (empty when it has none)."""
    text = db.scalar(con, "SELECT assessment FROM plans WHERE id = ?", [plan_id])
    found = json.loads(text) if text else {}
    return found if isinstance(found, dict) else {}


def towns(con: db.Connection) -> dict[str, int]:
    """The towns assessed: every township unit (not 全区), in the plan's order, with its population."""
    return dict(db.rows(con, "SELECT name, population FROM towns WHERE kind <> ? ORDER BY sort", [DISTRICT]))


def lead_bureaus(con: db.Connection, plan_id: str) -> dict[str, list[str]]:
    """The bureaus assessed: those leading at least one of the plan's tasks, in the plan's order, each with the
    codes of the tasks it leads (in the plan's order)."""
    rows = db.rows(
        con,
        """SELECT b.name, array_agg(tb.task ORDER BY t.sort)
           FROM bureaus b JOIN task_bureaus tb ON tb.bureau = b.name AND tb.plan_id = $plan
           JOIN tasks t ON t.plan_id = tb.plan_id AND t.code = tb.task
           GROUP BY b.name, b.sort ORDER BY b.sort""",
        {"plan": plan_id},
    )
    return {unit: list(tasks) for unit, tasks in rows}


def participants(
    con: db.Connection, kind: str, units: list[str], days: Days, before: Days
) -> dict[str, tuple[int, int]]:
    """Each unit's participants on `days` and on `before` (the same days a year earlier; 0 where there were
    none), in one pass."""
    column = UNIT_COLUMN[kind]
    rows = db.rows(
        con,
        f"""WITH agg AS (
                SELECT {column} AS unit,
                       sum(a.participants) FILTER (WHERE a.start_date BETWEEN $first AND $last) AS now,
                       sum(a.participants) FILTER (WHERE a.start_date BETWEEN $prev_first AND $prev_last) AS prev
                FROM activities a
                WHERE NOT a.retracted AND NOT a.pending AND {column} IN (SELECT unnest($units))
                  AND (a.start_date BETWEEN $first AND $last OR a.start_date BETWEEN $prev_first AND $prev_last)
                GROUP BY 1)
            SELECT u.unit, coalesce(agg.now, 0)::BIGINT, coalesce(agg.prev, 0)::BIGINT
            FROM (SELECT unnest($units) AS unit) u LEFT JOIN agg USING (unit)""",
        {"units": units, "first": days[0], "last": days[1], "prev_first": before[0], "prev_last": before[1]},
    )
    return {unit: (int(now), int(prev)) for unit, now, prev in rows}


def campaigns_held(con: db.Connection, plan_id: str, year: int, last: dt.date) -> list[str]:
    """The plan's campaigns (活动主题) whose window in `year` had begun by `last`, in the plan's order."""
    rows = db.rows(
        con,
        """SELECT c.name FROM campaigns c JOIN campaign_windows w
               ON w.plan_id = c.plan_id AND w.campaign = c.name AND w.year = $year
           WHERE c.plan_id = $plan AND w.first_day <= $last ORDER BY c.sort""",
        {"plan": plan_id, "year": year, "last": last},
    )
    return [r[0] for r in rows]


def campaigns_joined(
    con: db.Connection, kind: str, units: list[str], campaigns: list[str], days: Days
) -> dict[str, set[str]]:
    """The campaigns (of `campaigns`) each unit has counted activities under on `days`."""
    column = UNIT_COLUMN[kind]
    rows = db.rows(
        con,
        f"""SELECT DISTINCT {column}, a.campaign FROM activities a
            WHERE {COUNTED} AND {column} IN (SELECT unnest($units)) AND a.campaign IN (SELECT unnest($campaigns))""",
        {"units": units, "campaigns": campaigns, "first": days[0], "last": days[1]},
    )
    joined: dict[str, set[str]] = {}
    for unit, campaign in rows:
        joined.setdefault(unit, set()).add(campaign)
    return joined


def evidence_counts(
    con: db.Connection, kind: str, units: list[str], days: Days, as_of: dt.date
) -> dict[str, tuple[int, int]]:
    """Each unit's counted records on `days`, and how many of them had 佐证材料 on `as_of` (attached to the record
    or to its batch by then, and not removed by then)."""
    column = UNIT_COLUMN[kind]
    rows = db.rows(
        con,
        f"""WITH live AS (SELECT activity, batch FROM evidence
                          WHERE uploaded_at::DATE <= $as_of AND (removed_at IS NULL OR removed_at::DATE > $as_of)),
            agg AS (
                SELECT {column} AS unit, count(*) AS records,
                       count(*) FILTER (WHERE a.id IN (SELECT activity FROM live WHERE activity IS NOT NULL)
                                           OR a.batch IN (SELECT batch FROM live WHERE batch IS NOT NULL)) AS proved
                FROM activities a WHERE {COUNTED} AND {column} IN (SELECT unnest($units)) GROUP BY 1)
            SELECT u.unit, coalesce(agg.records, 0)::BIGINT, coalesce(agg.proved, 0)::BIGINT
            FROM (SELECT unnest($units) AS unit) u LEFT JOIN agg USING (unit)""",
        {"units": units, "first": days[0], "last": days[1], "as_of": as_of},
    )
    return {unit: (int(records), int(proved)) for unit, records, proved in rows}


def tasks_reported(con: db.Connection, plan_id: str, days: Days) -> dict[tuple[str, str], int]:
    """Each lead bureau's tasks in the plan: (bureau, task) → its counted activities under the task on `days`."""
    rows = db.rows(
        con,
        f"""WITH agg AS (SELECT a.bureau, a.task, count(*) AS n FROM activities a
                         WHERE {COUNTED} AND a.task IS NOT NULL GROUP BY a.bureau, a.task)
            SELECT tb.bureau, tb.task, coalesce(agg.n, 0)::BIGINT
            FROM task_bureaus tb LEFT JOIN agg ON agg.bureau = tb.bureau AND agg.task = tb.task
            WHERE tb.plan_id = $plan""",
        {"plan": plan_id, "first": days[0], "last": days[1]},
    )
    return {(unit, task): int(n) for unit, task, n in rows}


def returned_batches(con: db.Connection, kind: str, days: Days, as_of: dt.date) -> dict[str, list[int]]:
    """The batches submitted on `days` and returned by `as_of`, by the unit of the clerk who submitted them (a
    clerk's account is bound to one town or one bureau; an administrator's batches belong to no unit)."""
    scope = {"town": "u.town", "bureau": "u.bureau"}[kind]
    rows = db.rows(
        con,
        f"""SELECT {scope}, b.id FROM batches b JOIN users u ON u.name = b.user_name
            WHERE b.status = $returned AND {scope} IS NOT NULL
              AND b.created_at::DATE BETWEEN $first AND $last AND b.reviewed_at::DATE <= $as_of
            ORDER BY b.id""",
        {"returned": RETURNED, "first": days[0], "last": days[1], "as_of": as_of},
    )
    batches: dict[str, list[int]] = {}
    for unit, batch in rows:
        batches.setdefault(unit, []).append(int(batch))
    return batches
