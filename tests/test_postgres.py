"""The PostgreSQL engine of kepu.storage.db (issue 14's first step; docs/postgresql.md): the same functions, the same
SQL text with DuckDB's `?` and `$name` parameters, on a fresh PostgreSQL database per test. They need a server:
$KEPU_TEST_PG (default postgresql://kepu:kepu@127.0.0.1:5432/postgres, what .ci/run sets up); without one they skip,
except under CI=true, where a missing server fails them."""

import datetime as dt

import pandas as pd
import pytest

from kepu.storage import db


@pytest.fixture
def pg(pg_server):
    """A connection to a new, empty database on the test server (tests/helpers/pg.py), dropped after the test."""
    url = pg_server.new()
    con = db.connect_postgres(url)
    try:
        yield con
    finally:
        con.close()
        pg_server.drop(url)


def test_named_and_positional_parameters_are_bound_not_pasted(pg):
    db.execute(pg, "CREATE TABLE t (name text, n bigint, towns text[])")
    hostile = "x'); DROP TABLE t; --"
    db.execute(pg, "INSERT INTO t VALUES (?, ?, ?)", [hostile, 3, ["沙土镇", "吴店镇"]])
    db.execute(pg, "INSERT INTO t VALUES ($name, $n, $towns)", {"name": "100%", "n": 4, "towns": [], "unused": 1})
    assert db.rows(pg, "SELECT name, n FROM t ORDER BY n") == [(hostile, 3), ("100%", 4)]
    assert db.scalar(pg, "SELECT n FROM t WHERE '沙土镇' = ANY(towns)") == 3
    assert db.scalar(pg, "SELECT count(*) FROM t WHERE name LIKE '%\\%' ESCAPE '\\'") == 1  # a literal % kept
    assert db.scalar(pg, "SELECT n FROM t WHERE name = ANY($names)", {"names": ["100%"]}) == 4


def test_the_sql_text_keeps_quoted_question_marks_and_dollars():
    assert db.pg_sql("SELECT '?', \"a$b\", ? , $x, 5 % 2") == "SELECT '?', \"a$b\", %s , %(x)s, 5 %% 2"
    assert db.pg_sql("SELECT 'it''s 50%'") == "SELECT 'it''s 50%%'"


def test_a_query_is_a_frame_and_an_empty_result_has_its_columns(pg):
    db.execute(pg, "CREATE TABLE t (day date, value double precision, ok boolean)")
    db.executemany(pg, "INSERT INTO t VALUES (?, ?, ?)", [(dt.date(2024, 1, 2), 1.5, True), (None, None, False)])
    frame = db.query(pg, "SELECT * FROM t ORDER BY day NULLS LAST")
    assert list(frame.columns) == ["day", "value", "ok"] and frame["day"].iloc[0] == pd.Timestamp(
        2024, 1, 2
    )  # as DuckDB
    assert frame["value"].iloc[0] == 1.5 and pd.isna(frame["value"].iloc[1])
    assert list(db.query(pg, "SELECT * FROM t WHERE false").columns) == ["day", "value", "ok"]


def test_a_transaction_commits_together_rolls_back_together_and_joins_an_outer_one(pg):
    db.execute(pg, "CREATE TABLE t (n bigint)")
    with db.transaction(pg):
        db.execute(pg, "INSERT INTO t VALUES (1)")
        with db.transaction(pg):  # joins the outer block
            db.execute(pg, "INSERT INTO t VALUES (2)")
    with pytest.raises(RuntimeError), db.transaction(pg):
        db.execute(pg, "INSERT INTO t VALUES (3)")
        raise RuntimeError("halfway")
    assert db.rows(pg, "SELECT n FROM t ORDER BY n") == [(1,), (2,)]


def test_a_frame_is_readable_and_insertable_by_name(pg):
    db.execute(pg, "CREATE TABLE t (ref text, participants bigint, funding double precision, cohorts text[])")
    data = pd.DataFrame(
        {
            "ref": ["T-1", "T-2", None],
            "participants": [40, 0, 7],
            "funding": [500.0, float("nan"), 1.25],
            "cohorts": [["青少年"], [], ["农民", "老年人"]],
        }
    )
    db.insert_frame(pg, "t", data)
    assert db.rows(pg, "SELECT ref, participants, funding, cohorts FROM t ORDER BY participants") == [
        ("T-2", 0, None, []),
        (None, 7, 1.25, ["农民", "老年人"]),
        ("T-1", 40, 500.0, ["青少年"]),
    ]
    with db.frame(pg, "incoming", data[["ref"]]):
        assert db.scalar(pg, "SELECT count(*) FROM incoming WHERE ref IN (SELECT ref FROM t)") == 2
    assert db.scalar(pg, "SELECT count(*) FROM pg_tables WHERE tablename = 'incoming'") == 0


def test_a_snapshot_sees_one_state_while_another_connection_commits(pg):
    db.execute(pg, "CREATE TABLE t (n bigint)")
    db.execute(pg, "INSERT INTO t VALUES (1)")
    reader = pg.cursor()
    db.open_snapshot(reader)
    assert db.scalar(reader, "SELECT count(*) FROM t") == 1
    with db.transaction(pg):
        db.execute(pg, "INSERT INTO t VALUES (2)")
    assert db.scalar(reader, "SELECT count(*) FROM t") == 1  # the snapshot's state, not the new one
    db.close_snapshot(reader)
    assert db.scalar(pg, "SELECT count(*) FROM t") == 2


def _columns(con) -> dict[tuple[str, str], str]:
    sql = """SELECT table_name, column_name, data_type FROM information_schema.columns
             WHERE table_schema IN ('main', 'public') ORDER BY table_name, ordinal_position"""
    return {(t, c): d for t, c, d in db.rows(con, sql)}


@pytest.mark.duckdb_only  # the DuckDB store is the model it is compared with
def test_a_postgres_store_gets_the_current_schema_the_same_as_duckdb(pg, empty_store):
    from kepu.storage import pg_schema, schema, store

    assert pg_schema.create(pg) == schema.SCHEMA_VERSION
    assert pg_schema.create(pg) == schema.SCHEMA_VERSION  # at the current version: left as it is
    con = store.connect(empty_store, read_only=True)  # a DuckDB store made by the migrations
    try:
        ours = _columns(con)
        views = db.rows(con, "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal")
    finally:
        con.close()
    theirs = _columns(pg)
    assert set(theirs) == set(ours)  # every table, view and column, by name
    kinds = {"DOUBLE": "double precision", "VARCHAR": "character varying", "VARCHAR[]": "ARRAY", "BIGINT": "bigint"}
    for column, duck_type in ours.items():
        if duck_type in kinds:
            assert theirs[column] == kinds[duck_type], column
    # The view is written for PostgreSQL in pg_schema: a change to DuckDB's must be made there too.
    assert [name for name, _ in views] == ["current_observations"]
    assert "QUALIFY (row_number() OVER (PARTITION BY series" in views[0][1] and "NOT pending" in views[0][1]


def test_the_postgres_view_gives_each_observations_current_value(pg):
    from kepu.storage import pg_schema

    pg_schema.create(pg)
    rows = [  # series, year, town, value, batch, retracted, pending
        ("survey_rate", 2024, "全区", 14.0, 1, False, False),
        ("survey_rate", 2024, "全区", 15.0, 2, False, False),  # the newer batch: current
        ("survey_rate", 2024, "全区", 99.0, 3, True, False),  # undone
        ("survey_rate", 2024, "全区", 98.0, 4, False, True),  # awaiting review
        ("survey_rate", 2023, "全区", 12.0, None, False, False),
    ]
    db.executemany(
        pg,
        "INSERT INTO observations (series, year, town, value, batch, retracted, pending) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    assert db.rows(pg, "SELECT year, value FROM current_observations ORDER BY year") == [(2023, 12.0), (2024, 15.0)]
    assert db.scalar(pg, "SELECT count(DISTINCT id) FROM observations") == 5  # the sequence gave every row an id


def test_a_postgres_store_at_another_version_is_refused(pg):
    from kepu.storage import pg_schema, schema

    db.execute(pg, "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)")
    db.execute(pg, "INSERT INTO meta VALUES ('schema_version', '3')")
    with pytest.raises(schema.StoreError, match="结构版本为 3"):
        pg_schema.create(pg)


@pytest.mark.slow  # waits on a second process for over a second
def test_writers_in_other_processes_take_turns(pg):
    """A write waits for another process's write to end (PostgreSQL's advisory lock), as threads wait in one."""
    import subprocess
    import sys
    import time

    url = pg.url
    hold = (
        "import sys, time, psycopg; c = psycopg.connect(sys.argv[1], autocommit=True); c.execute('BEGIN');"
        f"c.execute('SELECT pg_advisory_xact_lock({db.WRITER_LOCK})'); print('ready', flush=True);"
        "time.sleep(1.5); c.execute('COMMIT')"
    )
    db.execute(pg, "CREATE TABLE t (n bigint)")
    holder = subprocess.Popen([sys.executable, "-c", hold, url], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        started = time.monotonic()
        with db.transaction(pg):
            db.execute(pg, "INSERT INTO t VALUES (1)")
        waited = time.monotonic() - started
    finally:
        holder.wait(10)
    assert waited >= 1.0, waited


HOSTILE_TEXT = [
    'a,b "quoted" {braced} back\\slash',
    "line\nbreak\ttab, and '单引号'",
    "",  # empty, not NULL
    "NULL",
    "<script>alert(1)</script> **markdown** ｆｕｌｌ　ｗｉｄｔｈ 零\u200b宽",
    "x" * 5000,
]


@pytest.mark.slow  # a store built, copied into PostgreSQL and back
def test_a_store_copied_into_postgres_and_back_keeps_every_value(pg_server, empty_template, tmp_path):
    """pg_store.load (DuckDB → PostgreSQL, array literals) then pg_store.to_duckdb_file (PostgreSQL → DuckDB, JSON):
    hostile text in plain and list columns, an empty list, an empty string beside NULL, inf and nan."""
    import math
    import shutil
    from contextlib import closing

    from kepu.storage import pg_store, store

    source = shutil.copy(empty_template, tmp_path / "hostile.duckdb")
    with closing(store.connect(source)) as con:
        for n, text in enumerate(HOSTILE_TEXT):
            db.execute(
                con,
                """INSERT INTO activities (ref, title, start_date, end_date, town, bureau, cohorts, activity_type,
                                           participants, funding, note)
                   VALUES (?, ?, DATE '2024-05-02', DATE '2024-05-02', '沙土镇', '区科协', ?, '讲座', ?, 12.5, ?)""",
                [f"H-{n}", text or "空", [text, "青少年"] if text else [], 2_000_000_000 - n, text or None],
            )
        for year, value in ((2022, math.inf), (2023, -math.inf), (2024, math.nan)):
            db.execute(
                con,
                "INSERT INTO observations (series, year, town, value) VALUES ('survey_rate', ?, '全区', ?)",
                [year, value],
            )
        columns = "ref, title, cohorts, participants, funding, note"
        before = db.rows(con, f"SELECT {columns} FROM activities ORDER BY ref")
        observed = db.rows(con, "SELECT year, value FROM observations WHERE series = 'survey_rate' ORDER BY year")
    url = pg_server.new()
    try:
        with closing(db.connect_postgres(url)) as pg:
            pg_store.load(pg, source)
            assert db.rows(pg, f"SELECT {columns} FROM activities ORDER BY ref") == before
            pg_store.to_duckdb_file(pg, tmp_path / "back.duckdb")
        with closing(store.connect(tmp_path / "back.duckdb")) as back:
            assert db.rows(back, f"SELECT {columns} FROM activities ORDER BY ref") == before
            again = db.rows(back, "SELECT year, value FROM observations WHERE series = 'survey_rate' ORDER BY year")
    finally:
        pg_server.drop(url)
    assert [y for y, _ in again] == [y for y, _ in observed]
    assert again[0][1] == math.inf and again[1][1] == -math.inf and math.isnan(again[2][1])


def test_a_loaded_store_has_its_indexes_made_after_its_rows(pg, empty_template, tmp_path):
    """pg_store.load copies the rows first and indexes them after (a million records load in 6 s instead of 13.5):
    the indexes must still all be there."""
    import re
    import shutil

    from kepu.storage import pg_schema, pg_store

    # a copy: an app test in this worker may hold the shared template open, and DuckDB refuses a second configuration
    pg_store.load(pg, shutil.copy(empty_template, tmp_path / "empty.duckdb"))
    made = {r[0] for r in db.rows(pg, "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")}
    wanted = {re.search(r"CREATE INDEX (\w+)", statement)[1] for statement in pg_schema.INDEXES}
    assert wanted <= made
