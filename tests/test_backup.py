"""Backups: `kepu backup` then `kepu restore-backup` into a fresh place gives the same figures, users, audit log and
佐证材料; the backup's database opens with DuckDB alone; a damaged or foreign file is refused with nothing replaced;
the dashboard keeps backups on its own at the interval set, and an administrator can make one now. On both backends
(a DuckDB file, a PostgreSQL database: the same format), and across them (a district's file moved to a server)."""

import io
import json
import os
import shutil
import tarfile
import time
from pathlib import Path

import duckdb
import pytest
from apps import log_in, open_page, start
from helpers.holder import holding

from kepu import cli
from kepu.storage import auth, backup, db, pg_store, schema, store


def kepu(*args: str) -> int:
    return cli.main(list(args))


def summary_json(location, capsys) -> dict:
    assert kepu("summary", "--json", "--db", str(location), "--period", "2021-2025") == 0
    return json.loads(capsys.readouterr().out)


def table(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)  # DuckDB alone, not kepu
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def rows(location, sql: str) -> list[tuple]:
    """A store's rows on either backend (a DuckDB file read by DuckDB alone; a PostgreSQL database through kepu)."""
    if not pg_store.is_url(location):
        return table(location, sql)
    con = store.connect(location, read_only=True)
    try:
        return db.rows(con, sql)
    finally:
        con.close()


def evidence_of(location) -> Path:
    """Where the store at `location` keeps its 佐证材料 (beside a file; $KEPU_EVIDENCE_DIR for a database)."""
    return pg_store.evidence_folder(location) if pg_store.is_url(location) else store.evidence_folder(location)


def holds_a_store(location) -> bool:
    if not pg_store.is_url(location):
        return Path(location).exists()
    con = pg_store.open_database(location)
    try:
        return schema.schema_version(con) != 0
    finally:
        con.close()


@pytest.fixture
def fresh(request, backend, tmp_path, monkeypatch):
    """A place on the test's backend with no store yet: a file's path, or a new empty database with a 佐证材料
    folder of its own (KEPU_EVIDENCE_DIR is per process: set it to the fresh store's when opening that one)."""
    if backend == "duckdb":
        return tmp_path / "elsewhere" / "kepu.duckdb"
    monkeypatch.setenv("KEPU_BACKUP_DIR", str(tmp_path / "kept"))  # a replaced database's copy: not into data/
    return request.getfixturevalue("pg_server").new()


def evidence_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def source(demo_copy, demo_path):
    """A copy of the demo store with its 佐证材料 and an administrator account."""
    evidence = store.evidence_folder(demo_path)
    if evidence.is_dir():
        for f in evidence.rglob("*"):
            if f.is_file():
                target = evidence_of(demo_copy) / f.relative_to(evidence)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(f.read_bytes())
    con = store.connect(demo_copy)
    auth.add_user(con, "admin", "管理员", by="admin")
    auth.set_password(con, "admin", "admin-pass-1")
    auth.add_user(con, "kx", "填报员", bureau="区科协", by="admin")
    auth.set_password(con, "kx", "clerk-pass-1")
    con.close()
    return demo_copy


def test_a_restored_backup_has_the_same_figures_users_audit_log_and_files(source, fresh, tmp_path, capsys, monkeypatch):
    folder = tmp_path / "backups"
    assert kepu("backup", "--db", str(source), "--out-dir", str(folder)) == 0
    [made] = backup.listed(folder)
    assert str(made) in capsys.readouterr().out
    log_then = rows(source, "SELECT * FROM audit_log ORDER BY logged_at, action")
    files = evidence_files(evidence_of(source))
    if pg_store.is_url(fresh):  # the fresh database's files go to a folder of their own
        monkeypatch.setenv("KEPU_EVIDENCE_DIR", str(tmp_path / "fresh-evidence"))
    assert kepu("restore-backup", str(made), "--db", str(fresh)) == 0
    capsys.readouterr()

    assert summary_json(fresh, capsys) == summary_json(source, capsys)
    users = "SELECT * FROM users ORDER BY name"
    assert rows(fresh, users) == rows(source, users) and rows(fresh, users)
    log_now = rows(fresh, "SELECT * FROM audit_log ORDER BY logged_at, action")
    assert log_now[: len(log_then)] == log_then  # every line, unchanged, in order
    assert [r[2] for r in log_now[len(log_then) :]] == ["store.restore"]  # and the restore itself, said once
    assert files and evidence_files(evidence_of(fresh)) == files


@pytest.mark.slow  # PostgreSQL
def test_a_duckdb_backup_restored_into_postgresql_has_the_same_figures(
    demo_path, pg_server, tmp_path, capsys, monkeypatch
):
    """How a district moves its store to a server: a backup of its file, restored into a new database."""
    monkeypatch.setenv("KEPU_EVIDENCE_DIR", str(tmp_path / "evidence"))
    source = Path(shutil.copy(demo_path, tmp_path / "demo.duckdb"))
    made = backup.make(store.connect(source), tmp_path / "b", "测试")
    server = pg_server.new()
    assert kepu("restore-backup", str(made), "--db", server) == 0
    assert pg_store.describe(server) in capsys.readouterr().out
    assert summary_json(server, capsys) == summary_json(source, capsys)
    count = "SELECT count(*) FROM activities"
    assert rows(server, count) == rows(source, count) != [(0,)]


def test_the_backup_is_a_tar_whose_database_duckdb_opens_alone(source, tmp_path):
    con = store.connect(source)
    made = backup.make(con, tmp_path / "b", "测试")
    count = con.execute("SELECT count(*) FROM activities").fetchone()[0]
    con.close()
    with tarfile.open(made) as tar:
        names = tar.getnames()
        tar.extract("kepu.duckdb", tmp_path / "out", filter="data")
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[0] == "kepu.duckdb" and "manifest.json" in names
    assert table(tmp_path / "out" / "kepu.duckdb", "SELECT count(*) FROM activities") == [(count,)]
    copy = duckdb.connect(str(tmp_path / "out" / "kepu.duckdb"))  # its sequences go on after its rows' ids
    [(next_id, top)] = copy.execute("SELECT nextval('activity_ids'), (SELECT max(id) FROM activities)").fetchall()
    copy.close()
    assert next_id > top
    assert manifest["counts"]["activities"] == count and manifest["format"] == "kepu-backup/1"
    assert set(manifest["sha256"]) == {n for n in names if n != "manifest.json" and not n.endswith("/")}


def test_a_store_is_not_replaced_without_force_and_is_kept_aside_with_it(
    source, fresh, backend, tmp_path, capsys, monkeypatch
):
    made = backup.make(store.connect(source), tmp_path / "b", "测试")
    store.create_store(fresh, plans=None)
    if backend == "postgresql":  # a version the running dashboards have cached figures for (see below)
        con = store.connect(fresh)
        store.set_meta(con, "data_version", "1000")
        con.close()
    before = Path(fresh).read_bytes() if backend == "duckdb" else None
    log_before = rows(fresh, "SELECT * FROM audit_log ORDER BY logged_at, action")
    assert kepu("restore-backup", str(made), "--db", str(fresh)) == 1
    assert "请加 --force" in capsys.readouterr().err
    assert rows(fresh, "SELECT * FROM audit_log ORDER BY logged_at, action") == log_before  # nothing replaced
    assert kepu("restore-backup", str(made), "--db", str(fresh), "--force") == 0
    out = capsys.readouterr().out
    kept = Path(out.split("原数据库已另存为 ")[1].strip())
    if backend == "duckdb":  # a file is copied byte for byte beside itself; a database, as a DuckDB file (keep_copy)
        assert store.backups(fresh) == [kept] and kept.read_bytes() == before
    assert table(kept, "SELECT * FROM audit_log ORDER BY logged_at, action") == log_before
    assert table(kept, "SELECT count(*) FROM activities") == [(0,)]
    assert rows(fresh, "SELECT count(*) FROM activities") != [(0,)]
    if backend == "postgresql":  # dashboards go on running beside a database: the restored figures must not be
        # taken for ones they have cached (a file is restored with the dashboard stopped)
        assert int(rows(fresh, "SELECT value FROM meta WHERE key = 'data_version'")[0][0]) > 1000


def _rewrite(made: Path, out: Path, change) -> Path:
    """A copy of the backup `made` with its members passed through change(name, data) -> (name, data) | None."""
    with tarfile.open(made) as src, tarfile.open(out, "w") as dst:
        for m in src.getmembers():
            data = src.extractfile(m).read() if m.isfile() else b""
            changed = change(m.name, data)
            if changed is None:
                continue
            name, data = changed
            info = tarfile.TarInfo(name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda n, d: (n, d[:-1] + bytes([d[-1] ^ 1])) if n == "kepu.duckdb" else (n, d), "校验值不符"),
        (lambda n, d: None if n.startswith("evidence/") else (n, d), "与备份清单不符"),
        (lambda n, d: ("../escape.duckdb", d) if n == "kepu.duckdb" else (n, d), "不属于备份的内容"),
        (lambda n, d: None if n == "manifest.json" else (n, d), "备份清单"),
    ],
    ids=["a-changed-byte", "a-missing-file", "a-path-out-of-the-folder", "no-manifest"],
)
def test_a_damaged_or_foreign_backup_is_refused_and_nothing_is_replaced(source, fresh, tmp_path, capsys, damage, said):
    made = backup.make(store.connect(source), tmp_path / "b", "测试")
    bad = _rewrite(made, tmp_path / "bad.tar", damage)
    assert kepu("restore-backup", str(bad), "--db", str(fresh)) == 1
    assert said in capsys.readouterr().err
    assert not holds_a_store(fresh) and not (tmp_path / "elsewhere" / "escape.duckdb").exists()
    assert not (tmp_path / "escape.duckdb").exists()


def test_a_file_that_is_no_backup_is_refused(tmp_path, capsys):
    (tmp_path / "x.tar").write_text("这不是备份", encoding="utf-8")
    assert kepu("restore-backup", str(tmp_path / "x.tar"), "--db", str(tmp_path / "t.duckdb")) == 1
    assert "不是 kepu 备份文件" in capsys.readouterr().err
    assert kepu("restore-backup", str(tmp_path / "none.tar"), "--db", str(tmp_path / "t.duckdb")) == 1
    assert "不存在" in capsys.readouterr().err


@pytest.mark.slow  # a second process; test_store checks the same refusal for init --force in the fast tier
@pytest.mark.duckdb_only  # a lock on DuckDB's file; no process holds a PostgreSQL database
def test_backup_is_refused_while_the_dashboard_holds_the_store(source, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KEPU_LOCK_WAIT", "0")
    with holding(source):  # a stand-in for the running dashboard
        assert kepu("backup", "--db", str(source), "--out-dir", str(tmp_path / "b")) == 1
        assert "正在运行的看板" in capsys.readouterr().err
    assert backup.listed(tmp_path / "b") == []


def test_an_unwritable_folder_is_said_in_chinese(source, tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    with pytest.raises(backup.BackupError, match="无法在"):
        backup.make(store.connect(source), blocked / "b", "测试")


def test_the_newest_are_kept_and_a_backup_is_due_by_the_interval(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    names = [f"kepu-backup-20260101-00000{i}.tar" for i in range(5)]
    for name in names:
        (folder / name).write_bytes(b"")
    assert [p.name for p in backup.prune(folder, 2)] == names[:3]
    assert [p.name for p in backup.listed(folder)] == names[3:]
    newest = folder / names[-1]
    os.utime(newest, (time.time() - 7200, time.time() - 7200))
    assert backup.due(folder, 1.0) and not backup.due(folder, 3.0) and not backup.due(folder, 0)
    assert backup.due(tmp_path / "none", 24.0)


def test_settings_come_from_the_environment_and_nonsense_keeps_the_defaults(tmp_path, monkeypatch):
    path = tmp_path / "kepu.duckdb"
    for hours in ("nan", "inf", "abc", ""):
        monkeypatch.setenv("KEPU_BACKUP_HOURS", hours)
        monkeypatch.setenv("KEPU_BACKUP_KEEP", "-3")
        chosen = backup.settings(path)
        assert (chosen.hours, chosen.keep, chosen.folder) == (24.0, 1, Path(f"{path}.backups"))
    url = "postgresql://kepu:secret@db.example/mudan"  # no path to put ".backups" after: a folder in data/
    assert backup.settings(url).folder == backup.DATA_DIR / "mudan.backups"
    monkeypatch.setenv("KEPU_BACKUP_DIR", str(tmp_path / "x"))
    monkeypatch.setenv("KEPU_BACKUP_HOURS", "0")
    assert backup.settings(path) == backup.Settings(tmp_path / "x", 0.0, 1)
    assert backup.settings(url).folder == tmp_path / "x"


@pytest.mark.slow  # waits for three backups a second apart
def test_the_dashboard_keeps_backups_at_the_interval_set(source, tmp_path, monkeypatch):
    """A short interval (about a second) and two kept: the dashboard's own thread makes backups and removes the
    oldest, and says so in the audit log; setting the interval to 0 stops it."""
    folder = tmp_path / "scheduled"
    env = {"KEPU_BACKUP_DIR": str(folder), "KEPU_BACKUP_HOURS": "0.0003", "KEPU_BACKUP_KEEP": "2"}
    start(source, monkeypatch, env=env)
    made: set[str] = set()
    deadline = time.monotonic() + 30
    while len(made) < 3 and time.monotonic() < deadline:
        made |= {p.name for p in backup.listed(folder)}
        time.sleep(0.2)
    monkeypatch.setenv("KEPU_BACKUP_HOURS", "0")  # the thread reads its settings each time it wakes: it stops
    assert len(made) >= 3, made
    time.sleep(1.5)
    kept = backup.listed(folder)
    assert len(kept) == 2 and {p.name for p in kept} <= made
    from kepu.ui.data import cursor

    lines = cursor().execute("SELECT user_name FROM audit_log WHERE action = 'store.backup'").fetchall()
    assert len(lines) >= 3 and {r[0] for r in lines} == {"定时备份"}


def test_an_administrator_backs_up_from_the_page(source, tmp_path, monkeypatch):
    folder = tmp_path / "b"
    at = start(source, monkeypatch, env={"KEPU_BACKUP_DIR": str(folder)})
    open_page(at, "report")
    log_in(at, "admin", "admin-pass-1")
    at.button(key="backup:now").click().run()
    assert not at.exception, [e.message for e in at.exception]
    [made] = backup.listed(folder)
    assert any(made.name in s.value.replace("\u2060", "") for s in at.success)
    assert any(b.label == "下载最新的备份" for b in at.get("download_button"))
    from kepu.ui.data import cursor  # the app holds the store: read it through the app's connection

    who = cursor().execute("SELECT user_name FROM audit_log WHERE action = 'store.backup'").fetchall()
    assert who == [("admin",)]


@pytest.mark.slow  # an app flow; the fast tier keeps the administrator's
def test_a_clerk_sees_no_backup_panel(source, monkeypatch):
    at = start(source, monkeypatch)
    open_page(at, "report")
    log_in(at, "kx", "clerk-pass-1")
    assert not at.exception and at.title[0].value == "数据填报"
    assert not [b for b in at.button if b.key == "backup:now"] and not [e for e in at.expander if e.label == "数据备份"]


def test_two_backups_at_once_both_land(source, tmp_path):
    """The scheduled backup and an administrator's button may run together in one dashboard process."""
    import threading

    con = store.connect(source)
    made, failed = [], []

    def one() -> None:
        try:
            made.append(backup.make(con.cursor(), tmp_path / "b", "测试"))
        except Exception as exc:  # noqa: BLE001 (collected for the assertion)
            failed.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    con.close()
    assert failed == [] and len(set(made)) == 2 and backup.listed(tmp_path / "b") == sorted(made)
