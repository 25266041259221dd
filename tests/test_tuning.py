"""DuckDB's memory and threads, from the environment (issue 15): every connection kepu opens on a store gets them,
and a value that is not a size or a number keeps the default rather than failing or reaching SQL."""

from contextlib import closing

import duckdb
import pytest

from kepu.storage import db, store


def setting(con, name: str) -> str:
    return db.scalar(con, "SELECT current_setting(?)", [name])


def as_duckdb_shows(name: str, value: str) -> str:
    """The setting as DuckDB itself shows `value` (its own rendering, e.g. 1GB as 953.6 MiB)."""
    with closing(duckdb.connect()) as con:
        con.execute(f"SET {name} = '{value}'")
        return con.execute("SELECT current_setting(?)", [name]).fetchone()[0]


@pytest.mark.duckdb_only  # DuckDB's own settings
def test_a_store_gets_a_bounded_memory_by_default_and_the_configured_one_otherwise(empty_store, monkeypatch):
    monkeypatch.delenv(db.MEMORY_ENV, raising=False)
    monkeypatch.delenv(db.THREADS_ENV, raising=False)
    with closing(store.connect(empty_store)) as con:
        assert setting(con, "memory_limit") == as_duckdb_shows("memory_limit", "1GB")
    monkeypatch.setenv(db.MEMORY_ENV, "300MB")
    monkeypatch.setenv(db.THREADS_ENV, "1")
    with closing(store.connect(empty_store, read_only=True)) as con:
        assert setting(con, "memory_limit") == as_duckdb_shows("memory_limit", "300MB")
        assert setting(con, "threads") == 1


@pytest.mark.duckdb_only
@pytest.mark.parametrize("memory", ["1e99", "1GB'; DROP TABLE towns; --", "lots", "-5GB", "１GB", "1GB\u200b"])
def test_a_nonsense_setting_keeps_the_default(empty_store, monkeypatch, memory):
    monkeypatch.setenv(db.MEMORY_ENV, memory)
    monkeypatch.setenv(db.THREADS_ENV, "0")
    with closing(store.connect(empty_store)) as con:
        assert setting(con, "memory_limit") == as_duckdb_shows("memory_limit", "1GB")
        assert setting(con, "threads") >= 1
        assert db.scalar(con, "SELECT count(*) FROM towns") > 0  # nothing reached SQL
