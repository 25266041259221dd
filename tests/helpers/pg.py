"""PostgreSQL for tests: the server at $KEPU_TEST_PG (default postgresql://kepu:kepu@127.0.0.1:5432/postgres, what
.ci/run sets up), a database per test copied from a template, and each template loaded once per session from a
DuckDB fixture store (pg_store.load: the same rows, so a figure can be compared across the two backends). Without a
server the PostgreSQL tests skip, except under CI=true, where they fail."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from kepu.storage import db, pg_store

SERVER = os.environ.get("KEPU_TEST_PG", "postgresql://kepu:kepu@127.0.0.1:5432/postgres")


def admin() -> db.PgConnection:
    """A connection to the server's maintenance database; skip, or fail under CI=true, without a server."""
    try:
        return db.connect_postgres(SERVER)
    except Exception as exc:  # noqa: BLE001 (any failure to reach the server)
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true ({SERVER}): {exc}")
        pytest.skip(f"no PostgreSQL server at {SERVER} (set KEPU_TEST_PG)")


def url_of(name: str) -> str:
    return SERVER.rsplit("/", 1)[0] + f"/{name}"


class Server:
    """Databases made on the test server, dropped by `close`."""

    def __init__(self) -> None:
        self.con = admin()
        self.templates: dict[Path, str] = {}
        self.made: list[str] = []

    def new(self, template: str | None = None) -> str:
        """A new database (empty, or a copy of `template`); its URL."""
        name = f"kepu_test_{uuid.uuid4().hex[:12]}"
        like = f' TEMPLATE "{template}"' if template else ""
        db.execute(self.con, f'CREATE DATABASE "{name}"{like}')  # generated names, not input
        self.made.append(name)
        return url_of(name)

    def store(self, path: Path) -> str:
        """A new database holding a copy of the DuckDB store at `path` (its template loaded on first use)."""
        if path not in self.templates:
            url = self.new()
            con = db.connect_postgres(url)
            try:
                with tempfile.TemporaryDirectory() as work:  # a copy: an app test may hold the shared file open
                    pg_store.load(con, Path(shutil.copy(path, Path(work) / path.name)))
            finally:
                con.close()
                db.disconnect(url)  # a template must have no connection when it is copied
            self.templates[path] = pg_store.database_name(url)
        return self.new(self.templates[path])

    def drop(self, url: str) -> None:
        db.disconnect(url)
        name = pg_store.database_name(url)
        self._drop(name)
        if name in self.made:
            self.made.remove(name)

    def close(self) -> None:
        for name in list(self.made):
            self._drop(name)
        self.con.close()

    def _drop(self, name: str) -> None:
        """Drop a database, its sessions ended; an autovacuum worker in it (which this role may not end) is waited
        for, as it ends by itself in moments."""
        for _ in range(40):
            try:
                db.execute(self.con, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return
            except db.PgConnection.Error as exc:
                if "must be a member of the role" not in str(exc):
                    raise
                time.sleep(0.25)
        db.execute(self.con, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
