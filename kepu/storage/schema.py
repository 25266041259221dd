"""The store's schema: the migrations that build it, version by version, and what an upgrade computes besides SQL.

Each migration takes the store from the version before it to its own number; an older file is upgraded in place by
running the ones it lacks, in one transaction. Append new steps; never edit a released one.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd

from kepu.core import matching
from kepu.core.errors import UserError
from kepu.core.plan import Plan, load_plan, plan_dir, plan_files
from kepu.storage import activity_rows, db


class StoreError(UserError):
    """A store that cannot be used as asked; the message says what to do, in Chinese."""


# A migration step: a statement, or a function of the connection for what SQL alone cannot compute.
Step = str | Callable[[db.Connection], None]

MIGRATIONS: dict[int, list[Step]] = {
    1: [
        "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
        """CREATE TABLE plans (id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, document VARCHAR, issued VARCHAR,
               start_year INTEGER NOT NULL, end_year INTEGER NOT NULL, source VARCHAR)""",
        """CREATE TABLE towns (name VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, admin VARCHAR NOT NULL,
               code VARCHAR, population BIGINT NOT NULL, population_estimated BOOLEAN NOT NULL,
               sort INTEGER NOT NULL)""",
        "CREATE TABLE town_aliases (alias VARCHAR PRIMARY KEY, town VARCHAR NOT NULL)",
        "CREATE TABLE bureaus (name VARCHAR PRIMARY KEY, sort INTEGER NOT NULL)",
        "CREATE TABLE bureau_aliases (alias VARCHAR PRIMARY KEY, bureau VARCHAR NOT NULL)",
        """CREATE TABLE groups (plan_id VARCHAR NOT NULL, name VARCHAR NOT NULL, kind VARCHAR NOT NULL,
               slug VARCHAR NOT NULL, full_name VARCHAR NOT NULL, sort INTEGER NOT NULL,
               PRIMARY KEY (plan_id, name))""",
        """CREATE TABLE tasks (plan_id VARCHAR NOT NULL, code VARCHAR NOT NULL, group_name VARCHAR NOT NULL,
               title VARCHAR NOT NULL, sort INTEGER NOT NULL, PRIMARY KEY (plan_id, code))""",
        """CREATE TABLE task_bureaus (plan_id VARCHAR NOT NULL, task VARCHAR NOT NULL, bureau VARCHAR NOT NULL,
               sort INTEGER NOT NULL, PRIMARY KEY (plan_id, task, bureau))""",
        """CREATE TABLE indicators (plan_id VARCHAR NOT NULL, code VARCHAR NOT NULL, name VARCHAR NOT NULL,
               unit VARCHAR NOT NULL, basis VARCHAR NOT NULL, measure VARCHAR, observation VARCHAR, task VARCHAR,
               activity_type VARCHAR, cohort VARCHAR, project VARCHAR, sort INTEGER NOT NULL,
               PRIMARY KEY (plan_id, code))""",
        # One row per target value: an annual target has a row for each year of its plan.
        """CREATE TABLE targets (plan_id VARCHAR NOT NULL, indicator VARCHAR NOT NULL, kind VARCHAR NOT NULL,
               year INTEGER, value DOUBLE NOT NULL, baseline_year INTEGER, basis VARCHAR NOT NULL)""",
        """CREATE TABLE observations (series VARCHAR NOT NULL, year INTEGER NOT NULL, town VARCHAR NOT NULL,
               value DOUBLE NOT NULL, source VARCHAR)""",
        "CREATE SEQUENCE activity_ids START 1",
        """CREATE TABLE activities (
               id BIGINT NOT NULL DEFAULT nextval('activity_ids'),
               ref VARCHAR,
               title VARCHAR NOT NULL,
               start_date DATE NOT NULL,
               end_date DATE NOT NULL,
               town VARCHAR NOT NULL,
               bureau VARCHAR NOT NULL,
               cohorts VARCHAR[] NOT NULL,
               project VARCHAR,
               task VARCHAR,
               activity_type VARCHAR NOT NULL,
               participants INTEGER NOT NULL,
               funding DECIMAL(14, 2) NOT NULL,
               note VARCHAR)""",
    ],
    # Reporting in: import batches (undoable), retraction instead of deletion, observation history, users, and
    # an audit log of every change.
    2: [
        "CREATE SEQUENCE batch_ids START 1",
        """CREATE TABLE batches (
               id INTEGER PRIMARY KEY DEFAULT nextval('batch_ids'),
               kind VARCHAR NOT NULL,
               file_name VARCHAR NOT NULL,
               sha256 VARCHAR NOT NULL,
               user_name VARCHAR NOT NULL,
               created_at TIMESTAMP NOT NULL,
               rows_read INTEGER NOT NULL,
               imported INTEGER NOT NULL,
               rejected INTEGER NOT NULL,
               duplicates INTEGER NOT NULL,
               valid_only BOOLEAN NOT NULL,
               undone_at TIMESTAMP,
               undone_by VARCHAR)""",
        "ALTER TABLE activities ADD COLUMN batch INTEGER",
        "ALTER TABLE activities ADD COLUMN retracted BOOLEAN NOT NULL DEFAULT false",
        "CREATE SEQUENCE observation_ids START 1",
        "ALTER TABLE observations ADD COLUMN id BIGINT DEFAULT nextval('observation_ids')",
        "ALTER TABLE observations ADD COLUMN batch INTEGER",
        "ALTER TABLE observations ADD COLUMN superseded_by INTEGER",  # the batch whose value replaced this one
        "ALTER TABLE observations ADD COLUMN retracted BOOLEAN NOT NULL DEFAULT false",
        """CREATE TABLE users (
               name VARCHAR PRIMARY KEY,
               role VARCHAR NOT NULL,
               bureau VARCHAR,
               town VARCHAR,
               password_hash VARCHAR,
               disabled BOOLEAN NOT NULL DEFAULT false,
               created_at TIMESTAMP NOT NULL,
               failed_logins INTEGER NOT NULL DEFAULT 0,
               locked_until TIMESTAMP)""",
        "CREATE TABLE audit_log (logged_at TIMESTAMP NOT NULL, user_name VARCHAR NOT NULL, action VARCHAR NOT NULL, "
        "detail VARCHAR)",
        "ALTER TABLE targets ADD COLUMN updated_by VARCHAR",
        "ALTER TABLE targets ADD COLUMN updated_at TIMESTAMP",
    ],
    # Trust: match keys so a cosmetic re-send is a duplicate (kepu/matching.py); sessions end when an account is
    # disabled or its password reset; the audit log says through what and from where; an observation's current
    # value is the newest live batch's (a view, so undo and restore in any order cannot leave a gap).
    3: [
        "ALTER TABLE activities ADD COLUMN ref_key VARCHAR",
        "ALTER TABLE activities ADD COLUMN title_key VARCHAR",
        lambda con: fill_match_keys(con),
        "ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE audit_log ADD COLUMN via VARCHAR",
        "ALTER TABLE audit_log ADD COLUMN os_user VARCHAR",
        "ALTER TABLE audit_log ADD COLUMN address VARCHAR",
        """CREATE VIEW current_observations AS
               SELECT * FROM observations WHERE NOT retracted
               QUALIFY row_number() OVER (PARTITION BY series, year, town
                                          ORDER BY coalesce(batch, 0) DESC, id DESC) = 1""",
    ],
    # The district's facts are plan data, not literals in code: its name, who issues its briefings, the census
    # source of its population, and the short names of the bodies that administer its towns.
    4: [
        "ALTER TABLE plans ADD COLUMN place VARCHAR",
        "ALTER TABLE plans ADD COLUMN issuer VARCHAR",
        "ALTER TABLE plans ADD COLUMN population_source VARCHAR",
        """CREATE TABLE administrations (name VARCHAR PRIMARY KEY, short VARCHAR NOT NULL, note VARCHAR,
               sort INTEGER NOT NULL)""",
        lambda con: fill_district_facts(con),
    ],
    # Supervision (考核 and 督查): the national campaigns an activity may belong to, how and when units report, the
    # review of a clerk's batch before it counts, 佐证材料 kept outside the database, towns' own governments as
    # reporting units, and the points an administrator gives by hand in the 考核.
    5: [
        """CREATE TABLE campaigns (plan_id VARCHAR NOT NULL, name VARCHAR NOT NULL, aliases VARCHAR[] NOT NULL,
               window_from VARCHAR NOT NULL, window_to VARCHAR NOT NULL, cohorts VARCHAR[] NOT NULL,
               tasks VARCHAR[] NOT NULL, sort INTEGER NOT NULL, PRIMARY KEY (plan_id, name))""",
        # each campaign's days in each year of its plan (and the years after it, until a next plan)
        """CREATE TABLE campaign_windows (plan_id VARCHAR NOT NULL, campaign VARCHAR NOT NULL, year INTEGER NOT NULL,
               first_day DATE NOT NULL, last_day DATE NOT NULL, PRIMARY KEY (plan_id, campaign, year))""",
        "ALTER TABLE activities ADD COLUMN campaign VARCHAR",
        "ALTER TABLE plans ADD COLUMN reporting_cycle VARCHAR",
        "ALTER TABLE plans ADD COLUMN reporting_due_day INTEGER",
        "ALTER TABLE plans ADD COLUMN assessment VARCHAR",  # the 考核 scheme, as JSON
        # A batch is 待审核 (pending) until approved, or 已退回 (returned) with a reason; rows of a batch that is not
        # approved carry pending = true and count in no figure. Batches before schema 5 are approved.
        "ALTER TABLE batches ADD COLUMN status VARCHAR NOT NULL DEFAULT 'approved'",
        "ALTER TABLE batches ADD COLUMN reviewed_by VARCHAR",
        "ALTER TABLE batches ADD COLUMN reviewed_at TIMESTAMP",
        "ALTER TABLE batches ADD COLUMN review_note VARCHAR",
        "ALTER TABLE activities ADD COLUMN pending BOOLEAN NOT NULL DEFAULT false",
        "ALTER TABLE observations ADD COLUMN pending BOOLEAN NOT NULL DEFAULT false",
        "CREATE SEQUENCE evidence_ids START 1",
        """CREATE TABLE evidence (id INTEGER PRIMARY KEY DEFAULT nextval('evidence_ids'),
               sha256 VARCHAR NOT NULL, media_type VARCHAR NOT NULL, size BIGINT NOT NULL, file_name VARCHAR NOT NULL,
               batch INTEGER, activity BIGINT, uploaded_by VARCHAR NOT NULL, uploaded_at TIMESTAMP NOT NULL,
               removed_by VARCHAR, removed_at TIMESTAMP)""",
        # a town's own government (沙土镇人民政府, 东城街道办事处) as the 责任单位 of the town's own activities
        "ALTER TABLE bureaus ADD COLUMN town VARCHAR",
        """CREATE TABLE assessment_manual (year INTEGER NOT NULL, unit_kind VARCHAR NOT NULL, unit VARCHAR NOT NULL,
               item VARCHAR NOT NULL, points DOUBLE NOT NULL, reason VARCHAR NOT NULL, scored_by VARCHAR NOT NULL,
               scored_at TIMESTAMP NOT NULL, PRIMARY KEY (year, unit_kind, unit, item))""",
        "DROP VIEW current_observations",
        """CREATE VIEW current_observations AS
               SELECT * FROM observations WHERE NOT retracted AND NOT pending
               QUALIFY row_number() OVER (PARTITION BY series, year, town
                                          ORDER BY coalesce(batch, 0) DESC, id DESC) = 1""",
        lambda con: fill_supervision(con),
    ],
    # Each town's place on the schematic tile map of the district (plan data: `grid: [row, col]`).
    6: [
        "ALTER TABLE towns ADD COLUMN grid_row INTEGER",
        "ALTER TABLE towns ADD COLUMN grid_col INTEGER",
        lambda con: fill_town_grid(con),
    ],
    # A log of the changes to the figures, one row per data version (store.bump_data_version): what changed and, for
    # a batch's rows (import, undo, restore, approval, return), which batch. A read model of the store (issue 14,
    # docs/postgresql.md) refreshes from it instead of reloading everything.
    7: [
        "CREATE SEQUENCE change_ids START 1",
        """CREATE TABLE changes (id BIGINT PRIMARY KEY DEFAULT nextval('change_ids'), data_version BIGINT NOT NULL,
               kind VARCHAR NOT NULL, batch INTEGER, changed_at TIMESTAMP NOT NULL)""",
    ],
    # Each record's list of cohorts as a number (activity_rows.py): pages test the few distinct lists instead of
    # every record's (issue 15).
    8: [
        "CREATE TABLE cohort_sets (id INTEGER PRIMARY KEY, cohorts VARCHAR[] NOT NULL)",
        "ALTER TABLE activities ADD COLUMN cohort_set INTEGER",
        lambda con: activity_rows.number_cohort_sets(con),
    ],
}
SCHEMA_VERSION = max(MIGRATIONS)


def schema_version(con: db.Connection) -> int:
    """The store's schema version (0 for an empty file)."""
    has_meta = db.scalar(
        con,
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta' AND table_schema = current_schema()",
    )
    if not has_meta:
        return 0
    return int(db.scalar(con, "SELECT value FROM meta WHERE key = 'schema_version'") or 0)


def migrate(con: db.Connection, migrations: dict[int, list[Step]] | None = None) -> int:
    """Bring the schema up to the newest version in one transaction; return the version reached. A step is a
    statement, or a function of the connection for what SQL alone cannot compute."""
    migrations = MIGRATIONS if migrations is None else migrations
    current = schema_version(con)
    newest = max(migrations)
    if current > newest:
        raise StoreError(f"数据库结构版本 {current} 比本程序支持的 {newest} 更新，请升级 kepu")
    if current == newest:
        return current
    with db.transaction(con):
        for version in sorted(v for v in migrations if v > current):
            for step in migrations[version]:
                step(con) if callable(step) else db.execute(con, step)
        db.execute(con, "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(newest)])
    return newest


# Values that NFKC, invisible-character removal and case folding change only by ASCII case: printable ASCII without
# spaces, and CJK Unified Ideographs. For them matching.key is lower(), which SQL computes in one pass over millions of
# rows; only the rest (full-width forms, spaces, invisible characters…) goes through Python. tests/test_matching.py
# checks the two agree.
PLAIN_TEXT = "[!-~\u4e00-\u9fff]*"


def fill_district_facts(con: db.Connection) -> None:
    """Give a store made before schema 4 its district facts, from the plan files (plan_dir) with the same plan id."""
    stored = {r[0] for r in db.rows(con, "SELECT id FROM plans")}
    if not stored:
        return  # a new store: its plans bring their facts as they are loaded
    for plan in (load_plan(p) for p in plan_files(plan_dir())):
        if plan.id in stored:
            write_district_facts(con, plan)


def fill_town_grid(con: db.Connection) -> None:
    """Give a store made before schema 6 its towns' map places, from the plan files with the same plan id."""
    stored = {r[0] for r in db.rows(con, "SELECT id FROM plans")}
    for plan in (load_plan(p) for p in plan_files(plan_dir())):
        if plan.id in stored:
            write_town_grid(con, plan)


def write_town_grid(con: db.Connection, plan: Plan) -> None:
    """The plan's towns' places on the tile map (grid_row, grid_col), for the towns that have one."""
    db.executemany(
        con,
        "UPDATE towns SET grid_row = ?, grid_col = ? WHERE name = ?",
        [(t.grid[0], t.grid[1], t.name) for t in plan.towns if t.grid is not None],
    )


def fill_supervision(con: db.Connection) -> None:
    """Give a store made before schema 5 its plans' campaigns, reporting cycle and 考核 scheme, from the plan files
    with the same plan id."""
    stored = {r[0] for r in db.rows(con, "SELECT id FROM plans")}
    for plan in (load_plan(p) for p in plan_files(plan_dir())):
        if plan.id in stored:
            write_supervision(con, plan)
    write_town_governments(con)


# A town's own government, the 责任单位 of the town's own activities: 沙土镇人民政府, 东城街道办事处.
GOVERNMENT = {"镇": "人民政府", "街道": "办事处"}
GOVERNMENT_ALIASES = {"镇": ("政府", ""), "街道": ("办", "")}  # 沙土镇政府 and 沙土镇; 东城街道办 and 东城街道
GOVERNMENTS_SORT = 10_000  # after every plan's bureaus, in the towns' order


def town_government(town: str, kind: str) -> str:
    """The name of a town's own government: 沙土镇人民政府, 东城街道办事处."""
    return town + GOVERNMENT[kind]


def write_town_governments(con: db.Connection) -> None:
    """Every town's own government as a 责任单位 (bureaus.town names its town), with its short names as aliases
    (沙土镇政府 and 沙土镇 mean 沙土镇人民政府 where a 责任单位 is asked for; as a 镇街, 沙土镇 is still the town).
    An alias a plan's bureau already has stays the plan bureau's."""
    towns = db.rows(con, "SELECT name, kind, sort FROM towns WHERE list_contains(?, kind)", [list(GOVERNMENT)])
    db.executemany(
        con,
        "INSERT OR REPLACE INTO bureaus (name, sort, town) VALUES (?, ?, ?)",
        [(town_government(name, kind), GOVERNMENTS_SORT + sort, name) for name, kind, sort in towns],
    )
    taken = {r[0] for r in db.rows(con, "SELECT name FROM bureaus")}
    aliases = [(name + s, town_government(name, kind)) for name, kind, _ in towns for s in GOVERNMENT_ALIASES[kind]]
    db.executemany(con, "INSERT OR IGNORE INTO bureau_aliases VALUES (?, ?)", [a for a in aliases if a[0] not in taken])


def write_supervision(con: db.Connection, plan: Plan) -> None:
    """The plan's campaigns (with their days in each year of the plan), reporting cycle and 考核 scheme."""
    db.execute(
        con,
        "UPDATE plans SET reporting_cycle = ?, reporting_due_day = ?, assessment = ? WHERE id = ?",
        [plan.reporting.cycle, plan.reporting.due_day, json.dumps(plan.assessment, ensure_ascii=False), plan.id],
    )
    db.execute(con, "DELETE FROM campaigns WHERE plan_id = ?", [plan.id])
    db.execute(con, "DELETE FROM campaign_windows WHERE plan_id = ?", [plan.id])
    db.executemany(
        con,
        "INSERT INTO campaigns VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (plan.id, c.name, list(c.aliases), *c.window, list(c.cohorts), list(c.tasks), i)
            for i, c in enumerate(plan.campaigns)
        ],
    )
    windows = [(plan.id, c.name, y, *c.window_in(y)) for c in plan.campaigns for y in _campaign_years(plan)]
    db.executemany(con, "INSERT INTO campaign_windows VALUES (?, ?, ?, ?, ?)", windows)


def _campaign_years(plan: Plan) -> range:
    """The years a plan's campaigns are dated in: its own, and ten after it (work goes on until a next plan)."""
    return range(plan.start_year, plan.end_year + 11)


def write_district_facts(con: db.Connection, plan: Plan) -> None:
    """The plan's district facts and administrations, written beside the plan's row."""
    d = plan.district
    db.execute(
        con,
        "UPDATE plans SET place = ?, issuer = ?, population_source = ? WHERE id = ?",
        [d.place, d.issuer, d.population_source, plan.id],
    )
    db.executemany(
        con,
        "INSERT OR REPLACE INTO administrations VALUES (?, ?, ?, ?)",
        [(a.name, a.short, a.note, i) for i, a in enumerate(plan.administrations)],
    )


def fill_match_keys(con: db.Connection) -> None:
    """Give every activity record lacking them its match keys (records written by a fill, or before schema 3)."""
    for column, key_column in (("ref", "ref_key"), ("title", "title_key")):
        missing = f"{key_column} IS NULL AND {column} IS NOT NULL"
        db.execute(
            con,
            f"UPDATE activities SET {key_column} = lower({column}) WHERE {missing} AND regexp_full_match({column}, ?)",
            [PLAIN_TEXT],
        )
        rest = [r[0] for r in db.rows(con, f"SELECT DISTINCT {column} FROM activities WHERE {missing}")]
        if rest:
            keys = pd.DataFrame({"value": rest, "key": [matching.key(v) for v in rest]})
            with db.frame(con, "_kepu_keys", keys):
                db.execute(
                    con,
                    f"UPDATE activities a SET {key_column} = k.key FROM _kepu_keys k "
                    f"WHERE a.{column} = k.value AND a.{key_column} IS NULL",
                )
