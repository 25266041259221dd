"""Many readers and a writer at once: sessions see the store before or after an import, never a mix; two imports
at once both land."""

import threading
import time
from pathlib import Path

from conftest import load_fixture
from streamlit.testing.v1 import AppTest

from kepu import batches, db, fmt, store

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
FILES = Path(__file__).parent / "data" / "import"
SESSIONS = 20


def shown(at: AppTest) -> tuple[str, str]:
    """Two figures the 青少年 page reads with two different queries: its 参与人次 and its count of records."""
    metrics = {m.label: m.value for m in at.metric}
    records = next(c.value for c in at.caption if c.value.startswith("共 "))
    return metrics["参与人次"], records.split(" 条")[0]


def totals(con) -> tuple[str, str]:
    row = db.rows(con, "SELECT count(*), sum(participants) FROM activities WHERE NOT retracted "
                       "AND list_contains(cohorts, '青少年') AND start_date >= '2021-01-01' "
                       "AND start_date < '2026-01-01'")[0]
    return fmt.count(row[1]), f"共 {row[0]:,}"


def test_twenty_sessions_read_while_an_import_commits(tmp_path, monkeypatch):
    path = store.create_store(tmp_path / "s.duckdb", fill=load_fixture)
    monkeypatch.setenv("KEPU_DB", str(path))
    con = store.connect(path)
    before = totals(con)
    probe = AppTest.from_file(APP, default_timeout=120).run()
    youth = next(h for h, i in probe._registered_pages.items() if i.get("url_pathname") == "youth")
    seen: list[tuple] = []
    failures: list[str] = []
    started = threading.Barrier(SESSIONS + 1)

    def session():
        try:
            read_four_times()
        except Exception as exc:  # noqa: BLE001 — reported by the test
            failures.append(repr(exc))

    def read_four_times():
        at = AppTest.from_file(APP, default_timeout=120)
        at._page_hash = youth
        started.wait()
        for _ in range(4):
            at.run()
            if not at.metric and not at.exception:
                at.run()  # the import committed mid-run: the page restarted (st.rerun), as a browser reruns it
            if at.exception:
                failures.append(at.exception[0].message)
                return
            try:
                seen.append(shown(at))
            except (KeyError, StopIteration):
                failures.append(f"no figures: {[m.label for m in at.metric]} {[e.value for e in at.error]}")

    threads = [threading.Thread(target=session) for _ in range(SESSIONS)]
    for t in threads:
        t.start()
    started.wait()
    time.sleep(0.5)
    outcome = batches.import_file(con, (FILES / "tolerant.xlsx").read_bytes(), "tolerant.xlsx", "并发测试")
    for t in threads:
        t.join(300)
    after = totals(con)
    con.close()
    assert outcome.imported == 3 and after != before
    assert failures == []
    assert len(seen) == SESSIONS * 4
    assert set(seen) <= {before, after}, set(seen) - {before, after}


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
