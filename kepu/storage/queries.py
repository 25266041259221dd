"""Named queries over activity records. Each returns what its name says; filters are always bound parameters."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

import pandas as pd

from kepu.core.filters import Filters
from kepu.core.glossary import DIMENSIONS, UNSPECIFIED
from kepu.storage import db

# How each dimension reads off an activity row `a`. Cohort is a list: an activity counts under each of its cohorts
# (breakdown's _by_cohort).
DIMENSION_SQL = {
    "town": "a.town",
    "bureau": "a.bureau",
    "project": "coalesce(a.project, $none)",
    "task": "coalesce(a.task, $none)",
    "activity_type": "a.activity_type",
    "campaign": "coalesce(a.campaign, $none)",
    "month": "strftime(a.start_date, '%Y-%m')",
    "year": "year(a.start_date)",
}
MEASURE_SQL = {
    "activities": "count(*)::BIGINT",
    "participants": "coalesce(sum(a.participants), 0)::BIGINT",
    "funding": "coalesce(sum(a.funding), 0)::DOUBLE",
}
_MEASURES = ", ".join(f"{sql} AS {name}" for name, sql in MEASURE_SQL.items())
RECORD_COLUMNS = (
    "id",
    "ref",
    "title",
    "start_date",
    "end_date",
    "town",
    "bureau",
    "cohorts",
    "project",
    "task",
    "activity_type",
    "campaign",
    "participants",
    "funding",
    "note",
)
RECORD_ORDER = {"start_date", "participants", "funding", "title", "town", "bureau"}


class Totals(TypedDict):
    """Activities, participants and funding (元) of a view: MEASURE_SQL's measures, in its order."""

    activities: int
    participants: int
    funding: float


class IndicatorCount(TypedDict):
    """An activity indicator to count by year: its code, its measure (activities, participants or funding) and the
    task, activity type, cohort and project it counts (None: any)."""

    code: str
    measure: str
    task: str | None
    activity_type: str | None
    cohort: str | None
    project: str | None


def where(con: db.Connection, f: Filters) -> tuple[str, dict[str, object]]:
    """The WHERE clause selecting the activities in `f`, and its parameters."""
    clauses = ["NOT a.retracted", "NOT a.pending", "a.start_date >= $start", "a.start_date < $end"]
    params: dict[str, object] = {"start": f.period.start, "end": f.period.end, "none": UNSPECIFIED}
    if f.as_of is not None:  # as the view stood on that day: nothing begun after it
        clauses.append("a.start_date <= $as_of")
        params["as_of"] = f.as_of
    for dim, values in f.dimension_values().items():
        if dim == "cohort":
            # typed: PostgreSQL is sent an empty list as text[]
            clauses.append("list_contains(CAST($cohort_sets AS INTEGER[]), a.cohort_set)")
            params["cohort_sets"] = _cohort_sets(con, values)
        else:
            clauses.append(f"list_contains(${dim}, {DIMENSION_SQL[dim]})")
            params[dim] = list(values)
    return " AND ".join(clauses), params


def _cohort_sets(con: db.Connection, values: tuple[str, ...]) -> list[int]:
    """The numbers of the cohort lists naming any of the cohorts (UNSPECIFIED: naming none; activity_rows.py). A
    record is then tested by its number, not its list: a third of the time at ten million records, and a bound list
    of numbers, unlike a subquery, lets DuckDB read a page of records by date without reading the rest."""
    tests, params = [], {}
    for n, value in enumerate(values):
        if value == UNSPECIFIED:
            tests.append("len(s.cohorts) = 0")
        else:
            params[f"cohort_{n}"] = value
            tests.append(f"list_contains(s.cohorts, $cohort_{n})")
    return [r[0] for r in db.rows(con, f"SELECT s.id FROM cohort_sets s WHERE {' OR '.join(tests)} ORDER BY 1", params)]


def totals(con: db.Connection, f: Filters) -> Totals:
    """Activities, participants and funding in `f`; each activity counted once."""
    clause, params = where(con, f)
    activities, participants, funding = db.rows(con, f"SELECT {_MEASURES} FROM activities a WHERE {clause}", params)[0]
    return {"activities": activities, "participants": participants, "funding": funding}


def breakdown(con: db.Connection, f: Filters, dims: tuple[str, ...]) -> pd.DataFrame:
    """Activities, participants and funding by one or two dimensions (and/or year).

    Columns: the dims, activities, participants, funding. An activity serving several cohorts counts fully under
    each; records naming no cohort, project or task appear under UNSPECIFIED.
    """
    for dim in dims:
        if dim not in DIMENSION_SQL and dim != "cohort":
            raise ValueError(f"unknown dimension {dim!r}")
    clause, params = where(con, f)
    order = ", ".join(d for d in dims if d in ("month", "year")) or f"participants DESC, {', '.join(dims)}"
    if "cohort" in dims:
        return db.query(con, _by_cohort(dims, clause) + f" ORDER BY {order}", params)
    cols = ", ".join(f"{DIMENSION_SQL[d]} AS {d}" for d in dims)
    sql = (
        f"SELECT {cols}, {_MEASURES} FROM activities a WHERE {clause} GROUP BY {_positions(len(dims))} ORDER BY {order}"
    )
    return db.query(con, sql, params)


def _positions(n: int) -> str:
    """GROUP BY the first n columns, by position: GROUP BY ALL is DuckDB's alone."""
    return ", ".join(str(k) for k in range(1, n + 1))


# An activity serving several cohorts counts fully under each: the records are first added up by cohort list
# (activity_rows.py), and each list's sums then go to each of its cohorts, so no record's list is unnested.
_COHORT_OF_SET = (
    "(SELECT s.id, unnest(CASE WHEN len(s.cohorts) = 0 THEN ARRAY[$none] ELSE s.cohorts END) AS cohort "
    "FROM cohort_sets s)"
)
_PARTIAL = "count(*) AS activities, sum(a.participants) AS participants, sum(a.funding) AS funding"
_ADDED = (
    "sum(g.activities)::BIGINT AS activities, coalesce(sum(g.participants), 0)::BIGINT AS participants, "
    "coalesce(sum(g.funding), 0)::DOUBLE AS funding"
)


def _by_cohort(dims: tuple[str, ...], clause: str) -> str:
    """breakdown's SELECT for dimensions that include the cohort (without its ORDER BY)."""
    others = [d for d in dims if d != "cohort"]
    inner = ", ".join([*(f"{DIMENSION_SQL[d]} AS {d}" for d in others), "a.cohort_set"])
    grouped = f"SELECT {inner}, {_PARTIAL} FROM activities a WHERE {clause} GROUP BY {_positions(len(others) + 1)}"
    cols = ", ".join("u.cohort AS cohort" if d == "cohort" else f"g.{d} AS {d}" for d in dims)
    return (
        f"SELECT {cols}, {_ADDED} FROM ({grouped}) g JOIN {_COHORT_OF_SET} u ON u.id = g.cohort_set "
        f"GROUP BY {_positions(len(dims))}"
    )


# The dimensions `breakdowns` takes together: a page's charts of one dimension, none of them ever NULL.
BUNDLED = ("town", "bureau", "activity_type", "month")


def breakdowns(con: db.Connection, f: Filters, dims: tuple[str, ...] = BUNDLED) -> dict[str, pd.DataFrame]:
    """breakdown(con, f, (d,)) for each dimension d of `dims` (of BUNDLED), from one pass over the records
    (GROUPING SETS): the same frames in the same order. A page's four charts then scan the records once instead of
    four times (at ten million records 0.17 s instead of 0.46 s; benchmarks/README.md)."""
    if not dims or not set(dims) <= set(BUNDLED):
        raise ValueError(f"dimensions taken together are among {BUNDLED}, not {dims!r}")
    clause, params = where(con, f)
    exprs = [DIMENSION_SQL[d] for d in dims]
    named = ", ".join(f"{e} AS {d}" for e, d in zip(exprs, dims, strict=True))
    sets = ", ".join(f"({e})" for e in exprs)
    sql = (
        f"SELECT grouping({', '.join(exprs)}) AS kepu_set, {named}, {_MEASURES} "
        f"FROM activities a WHERE {clause} GROUP BY GROUPING SETS ({sets})"
    )
    found = db.query(con, sql, params)
    out = {}
    for n, dim in enumerate(dims):
        mine = (1 << len(dims)) - 1 - (1 << (len(dims) - 1 - n))  # grouping(): a 1 for each column not grouped
        part = found[found.kepu_set == mine][[dim, *MEASURE_SQL]]
        by, ascending = ([dim], [True]) if dim == "month" else (["participants", dim], [False, True])
        out[dim] = part.sort_values(by, ascending=ascending, kind="stable").reset_index(drop=True)
    return out


def records(
    con: db.Connection,
    f: Filters,
    search: str = "",
    order: str = "start_date",
    descending: bool = True,
    limit: int = 500,
) -> pd.DataFrame:
    """The activity records in `f` whose title, number or note contains `search`, at most `limit` of them.

    Columns: RECORD_COLUMNS, with cohorts as a list.
    """
    if order not in RECORD_ORDER:
        raise ValueError(f"cannot order records by {order!r}")
    clause, params = _searched(con, f, search)
    direction = "DESC" if descending else "ASC"
    sql = (
        f"SELECT {', '.join('a.' + c for c in RECORD_COLUMNS)} FROM activities a WHERE {clause} "
        f"ORDER BY a.{order} {direction}, a.id LIMIT $limit"
    )
    return db.query(con, sql, {**params, "limit": int(limit)})


def count_records(con: db.Connection, f: Filters, search: str = "") -> int:
    """How many activity records `records` would list without a limit."""
    clause, params = _searched(con, f, search)
    return int(db.scalar(con, f"SELECT count(*) FROM activities a WHERE {clause}", params))


def _searched(con: db.Connection, f: Filters, search: str) -> tuple[str, dict[str, object]]:
    clause, params = where(con, f)
    if search.strip():
        clause += (
            " AND (a.title ILIKE $pattern ESCAPE '\\' OR coalesce(a.ref, '') ILIKE $pattern ESCAPE '\\'"
            " OR coalesce(a.note, '') ILIKE $pattern ESCAPE '\\')"
        )
        params["pattern"] = "%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return clause, params


def town_table(con: db.Connection, f: Filters) -> pd.DataFrame:
    """Every town in `f` (all, when none is chosen) with its activity and population.

    Columns: town, kind, admin, population, population_estimated, activities, participants, funding,
    participants_per_1000 (None for 全区, which has no population of its own).
    """
    clause, params = where(con, f.narrowed(town=()))
    town_filter = "true" if not f.town else "t.name IN (SELECT unnest($towns))"
    sql = f"""
        WITH agg AS (SELECT a.town, {_MEASURES} FROM activities a WHERE {clause} GROUP BY a.town)
        SELECT t.name AS town, t.kind, t.admin, t.population, t.population_estimated,
               coalesce(agg.activities, 0)::BIGINT AS activities,
               coalesce(agg.participants, 0)::BIGINT AS participants,
               coalesce(agg.funding, 0)::DOUBLE AS funding,
               CASE WHEN t.kind = '全区' THEN NULL
                    ELSE coalesce(agg.participants, 0) * 1000.0 / t.population END AS participants_per_1000
        FROM towns t LEFT JOIN agg ON agg.town = t.name
        WHERE {town_filter}
        ORDER BY t.sort"""
    return db.query(con, sql, {**params, "towns": list(f.town)})


def bureau_table(con: db.Connection, f: Filters) -> pd.DataFrame:
    """Every bureau in `f` (all, when none is chosen) with its activity: the plan's bureaus, then the towns' own
    governments. Columns: bureau, town (the town whose government it is; None for a plan's bureau), activities,
    participants, funding."""
    clause, params = where(con, f.narrowed(bureau=()))
    bureau_filter = "true" if not f.bureau else "b.name IN (SELECT unnest($bureaus))"
    sql = f"""
        WITH agg AS (SELECT a.bureau, {_MEASURES} FROM activities a WHERE {clause} GROUP BY a.bureau)
        SELECT b.name AS bureau, b.town, coalesce(agg.activities, 0)::BIGINT AS activities,
               coalesce(agg.participants, 0)::BIGINT AS participants, coalesce(agg.funding, 0)::DOUBLE AS funding
        FROM bureaus b LEFT JOIN agg ON agg.bureau = b.name
        WHERE {bureau_filter}
        ORDER BY b.sort"""
    return db.query(con, sql, {**params, "bureaus": list(f.bureau)})


def assignments(con: db.Connection, f: Filters, plan_id: str) -> pd.DataFrame:
    """The plan's bureau × task matrix, as rows: each lead bureau of each task, and any bureau that reported on a
    task it does not lead. Columns: bureau, task, group_name, assigned, lead_order (the bureau's place in the
    task's list in the plan), activities, participants, funding."""
    clause, params = where(con, f.narrowed(task=()))
    bureau_filter = "true" if not f.bureau else "coalesce(lead.bureau, agg.bureau) IN (SELECT unnest($bureaus))"
    sql = f"""
        WITH agg AS (SELECT a.bureau, a.task, {_MEASURES} FROM activities a
                     WHERE {clause} AND a.task IS NOT NULL GROUP BY a.bureau, a.task),
        lead AS (SELECT bureau, task, sort FROM task_bureaus WHERE plan_id = $plan)
        SELECT coalesce(lead.bureau, agg.bureau) AS bureau, coalesce(lead.task, agg.task) AS task, t.group_name,
               lead.task IS NOT NULL AS assigned, lead.sort AS lead_order,
               coalesce(agg.activities, 0)::BIGINT AS activities, coalesce(agg.participants, 0)::BIGINT AS participants,
               coalesce(agg.funding, 0)::DOUBLE AS funding
        FROM lead FULL JOIN agg ON agg.bureau = lead.bureau AND agg.task = lead.task
        JOIN tasks t ON t.plan_id = $plan AND t.code = coalesce(lead.task, agg.task)
        JOIN bureaus b ON b.name = coalesce(lead.bureau, agg.bureau)
        WHERE {bureau_filter}
        ORDER BY b.sort, t.sort"""
    return db.query(con, sql, {**params, "plan": plan_id, "bureaus": list(f.bureau)})


def indicator_months(con: db.Connection, f: Filters, indicators: list[IndicatorCount]) -> pd.DataFrame:
    """Several activity indicators by year and month in one pass over the records in `f`. Columns: year, month
    (1–12), then one per indicator code."""
    clause, params = where(con, f)
    partial, added = [], []
    for n, ind in enumerate(indicators):
        conditions = {}
        for key, value, test in (
            ("task", ind["task"], "a.task = ${p}"),
            ("activity_type", ind["activity_type"], "a.activity_type = ${p}"),
            ("cohort", ind["cohort"], "list_contains(s.cohorts, ${p})"),
            ("project", ind["project"], "a.project = ${p}"),
        ):
            if value:
                name = f"i{n}_{key}"
                conditions[key] = test.format(p=name)
                params[name] = value
        measure = {"activities": "count(*)", "participants": "sum(a.participants)", "funding": "sum(a.funding)"}[
            ind["measure"]
        ]
        cohort = conditions.pop("cohort", "true")
        partial.append(f'{measure} FILTER (WHERE {" AND ".join(conditions.values()) or "true"}) AS "{n}"')
        added.append(f'coalesce(sum(g."{n}") FILTER (WHERE {cohort}), 0)::DOUBLE AS "{n}"')
    if not partial:
        return pd.DataFrame(columns=["year", "month"])
    # By cohort list first, then each list tested once (activity_rows.py) instead of every record's list.
    grouped = (
        f"SELECT year(a.start_date) AS year, month(a.start_date) AS month, a.cohort_set, {', '.join(partial)} "
        f"FROM activities a WHERE {clause} GROUP BY 1, 2, 3"
    )
    sql = (
        f"SELECT g.year, g.month, {', '.join(added)} "
        f"FROM ({grouped}) g JOIN cohort_sets s ON s.id = g.cohort_set GROUP BY 1, 2"
    )
    frame = db.query(con, sql, params)
    return frame.rename(columns={str(n): ind["code"] for n, ind in enumerate(indicators)})


def latest_activity_date(con: db.Connection) -> dt.date | None:
    """The latest start date of any activity record (None when there are none)."""
    latest: dt.date | None = db.scalar(
        con, "SELECT max(start_date) FROM activities WHERE NOT retracted AND NOT pending"
    )
    return latest


assert set(DIMENSIONS) <= set(DIMENSION_SQL) | {"cohort"}
assert list(MEASURE_SQL) == list(Totals.__annotations__)
