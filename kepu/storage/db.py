"""The one place that runs SQL. Every statement passes its values as bound parameters, never in the text."""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time

import duckdb
import pandas as pd

Connection = duckdb.DuckDBPyConnection  # what every function taking `con` takes: a connection or one of its cursors
log = logging.getLogger("kepu.sql")
SLOW_SECONDS = 0.5
_NAMED = re.compile(r"\$([A-Za-z_]\w*)")


def query(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None) -> pd.DataFrame:
    """Run a SELECT and return its rows as a DataFrame."""
    return _timed(con, sql, params).df()


@contextlib.contextmanager
def frame(con: duckdb.DuckDBPyConnection, name: str, data: pd.DataFrame):
    """Make a DataFrame readable by SQL as the view `name` while the block runs (e.g. incoming rows to compare
    with the store's)."""
    con.register(name, data)
    try:
        yield
    finally:
        con.unregister(name)


# DuckDB lets one process write a file; within it, writers take turns here rather than fail on a conflict.
_WRITER = threading.Lock()


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection):
    """All statements in the block take effect together or not at all; one writer at a time."""
    with _WRITER:
        execute(con, "BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            execute(con, "ROLLBACK")
            raise
        execute(con, "COMMIT")


def open_snapshot(con: duckdb.DuckDBPyConnection) -> None:
    """From now until close_snapshot, reads on `con` see the store as it is now, whatever commits meanwhile."""
    execute(con, "BEGIN TRANSACTION")


def close_snapshot(con: duckdb.DuckDBPyConnection) -> None:
    """End a snapshot (it only read, so nothing is lost) and release its connection."""
    try:
        execute(con, "ROLLBACK")
    except duckdb.Error:
        pass  # already ended, e.g. the connection was closed with the app
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None) -> list[tuple]:
    """Run a SELECT and return its rows as tuples."""
    return _timed(con, sql, params).fetchall()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None):
    """Run a SELECT and return the first column of its first row (None when there is no row)."""
    found = _timed(con, sql, params).fetchall()  # fetch to the end: DuckDB keeps an unfinished result busy
    return found[0][0] if found else None


def execute(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None) -> None:
    """Run a statement that changes the store."""
    _timed(con, sql, params).fetchall()


def executemany(con: duckdb.DuckDBPyConnection, sql: str, param_rows: list) -> None:
    """Run one statement for each row of parameters."""
    if param_rows:
        con.executemany(sql, param_rows)


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, data: pd.DataFrame) -> None:
    """Append a DataFrame to a table, matching columns by name. `table` is a name from our own schema."""
    cols = ", ".join(f'"{c}"' for c in data.columns)
    with frame(con, "_kepu_frame", data):
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _kepu_frame")


def _timed(con, sql, params):
    if isinstance(params, dict):
        # Queries assemble optional clauses; bind only the named parameters the final text uses.
        used = set(_NAMED.findall(sql))
        params = {k: v for k, v in params.items() if k in used}
    start = time.perf_counter()
    result = con.execute(sql, params) if params is not None else con.execute(sql)
    elapsed = time.perf_counter() - start
    if elapsed > SLOW_SECONDS:
        log.warning("slow query (%.2f s): %s", elapsed, " ".join(sql.split())[:200])
    return result
