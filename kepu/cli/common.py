"""What every `kepu` command that reads or writes the store shares: how it opens the store, and how long it waits
for another kepu command to let go of it."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator

from kepu.storage import db, store


def lock_wait() -> float:
    """How long a command waits for another kepu command to release the store ($KEPU_LOCK_WAIT, default 30 s)."""
    try:
        return max(0.0, float(os.environ.get("KEPU_LOCK_WAIT", "30")))
    except ValueError:
        return 30.0


@contextlib.contextmanager
def opened(args: argparse.Namespace, read_only: bool = False) -> Iterator[db.Connection]:
    """The store named by --db (else $KEPU_DB or data/kepu.duckdb), open for the block and closed after it."""
    con = store.connect(args.db or store.default_path(), read_only=read_only, wait=lock_wait())
    try:
        yield con
    finally:
        con.close()
