"""When each unit's reports came in: the reporting units, a plan's reporting rule, and for each reporting cycle the
first batch that carried each unit's activities of the cycle (kepu.figures.reporting judges them on time, late or
missing)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from kepu.core.cycles import Cycle
from kepu.core.plan import DISTRICT, Reporting
from kepu.storage import db

# The reporting units: the towns (not 全区, which is no unit), then the bureaus other than a town's own government
# (沙土镇人民政府 reports for 沙土镇: its activities are the town's). Each in the plan's order.
_UNITS = """SELECT 'town' AS unit_kind, name AS unit, 0 AS kind_sort, sort FROM towns WHERE kind <> $district
            UNION ALL
            SELECT 'bureau', name, 1, sort FROM bureaus WHERE town IS NULL"""


def reporting_rule(con: db.Connection, plan_id: str) -> Reporting:
    """The plan's reporting cycle and due day (the plan file's `reporting`; the default for a plan without one)."""
    found = db.rows(con, "SELECT reporting_cycle, reporting_due_day FROM plans WHERE id = ?", [plan_id])
    cycle, due_day = found[0] if found else (None, None)
    default = Reporting()
    return Reporting(cycle or default.cycle, int(due_day or default.due_day))


def units(con: db.Connection) -> pd.DataFrame:
    """The units that report: towns first, then bureaus, each in the plan's order. Columns: unit_kind ('town' or
    'bureau'), unit."""
    return db.query(con, f"SELECT unit_kind, unit FROM ({_UNITS}) ORDER BY kind_sort, sort", {"district": DISTRICT})


def first_submissions(con: db.Connection, cycles: Sequence[Cycle], as_of: dt.date) -> pd.DataFrame:
    """For each cycle and each unit: the first day a batch carried the unit's activities dated within the cycle,
    and how many such activities the store holds from batches made by `as_of`.

    A batch counts when it was made on or before `as_of` and is neither undone nor returned (a batch awaiting
    review counts: the unit has reported, the review is the district's). A town's activities are those held in it
    (activities.town), a bureau's those it is responsible for (activities.bureau). Columns: cycle (its code),
    unit_kind, unit, submitted (date or NaT), activities; cycles in the order given, units as units() orders them."""
    if not cycles:
        return pd.DataFrame(columns=["cycle", "unit_kind", "unit", "submitted", "activities"])
    sql = f"""
        WITH cycles AS (
            SELECT unnest($codes) AS cycle, unnest($firsts)::DATE AS first_day, unnest($lasts)::DATE AS last_day,
                   unnest($order) AS cycle_sort
        ),
        units AS ({_UNITS}),
        reported AS (
            SELECT c.cycle, a.town, a.bureau, b.created_at
            FROM activities a
            JOIN batches b ON b.id = a.batch
            JOIN cycles c ON a.start_date BETWEEN c.first_day AND c.last_day
            WHERE NOT a.retracted AND b.status <> 'returned' AND b.undone_at IS NULL
              AND b.created_at::DATE <= $as_of
        ),
        by_unit AS (
            SELECT cycle, 'town' AS unit_kind, town AS unit, min(created_at) AS first_at, count(*) AS n
            FROM reported GROUP BY cycle, town
            UNION ALL
            SELECT cycle, 'bureau', bureau, min(created_at), count(*) FROM reported GROUP BY cycle, bureau
        )
        SELECT c.cycle, u.unit_kind, u.unit, r.first_at::DATE AS submitted, coalesce(r.n, 0)::BIGINT AS activities
        FROM cycles c CROSS JOIN units u
        LEFT JOIN by_unit r ON r.cycle = c.cycle AND r.unit_kind = u.unit_kind AND r.unit = u.unit
        ORDER BY c.cycle_sort, u.kind_sort, u.sort"""
    params = {
        "codes": [c.code for c in cycles],
        "firsts": [c.first for c in cycles],
        "lasts": [c.last for c in cycles],
        "order": list(range(len(cycles))),
        "as_of": as_of,
        "district": DISTRICT,
    }
    return db.query(con, sql, params)
