"""A province-sized store, deterministic: Shandong's 136 county-level units, each with about 13 towns, five years of
activity records reported by the plan's 27 bureaus. Built in DuckDB from hashes of the row number, so the same
--rows gives the same store on every machine, in seconds rather than minutes."""

from __future__ import annotations

from pathlib import Path

from kepu.core.plan import load_plan
from kepu.storage import activity_rows, db, store

COUNTIES = 136
TOWNS_PER_COUNTY = 13
CHUNK = 2_000_000  # rows inserted per statement, to bound memory while building


def build(path: Path, rows: int) -> Path:
    """Create (or replace) a store at `path` holding `rows` activity records across a province."""
    plan = load_plan(store.DATA_DIR / "plan-2021-2025.yaml")
    store.create_store(path, plans=[plan], force=True, fill=lambda con, plans: _fill(con, rows))
    return path


def _fill(con, rows: int) -> None:
    # The district's own towns stay; the province's are added beside them, so every page works unchanged.
    db.execute(
        con,
        """
        INSERT INTO towns (name, kind, admin, code, population, population_estimated, sort)
        SELECT '县' || lpad(CAST(c AS VARCHAR), 3, '0') || '·' || '镇' || lpad(CAST(t AS VARCHAR), 2, '0'),
               CASE WHEN t <= 4 THEN '街道' ELSE '镇' END, '县' || lpad(CAST(c AS VARCHAR), 3, '0'), NULL,
               20000 + hash(c * 100 + t) % 60000, true, 1000 + c * 100 + t
        FROM range(1, $counties + 1) AS cs(c), range(1, $towns + 1) AS ts(t)""",
        {"counties": COUNTIES, "towns": TOWNS_PER_COUNTY},
    )
    # Reports arrive roughly in date order, so the table is kept in date order too: a one-year view then reads
    # about a fifth of it (DuckDB skips row groups by their min/max dates).
    db.execute(con, "CREATE TEMP TABLE staged AS SELECT * FROM activities LIMIT 0")
    for start in range(0, rows, CHUNK):
        db.execute(
            con,
            _INSERT.replace("INSERT INTO activities", "INSERT INTO staged"),
            {"start": start, "stop": min(rows, start + CHUNK)},
        )
    # CREATE TABLE AS keeps no defaults: `pending` (false for every record here) is left to the real table's.
    db.execute(con, "INSERT INTO activities BY NAME SELECT * EXCLUDE (pending) FROM staged ORDER BY start_date, id")
    db.execute(con, "DROP TABLE staged")
    activity_rows.number_cohort_sets(con)  # as an import or the upgrade of an older store does


# Each column is drawn from a hash of the row number i: deterministic, and spread like the demo data (a long tail of
# participants, more activity in later years, cohorts as in the plan).
_INSERT = """
    INSERT INTO activities (id, ref, title, start_date, end_date, town, bureau, cohorts, project, task,
                            activity_type, participants, funding, note, batch, retracted)
    WITH t AS (SELECT list(name ORDER BY sort) AS names, count(*) AS n FROM towns WHERE kind <> '全区'),
         b AS (SELECT list(name ORDER BY sort) AS names, count(*) AS n FROM bureaus),
         k AS (SELECT list(code ORDER BY sort) AS codes, list(group_name ORDER BY sort) AS groups, count(*) AS n
               FROM tasks),
         g AS (SELECT list(name) FILTER (WHERE kind = 'project') AS projects FROM groups),
         r AS (SELECT i, hash(i) AS h1, hash(i * 31 + 7) AS h2, hash(i * 131 + 17) AS h3 FROM range($start, $stop) _(i))
    SELECT r.i + 1,
           'P' || CAST(r.i AS VARCHAR),
           '科普活动' || CAST(r.i AS VARCHAR),
           DATE '2021-01-01' + CAST(floor(sqrt((r.h1 % 1000000) / 1000000.0) * 1826) AS INTEGER),
           DATE '2021-01-01' + CAST(floor(sqrt((r.h1 % 1000000) / 1000000.0) * 1826) AS INTEGER)
               + CAST(r.h3 % 3 AS INTEGER),
           t.names[1 + CAST(r.h2 % t.n AS INTEGER)],
           b.names[1 + CAST(r.h3 % b.n AS INTEGER)],
           CASE WHEN list_contains(g.projects, k.groups[1 + CAST(r.h1 % k.n AS INTEGER)])
                THEN (CASE r.h2 % 3 WHEN 0 THEN [] WHEN 1 THEN ['青少年'] ELSE ['农民', '老年人'] END)::VARCHAR[]
                WHEN r.h3 % 7 = 0 THEN list_distinct([k.groups[1 + CAST(r.h1 % k.n AS INTEGER)], '老年人'])
                ELSE [k.groups[1 + CAST(r.h1 % k.n AS INTEGER)]] END,
           CASE WHEN list_contains(g.projects, k.groups[1 + CAST(r.h1 % k.n AS INTEGER)])
                THEN k.groups[1 + CAST(r.h1 % k.n AS INTEGER)] END,
           k.codes[1 + CAST(r.h1 % k.n AS INTEGER)],
           ['讲座', '培训', '展览', '竞赛', '主题活动', '科普宣传', '志愿服务', '场馆开放', '设施建设', '其他']
               [1 + CAST(r.h2 % 10 AS INTEGER)],
           CAST(exp(3 + (r.h3 % 1000) / 1000.0 * 4) AS INTEGER),
           CAST((r.h1 % 100000) / 10.0 AS DECIMAL(14, 2)),
           NULL, NULL, false
    FROM r, t, b, k, g"""
