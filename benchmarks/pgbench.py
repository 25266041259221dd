"""The province store in PostgreSQL, for the benchmarks (issue 14): a database `kepu_bench_<rows>` loaded once from
the DuckDB store benchmarks/run.py builds, with `kepu.storage.pg_store.load` (the path `kepu init` and a restore
use: COPY in one transaction, pg_schema's indexes), then `VACUUM ANALYZE` (what autovacuum would do soon after) so
the planner knows the tables. Reused while it holds the same number of province records."""

from __future__ import annotations

import os
import time
import urllib.parse
from pathlib import Path

ADMIN = os.environ.get("KEPU_BENCH_PG", "postgresql://kepu:kepu@127.0.0.1:5432/postgres")


def url_for(rows: int, admin: str = ADMIN) -> str:
    parts = urllib.parse.urlsplit(admin)
    return urllib.parse.urlunsplit(parts._replace(path=f"/kepu_bench_{rows}"))


def ensure(path: Path, rows: int, rebuild: bool = False, admin: str = ADMIN) -> dict:
    """The database holding the DuckDB store at `path` (`rows` records): its URL, and the load's times when it was
    (re)loaded now (None when reused)."""
    import psycopg

    from kepu.storage import db, pg_store, store

    url = url_for(rows, admin)
    name = pg_store.database_name(url)
    with psycopg.connect(admin, autocommit=True) as con:
        exists = con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if not exists:
            con.execute(f'CREATE DATABASE "{name}"')  # a name of digits and letters made here
    if exists and not rebuild and _holds(url, rows):
        return {"url": url, "load_s": None, "analyze_s": None, "size_mb": _size_mb(url)}
    con = db.connect_postgres(url)
    try:
        start = time.perf_counter()
        pg_store.load(con, path)
        load_s = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
        db.execute(con, "VACUUM ANALYZE")
        analyze_s = round(time.perf_counter() - start, 1)
    finally:
        con.close()
    store.connect(url).close()  # the schema version is the program's
    return {"url": url, "load_s": load_s, "analyze_s": analyze_s, "size_mb": _size_mb(url)}


def _holds(url: str, rows: int) -> bool:
    """Whether the database holds a current store with the province's `rows` records (imports the benchmarks make
    and undo carry a batch; the province's records have none)."""
    from kepu.core.errors import UserError
    from kepu.storage import db, store

    try:
        con = store.connect(url)
    except UserError:
        return False
    try:
        return db.scalar(con, "SELECT count(*) FROM activities WHERE batch IS NULL") == rows
    finally:
        con.close()


def _size_mb(url: str) -> int:
    from kepu.storage import db

    con = db.connect_postgres(url)
    try:
        return round(db.scalar(con, "SELECT pg_database_size(current_database())") / 1e6)
    finally:
        con.close()
