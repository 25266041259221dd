"""Fixtures: stores in temporary files (never the real data/kepu.duckdb), built from reviewable CSV files.

The stores a test changes (empty_store, demo_copy) and the fixture store `tiny` come on both backends: a test using
them runs once on DuckDB and once on PostgreSQL (`backend`), with the same rows (issue 14). The PostgreSQL runs are
in the full suite, not the fast tier. A test about DuckDB's file itself is marked `duckdb_only`."""

import csv
import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from argon2 import PasswordHasher
from helpers import pg

from kepu.core.plan import load_plan
from kepu.storage import activity_rows, audit, auth, backup, db, demo, pg_store, store

DATA = Path(__file__).parent / "data"
PLAN_FILE = store.DATA_DIR / "plan-2021-2025.yaml"
COHORT_SEPARATOR = "、"
BACKENDS = ["duckdb", pytest.param("postgresql", marks=pytest.mark.slow)]


@pytest.fixture(autouse=True)
def _no_real_store(tmp_path, monkeypatch):
    """Point KEPU_DB at a temporary file, so no test can touch data/kepu.duckdb; and start each test as a script
    calling kepu (AppTest runs the app in this thread, which marks what follows as coming from the dashboard)."""
    monkeypatch.setenv("KEPU_DB", str(tmp_path / "default.duckdb"))
    monkeypatch.setenv("KEPU_BACKUP_HOURS", "0")  # no backup thread per test store (tests/test_backup.py turns it on)
    for module in (pg_store, backup):  # a PostgreSQL store's folders (佐证材料, backups) default to data/: not in tests
        monkeypatch.setattr(module, "DATA_DIR", tmp_path / "data")
    audit.set_origin(None)


@pytest.fixture(autouse=True)
def _quick_password_hashes(monkeypatch):
    """argon2 with the library's defaults (what kepu uses) takes a third of a second a password; tests that log in
    or set passwords would spend most of their time there. They get argon2 at its cheapest: the same code paths,
    the same format ($argon2id$…). The browser tests' app runs in its own process, with the real cost."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def plan():
    return load_plan(PLAN_FILE)


def fixture_rows() -> list[dict]:
    """tests/data/activities.csv as plain dicts, for working out expected figures independently of kepu."""
    with open(DATA / "activities.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["cohorts"] = [c for c in r["cohorts"].split(COHORT_SEPARATOR) if c]
        r["participants"] = int(r["participants"])
        r["funding"] = float(r["funding"])
        r["start_date"] = dt.date.fromisoformat(r["start_date"])
    return rows


def load_fixture(con, plans) -> None:
    """Fill a store with tests/data/activities.csv and observations.csv."""
    frame = pd.read_csv(DATA / "activities.csv", dtype=str, keep_default_na=False)
    frame = frame.replace({"": None})
    columns = "SELECT column_name FROM information_schema.columns WHERE table_name = 'activities'"
    stored = {r[0] for r in db.rows(con, columns)}
    if "campaign" not in stored:
        frame = frame.drop(columns="campaign")  # a store made at a schema before campaigns (migration tests)
    frame["cohorts"] = [[c for c in (v or "").split(COHORT_SEPARATOR) if c] for v in frame.cohorts]
    frame["participants"] = frame.participants.astype(int)
    frame["funding"] = frame.funding.astype(float)
    for col in ("start_date", "end_date"):
        frame[col] = pd.to_datetime(frame[col]).dt.date
    if "cohort_set" in stored:
        activity_rows.append(con, frame)
    else:
        db.insert_frame(con, "activities", frame)  # before cohort sets: the upgrade numbers them
    db.insert_frame(con, "observations", pd.read_csv(DATA / "observations.csv"))


@pytest.fixture(scope="session")
def tiny_path(tmp_path_factory) -> Path:
    """A store with the real plan and the sixteen fixture records, built once; tests must not change it."""
    return store.create_store(tmp_path_factory.mktemp("tiny") / "tiny.duckdb", fill=load_fixture)


@pytest.fixture(scope="session")
def pg_server():
    """The PostgreSQL test server (tests/helpers/pg.py): databases made on it are dropped at the end."""
    server = pg.Server()
    yield server
    server.close()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """Which engine holds this test's store: DuckDB (a file) or PostgreSQL (a database per test)."""
    return request.param


def pytest_collection_modifyitems(config, items):
    """A test marked duckdb_only (about DuckDB's file itself: copies, locks, paths) runs on DuckDB alone."""
    kept, dropped = [], []
    for item in items:
        on_postgres = getattr(item, "callspec", None) and item.callspec.params.get("backend") == "postgresql"
        (dropped if on_postgres and item.get_closest_marker("duckdb_only") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def own_copy(request, shared: Path, tmp_path: Path, name: str) -> store.Location:
    """This test's own copy of the store at `shared`, on its backend: a copy of the file, or a PostgreSQL database
    copied from the store's template there (its 佐证材料 folder is the test's own)."""
    if request.getfixturevalue("backend") == "duckdb":
        return Path(shutil.copy(shared, tmp_path / name))
    request.getfixturevalue("monkeypatch").setenv("KEPU_EVIDENCE_DIR", str(tmp_path / "evidence"))
    server = request.getfixturevalue("pg_server")
    url = server.store(shared)
    request.addfinalizer(lambda: server.drop(url))  # its connections with it: the server has a hundred
    return url


@pytest.fixture(scope="session")
def tiny_pg(pg_server, tiny_path) -> str:
    """tiny_path's store in PostgreSQL, made once; tests must not change it."""
    return pg_server.store(tiny_path)


@pytest.fixture
def tiny(request, backend, tiny_path):
    con = store.connect(tiny_path if backend == "duckdb" else request.getfixturevalue("tiny_pg"))
    yield con
    con.close()


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory) -> Path:
    """A demo store, built once per test session."""
    return store.create_store(tmp_path_factory.mktemp("demo") / "demo.duckdb", fill=demo.fill, demo=True)


@pytest.fixture
def demo_copy(request, backend, tmp_path, demo_path) -> store.Location:
    """The demo store, copied for one test: an app test in the same worker may hold the shared one open for
    writing, and DuckDB then refuses a read-only connection to it."""
    return own_copy(request, demo_path, tmp_path, "demo.duckdb")


@pytest.fixture(scope="session", params=BACKENDS)
def demo_shared(request, demo_path) -> store.Location:
    """The demo store on each backend, made once and shared by tests that only read it (the page tests)."""
    return demo_path if request.param == "duckdb" else request.getfixturevalue("pg_server").store(demo_path)


@pytest.fixture(scope="session", params=BACKENDS)
def tiny_shared(request, tiny_path) -> store.Location:
    """The fixture store on each backend, made once and shared by tests that only read it."""
    return tiny_path if request.param == "duckdb" else request.getfixturevalue("tiny_pg")


@pytest.fixture(scope="session", params=BACKENDS)
def empty_shared(request, empty_template) -> store.Location:
    """The empty store on each backend, made once and shared by tests that only read it."""
    return empty_template if request.param == "duckdb" else request.getfixturevalue("pg_server").store(empty_template)


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory, plan) -> Path:
    """A store with the real plan and no records, built once; tests get copies (empty_store)."""
    return store.create_store(tmp_path_factory.mktemp("empty") / "empty.duckdb", plans=[plan])


@pytest.fixture
def empty_store(request, backend, tmp_path, empty_template) -> store.Location:
    """This test's own copy of the empty store (copying a file: milliseconds; building one: a tenth of a second)."""
    return own_copy(request, empty_template, tmp_path, "s.duckdb")
