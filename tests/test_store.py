"""The store: creation without overwriting, atomic builds, schema versions and migrations, more than one plan."""

import datetime as dt
import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from kepu.core.filters import Period
from kepu.core.plan import load_plan
from kepu.storage import catalog, db, schema, store


@pytest.fixture(autouse=True)
def _replaced_stores_kept_in_tmp(tmp_path, monkeypatch):
    """A PostgreSQL store replaced by a rebuild is kept as a file in the backup folder (data/<database>.backups by
    default): the test's own instead."""
    monkeypatch.setenv("KEPU_BACKUP_DIR", str(tmp_path / "backups"))


def test_default_path_follows_kepu_db(tmp_path, monkeypatch):
    monkeypatch.setenv("KEPU_DB", str(tmp_path / "x.duckdb"))
    assert store.default_path() == tmp_path / "x.duckdb"
    monkeypatch.delenv("KEPU_DB")
    assert store.default_path() == store.DATA_DIR / "kepu.duckdb"


def test_an_empty_store_holds_the_plan_and_no_records(empty_store):
    path = empty_store
    con = store.connect(path)
    assert db.scalar(con, "SELECT count(*) FROM activities") == 0
    assert db.scalar(con, "SELECT count(*) FROM tasks") == 18
    assert db.scalar(con, "SELECT count(*) FROM task_bureaus WHERE task = 'Y4'") == 14
    assert db.scalar(con, "SELECT count(*) FROM towns") == 25
    assert db.scalar(con, "SELECT count(*) FROM targets WHERE indicator = 'counsellor_training'") == 5  # one a year
    assert db.scalar(con, "SELECT town FROM town_aliases WHERE alias = '皇镇'") == "皇镇街道"
    assert db.scalar(con, "SELECT bureau FROM bureau_aliases WHERE alias = '区教育局'") == "区教体局"
    assert not catalog.is_demo(con)


def test_an_existing_store_is_not_overwritten_without_force(empty_store, plan):
    path = empty_store
    with pytest.raises(store.StoreError, match="请加 --force"):
        store.create_store(path, plans=[plan])
    store.create_store(path, plans=[plan], force=True)


def broken_fill(con, plans):
    db.execute(con, "INSERT INTO observations (series, year, town, value) VALUES ('survey_rate', 2024, '全区', 1.0)")
    raise RuntimeError("disk full")


def test_a_failed_build_leaves_no_store_behind(tmp_path, plan):
    target = tmp_path / "s.duckdb"
    with pytest.raises(RuntimeError):
        store.create_store(target, plans=[plan], fill=broken_fill)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_rebuild_keeps_the_old_store(empty_store, plan):
    path = empty_store
    with pytest.raises(RuntimeError):
        store.create_store(path, plans=[plan], force=True, fill=broken_fill)
    con = store.connect(path)
    assert db.scalar(con, "SELECT count(*) FROM tasks") == 18
    assert db.scalar(con, "SELECT count(*) FROM observations") == 0


def test_connecting_to_a_missing_store_says_what_to_do(tmp_path):
    with pytest.raises(store.StoreError, match="kepu init"):
        store.connect(tmp_path / "missing.duckdb")


@pytest.mark.duckdb_only  # migrations upgrade DuckDB files; a PostgreSQL store is made whole (pg_schema), not upgraded
def test_an_older_store_is_upgraded_in_place(empty_store):
    path = empty_store
    con = duckdb.connect(str(path))
    db.execute(
        con,
        "INSERT INTO observations (series, year, town, value, source) "
        "VALUES ('survey_rate', 2024, '全区', 14.5, '旧数据')",
    )
    newer = {**store.MIGRATIONS, store.SCHEMA_VERSION + 1: ["ALTER TABLE observations ADD COLUMN entered_by VARCHAR"]}
    assert store.migrate(con, newer) == store.SCHEMA_VERSION + 1
    assert store.schema_version(con) == store.SCHEMA_VERSION + 1
    assert db.rows(con, "SELECT value, entered_by FROM observations") == [(14.5, None)]


@pytest.mark.duckdb_only  # as above: DuckDB's migrations
def test_a_failed_migration_changes_nothing(empty_store):
    path = empty_store
    con = duckdb.connect(str(path))
    broken = {
        **store.MIGRATIONS,
        store.SCHEMA_VERSION + 1: ["ALTER TABLE towns ADD COLUMN x INTEGER", "THIS IS NOT SQL"],
    }
    with pytest.raises(duckdb.Error):
        store.migrate(con, broken)
    assert store.schema_version(con) == store.SCHEMA_VERSION
    assert "x" not in db.query(con, "SELECT * FROM towns LIMIT 0").columns


def test_a_store_newer_than_the_program_is_refused(empty_store):
    path = empty_store
    con = store.connect(path)
    store.set_meta(con, "schema_version", str(store.SCHEMA_VERSION + 5))
    con.close()
    with pytest.raises(store.StoreError, match="请升级 kepu"):
        store.connect(path)


@pytest.mark.slow  # a PostgreSQL database
def test_an_older_postgres_store_is_refused_with_the_way_to_upgrade_it(pg_server, empty_template):
    """A DuckDB file is upgraded in place (above); a database, through a backup restored by the newer kepu."""
    url = pg_server.store(empty_template)
    try:
        con = store.connect(url)
        store.set_meta(con, "schema_version", str(store.SCHEMA_VERSION - 1))
        con.close()
        with pytest.raises(store.StoreError, match=r"kepu backup.*kepu restore-backup"):
            store.connect(url)
    finally:
        pg_server.drop(url)


def test_a_second_plan_needs_no_code(tmp_path, plan):
    text = (store.DATA_DIR / "plan-2021-2025.yaml").read_text(encoding="utf-8")
    later = (
        text.replace('id: "2021-2025"', 'id: "2026-2030"')
        .replace("start_year: 2021", "start_year: 2026")
        .replace("end_year: 2025", "end_year: 2030")
        .replace("year: 2025, baseline_year: 2020", "year: 2030, baseline_year: 2025")
    )
    (tmp_path / "plan-2026-2030.yaml").write_text(later, encoding="utf-8")
    path = store.create_store(tmp_path / "s.duckdb", plans=[plan, load_plan(tmp_path / "plan-2026-2030.yaml")])
    con = store.connect(path)
    assert catalog.periods(con)[:2] == ["2026-2030", "2026"]
    assert "2021-2025" in catalog.periods(con)
    assert catalog.plan_for(con, Period(2027, 2027)).id == "2026-2030"
    assert catalog.default_period(con, dt.date(2027, 3, 1)) == Period(2026, 2030)
    assert db.scalar(con, "SELECT count(*) FROM targets WHERE indicator = 'counsellor_training'") == 10


def test_a_version_1_store_with_records_upgrades_to_the_current_schema(tmp_path, plan, monkeypatch):
    from conftest import load_fixture

    monkeypatch.setattr(schema, "MIGRATIONS", {1: store.MIGRATIONS[1]})
    path = store.create_store(tmp_path / "v1.duckdb", plans=[plan], fill=load_fixture)
    monkeypatch.undo()
    raw = duckdb.connect(str(path))
    assert store.schema_version(raw) == 1
    raw.close()
    con = store.connect(path)
    assert store.schema_version(con) == store.SCHEMA_VERSION
    assert db.scalar(con, "SELECT count(*) FROM activities WHERE NOT retracted AND batch IS NULL") == 16
    assert db.scalar(con, "SELECT count(*) FROM observations WHERE id IS NOT NULL AND superseded_by IS NULL") == 6


# Replacing a store: never under a running process, never without a copy of the old one, never losing the log


def fingerprint(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_init_force_is_refused_while_the_dashboard_holds_the_store(tmp_path, plan, capsys):
    from helpers.holder import holding

    from kepu import cli

    path = store.create_store(tmp_path / "kepu.duckdb", plans=[plan])
    before = fingerprint(path)
    with holding(path) as holder:  # a stand-in for the running dashboard
        assert cli.main(["init", "--force", "--empty", "--db", str(path)]) == 1
        err = capsys.readouterr().err
        assert f"正在运行的看板（进程 {holder.pid}）" in err and "请先停止它" in err
    assert fingerprint(path) == before and store.backups(path) == []


def test_init_force_keeps_a_copy_of_the_old_store_and_carries_its_audit_log(tmp_path, plan, capsys):
    from kepu import cli
    from kepu.storage import audit, auth

    path = store.create_store(tmp_path / "kepu.duckdb", plans=[plan])
    con = store.connect(path)
    auth.add_user(con, "zhang", "管理员", by="admin")
    db.execute(con, "INSERT INTO observations (series, year, town, value) VALUES ('survey_rate', 2024, '全区', 14.5)")
    old_log = audit.entries(con)
    con.close()
    assert cli.main(["init", "--force", "--empty", "--db", str(path)]) == 0
    first = store.backups(path)
    assert len(first) == 1 and str(first[0]) in capsys.readouterr().out
    assert cli.main(["init", "--force", "--empty", "--db", str(path)]) == 0  # twice in a second: a second copy
    assert len(store.backups(path)) == 2 and store.backups(path)[0] == first[0]

    kept = store.connect(first[0], read_only=True)  # the copy is the old store, whole
    assert db.scalar(kept, "SELECT count(*) FROM users") == 1
    assert db.scalar(kept, "SELECT value FROM observations") == 14.5
    kept.close()
    con = store.connect(path)
    log = audit.entries(con, limit=1000)
    assert db.scalar(con, "SELECT count(*) FROM users") == 0  # a new store: no users, no records
    con.close()
    carried = log[log.logged_at.isin(old_log.logged_at)]
    assert sorted(carried.action) == sorted(old_log.action)  # nothing of the old log is lost
    inits = log[log.action == "store.init"]
    assert len(inits) == 3 and inits.via.iloc[0] == "命令行"
    assert json.loads(inits.detail.iloc[0])["backup"] == str(store.backups(path)[1])


def test_a_store_that_cannot_be_opened_is_still_copied_before_it_is_replaced(tmp_path, plan):
    path = tmp_path / "kepu.duckdb"
    path.write_bytes(b"not a duckdb file at all")
    store.create_store(path, plans=[plan], force=True)
    assert [p.read_bytes() for p in store.backups(path)] == [b"not a duckdb file at all"]
    assert store.schema_version(store.connect(path)) == store.SCHEMA_VERSION


def test_a_store_from_before_the_district_facts_gets_them_on_upgrade(tmp_path, plan, monkeypatch):
    monkeypatch.setattr(schema, "MIGRATIONS", {v: schema.MIGRATIONS[v] for v in (1, 2, 3)})
    path = store.create_store(tmp_path / "v3.duckdb", plans=[plan])
    monkeypatch.undo()
    con = store.connect(path)  # upgraded: the facts come from the plan file of the same id in data/
    assert catalog.district(con).place == "牡丹区" and catalog.district(con).population == 1_098_707
    assert catalog.administrations(con) == {
        "牡丹区": "区直管",
        "菏泽经济技术开发区": "经开区",
        "菏泽高新技术开发区": "高新区",
    }
    con.close()
