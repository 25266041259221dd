"""The store: one DuckDB file holding the plan, targets, activity records and indicator observations."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import overload

import duckdb
import pandas as pd

from kepu.core.plan import DATA_DIR, DISTRICT, Plan, load_plan, plan_dir, plan_files
from kepu.storage import audit, db, locks
from kepu.storage.schema import (
    MIGRATIONS,
    PLAIN_TEXT,
    SCHEMA_VERSION,
    StoreError,
    fill_match_keys,
    migrate,
    schema_version,
    write_district_facts,
    write_supervision,
    write_town_governments,
    write_town_grid,
)

__all__ = ["DATA_DIR", "MIGRATIONS", "PLAIN_TEXT", "SCHEMA_VERSION", "StoreError", "migrate", "schema_version"]


def default_path() -> Path:
    """The store's file: $KEPU_DB, or data/kepu.duckdb in the project."""
    return Path(os.environ.get("KEPU_DB") or DATA_DIR / "kepu.duckdb")


def connect(path: Path, read_only: bool = False, wait: float = 0.0) -> db.Connection:
    """Open an existing store, upgrading an older schema in place. While another kepu command holds it, wait up to
    `wait` seconds for that command to finish; a running dashboard (or any other program) is not waited for."""
    path = Path(path)
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
    db.execute(con, "SET enable_progress_bar = false")
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
    path: Path,
    *,
    plans: Sequence[Plan] | None = None,
    fill: Callable[[db.Connection, Sequence[Plan]], None] | None = None,
    demo: bool = False,
    force: bool = False,
) -> Path:
    """Create a store at `path` with the plans loaded and `fill` run to add records.

    The store is built in a temporary file beside the target and moved into place only when complete, so a
    failure never leaves a half-written store. An existing store is replaced only with force=True, never while a
    process holds it (that process would go on writing to the replaced file, and its writes would be lost), and
    only after a timestamped copy of it is kept beside it; its audit log is carried into the new store.
    """
    path = Path(path)
    if path.exists() and not force:
        raise StoreError(f"数据库文件 {path} 已存在；如确需重建（会删除其中全部数据），请加 --force")
    plans = plans_in_order(plans if plans is not None else [load_plan(p) for p in plan_files(plan_dir())])
    path.parent.mkdir(parents=True, exist_ok=True)
    old = hold_for_replacement(path) if path.exists() else None
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(tmp))
        db.execute(con, "SET enable_progress_bar = false")  # a long build would draw a bar on the terminal
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

    def __init__(self, path: Path, con: db.Connection | None, backup: Path, audit_log: pd.DataFrame | None) -> None:
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


def backups(path: Path) -> list[Path]:
    """The timestamped copies `create_store` kept of replaced stores at `path`, oldest first."""
    path = Path(path)
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


def plans_in_order(plans: Sequence[Plan]) -> list[Plan]:
    """The plans oldest first, refused (StoreError) when there are none, two share an id, or their years overlap:
    each date must fall in at most one plan, since a record is checked against the plan its date falls in."""
    ordered = sorted(plans, key=lambda p: (p.start_year, p.end_year))
    if not ordered:
        raise StoreError(f"在 {plan_dir()} 中没有找到规划文件 plan-*.yaml")
    for earlier, later in itertools.pairwise(ordered):
        if earlier.id == later.id or later.start_year <= earlier.end_year:
            clash = f"编号都是“{later.id}”" if earlier.id == later.id else "的年份重叠"
            raise StoreError(
                f"规划 {earlier.source or earlier.id}（{earlier.start_year}—{earlier.end_year}年）与 "
                f"{later.source or later.id}（{later.start_year}—{later.end_year}年）{clash}，请改正其中一个规划文件"
            )
    return ordered


def load_plan_into(con: db.Connection, plan: Plan) -> None:
    """Write a plan's structure, places, bureaus, indicators and targets into the store. Towns and bureaus are the
    store's, not a plan's: a later plan's list updates the ones it names (its figures and order win), adds the ones
    it adds, and keeps the ones only earlier plans name (after its own), since their records still name them."""
    ex, version = db.executemany, schema_version(con)
    ex(
        con,
        "INSERT INTO plans (id, name, document, issued, start_year, end_year, source) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(plan.id, plan.name, plan.document, plan.issued, plan.start_year, plan.end_year, plan.source)],
    )
    if version >= 4:
        write_district_facts(con, plan)
    if version >= 5:
        write_supervision(con, plan)
    units = [t for t in plan.towns if t.kind != DISTRICT]
    named = {t.name for t in plan.towns}
    earlier = db.rows(con, "SELECT name FROM towns WHERE kind <> ? ORDER BY sort", [DISTRICT])
    earlier_units = [n for (n,) in earlier if n not in named]
    sort = {t.name: i for i, t in enumerate([*units, *earlier_units, *(t for t in plan.towns if t.kind == DISTRICT)])}
    ex(
        con,
        "INSERT OR REPLACE INTO towns (name, kind, admin, code, population, population_estimated, sort) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(t.name, t.kind, t.admin, t.code, t.population, t.population_estimated, sort[t.name]) for t in plan.towns],
    )
    ex(con, "UPDATE towns SET sort = ? WHERE name = ?", [(sort[n], n) for n in earlier_units])
    if version >= 6:
        write_town_grid(con, plan)
    ex(
        con,
        "INSERT OR REPLACE INTO town_aliases VALUES (?, ?)",
        [(alias, t.name) for t in plan.towns if t.kind != DISTRICT for alias in town_aliases(t.name)],
    )
    named = {b.name for b in plan.bureaus}
    plans_bureaus = "SELECT name FROM bureaus WHERE town IS NULL" if version >= 5 else "SELECT name FROM bureaus"
    earlier_bureaus = [n for (n,) in db.rows(con, plans_bureaus + " ORDER BY sort") if n not in named]
    ex(
        con,
        "INSERT OR REPLACE INTO bureaus (name, sort) VALUES (?, ?)",
        [(b.name, i) for i, b in enumerate(plan.bureaus)],
    )
    ex(
        con,
        "UPDATE bureaus SET sort = ? WHERE name = ?",
        [(len(plan.bureaus) + i, n) for i, n in enumerate(earlier_bureaus)],
    )
    ex(
        con,
        "INSERT OR REPLACE INTO bureau_aliases VALUES (?, ?)",
        [(alias, b.name) for b in plan.bureaus for alias in b.aliases],
    )
    if version >= 5:
        write_town_governments(con)  # every town's own government as a 责任单位, after the plans' bureaus
    groups = list(plan.cohorts) + list(plan.projects)
    ex(
        con,
        "INSERT INTO groups VALUES (?, ?, ?, ?, ?, ?)",
        [(plan.id, g.name, g.kind, g.slug, g.full_name, i) for i, g in enumerate(groups)],
    )
    ex(
        con,
        "INSERT INTO tasks VALUES (?, ?, ?, ?, ?)",
        [(plan.id, t.code, t.group, t.title, i) for i, t in enumerate(plan.tasks)],
    )
    ex(
        con,
        "INSERT INTO task_bureaus VALUES (?, ?, ?, ?)",
        [(plan.id, t.code, b, i) for t in plan.tasks for i, b in enumerate(t.lead_bureaus)],
    )
    ex(
        con,
        "INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                plan.id,
                i.code,
                i.name,
                i.unit,
                i.basis,
                i.measure,
                i.observation,
                i.where.get("task"),
                i.where.get("activity_type"),
                i.where.get("cohort"),
                i.where.get("project"),
                n,
            )
            for n, i in enumerate(plan.indicators)
        ],
    )
    rows = []
    for t in plan.targets:
        years = plan.years if t.kind == "annual" else [t.year]
        rows += [(plan.id, t.indicator, t.kind, y, t.value, t.baseline_year, t.basis) for y in years]
    ex(
        con,
        "INSERT INTO targets (plan_id, indicator, kind, year, value, baseline_year, basis) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def town_aliases(name: str) -> list[str]:
    """Names a clerk may write for a town: 沙土镇 → 沙土, 东城街道 → 东城 (皇镇街道 → 皇镇)."""
    for suffix in ("街道", "镇"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return [name[: -len(suffix)]]
    return []


def set_meta(con: db.Connection, key: str, value: str) -> None:
    db.execute(con, "INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


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
