"""Backups: `kepu backup` then `kepu restore-backup` into a fresh place gives the same figures, users, audit log and
佐证材料; the backup's database opens with DuckDB alone; a damaged or foreign file is refused with nothing replaced;
the dashboard keeps backups on its own at the interval set, and an administrator can make one now."""

import io
import json
import os
import tarfile
import time
from pathlib import Path

import duckdb
import pytest
from apps import log_in, open_page, start
from helpers.holder import holding

from kepu import cli
from kepu.storage import auth, backup, store


def kepu(*args: str) -> int:
    return cli.main(list(args))


def summary_json(path: Path, capsys) -> dict:
    assert kepu("summary", "--json", "--db", str(path), "--period", "2021-2025") == 0
    return json.loads(capsys.readouterr().out)


def table(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)  # DuckDB alone, not kepu
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def evidence_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def source(demo_copy, demo_path):
    """A copy of the demo store with its 佐证材料 and an administrator account."""
    evidence = store.evidence_folder(demo_path)
    if evidence.is_dir():
        for f in evidence.rglob("*"):
            if f.is_file():
                target = store.evidence_folder(demo_copy) / f.relative_to(evidence)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(f.read_bytes())
    con = store.connect(demo_copy)
    auth.add_user(con, "admin", "管理员", by="admin")
    auth.set_password(con, "admin", "admin-pass-1")
    auth.add_user(con, "kx", "填报员", bureau="区科协", by="admin")
    auth.set_password(con, "kx", "clerk-pass-1")
    con.close()
    return demo_copy


def test_a_restored_backup_has_the_same_figures_users_audit_log_and_files(source, tmp_path, capsys):
    folder = tmp_path / "backups"
    assert kepu("backup", "--db", str(source), "--out-dir", str(folder)) == 0
    [made] = backup.listed(folder)
    assert str(made) in capsys.readouterr().out
    log_then = table(source, "SELECT * FROM audit_log ORDER BY logged_at, action")
    fresh = tmp_path / "elsewhere" / "kepu.duckdb"
    assert kepu("restore-backup", str(made), "--db", str(fresh)) == 0
    capsys.readouterr()

    assert summary_json(fresh, capsys) == summary_json(source, capsys)
    users = "SELECT * FROM users ORDER BY name"
    assert table(fresh, users) == table(source, users) and table(fresh, users)
    log_now = table(fresh, "SELECT * FROM audit_log ORDER BY logged_at, action")
    assert log_now[: len(log_then)] == log_then  # every line, unchanged, in order
    assert [r[2] for r in log_now[len(log_then) :]] == ["store.restore"]  # and the restore itself, said once
    files = evidence_files(store.evidence_folder(source))
    assert files and evidence_files(store.evidence_folder(fresh)) == files


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
    assert manifest["counts"]["activities"] == count and manifest["format"] == "kepu-backup/1"
    assert set(manifest["sha256"]) == {n for n in names if n != "manifest.json" and not n.endswith("/")}


def test_a_store_is_not_replaced_without_force_and_is_kept_aside_with_it(source, tmp_path, capsys):
    made = backup.make(store.connect(source), tmp_path / "b", "测试")
    target = tmp_path / "t" / "kepu.duckdb"
    store.create_store(target, plans=None)
    before = target.read_bytes()
    assert kepu("restore-backup", str(made), "--db", str(target)) == 1
    assert "已存在" in capsys.readouterr().err and target.read_bytes() == before
    assert kepu("restore-backup", str(made), "--db", str(target), "--force") == 0
    kept = store.backups(target)
    assert len(kept) == 1 and kept[0].read_bytes() == before and str(kept[0]) in capsys.readouterr().out
    assert table(target, "SELECT count(*) FROM activities") != [(0,)]


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
def test_a_damaged_or_foreign_backup_is_refused_and_nothing_is_replaced(source, tmp_path, capsys, damage, said):
    made = backup.make(store.connect(source), tmp_path / "b", "测试")
    bad = _rewrite(made, tmp_path / "bad.tar", damage)
    target = tmp_path / "t" / "kepu.duckdb"
    assert kepu("restore-backup", str(bad), "--db", str(target)) == 1
    assert said in capsys.readouterr().err
    assert not target.exists() and not (tmp_path / "t" / "escape.duckdb").exists()
    assert not (tmp_path / "escape.duckdb").exists()


def test_a_file_that_is_no_backup_is_refused(tmp_path, capsys):
    (tmp_path / "x.tar").write_text("这不是备份", encoding="utf-8")
    assert kepu("restore-backup", str(tmp_path / "x.tar"), "--db", str(tmp_path / "t.duckdb")) == 1
    assert "不是 kepu 备份文件" in capsys.readouterr().err
    assert kepu("restore-backup", str(tmp_path / "none.tar"), "--db", str(tmp_path / "t.duckdb")) == 1
    assert "不存在" in capsys.readouterr().err


@pytest.mark.slow  # a second process; test_store checks the same refusal for init --force in the fast tier
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
    monkeypatch.setenv("KEPU_BACKUP_DIR", str(tmp_path / "x"))
    monkeypatch.setenv("KEPU_BACKUP_HOURS", "0")
    assert backup.settings(path) == backup.Settings(tmp_path / "x", 0.0, 1)


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
