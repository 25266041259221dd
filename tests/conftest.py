"""Fixtures: stores in temporary files (never the real data/kepu.duckdb), built from reviewable CSV files."""

import csv
import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from argon2 import PasswordHasher

from kepu.core.plan import load_plan
from kepu.storage import audit, auth, db, demo, store

DATA = Path(__file__).parent / "data"
PLAN_FILE = store.DATA_DIR / "plan-2021-2025.yaml"
COHORT_SEPARATOR = "、"


@pytest.fixture(autouse=True)
def _no_real_store(tmp_path, monkeypatch):
    """Point KEPU_DB at a temporary file, so no test can touch data/kepu.duckdb; and start each test as a script
    calling kepu (AppTest runs the app in this thread, which marks what follows as coming from the dashboard)."""
    monkeypatch.setenv("KEPU_DB", str(tmp_path / "default.duckdb"))
    monkeypatch.setenv("KEPU_BACKUP_HOURS", "0")  # no backup thread per test store (tests/test_backup.py turns it on)
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
    if "campaign" not in {r[0] for r in db.rows(con, columns)}:
        frame = frame.drop(columns="campaign")  # a store made at a schema before campaigns (migration tests)
    frame["cohorts"] = [[c for c in (v or "").split(COHORT_SEPARATOR) if c] for v in frame.cohorts]
    frame["participants"] = frame.participants.astype(int)
    frame["funding"] = frame.funding.astype(float)
    for col in ("start_date", "end_date"):
        frame[col] = pd.to_datetime(frame[col]).dt.date
    db.insert_frame(con, "activities", frame)
    db.insert_frame(con, "observations", pd.read_csv(DATA / "observations.csv"))


@pytest.fixture(scope="session")
def tiny_path(tmp_path_factory) -> Path:
    """A store with the real plan and the sixteen fixture records, built once; tests must not change it."""
    return store.create_store(tmp_path_factory.mktemp("tiny") / "tiny.duckdb", fill=load_fixture)


@pytest.fixture
def tiny(tiny_path):
    con = store.connect(tiny_path)
    yield con
    con.close()


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory) -> Path:
    """A demo store, built once per test session."""
    return store.create_store(tmp_path_factory.mktemp("demo") / "demo.duckdb", fill=demo.fill, demo=True)


@pytest.fixture
def demo_copy(tmp_path, demo_path) -> Path:
    """The demo store, copied for one test: an app test in the same worker may hold the shared one open for
    writing, and DuckDB then refuses a read-only connection to it."""
    return Path(shutil.copy(demo_path, tmp_path / "demo.duckdb"))


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory, plan) -> Path:
    """A store with the real plan and no records, built once; tests get copies (empty_store)."""
    return store.create_store(tmp_path_factory.mktemp("empty") / "empty.duckdb", plans=[plan])


@pytest.fixture
def empty_store(tmp_path, empty_template) -> Path:
    """This test's own copy of the empty store (copying a file: milliseconds; building one: a tenth of a second)."""
    return Path(shutil.copy(empty_template, tmp_path / "s.duckdb"))
