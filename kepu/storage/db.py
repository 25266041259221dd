"""The one place that runs SQL. Every statement passes its values as bound parameters, never in the text, and every
statement, whichever function runs it, is timed here and logged when slow."""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import duckdb
import pandas as pd

Connection = duckdb.DuckDBPyConnection  # what every function taking `con` takes: a connection or one of its cursors
Params = dict[str, Any] | Sequence[Any] | None
log = logging.getLogger("kepu.sql")
SLOW_SECONDS = 0.5
_NAMED = re.compile(r"\$([A-Za-z_]\w*)")


def query(con: Connection, sql: str, params: Params = None) -> pd.DataFrame:
    """Run a SELECT and return its rows as a DataFrame."""
    return _timed(con, sql, params).df()


def rows(con: Connection, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
    """Run a SELECT and return its rows as tuples."""
    return _timed(con, sql, params).fetchall()


def scalar(con: Connection, sql: str, params: Params = None) -> Any:
    """Run a SELECT and return the first column of its first row (None when there is no row)."""
    found = _timed(con, sql, params).fetchall()  # fetch to the end: DuckDB keeps an unfinished result busy
    return found[0][0] if found else None


def execute(con: Connection, sql: str, params: Params = None) -> None:
    """Run a statement that changes the store."""
    _timed(con, sql, params).fetchall()


_ONE_ROW = re.compile(r"\bVALUES\s*(\([?,\s]+\))\s*$", re.IGNORECASE)
ROWS_PER_STATEMENT = 500


def executemany(con: Connection, sql: str, param_rows: Sequence[Sequence[Any]]) -> None:
    """Run one statement for each row of parameters. An INSERT … VALUES (?, …) becomes one statement of many rows
    (DuckDB's own executemany runs a statement a row, fifty times slower for a plan's few hundred rows)."""
    if not param_rows:
        return
    m = _ONE_ROW.search(sql)
    if m is None:
        start = time.perf_counter()
        con.executemany(sql, param_rows)
        _log_if_slow(start, sql)
        return
    for first in range(0, len(param_rows), ROWS_PER_STATEMENT):
        chunk = param_rows[first : first + ROWS_PER_STATEMENT]
        many = sql[: m.start(1)] + ", ".join([m[1]] * len(chunk))
        execute(con, many, [value for row in chunk for value in row])


def insert_frame(con: Connection, table: str, data: pd.DataFrame) -> None:
    """Append a DataFrame to a table, matching columns by name. `table` is a name from our own schema."""
    cols = ", ".join(f'"{c}"' for c in data.columns)
    with frame(con, "_kepu_frame", data):
        execute(con, f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _kepu_frame")


@contextlib.contextmanager
def frame(con: Connection, name: str, data: pd.DataFrame) -> Iterator[None]:
    """Make a DataFrame readable by SQL as the view `name` while the block runs (e.g. incoming rows to compare
    with the store's)."""
    con.register(name, data)
    try:
        yield
    finally:
        con.unregister(name)


# DuckDB lets one process write a file; within it, writers take turns here rather than fail on a conflict. A block
# that is already in a transaction on the same connection joins it, so a change and its audit line written by two
# functions still take effect together.
_WRITER = threading.RLock()
_open: dict[int, int] = {}  # id(connection) → how many transaction blocks are open on it (guarded by _WRITER)


@contextlib.contextmanager
def transaction(con: Connection) -> Iterator[None]:
    """All statements in the block take effect together or not at all; one writer at a time."""
    with _WRITER:
        depth = _open.get(id(con), 0)
        _open[id(con)] = depth + 1
        try:
            if depth:
                yield  # the outer block commits or rolls back
                return
            execute(con, "BEGIN TRANSACTION")
            try:
                yield
            except BaseException:
                execute(con, "ROLLBACK")
                raise
            execute(con, "COMMIT")
        finally:
            if depth:
                _open[id(con)] = depth
            else:
                del _open[id(con)]


def open_snapshot(con: Connection) -> None:
    """From now until close_snapshot, reads on `con` see the store as it is now, whatever commits meanwhile."""
    execute(con, "BEGIN TRANSACTION")


def close_snapshot(con: Connection) -> None:
    """End a snapshot (it only read, so nothing is lost) and release its connection."""
    with contextlib.suppress(duckdb.Error):  # already ended, e.g. the connection was closed with the app
        execute(con, "ROLLBACK")
    con.close()


def _timed(con: Connection, sql: str, params: Params) -> duckdb.DuckDBPyConnection:
    if isinstance(params, dict):
        # Queries assemble optional clauses; bind only the named parameters the final text uses.
        used = set(_NAMED.findall(sql))
        params = {k: v for k, v in params.items() if k in used}
    start = time.perf_counter()
    result = con.execute(sql, params) if params is not None else con.execute(sql)
    _log_if_slow(start, sql)
    return result


def _log_if_slow(start: float, sql: str) -> None:
    elapsed = time.perf_counter() - start
    if elapsed > SLOW_SECONDS:
        log.warning("slow query (%.2f s): %s", elapsed, " ".join(sql.split())[:200])
