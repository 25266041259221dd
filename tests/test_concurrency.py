"""Many readers and a writer at once: readers see the store before or after an import, never a mix; two imports at
once both land, in one process (the app's threads) and in two (two `kepu import` commands). Each reader does what a
page run does in the app (kepu.ui.begin_run): a cursor of the shared connection, one catalog.Snapshot, the page's
queries, then close."""

import csv
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import load_fixture
from helpers.holder import holding

from kepu.core.filters import Filters, Period
from kepu.ingest import batches
from kepu.storage import auth, catalog, db, queries, store

pytestmark = pytest.mark.slow  # threads and real second processes, timed
FILES = Path(__file__).parent / "data" / "import"
SESSIONS = 24
ADMIN = auth.User("并发测试", auth.ADMIN)
YOUTH = Filters(Period(2021, 2025)).narrowed(cohort="青少年")


def page_figures(con) -> tuple:
    """What the 青少年 page reads, with four separate queries (as its cached calls do), on a fresh cursor."""
    run = catalog.Snapshot(con.cursor())
    try:
        totals = queries.totals(run.con, YOUTH)
        count = queries.count_records(run.con, YOUTH)
        by_town = queries.breakdown(run.con, YOUTH, ("town",)).participants.sum()
        by_month = queries.breakdown(run.con, YOUTH, ("month",)).activities.sum()
        return run.version, totals["participants"], count, int(by_town), int(by_month)
    finally:
        run.close()


def test_sessions_reading_while_an_import_commits_see_before_or_after_never_a_mix(tmp_path):
    path = store.create_store(tmp_path / "s.duckdb", fill=load_fixture)
    con = store.connect(path)
    before = page_figures(con)
    seen, failures = [], []
    started = threading.Barrier(SESSIONS + 1)
    stop = threading.Event()

    def session():
        try:
            started.wait()
            while not stop.is_set():
                seen.append(page_figures(con))
        except Exception as exc:  # noqa: BLE001 — reported by the test
            failures.append(repr(exc))

    threads = [threading.Thread(target=session) for _ in range(SESSIONS)]
    for t in threads:
        t.start()
    started.wait()
    time.sleep(0.3)
    outcome = batches.import_file(con.cursor(), (FILES / "tolerant.xlsx").read_bytes(), "tolerant.xlsx", ADMIN)
    time.sleep(0.3)
    stop.set()
    for t in threads:
        t.join(60)
    after = page_figures(con)
    con.close()
    assert failures == []
    assert outcome.imported == 3 and after != before
    assert {before, after} == set(seen), set(seen) - {before, after}  # both states seen, nothing in between
    assert len(seen) > SESSIONS * 4


def test_two_imports_at_once_both_land(empty_store):
    path = empty_store
    con = store.connect(path)
    files = ["tolerant.xlsx", "tolerant_utf8_bom.csv"]
    results, errors = {}, []

    def load(name):
        try:
            results[name] = batches.import_file(con.cursor(), (FILES / name).read_bytes(), name, ADMIN)
        except Exception as exc:  # noqa: BLE001 — the test reports any failure
            errors.append(repr(exc))

    threads = [threading.Thread(target=load, args=(name,)) for name in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert {name: r.imported for name, r in results.items()} == {"tolerant.xlsx": 3, "tolerant_utf8_bom.csv": 7}
    assert db.scalar(con, "SELECT count(*) FROM activities") == 10
    assert db.scalar(con, "SELECT count(*) FROM batches") == 2
    assert int(store.get_meta(con, "data_version")) == 3
    con.close()


def test_the_same_file_twice_at_once_counts_once(empty_store):
    path = empty_store
    con = store.connect(path)
    results = []
    threads = [
        threading.Thread(
            target=lambda: results.append(
                batches.import_file(con.cursor(), (FILES / "tolerant.xlsx").read_bytes(), "tolerant.xlsx", ADMIN)
            )
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r.imported for r in results) == [0, 3]
    assert db.scalar(con, "SELECT count(*) FROM activities") == 3
    con.close()


# Two processes: DuckDB lets one process open the file at a time, so the second `kepu import` waits for the first to
# finish (it is a kepu command, which will let go) and then imports; nothing is counted twice.


def write_csv(path: Path, rows: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["活动编号", "活动名称", "开始日期", "镇街", "责任单位", "活动类型", "参与人次"])
        for i in range(rows):
            day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
            out.writerow([f"P-{i}", f"活动{i}", day, "沙土镇", "区科协", "讲座", 10])


def kepu(*args: str, wait: float, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kepu.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "KEPU_LOCK_WAIT": str(wait)},
        **popen,
    )


def test_two_import_commands_at_once_both_land_and_count_once(empty_store, tmp_path):
    path = empty_store
    big = tmp_path / "big.csv"
    write_csv(big, 30_000)  # a few seconds of checking while the store is held
    first = kepu("import", str(big), "--json", "--db", str(path), wait=120)
    second = kepu("import", str(big), "--json", "--db", str(path), wait=120)
    results = [p.communicate(timeout=180) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], [err for _, err in results]
    reports = sorted((json.loads(out) for out, _ in results), key=lambda r: r["imported"])
    assert [(r["imported"], r["duplicates"], r["committed"]) for r in reports] == [
        (0, 30_000, False),
        (30_000, 0, True),
    ]
    con = store.connect(path)
    assert db.scalar(con, "SELECT count(*) FROM activities") == 30_000
    assert db.scalar(con, "SELECT count(*) FROM batches") == 1
    con.close()


@pytest.mark.duckdb_only  # a process holding a DuckDB file; nobody holds a PostgreSQL database
def test_an_import_refused_while_another_command_holds_the_store_names_it(empty_store):
    path = empty_store
    # A stand-in for a long `kepu import`: a real second process holding the store, its command line naming kepu.
    with holding(path, "kepu", "import", "大文件.xlsx") as holder:
        started = time.monotonic()
        refused = kepu("import", str(FILES / "tolerant.xlsx"), "--db", str(path), wait=1.5)
        _, err = refused.communicate(timeout=60)
        assert refused.returncode == 1 and time.monotonic() - started >= 1.5  # it waited, then gave up
        assert f"另一个 kepu 命令（kepu import 大文件.xlsx，进程 {holder.pid}）" in err
        assert "看板" not in err and "Traceback" not in err
    landed = kepu("import", str(FILES / "tolerant.xlsx"), "--json", "--db", str(path), wait=1.5)
    out, err = landed.communicate(timeout=60)
    assert landed.returncode == 0 and json.loads(out)["imported"] == 3, err
