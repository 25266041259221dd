"""A killed import leaves the store exactly as it was before, or, once committed, exactly as after."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kepu.ingest import batches
from kepu.storage import auth, db, store

pytestmark = pytest.mark.slow  # a process killed at each point of a commit

FILES = Path(__file__).parent / "data" / "import"
HELPER = Path(__file__).parent / "helpers" / "slow_commit.py"


def counts(path: Path) -> tuple:
    con = store.connect(path)
    try:
        return (
            db.scalar(con, "SELECT count(*) FROM activities"),
            db.scalar(con, "SELECT count(*) FROM batches"),
            db.scalar(con, "SELECT count(*) FROM audit_log"),
            store.get_meta(con, "data_version"),
        )
    finally:
        con.close()


def kill_at(point: str, path: Path) -> None:
    """Run `kepu import tolerant.xlsx` and kill it (SIGKILL) when it reaches `point` (tests/helpers/slow_commit.py)."""
    proc = subprocess.Popen(
        [sys.executable, str(HELPER), point, "import", str(FILES / "tolerant.xlsx"), "--db", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        line = proc.stdout.readline()
        assert line.strip() == "PAUSED", proc.stderr.read()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()


# Each point inside the import's transaction, in the order the import reaches them.
INSIDE = [
    "SELECT NEXTVAL",
    "INSERT INTO activities",
    "INSERT INTO batches",
    "INSERT INTO audit_log",
    "UPDATE META",
    "COMMIT",
]


@pytest.mark.parametrize("point", INSIDE)
def test_killing_an_import_anywhere_before_its_commit_ends_changes_nothing(empty_store, point):
    path = empty_store
    before = counts(path)
    kill_at(point, path)
    assert counts(path) == before
    # and the store is healthy: the same file imports normally afterwards
    con = store.connect(path)
    outcome = batches.import_file(
        con, (FILES / "tolerant.xlsx").read_bytes(), "tolerant.xlsx", auth.User("测试员", auth.ADMIN)
    )
    assert outcome.imported == 3
    con.close()


def test_killing_an_import_once_it_has_committed_keeps_all_of_it(empty_store):
    path = empty_store
    kill_at("AFTER COMMIT", path)
    after = counts(path)
    assert after[:2] == (3, 1)  # the three rows and their batch
    con = store.connect(path)
    again = batches.import_file(
        con, (FILES / "tolerant.xlsx").read_bytes(), "tolerant.xlsx", auth.User("测试员", auth.ADMIN)
    )
    assert (again.imported, again.duplicates) == (0, 3)
    con.close()
