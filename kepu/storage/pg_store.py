"""A store in PostgreSQL (KEPU_DB=postgresql://…; issue 14, docs/postgresql.md): opened, created and copied out.

A store is created the way a DuckDB one is (the plan, and the demo's records when asked, built into a DuckDB file in
a temporary folder) and then copied into the database in one transaction, so the two backends start from the same
rows and a failure leaves the database as it was."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import urllib.parse
import uuid
from collections.abc import Callable
from pathlib import Path

from kepu.core.plan import DATA_DIR
from kepu.storage import db, pg_schema, schema, transfer
from kepu.storage.schema import StoreError

SCHEMES = ("postgresql://", "postgres://")


def is_url(location: object) -> bool:
    """Whether a store's location (KEPU_DB, --db) names a PostgreSQL database rather than a DuckDB file."""
    return isinstance(location, str) and location.startswith(SCHEMES)


def describe(url: str) -> str:
    """The URL as shown to people: the password left out."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def database_name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/") or "postgres"


def open_database(url: str) -> db.PgConnection:
    """A connection to the database, or StoreError saying in Chinese why there is none."""
    try:
        return db.connect_postgres(url)
    except Exception as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise StoreError(
            f"无法连接 PostgreSQL 数据库 {describe(url)}（{reason}）；请检查 KEPU_DB 和数据库服务"
        ) from exc


def connect(url: str, read_only: bool = False) -> db.PgConnection:
    """Open the store in the database at `url`. read_only changes nothing here: it is how a DuckDB file is shared
    with the process writing it, and every process may open a PostgreSQL database (a read-only transaction would
    also refuse the temporary tables an import's dry run compares with)."""
    con = open_database(url)
    version = schema.schema_version(con)
    if version != schema.SCHEMA_VERSION:
        con.close()
        if not version:
            raise StoreError(f"PostgreSQL 数据库 {describe(url)} 中还没有看板的数据，请先运行 uv run kepu init")
        if version > schema.SCHEMA_VERSION:
            raise StoreError(
                f"PostgreSQL 数据库 {describe(url)} 的结构版本为 {version}，"
                f"比本程序支持的 {schema.SCHEMA_VERSION} 更新，请升级 kepu"
            )
        raise StoreError(  # a DuckDB file upgrades in place; a database goes through a backup, upgraded on restore
            f"PostgreSQL 数据库 {describe(url)} 的结构版本为 {version}，本程序为 {schema.SCHEMA_VERSION}："
            "请用原来的 kepu 备份（kepu backup），再用本程序恢复到该数据库（kepu restore-backup 备份文件 --force），"
            "恢复时自动升级"
        )
    return con


def create(
    url: str,
    build: Callable[[Path, object], Path],
    force: bool,
) -> str:
    """Create the store in the database at `url`: `build(path, replaced)` makes it as a DuckDB file at `path`
    (store.create_store, carrying `replaced`'s audit log), which is then copied in, replacing a store already
    there only with force=True, after a copy of it is kept (as a DuckDB file in the backup folder)."""
    from kepu.storage import store  # store opens PostgreSQL through this module

    con = open_database(url)
    try:
        version = schema.schema_version(con)
        if version and not force:
            raise StoreError(
                f"PostgreSQL 数据库 {describe(url)} 中已有看板的数据；如确需重建（会删除其中全部数据），请加 --force"
            )
        replaced = None
        if version:
            kept = keep_copy(con, url)
            log = db.query(con, "SELECT * FROM audit_log ORDER BY logged_at")
            replaced = store.Replaced(describe(url), None, kept, log)
        with tempfile.TemporaryDirectory(prefix="kepu-init-") as work:
            built = build(Path(work) / "kepu.duckdb", replaced)
            load(con, built)
            store.move_evidence(store.evidence_folder(built), evidence_folder(url))
    finally:
        con.close()
    return url


def load(con: db.PgConnection, path: Path) -> None:
    """The DuckDB store file at `path`, copied whole into the database `con` is open on, in one transaction:
    a store already there is replaced (its tables, views, sequences and functions dropped first)."""
    from kepu.storage import store

    source = store.connect(path, read_only=True)
    try:
        with db.transaction(con):
            pg_schema.drop(con)
            pg_schema.create(con, indexed=False)
            db.execute(con, "DELETE FROM meta")  # the copied store's own rows follow
            transfer.to_postgres(source, con)
            pg_schema.index(con)
            # Which copy this is: read models (readmodel.py) load afresh when it changes, whatever the data version.
            store.set_meta(con, "loaded_at", f"{dt.datetime.now().isoformat()} {uuid.uuid4().hex}")
    finally:
        source.close()


def evidence_folder(url: str) -> Path:
    """Where a PostgreSQL store keeps its 佐证材料: $KEPU_EVIDENCE_DIR (a folder every dashboard process and the
    CLI reach), else data/<database>.evidence on this machine."""
    configured = os.environ.get("KEPU_EVIDENCE_DIR", "").strip()
    return Path(configured) if configured else DATA_DIR / f"{database_name(url)}.evidence"


def keep_copy(con: db.Connection, url: str) -> Path:
    """The store as it is now, as a DuckDB file in the backup folder (before `init --force` replaces it)."""
    from kepu.storage import backup

    folder = backup.settings(url).folder
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"replaced-{database_name(url)}-{dt.datetime.now():%Y%m%d-%H%M%S}.duckdb"
    to_duckdb_file(con, path)
    return path


def replaced_copies(url: str) -> list[Path]:
    """The copies `keep_copy` made of stores replaced in this database, oldest first."""
    from kepu.storage import backup

    return sorted(backup.settings(url).folder.glob(f"replaced-{database_name(url)}-*.duckdb"))


def to_duckdb_file(con: db.Connection, path: Path) -> None:
    """One consistent state of the PostgreSQL store as a complete DuckDB store file at `path` (a new file)."""
    target = db.connect_file(path)
    try:
        copy_into(con, target)
        db.execute(target, "CHECKPOINT")
    finally:
        target.close()


def copy_into(con: db.Connection, target: db.Connection) -> None:
    """The PostgreSQL store's rows, as one snapshot, into the empty DuckDB database `target` given its schema."""
    reader = con.cursor()
    try:
        db.open_snapshot(reader)
        transfer.fill_duckdb(reader, target)
        sequences = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()"
        for name, last in db.rows(reader, sequences):
            if last is not None:  # the copy's sequence goes on after the last value used (a name of our schema's)
                db.scalar(target, f"SELECT max(nextval('{name}')) FROM range(?)", [int(last)])
    finally:
        db.close_snapshot(reader)
