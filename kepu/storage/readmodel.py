"""A DuckDB read model of a PostgreSQL store, one per dashboard process (issue 14; docs/postgresql.md).

PostgreSQL is the record, and where every write goes; but it answers the pages' aggregate queries 10–100 times
slower than DuckDB at province scale. So each dashboard process keeps the store's rows in a DuckDB database of its
own (a file in a temporary folder, `_load`) and the pages read it with the same queries as a DuckDB store. It is
brought up to date before a page run opens its snapshot, by the store's change log (`changes`: one row per data
version, naming the batch whose rows changed): the rows of the batches changed since are copied again, and every
small table whole; a store that was replaced (init --force, a restored backup) or a gap in the log loads the model
afresh. Every update is one DuckDB transaction, so a page already reading keeps the state it began with, as it does
on a DuckDB store."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from kepu.storage import catalog, db, transfer
from kepu.storage.schema import StoreError

log = logging.getLogger("kepu.readmodel")
BATCHED = ("activities", "observations")  # the big tables: rows carry their batch, and a change names its batch


class ReadModel:
    """The read model of the PostgreSQL store at `url`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.con: db.Connection | None = None
        self.state: tuple[int, str] | None = None  # (data version, the store's load stamp) the model holds
        self._lock = threading.Lock()
        self._poll: db.Connection | None = None

    def cursor(self) -> db.Connection:
        """A cursor on the model, brought up to date with the store first (one short query when nothing changed).
        While PostgreSQL cannot be reached (a restart, a network fault), the pages go on reading the model as it
        last was, a whole state of the store; without a model yet, StoreError says why in Chinese."""
        with self._lock:
            try:
                self._catch_up()
            except db.PgConnection.Error as exc:
                self._poll = None  # a new connection next time
                reason = " ".join(str(exc).split())
                if self.con is None:
                    raise StoreError(f"无法从 PostgreSQL 读取数据（{reason}）；请检查数据库服务后刷新页面") from exc
                log.warning("PostgreSQL unreachable (%s): pages read the model at data version %s", reason, self.state)
            assert self.con is not None
            return self.con.cursor()

    def _catch_up(self) -> None:
        if self._poll is None:
            self._poll = db.connect_postgres(self.url)
        if self.con is not None and _state(self._poll) == self.state:
            return
        reader = self._poll.cursor()  # a connection of its own, read in one snapshot
        try:
            db.open_snapshot(reader)
            state = _state(reader)
            started = time.perf_counter()
            if self.con is None or self.state is None or not self._update(reader, state):
                self.con = _load(reader)  # pages still reading the old model keep it until they end
                how = "loaded"
            else:
                how = "updated"
            log.info("read model %s to data version %s in %.2f s", how, state[0], time.perf_counter() - started)
            self.state = state
        finally:
            db.close_snapshot(reader)

    def _update(self, reader: db.Connection, state: tuple[int, str]) -> bool:
        """Apply the changes since the model's state; False when the log cannot say what changed."""
        assert self.con is not None and self.state is not None
        old_version, stamp = self.state
        if state[1] != stamp or state[0] < old_version:
            return False  # another store now (replaced or restored)
        logged = db.rows(
            reader,
            "SELECT data_version, batch FROM changes WHERE data_version > ? ORDER BY data_version",
            [old_version],
        )
        if len({v for v, _ in logged}) != state[0] - old_version:
            return False  # a change without its line: load afresh rather than guess
        changed = sorted({int(b) for _, b in logged if b is not None})
        small = [t for t, _ in transfer.tables(self.con) if t not in BATCHED]
        where = dict.fromkeys(small, "")
        if changed:
            listed = ", ".join(str(b) for b in changed)  # integers from the store's own log
            where |= dict.fromkeys(BATCHED, f"batch IN ({listed})")
        with db.transaction(self.con):
            for table in small:
                db.execute(self.con, f'DELETE FROM "{table}"')  # names from the catalogue
            for table in BATCHED if changed else ():
                db.execute(self.con, f'DELETE FROM "{table}" WHERE batch IN (SELECT unnest(?))', [changed])
            transfer.to_duckdb(reader, self.con, where)
        return True


def _state(con: db.Connection) -> tuple[int, str]:
    return catalog.data_version(con), catalog.get_meta(con, "loaded_at", "") or ""


def _load(reader: db.Connection) -> db.Connection:
    """A new model holding every row of the store `reader` is reading (in its snapshot). It is a DuckDB file in a
    folder of its own ($KEPU_READ_MODEL_DIR, else the system's temporary folder), removed when the process ends: a
    file is compressed, and DuckDB keeps in memory only what the pages read (in memory, uncompressed, the model of
    ten million records took 2.9 GB per process and answered slower)."""
    folder = Path(tempfile.mkdtemp(prefix="kepu-readmodel-", dir=os.environ.get("KEPU_READ_MODEL_DIR") or None))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    model = db.connect_file(folder / "model.duckdb")
    transfer.fill_duckdb(reader, model)
    db.execute(model, "CHECKPOINT")  # compressed now, not after the first page runs
    return model
