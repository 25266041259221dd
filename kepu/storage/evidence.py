"""佐证材料 (evidence): photos, sign-in sheets and documents attached to an import batch or to one record.

The files are kept outside the database, in a folder beside the store (<store>.evidence/, or $KEPU_EVIDENCE_DIR),
each named by the SHA-256 of its content in a subfolder of the hash's first two digits: the same content is stored
once, however often and by whomever it is attached. What a file is, is decided by its content (kepu.core.filetypes),
never by its name; a file over the size limit ($KEPU_EVIDENCE_MAX_MB, default 20 MB) is refused. The database keeps
who attached what to which batch or record, and when. Removing marks the row removed (and is logged); the file goes
only when no other live row uses it.

Administrators see, open and remove every file. A clerk attaches files to their own batches and to the records of
them, and sees and removes those.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from kepu.core.errors import UserError
from kepu.core.filetypes import KINDS, Kind, NotAccepted, kind_of
from kepu.storage import audit, db, pg_store, store
from kepu.storage.auth import User

DIR_ENV, LIMIT_ENV = "KEPU_EVIDENCE_DIR", "KEPU_EVIDENCE_MAX_MB"
DEFAULT_LIMIT_MB = 20
MAX_NAME = 120  # characters of a file's name kept for display


class EvidenceError(UserError):
    """An attachment, download or removal that cannot be done; the message says why, in Chinese."""


def folder(con: db.Connection) -> Path:
    """Where the files are kept: $KEPU_EVIDENCE_DIR, else <store file>.evidence beside the store."""
    if configured := os.environ.get(DIR_ENV, "").strip():
        return Path(configured)
    if isinstance(con, db.PgConnection):
        return pg_store.evidence_folder(con.url)
    path = db.scalar(con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
    if not path:
        raise EvidenceError(f"这个数据库不是文件，没有存放佐证材料的地方；请设置环境变量 {DIR_ENV}")
    return folder_of(Path(path))


def folder_of(store_path: Path) -> Path:
    """Where the store file at `store_path` keeps its files: $KEPU_EVIDENCE_DIR, else <store file>.evidence."""
    configured = os.environ.get(DIR_ENV, "").strip()
    return Path(configured) if configured else store.evidence_folder(store_path)


def limit_bytes() -> int:
    """The largest file accepted: $KEPU_EVIDENCE_MAX_MB megabytes (default 20)."""
    try:
        megabytes = float(os.environ.get(LIMIT_ENV, "") or DEFAULT_LIMIT_MB)
    except ValueError:
        megabytes = DEFAULT_LIMIT_MB
    return int(max(megabytes, 0) * 1024 * 1024)


def check(data: bytes, file_name: str) -> Kind:
    """The kind of an upload, by its content; EvidenceError, saying why, for an empty, oversized or unaccepted one."""
    if not data:
        raise EvidenceError(f"“{clean_name(file_name)}”是空文件，未保存")
    if len(data) > limit_bytes():
        raise EvidenceError(
            f"“{clean_name(file_name)}”有 {size_text(len(data))}，超过佐证材料的上限 {size_text(limit_bytes())}；"
            "请压缩图片或拆分文件后再上传"
        )
    try:
        return kind_of(data)
    except NotAccepted as exc:
        raise EvidenceError(f"“{clean_name(file_name)}”未保存：{exc}") from exc


def clean_name(name: str) -> str:
    """A file's name as kept and shown: its last path part, without control or invisible characters, at most
    MAX_NAME characters (keeping its suffix); 未命名 when nothing is left."""
    name = re.split(r"[\\/]", str(name))[-1]
    name = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in name)
    name = "".join(c for c in name if unicodedata.category(c) != "Cf")
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        name = f"{stem[: MAX_NAME - len(suffix) - 2]}…{dot}{suffix}" if dot and len(suffix) <= 8 else name[:MAX_NAME]
    return name or "未命名"


def download_name(file_name: str, media_type: str) -> str:
    """The name a download is offered under: the file's own, with the suffix of its real kind added when its name
    says otherwise (so the computer opens it with the right program)."""
    kind = KINDS[media_type]
    same = {kind.suffix, ".jpeg"} if kind.suffix == ".jpg" else {kind.suffix}
    return file_name if Path(file_name).suffix.lower() in same else f"{file_name}{kind.suffix}"


def attach(
    con: db.Connection,
    data: bytes,
    file_name: str,
    actor: User,
    *,
    batch: int | None = None,
    activity: int | None = None,
) -> str:
    """Keep a file as 佐证材料 of a batch or of one record (exactly one of them). Returns a sentence saying what was
    done; EvidenceError (logged) when it cannot be."""
    name = clean_name(file_name)
    batch, activity = (None if x is None else int(x) for x in (batch, activity))  # numpy integers from a table, too
    with _refusals_logged(con, actor, "evidence.refused", file=name, batch=batch, activity=activity):
        if (batch is None) == (activity is None):
            raise EvidenceError("请选择把佐证材料附在哪个批次或哪条记录上")
        kind = check(data, name)
        digest = hashlib.sha256(data).hexdigest()
        with db.transaction(con):  # one writer at a time: a removal cannot delete the file between write and row
            target = _target_text(con, actor, batch, activity)
            _write(folder(con), digest, data)
            db.execute(
                con,
                """INSERT INTO evidence (sha256, media_type, size, file_name, batch, activity, uploaded_by, uploaded_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                [digest, kind.media_type, len(data), name, batch, activity, actor.name, dt.datetime.now()],
            )
            audit.record(
                con,
                actor.name,
                "evidence.add",
                file=name,
                sha256=digest,
                size=len(data),
                batch=batch,
                activity=activity,
            )
    return f"已保存佐证材料“{name}”（{kind.label}，{size_text(len(data))}），附于{target}。"


def keep(con: db.Connection, data: bytes) -> tuple[str, Kind]:
    """Keep `data` in the folder under its hash (once), for a caller that writes the evidence rows itself in bulk
    (the demo): its hash and kind. EvidenceError for content that would not be accepted."""
    kind = check(data, "")
    digest = hashlib.sha256(data).hexdigest()
    _write(folder(con), digest, data)
    return digest, kind


def listing(con: db.Connection, actor: User, *, batch: int | None = None, activity: int | None = None) -> pd.DataFrame:
    """The live 佐证材料 `actor` may see (of one batch, with its records' files, or of one record, when given),
    newest first. Columns: id, file_name, media_type, size, batch, activity, title (the record's), uploaded_by,
    uploaded_at."""
    return db.query(
        con,
        f"""SELECT e.id, e.file_name, e.media_type, e.size, coalesce(e.batch, a.batch) AS batch, e.activity,
                   a.title, e.uploaded_by, e.uploaded_at
            FROM evidence e LEFT JOIN activities a ON a.id = e.activity
            LEFT JOIN batches b ON b.id = coalesce(e.batch, a.batch)
            WHERE e.removed_at IS NULL AND {_VISIBLE}
              AND (CAST($batch AS BIGINT) IS NULL OR coalesce(e.batch, a.batch) = $batch)
              AND (CAST($activity AS BIGINT) IS NULL OR e.activity = $activity)
            ORDER BY e.id DESC""",
        {"admin": actor.is_admin, "user": actor.name, "batch": batch, "activity": activity},
    )


def content(con: db.Connection, evidence_id: int, actor: User) -> tuple[bytes, str, str]:
    """A file `actor` may see, checked against its hash: its bytes, media type and download name."""
    digest, media_type, name = _visible(con, evidence_id, actor)[:3]
    path = _path(folder(con), digest)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EvidenceError(f"佐证材料“{name}”的文件不在 {path.parent} 中（可能被移走），请联系管理员") from exc
    if hashlib.sha256(data).hexdigest() != digest:
        raise EvidenceError(f"佐证材料“{name}”的文件内容与登记时不符（可能被改动），请联系管理员")
    return data, media_type, download_name(name, media_type)


def remove(con: db.Connection, evidence_id: int, actor: User) -> str:
    """Mark a file removed (logged); the file itself goes when no other live row uses it. An administrator removes
    any; a clerk what they attached. Returns a sentence saying what was done."""
    with _refusals_logged(con, actor, "evidence.remove.refused", evidence=int(evidence_id)), db.transaction(con):
        digest, _, name, uploaded_by = _visible(con, evidence_id, actor)
        if not actor.is_admin and uploaded_by != actor.name:
            raise EvidenceError(f"佐证材料“{name}”由 {uploaded_by} 上传，只有上传人或管理员可以删除")
        db.execute(
            con,
            "UPDATE evidence SET removed_by = ?, removed_at = ? WHERE id = ?",
            [actor.name, dt.datetime.now(), int(evidence_id)],
        )
        still_used = db.scalar(con, "SELECT count(*) FROM evidence WHERE sha256 = ? AND removed_at IS NULL", [digest])
        audit.record(con, actor.name, "evidence.remove", evidence=int(evidence_id), file=name, sha256=digest)
        if not still_used:  # last in the block: a failure before it keeps both the row and the file
            with contextlib.suppress(FileNotFoundError):
                _path(folder(con), digest).unlink()
    return f"已删除佐证材料“{name}”（记入操作日志）。"


# Who sees a file: an administrator every one; a clerk those of their own batches and of records in them.
_VISIBLE = "($admin OR b.user_name = $user OR e.uploaded_by = $user)"


def _visible(con: db.Connection, evidence_id: int, actor: User) -> tuple[str, str, str, str]:
    """sha256, media_type, file_name and uploaded_by of a live file `actor` may see; EvidenceError otherwise."""
    found = db.rows(
        con,
        f"""SELECT e.sha256, e.media_type, e.file_name, e.uploaded_by FROM evidence e
            LEFT JOIN activities a ON a.id = e.activity LEFT JOIN batches b ON b.id = coalesce(e.batch, a.batch)
            WHERE e.id = $id AND e.removed_at IS NULL AND {_VISIBLE}""",
        {"id": int(evidence_id), "admin": actor.is_admin, "user": actor.name},
    )
    if not found:
        raise EvidenceError(f"没有编号为 {evidence_id} 的佐证材料（或已删除，或您无权查看）")
    digest, media_type, name, uploaded_by = found[0]
    return digest, media_type, name, uploaded_by


def _target_text(con: db.Connection, actor: User, batch: int | None, activity: int | None) -> str:
    """What a file is being attached to, in words; EvidenceError when it does not exist or is not `actor`'s."""
    if activity is not None:
        row = db.rows(
            con,
            """SELECT a.title, b.user_name FROM activities a LEFT JOIN batches b ON b.id = a.batch
               WHERE a.id = ? AND NOT a.retracted""",
            [int(activity)],
        )
        if not row:
            raise EvidenceError(f"没有编号为 {activity} 的有效活动记录")
        title, owner = row[0]
        if not actor.is_admin and owner != actor.name:
            raise EvidenceError("您只能为自己导入的记录附佐证材料")
        return f"记录 {activity}“{title}”"
    row = db.rows(con, "SELECT user_name, status FROM batches WHERE id = ?", [batch])
    if not row:
        raise EvidenceError(f"没有编号为 {batch} 的导入批次")
    owner, status = row[0]
    if not actor.is_admin and owner != actor.name:
        raise EvidenceError("您只能为自己导入的批次附佐证材料")
    if status == "returned":
        raise EvidenceError(f"批次 {batch} 已被退回，不再计入；请把佐证材料附在改正后重新导入的批次上")
    return f"批次 {batch}"


def _path(root: Path, digest: str) -> Path:
    return root / digest[:2] / digest


def _write(root: Path, digest: str, data: bytes) -> None:
    """Keep `data` under its hash, once: a file already there is the same content."""
    path = _path(root, digest)
    if path.exists():
        return
    tmp = path.with_name(f".{digest}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)  # whole or not at all
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise EvidenceError(f"无法保存佐证材料文件到 {root}（{exc.strerror or exc}），请联系管理员") from exc


def size_text(size: int) -> str:
    """A file's size for people: 3.2 MB, 850 KB, 12 字节."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} 字节"


@contextlib.contextmanager
def _refusals_logged(con: db.Connection, actor: User, action: str, **detail: object) -> Iterator[None]:
    """Log a refused attachment or removal (after its transaction has rolled back)."""
    try:
        yield
    except EvidenceError as exc:
        audit.record(con, actor.name, action, reason=str(exc), **detail)
        raise
