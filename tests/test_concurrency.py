"""Many readers and a writer at once: readers see the store before or after an import, never a mix; two imports at
once both land. Each reader does what a page run does in the app (kepu.ui.begin_run): a cursor of the shared
connection, one catalog.Snapshot, the page's queries, then close."""

import threading
import time
from pathlib import Path

from conftest import load_fixture

from kepu import batches, catalog, db, queries, store
from kepu.filters import Filters, Period

FILES = Path(__file__).parent / "data" / "import"
SESSIONS = 24
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
    outcome = batches.import_file(con.cursor(), (FILES / "tolerant.xlsx").read_bytes(), "tolerant.xlsx", "并发")
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


def test_two_imports_at_once_both_land(tmp_path, plan):
    path = store.create_store(tmp_path / "s.duckdb", plans=[plan])
    con = store.connect(path)
    files = ["tolerant.xlsx", "tolerant_utf8_bom.csv"]
    results, errors = {}, []

    def load(name):
        try:
            results[name] = batches.import_file(con.cursor(), (FILES / name).read_bytes(), name, "并发测试")
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


def test_the_same_file_twice_at_once_counts_once(tmp_path, plan):
    path = store.create_store(tmp_path / "s.duckdb", plans=[plan])
    con = store.connect(path)
    results = []
    threads = [threading.Thread(target=lambda: results.append(batches.import_file(
        con.cursor(), (FILES / "tolerant.xlsx").read_bytes(), "tolerant.xlsx", "并发测试"))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r.imported for r in results) == [0, 3]
    assert db.scalar(con, "SELECT count(*) FROM activities") == 3
    con.close()
