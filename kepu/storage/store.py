"""The store: one DuckDB file holding the plan, targets, activity records and indicator observations; or, where one
process is not enough, a PostgreSQL database holding the same (KEPU_DB=postgresql://…, pg_store)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import overload

import duckdb
import pandas as pd

from kepu.core.plan import DATA_DIR, Plan, load_plan, plan_dir, plan_files
from kepu.storage import audit, db, locks, pg_store
from kepu.storage.plan_rows import load_plan_into, plans_in_order
from kepu.storage.schema import (
    MIGRATIONS,
    PLAIN_TEXT,
    SCHEMA_VERSION,
    StoreError,
    fill_match_keys,
    migrate,
    schema_version,
)

__all__ = ["DATA_DIR", "MIGRATIONS", "PLAIN_TEXT", "SCHEMA_VERSION", "StoreError", "migrate", "schema_version"]


Location = Path | str  # a DuckDB store's file, or a PostgreSQL database's URL


def locate(text: str | Path) -> Location:
    """A store's location as given (KEPU_DB, --db): a PostgreSQL URL as it is, anything else a file's path."""
    return text if pg_store.is_url(text) else Path(text)


def default_path() -> Location:
    """The store: $KEPU_DB (a file, or postgresql://…), or data/kepu.duckdb in the project."""
    return locate(os.environ.get("KEPU_DB") or DATA_DIR / "kepu.duckdb")


def exists(location: Location) -> bool:
    """Whether a DuckDB store's file is there (a PostgreSQL database is asked when it is opened)."""
    return pg_store.is_url(location) or Path(location).exists()


def connect(location: Location, read_only: bool = False, wait: float = 0.0) -> db.Connection:
    """Open an existing store, upgrading an older schema in place. While another kepu command holds it, wait up to
    `wait` seconds for that command to finish; a running dashboard (or any other program) is not waited for. A
    PostgreSQL store is never held: every process opens it."""
    if pg_store.is_url(location):
        return pg_store.connect(str(location), read_only)
    path = Path(location)
    if not path.exists():
        raise StoreError(f"数据库文件 {path} 不存在，请先运行 uv run kepu init")
    deadline = time.monotonic() + wait
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not locks.is_lock_error(exc):
                raise StoreError(f"无法打开数据库文件 {path}：{exc}") from exc
            holder = locks.holder(exc)
            if not holder.is_kepu_command or time.monotonic() >= deadline:  # only a kepu command will let go soon
                raise StoreError(held_message(path, holder, read_only, wait)) from exc
            time.sleep(0.2)
        except duckdb.Error as exc:
            raise StoreError(f"数据库文件 {path} 无法使用（{exc}）") from exc
    db.tune(con)
    if not read_only:
        migrate(con)
    elif schema_version(con) != SCHEMA_VERSION:
        raise StoreError(f"数据库文件 {path} 的结构版本为 {schema_version(con)}，需先以读写方式打开以升级")
    return con


def held_message(path: Path, holder: locks.Holder, read_only: bool, waited: float = 0.0) -> str:
    """Why a store cannot be opened now, naming the process that holds it and what to do instead."""
    who = holder.describe()
    if holder.is_kepu_command:
        after = f"等待 {waited:g} 秒后仍未结束，" if waited else ""
        return f"数据库 {path} 正被{who}占用，{after}请等它结束后再运行此命令。"
    instead = "在看板上查看，或用各页右上角的「导出」下载简报和工作簿" if read_only else "在看板的「数据填报」页导入"
    return f"数据库 {path} 正被{who}占用，DuckDB 只允许一个程序打开它写入：请{instead}，或先停止它再运行此命令。"


def create_store(
    path: Location,
    *,
    plans: Sequence[Plan] | None = None,
    fill: Callable[[db.Connection, Sequence[Plan]], None] | None = None,
    demo: bool = False,
    force: bool = False,
    replacing: Replaced | None = None,
) -> Location:
    """Create a store at `path` with the plans loaded and `fill` run to add records.

    The store is built in a temporary file beside the target and moved into place only when complete, so a
    failure never leaves a half-written store. An existing store is replaced only with force=True, never while a
    process holds it (that process would go on writing to the replaced file, and its writes would be lost), and
    only after a timestamped copy of it is kept beside it; its audit log is carried into the new store (or
    `replacing`'s, a PostgreSQL store's, which pg_store reads and keeps). In PostgreSQL the store is built so, and
    then copied into the database.
    """
    if pg_store.is_url(path):

        def build(built: Path, replaced: object) -> Path:
            assert replaced is None or isinstance(replaced, Replaced)
            return Path(create_store(built, plans=plans, fill=fill, demo=demo, replacing=replaced))

        return pg_store.create(str(path), build, force)
    path = Path(path)
    if path.exists() and not force:
        raise StoreError(f"数据库文件 {path} 已存在；如确需重建（会删除其中全部数据），请加 --force")
    plans = plans_in_order(plans if plans is not None else [load_plan(p) for p in plan_files(plan_dir())])
    path.parent.mkdir(parents=True, exist_ok=True)
    old = hold_for_replacement(path) if path.exists() else replacing
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(tmp))
        db.tune(con)  # among others: a long build would draw a progress bar on the terminal
        try:
            migrate(con)
            for plan in plans:
                load_plan_into(con, plan)
            if fill is not None:
                fill(con, plans)
            if schema_version(con) >= 3:
                fill_match_keys(con)
                _carry_audit_log(con, old, demo)
            set_meta(con, "demo", "1" if demo else "0")
            set_meta(con, "created_at", dt.datetime.now().isoformat(timespec="seconds"))
            set_meta(con, "data_version", "1")
            db.execute(con, "CHECKPOINT")
        finally:
            con.close()
        if old is not None:
            old.release()
        os.replace(tmp, path)
        move_evidence(evidence_folder(tmp), evidence_folder(path))
    finally:
        if old is not None:
            old.release()
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        shutil.rmtree(evidence_folder(tmp), ignore_errors=True)
    return path


def evidence_folder(path: Path) -> Path:
    """The folder beside a store file where its 佐证材料 are kept (kepu.storage.evidence): <store file>.evidence."""
    return Path(f"{path}.evidence")


def move_evidence(built: Path, kept: Path) -> None:
    """Files a fill kept beside the temporary store (the demo's 佐证材料), into the store's folder. Files are named
    by their content's hash, so one already there is the same content (a replaced store's backup still uses it)."""
    for file in built.glob("*/*") if built.is_dir() else []:
        target = kept / file.parent.name / file.name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(file, target)


class Replaced:
    """A store about to be replaced: held open (so no process can start writing to it meanwhile), copied to a
    timestamped backup, and its audit log read."""

    def __init__(self, path: Location, con: db.Connection | None, backup: Path, audit_log: pd.DataFrame | None) -> None:
        self.path, self.con, self.backup, self.audit_log = path, con, backup, audit_log

    def release(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None


def hold_for_replacement(path: Path) -> Replaced:
    """Hold the store at `path` (refused while another process holds it) and keep a timestamped copy beside it."""
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        if locks.is_lock_error(exc):
            raise StoreError(
                f"数据库 {path} 正被{locks.holder(exc).describe()}占用：此时重建，它此后写入的数据会"
                "全部丢失。请先停止它，再运行 kepu init --force。"
            ) from exc
        con = None  # not a store we can open (damaged?): still kept as a backup below
    except duckdb.Error:
        con = None
    audit_log = None
    if con is not None:
        try:
            db.execute(con, "CHECKPOINT")  # everything in the file itself, so the copy is complete
            has_log = db.scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'audit_log'")
            audit_log = db.query(con, "SELECT * FROM audit_log ORDER BY logged_at") if has_log else None
        except duckdb.Error:
            audit_log = None
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    backup = path.with_name(f"{path.name}.{stamp}.bak")
    for n in range(2, 1000):  # two rebuilds within a second must not overwrite the first one's copy
        if not backup.exists():
            break
        backup = path.with_name(f"{path.name}.{stamp}-{n}.bak")
    shutil.copy2(path, backup)
    wal = Path(f"{path}.wal")
    if wal.exists():
        shutil.copy2(wal, Path(f"{backup}.wal"))
    return Replaced(path, con, backup, audit_log)


def describe(location: Location) -> str:
    """A store's location as shown to people (a PostgreSQL URL without its password)."""
    return pg_store.describe(str(location)) if pg_store.is_url(location) else str(location)


def backups(location: Location) -> list[Path]:
    """The timestamped copies `create_store` kept of replaced stores at `location`, oldest first."""
    if pg_store.is_url(location):
        return pg_store.replaced_copies(str(location))
    path = Path(location)
    if not path.parent.is_dir():
        return []
    pattern = re.compile(re.escape(path.name) + r"\.(\d{8}-\d{6})(?:-(\d+))?\.bak")
    found = [(m[1], int(m[2] or 1), p) for p in path.parent.iterdir() if (m := pattern.fullmatch(p.name))]
    return [p for *_, p in sorted(found)]


def _carry_audit_log(con: db.Connection, old: Replaced | None, demo: bool) -> None:
    """The replaced store's audit log, then a line saying the store was (re)created and where the old one is kept."""
    if old is not None and old.audit_log is not None and len(old.audit_log):
        columns = [
            c
            for c in old.audit_log.columns
            if c in ("logged_at", "user_name", "action", "detail", "via", "os_user", "address")
        ]
        db.insert_frame(con, "audit_log", old.audit_log[columns])
    audit.record(
        con,
        audit.actor_name(),
        "store.init",
        demo=demo,
        replaced=str(old.path) if old else None,
        backup=str(old.backup) if old else None,
    )


def set_meta(con: db.Connection, key: str, value: str) -> None:
    db.execute(
        con, "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]
    )


CHANGE_KINDS = ("import", "undo", "restore", "approve", "return", "targets", "assessment")


def bump_data_version(con: db.Connection, kind: str, batch: int | None = None) -> None:
    """Tell every cache that the figures changed, and log what changed (`kind`, one of CHANGE_KINDS; the batch whose
    rows changed, if any) under the new data version. Run inside the transaction that changed them."""
    if kind not in CHANGE_KINDS:
        raise ValueError(f"unknown change kind {kind!r}")
    db.execute(con, "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS VARCHAR) WHERE key = 'data_version'")
    db.execute(
        con,
        """INSERT INTO changes (data_version, kind, batch, changed_at)
           SELECT CAST(value AS BIGINT), ?, ?, ? FROM meta WHERE key = 'data_version'""",
        [kind, batch, dt.datetime.now()],
    )


@overload
def get_meta(con: db.Connection, key: str, default: str) -> str: ...
@overload
def get_meta(con: db.Connection, key: str, default: None = None) -> str | None: ...
def get_meta(con: db.Connection, key: str, default: str | None = None) -> str | None:
    value: str | None = db.scalar(con, "SELECT value FROM meta WHERE key = ?", [key])
    return default if value is None else value
