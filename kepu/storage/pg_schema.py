"""The store's schema in PostgreSQL (issue 14; docs/postgresql.md). A PostgreSQL store starts at the current schema
instead of replaying the DuckDB migrations: an empty store is migrated in memory by DuckDB, and its tables and
sequences are created in PostgreSQL as DuckDB writes them, with DuckDB's type names spelt for PostgreSQL; the views,
which use DuckDB-only SQL, are written here for PostgreSQL. So the two schemas cannot drift apart: a new migration
reaches PostgreSQL without a second copy of it (tests/test_postgres.py compares the two)."""

from __future__ import annotations

import re

from kepu.storage import db, schema

_DOUBLE = re.compile(r"\bDOUBLE\b(?!\s+PRECISION)")

# DuckDB's functions the store's SQL uses, for PostgreSQL (bodies in PostgreSQL's own SQL: these run nowhere else).
DUCKDB_FUNCTIONS = (
    "CREATE DOMAIN double AS double precision",
    "CREATE FUNCTION list_contains(anycompatiblearray, anycompatible) RETURNS boolean LANGUAGE sql IMMUTABLE "
    "AS 'SELECT $2 = ANY($1)'",
    "CREATE FUNCTION len(anycompatiblearray) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT cardinality($1)::bigint'",
    "CREATE FUNCTION year(date) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT extract(year FROM $1)::bigint'",
    "CREATE FUNCTION month(date) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT extract(month FROM $1)::bigint'",
    # strftime with the directives kepu uses (%Y, %m, %d) as to_char's
    "CREATE FUNCTION strftime(date, text) RETURNS text LANGUAGE sql IMMUTABLE "
    "AS 'SELECT to_char($1, replace(replace(replace($2, ''%Y'', ''YYYY''), ''%m'', ''MM''), ''%d'', ''DD''))'",
    # any_value is PostgreSQL's own from version 16; before it, an aggregate of the first value that is not NULL
    "CREATE FUNCTION kepu_first(anyelement, anyelement) RETURNS anyelement LANGUAGE sql IMMUTABLE "
    "AS 'SELECT coalesce($1, $2)'",
    "CREATE AGGREGATE any_value(anyelement) (SFUNC = kepu_first, STYPE = anyelement)",
    "CREATE FUNCTION regexp_full_match(text, text) RETURNS boolean LANGUAGE sql IMMUTABLE "
    "AS 'SELECT $1 ~ (''^(?:'' || $2 || '')$'')'",
)


def create(con: db.Connection, indexed: bool = True) -> int:
    """Give an empty PostgreSQL database the current schema, in one transaction; the version it has. A database
    at the current version is left as it is; one at another version is refused (upgrading a PostgreSQL store is
    not written yet). Without `indexed`, the caller creates INDEXES itself (`index`) once the rows are in: three
    times faster for a province's million records than keeping the indexes up to date row by row."""
    version = schema.schema_version(con)  # the same question, answered the same way in PostgreSQL
    if version == schema.SCHEMA_VERSION:
        return version
    if version:
        newest = schema.SCHEMA_VERSION
        raise schema.StoreError(
            f"PostgreSQL 数据库的结构版本为 {version}，本程序为 {newest}；PostgreSQL 数据库的升级尚未支持"
        )
    model = db.in_memory()  # an empty store, in memory, migrated: the schema as DuckDB has it now
    try:
        schema.migrate(model)
        sequences = db.rows(model, "SELECT sequence_name, start_value FROM duckdb_sequences() ORDER BY sequence_name")
        tables = db.rows(model, "SELECT table_name, sql FROM duckdb_tables() ORDER BY table_oid")
        observed = [
            r[0]
            for r in db.rows(
                model,
                "SELECT column_name FROM duckdb_columns() WHERE table_name = 'observations' ORDER BY column_index",
            )
        ]
        meta = db.rows(model, "SELECT key, value FROM meta ORDER BY key")
    finally:
        model.close()
    with db.transaction(con):
        for statement in DUCKDB_FUNCTIONS:
            db.execute(con, statement)
        for name, start in sequences:
            db.execute(con, f'CREATE SEQUENCE "{name}" START {int(start)}')  # names from our own schema
        for _, sql in tables:
            db.execute(con, _DOUBLE.sub("DOUBLE PRECISION", sql))
        db.execute(con, _current_observations(observed))
        if indexed:
            index(con)
        for key, value in meta:
            db.execute(con, "INSERT INTO meta VALUES (?, ?)", [key, value])
    return schema.SCHEMA_VERSION


def _current_observations(columns: list[str]) -> str:
    """The view of each observation's current value (schema.py's, which DuckDB writes with QUALIFY): the newest live
    batch's row for each series, year and town, with the table's own columns and no others."""
    listed = ", ".join(f'"{c}"' for c in columns)
    return f"""CREATE VIEW current_observations AS
        SELECT {listed} FROM (
            SELECT *, row_number() OVER (PARTITION BY series, year, town
                                         ORDER BY coalesce(batch, 0) DESC, id DESC) AS kepu_rank
            FROM observations WHERE NOT retracted AND NOT pending) ranked
        WHERE kepu_rank = 1"""


# What PostgreSQL needs besides the primary keys: a read model copies a changed batch's rows (readmodel.py), an
# import and an undo find a batch's rows, an import looks up each incoming row's 活动编号 and name among the stored
# ones (batches._same_activity: without these it hashes every record, 4 s an import at ten million), and a page
# without the read model filters by date; the records awaiting their cohort set are found without reading the rest.
INDEXES = (
    "CREATE INDEX activities_batch ON activities (batch)",
    "CREATE INDEX observations_batch ON observations (batch)",
    "CREATE INDEX activities_start ON activities (start_date)",
    "CREATE INDEX activities_number ON activities (bureau, ref_key)",
    "CREATE INDEX activities_name ON activities (bureau, town, start_date, title_key)",
    "CREATE INDEX activities_unnumbered ON activities (id) WHERE cohort_set IS NULL",  # activity_rows
)


def index(con: db.Connection) -> None:
    """Create INDEXES (see `create`)."""
    for statement in INDEXES:
        db.execute(con, statement)


def drop(con: db.Connection) -> None:
    """Remove a store's tables, views, sequences and functions from the database (kepu init --force), in the
    caller's transaction; what else the database holds is left alone."""
    found = db.rows(
        con,
        """SELECT 'VIEW', table_name FROM information_schema.views WHERE table_schema = current_schema()
           UNION ALL SELECT 'TABLE', table_name FROM information_schema.tables
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
           UNION ALL SELECT 'SEQUENCE', sequence_name FROM information_schema.sequences
                     WHERE sequence_schema = current_schema()""",
    )
    for kind, name in found:
        db.execute(con, f'DROP {kind} IF EXISTS "{name}" CASCADE')  # names the catalogue gave, quoted
    for statement in DUCKDB_FUNCTIONS:
        m = _CREATED.match(statement)
        assert m is not None, statement
        db.execute(con, f"DROP {m[1]} IF EXISTS {m[2]}{m[3] or ''} CASCADE")


_CREATED = re.compile(r"CREATE (FUNCTION|DOMAIN|AGGREGATE) (\w+)(\([^)]*\))?")
