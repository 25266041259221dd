"""A killed import leaves the store exactly as it was."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from kepu import db, store

FILES = Path(__file__).parent / "data" / "import"
HELPER = Path(__file__).parent / "helpers" / "slow_commit.py"


def counts(path: Path) -> tuple:
    con = store.connect(path)
    try:
        return (db.scalar(con, "SELECT count(*) FROM activities"), db.scalar(con, "SELECT count(*) FROM batches"),
                db.scalar(con, "SELECT count(*) FROM audit_log"), store.get_meta(con, "data_version"))
    finally:
        con.close()


def test_killing_an_import_in_the_middle_of_its_commit_changes_nothing(tmp_path, plan):
    path = store.create_store(tmp_path / "s.duckdb", plans=[plan])
    before = counts(path)
    proc = subprocess.Popen([sys.executable, str(HELPER), "import", str(FILES / "tolerant.xlsx"), "--db", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ})
    try:
        line = proc.stdout.readline()
        assert line.strip() == "COMMITTING", proc.stderr.read()
        proc.send_signal(signal.SIGKILL)  # rows inserted, batch written, commit not yet done
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert counts(path) == before
    # and the store is healthy: the same file imports normally afterwards
    con = store.connect(path)
    from kepu import batches
    outcome = batches.import_file(con, (FILES / "tolerant.xlsx").read_bytes(), "tolerant.xlsx", "测试员")
    assert outcome.imported == 3
    con.close()
