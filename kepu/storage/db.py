"""The one place that runs SQL. Every statement passes its values as bound parameters, never in the text, and every
statement, whichever function runs it, is timed here and logged when slow.

Two engines: DuckDB (the store file, the default) and PostgreSQL (PgConnection below: a connection with the same
few methods, for the system of record of a deployment beyond one process; issue 14, docs/postgresql.md). The
functions here take either; the SQL text is written once, with DuckDB's `?` and `$name` parameters."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, TypeAlias

import duckdb
import pandas as pd
import pyarrow as pa

from kepu.storage.db_postgres import Params, PgConnection, disconnect, pg_sql

Connection: TypeAlias = "duckdb.DuckDBPyConnection | PgConnection"  # what every function taking `con` takes
log = logging.getLogger("kepu.sql")
SLOW_SECONDS = 0.5
__all__ = ["Connection", "Params", "PgConnection", "disconnect", "pg_sql"]
_NAMED = re.compile(r"\$([A-Za-z_]\w*)")


def query(con: Connection, sql: str, params: Params = None) -> pd.DataFrame:
    """Run a SELECT and return its rows as a DataFrame."""
    frame: pd.DataFrame = _timed(con, sql, params).df()
    return frame


def rows(con: Connection, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
    """Run a SELECT and return its rows as tuples."""
    found: list[tuple[Any, ...]] = _timed(con, sql, params).fetchall()
    return found


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
        con.executemany(sql, [list(row) for row in param_rows])
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
def frame(con: Connection, name: str, data: pd.DataFrame | pa.Table) -> Iterator[None]:
    """Make a DataFrame (or, on DuckDB, an Arrow table) readable by SQL as the view `name` while the block runs
    (e.g. incoming rows to compare with the store's)."""
    if isinstance(con, PgConnection):
        assert isinstance(data, pd.DataFrame)
        with con.frame(name, data):
            yield
        return
    con.register(name, data)
    try:
        yield
    finally:
        con.unregister(name)


def arrow_batches(con: Connection, sql: str, size: int = 100_000) -> Iterator[pa.RecordBatch]:
    """A DuckDB SELECT's rows as Arrow batches of up to `size` rows, read as they are needed (a whole table at
    province scale need not fit in memory at once)."""
    assert isinstance(con, duckdb.DuckDBPyConnection), "a DuckDB store's rows"
    start = time.perf_counter()
    with con.sql(sql).to_arrow_reader(batch_size=size) as reader:  # a relation's reader streams
        yield from reader
    _log_if_slow(start, sql)


def copy_in(con: PgConnection, table: str, columns: Sequence[str], csv_chunks: Iterable[bytes]) -> None:
    """PostgreSQL's COPY … FROM STDIN (FORMAT csv) into `table` (a name from our own schema): rows as CSV text,
    an unquoted empty field for NULL."""
    listed = ", ".join(f'"{c}"' for c in columns)
    start = time.perf_counter()
    with con.raw.cursor() as cur, cur.copy(f'COPY "{table}" ({listed}) FROM STDIN (FORMAT csv)') as copy:
        for chunk in csv_chunks:
            copy.write(chunk)
    _log_if_slow(start, f"COPY {table}")


def copy_out(con: PgConnection, sql: str, out: IO[bytes]) -> None:
    """A PostgreSQL SELECT (no parameters: COPY takes none) written to `out` as CSV by COPY … TO STDOUT."""
    start = time.perf_counter()
    with con.raw.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
        for data in copy:
            out.write(data)
    _log_if_slow(start, sql)


# DuckDB lets one process write a file; within it, writers take turns here rather than fail on a conflict. A block
# that is already in a transaction on the same connection joins it, so a change and its audit line written by two
# functions still take effect together.
_WRITER = threading.RLock()
WRITER_LOCK = 0x6B657075  # "kepu": PostgreSQL's advisory lock for writers, across processes and machines
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
            if isinstance(con, PgConnection):  # writers of every process take turns, as this process's threads do
                execute(con, "SELECT pg_advisory_xact_lock(?)", [WRITER_LOCK])
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
    isolation = " ISOLATION LEVEL REPEATABLE READ" if isinstance(con, PgConnection) else ""  # DuckDB's is a snapshot
    execute(con, "BEGIN TRANSACTION" + isolation)


def close_snapshot(con: Connection) -> None:
    """End a snapshot (it only read, so nothing is lost) and release its connection."""
    with contextlib.suppress(duckdb.Error, PgConnection.Error):  # already ended, e.g. closed with the app
        execute(con, "ROLLBACK")
    con.close()


def _timed(con: Connection, sql: str, params: Params) -> Any:  # DuckDB's result, or PostgreSQL's (postgres.Result)
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


def connect_file(path: Any) -> duckdb.DuckDBPyConnection:
    """A new DuckDB database file at `path` (e.g. a copy of a PostgreSQL store), open for writing."""
    con = duckdb.connect(str(path))
    tune(con)
    return con


MEMORY_ENV, THREADS_ENV = "KEPU_DUCKDB_MEMORY", "KEPU_DUCKDB_THREADS"
DEFAULT_MEMORY = "1GB"  # of a modest 4 GB server's memory: the rest is the app, its caches and the system
_SIZE = re.compile(r"[0-9]+(\.[0-9]+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE | re.ASCII)  # not ２GB


def tune(con: duckdb.DuckDBPyConnection) -> None:
    """The settings every DuckDB connection of kepu's gets: no progress bar; at most $KEPU_DUCKDB_MEMORY of memory
    for DuckDB's own buffers (default 1GB; beyond it DuckDB spills to disk rather than grow) and $KEPU_DUCKDB_THREADS
    threads (default: one per core, DuckDB's own). A value that is not a size or a number keeps the default."""
    execute(con, "SET enable_progress_bar = false")
    memory = os.environ.get(MEMORY_ENV, "").strip()
    if not _SIZE.fullmatch(memory):
        if memory:
            log.warning("%s=%r is not a size such as 1GB or 512MB: %s kept", MEMORY_ENV, memory, DEFAULT_MEMORY)
        memory = DEFAULT_MEMORY
    execute(con, f"SET memory_limit = '{memory}'")  # checked above to be digits and a unit: SET binds nothing
    threads = os.environ.get(THREADS_ENV, "").strip()
    if threads:
        if threads.isascii() and threads.isdigit() and 1 <= int(threads) <= 256:
            execute(con, f"SET threads = {int(threads)}")
        else:
            log.warning("%s=%r is not a number of threads (1–256): DuckDB's default kept", THREADS_ENV, threads)


def in_memory() -> duckdb.DuckDBPyConnection:
    """An empty DuckDB database in memory (e.g. to migrate a model of the schema)."""
    return duckdb.connect()


def connect_postgres(url: str) -> PgConnection:
    """A connection to the PostgreSQL database at `url` (postgresql://user:password@host:port/database)."""
    return PgConnection(url)
