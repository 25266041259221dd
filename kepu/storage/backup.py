"""Backups of a store: one .tar file holding the database as a complete DuckDB file, the 佐证材料 files, and a
manifest. DuckDB alone reads the database in it (`tar -xf kepu-backup-….tar kepu.duckdb`, then open that file);
nothing kepu-specific is needed to get the reports, users and audit log back.

A backup is made from an open connection (the dashboard's, or a command's) with DuckDB's COPY FROM DATABASE, or
from a PostgreSQL store with one REPEATABLE READ snapshot copied into a new DuckDB file (pg_store.to_duckdb_file):
either way one consistent state of the store, while others go on reading and writing, in the same format. It is
written under a temporary name and renamed when complete, so a backup file is never half-written. Restoring checks
every member against the manifest before anything is replaced, into a DuckDB file or a PostgreSQL database (so a
backup also moves a district's store to a server)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import tarfile
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kepu.core.errors import UserError
from kepu.core.plan import DATA_DIR
from kepu.storage import audit, db, evidence, pg_store, store

DATABASE, MANIFEST, EVIDENCE = "kepu.duckdb", "manifest.json", "evidence"
PREFIX, SUFFIX = "kepu-backup-", ".tar"
DIR_ENV, HOURS_ENV, KEEP_ENV = "KEPU_BACKUP_DIR", "KEPU_BACKUP_HOURS", "KEPU_BACKUP_KEEP"
DEFAULT_HOURS, DEFAULT_KEEP = 24.0, 14
ALIAS = "kepu_backup"  # the backup file while it is attached for the copy
# One backup at a time in a process (the scheduled one and an administrator's may meet): the attached copy's name
# is the database instance's, and a backup's file name is chosen by what the folder already holds.
_ONE_AT_A_TIME = threading.Lock()


class BackupError(UserError):
    """A backup that cannot be made or restored; the message says why, in Chinese."""


@dataclass(frozen=True)
class Settings:
    folder: Path
    hours: float  # between scheduled backups; 0: none
    keep: int  # how many backups the folder keeps


def settings(location: store.Location) -> Settings:
    """$KEPU_BACKUP_DIR (default <store>.backups beside a store file, data/<database>.backups for a PostgreSQL
    store), $KEPU_BACKUP_HOURS (24; 0 turns scheduled backups off) and $KEPU_BACKUP_KEEP (14). A value that is not
    a number keeps the default."""
    folder = os.environ.get(DIR_ENV, "").strip()
    return Settings(
        Path(folder) if folder else _default_folder(location),
        max(_number(HOURS_ENV, DEFAULT_HOURS), 0.0),
        max(int(_number(KEEP_ENV, DEFAULT_KEEP)), 1),
    )


def _default_folder(location: store.Location) -> Path:
    if pg_store.is_url(location):  # a URL is no path to append to
        return DATA_DIR / f"{pg_store.database_name(str(location))}.backups"
    return Path(f"{location}.backups")


def _number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value == value and value not in (float("inf"), float("-inf")) else default


def listed(folder: Path) -> list[Path]:
    """The backups in `folder`, oldest first (by the time in their names)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX))


def make(con: db.Connection, folder: Path, who: str) -> Path:
    """Back up the store `con` is open on (a DuckDB file or a PostgreSQL database) into `folder`; the new file's
    path. Audited in the store."""
    files = evidence.folder(con)
    try:
        with _ONE_AT_A_TIME:
            return _make(con, files, folder, who)
    except OSError as exc:  # a folder that cannot be made or written, a full disk
        raise BackupError(
            f"无法在 {folder} 写入备份（{exc.strerror or exc}）；请检查备份文件夹（{DIR_ENV}）及其空间"
        ) from exc


def kept(con: db.Connection, chosen: Settings, who: str) -> tuple[Path, list[Path]]:
    """A backup into the configured folder, then the oldest removed beyond the number kept: the new file and the
    ones removed (the dashboard's schedule, its button, and `kepu backup` without --out-dir)."""
    made = make(con, chosen.folder, who)
    return made, prune(chosen.folder, chosen.keep)


def _make(con: db.Connection, evidence_folder: Path, folder: Path, who: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    name = _free_name(folder)
    with tempfile.TemporaryDirectory(prefix=".kepu-backup-", dir=folder) as work:
        copy = Path(work) / DATABASE
        # The backup's own audit line goes into the copy and, once the file is complete, into the store: the same
        # line, so a restored store's log is the store's log as it was, this backup included.
        said = audit.line(who, "store.backup", file=str(folder / name))
        copied = _copy_postgres if isinstance(con, db.PgConnection) else _copy_database
        facts = copied(con, copy, said)
        files = _evidence_files(evidence_folder)
        manifest = _manifest(facts, copy, files)
        partial = folder / f".{name}.partial"
        try:
            with tarfile.open(partial, "w") as tar:
                tar.add(copy, DATABASE)
                for relative, path in files.items():
                    tar.add(path, f"{EVIDENCE}/{relative}")
                info = tarfile.TarInfo(MANIFEST)
                body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info.size, info.mtime = len(body), int(dt.datetime.now().timestamp())
                tar.addfile(info, io.BytesIO(body))
            partial.replace(folder / name)
        finally:
            partial.unlink(missing_ok=True)  # a tar that failed halfway (after the rename, nothing is there)
    with db.transaction(con):
        audit.write(con, said)
    return folder / name


def _free_name(folder: Path) -> str:
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    name = f"{PREFIX}{stamp}{SUFFIX}"
    for n in range(2, 1000):  # two backups within a second keep both
        if not (folder / name).exists():
            break
        name = f"{PREFIX}{stamp}-{n}{SUFFIX}"
    return name


def _copy_database(con: db.Connection, target: Path, said: audit.Line) -> dict[str, Any]:
    """One consistent state of the store, as a complete DuckDB file at `target` (tables, views, sequences), with
    the audit line `said` added to the copy's log (a transaction may write to one database only: so after); what
    the copy holds, read from it (row counts, schema and data version), for the manifest."""
    current = db.scalar(con, "SELECT current_database()")
    # An attached database's alias and the source's name are identifiers, which cannot be bound: the alias is
    # fixed, and the name (from the store's file name) is quoted.
    source = '"' + str(current).replace('"', '""') + '"'
    db.execute(con, f"ATTACH ? AS {ALIAS} (READ_WRITE)", [str(target)])
    try:
        db.execute(con, f"COPY FROM DATABASE {source} TO {ALIAS}")
        audit.write(con, said, f"{ALIAS}.audit_log")
        return _facts(con, f"{ALIAS}.")
    finally:
        db.execute(con, f"DETACH {ALIAS}")


def _copy_postgres(con: db.Connection, target: Path, said: audit.Line) -> dict[str, Any]:
    """As _copy_database, from a PostgreSQL store: its rows as of one snapshot into a new DuckDB store file."""
    pg_store.to_duckdb_file(con, target)
    copy = db.connect_file(target)
    try:
        audit.write(copy, said)
        return _facts(copy, "")
    finally:
        copy.close()


def _facts(con: db.Connection, prefix: str) -> dict[str, Any]:
    """What the copy (its tables' names prefixed by `prefix`) holds: row counts, schema and data version."""
    counts = {  # fixed table names, not input
        table: int(db.scalar(con, f"SELECT count(*) FROM {prefix}{table}"))
        for table in ("activities", "observations", "users", "audit_log", "batches")
    }
    meta = dict(db.rows(con, f"SELECT key, value FROM {prefix}meta"))
    return {
        "schema_version": int(meta.get("schema_version", 0)),
        "data_version": int(meta.get("data_version", 0)),
        "counts": counts,
    }


def _evidence_files(folder: Path) -> dict[str, Path]:
    """Every file under the evidence folder, by its path relative to it."""
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def _manifest(facts: dict[str, Any], copy: Path, files: dict[str, Path]) -> dict[str, Any]:
    return {
        "format": "kepu-backup/1",
        "created_at": dt.datetime.now().isoformat(timespec="seconds"),
        **facts,
        "sha256": {DATABASE: _sha256(copy), **{f"{EVIDENCE}/{k}": _sha256(p) for k, p in files.items()}},
    }


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` backups in `folder`; the ones removed."""
    gone = listed(folder)[:-keep] if keep > 0 else []
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def due(folder: Path, hours: float, now: dt.datetime | None = None) -> bool:
    """Whether a scheduled backup is due: none yet, or the newest is at least `hours` old."""
    if hours <= 0:
        return False
    found = listed(folder)
    if not found:
        return True
    age = (now or dt.datetime.now()).timestamp() - found[-1].stat().st_mtime
    return age >= hours * 3600


def restore(backup: Path, target: store.Location, who: str, force: bool = False) -> store.Location:
    """Put the store and 佐证材料 of `backup` at `target` (a DuckDB file, or a PostgreSQL database's URL). An
    existing store there is replaced only with `force`, never while a process holds its file, and only after a
    timestamped copy of it is kept (as `kepu init --force` keeps one); that copy's path is returned, else
    `target`. Audited in the restored store."""
    backup = Path(backup)
    if not backup.is_file():
        raise BackupError(f"备份文件 {backup} 不存在")
    if pg_store.is_url(target):
        return _restore_postgres(backup, str(target), who, force)
    target = Path(target)
    if target.exists() and not force:
        raise BackupError(f"数据库文件 {target} 已存在；如确需用备份替换它（原库会另存一份），请加 --force")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".kepu-restore-", dir=target.parent) as work:
        manifest = _extract(backup, Path(work))
        restored = Path(work) / DATABASE
        con = store.connect(restored)  # checks it is a store, and upgrades an older schema
        try:
            audit.record(con, who, "store.restore", backup=str(backup), made=manifest.get("created_at"))
        finally:
            con.close()
        old = store.hold_for_replacement(target) if target.exists() else None  # refused while held
        if old is not None:
            old.release()
        os.replace(restored, target)
        # Files are named by their content's hash: merged in, none overwritten (the kept-aside store uses them).
        store.move_evidence(Path(work) / EVIDENCE, evidence.folder_of(target))
    return old.backup if old is not None else target


def _restore_postgres(backup: Path, url: str, who: str, force: bool) -> store.Location:
    """restore() into a PostgreSQL database: the checked store copied in whole (pg_store.load, one transaction),
    its files merged into the database's evidence folder. No process holds a database, so none is waited for."""
    con = pg_store.open_database(url)
    try:
        held = store.schema_version(con) != 0
        if held and not force:
            raise BackupError(
                f"PostgreSQL 数据库 {pg_store.describe(url)} 中已有看板的数据；"
                "如确需用备份替换它（原库会另存一份），请加 --force"
            )
        replaced_version = int(store.get_meta(con, "data_version", "0")) if held else 0
        with tempfile.TemporaryDirectory(prefix="kepu-restore-") as work:
            manifest = _extract(backup, Path(work))
            restored = Path(work) / DATABASE
            copy = store.connect(restored)  # checks it is a store, and upgrades an older schema
            try:
                audit.record(copy, who, "store.restore", backup=str(backup), made=manifest.get("created_at"))
                # Dashboards go on running on PostgreSQL and cache figures by data version: a restored store must
                # not come back with a version they have already seen.
                version = max(int(store.get_meta(copy, "data_version", "0")), replaced_version + 1)
                store.set_meta(copy, "data_version", str(version))
            finally:
                copy.close()
            kept = pg_store.keep_copy(con, url) if held else None
            pg_store.load(con, restored)
            store.move_evidence(Path(work) / EVIDENCE, pg_store.evidence_folder(url))
    finally:
        con.close()
    return kept if kept is not None else url


def _extract(backup: Path, into: Path) -> dict[str, Any]:
    """Check the backup's members (only the database, the manifest and files under evidence/, no links, no paths
    out of the folder), extract them, and check each against the manifest's sha256."""
    try:
        with tarfile.open(backup, "r") as tar:
            members = tar.getmembers()
            for m in members:
                parts = Path(m.name).parts
                allowed = m.name in (DATABASE, MANIFEST) or (parts[:1] == (EVIDENCE,) and len(parts) > 1)
                if not (m.isfile() or m.isdir()) or ".." in parts or Path(m.name).is_absolute() or not allowed:
                    raise BackupError(f"备份文件 {backup.name} 中有不属于备份的内容（{m.name[:80]}），未恢复")
            tar.extractall(into, filter="data")
    except tarfile.TarError as exc:
        raise BackupError(f"{backup.name} 不是 kepu 备份文件（无法作为 tar 读取：{exc}）") from exc
    try:
        manifest: dict[str, Any] = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
        expected = dict(manifest["sha256"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{backup.name} 缺少可读的备份清单（{MANIFEST}），未恢复") from exc
    present = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    if present != set(expected) or DATABASE not in present:
        raise BackupError(f"{backup.name} 的内容与备份清单不符（文件缺少或多出），未恢复")
    for relative, digest in expected.items():
        if _sha256(into / relative) != digest:
            raise BackupError(f"{backup.name} 中的 {relative} 与备份清单的校验值不符（文件已损坏），未恢复")
    return manifest


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
