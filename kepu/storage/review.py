"""Review of a clerk's import batch before it counts, optional per deployment.

Where review is on, a 填报员's import is committed as 待审核: the batch's status is 'pending' and its rows carry
pending = true, so they count in no figure (queries.where, the current_observations view) while they already count
as present for duplicate detection (a re-send of a row awaiting review is a duplicate). An administrator approves the
batch (its rows count from then on, once) or returns it with a reason (its rows are retracted for good: they never
count, and the clerk sees the reason). An administrator's own import is approved at once. Every decision, and every
refused one, is in the audit log, written in the transaction that makes the change.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pandas as pd

from kepu.core.errors import UserError
from kepu.storage import audit, db, store
from kepu.storage.auth import User

APPROVED, PENDING, RETURNED = "approved", "pending", "returned"
SETTING = "review"  # the meta key a store keeps its setting under ("1": on); the demo store sets it on
ENV = "KEPU_REVIEW"  # "1" or "0": the deployment's choice, which wins over the store's setting
MAX_REASON = 500
_ON, _OFF = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


class ReviewError(UserError):
    """A review that cannot be done; the message says why, in Chinese."""


def enabled(con: db.Connection) -> bool:
    """True when a clerk's import waits for review: $KEPU_REVIEW (1 or 0) when set, else the store's setting."""
    env = os.environ.get(ENV, "").strip().lower()
    if env in _ON | _OFF:
        return env in _ON
    return store.get_meta(con, SETTING) == "1"


def setting_text(con: db.Connection) -> str:
    """Whether review is on and what decides it, in words: 审核：开启（环境变量 KEPU_REVIEW=1）."""
    env = os.environ.get(ENV, "").strip().lower()
    where = f"环境变量 {ENV}={env}" if env in _ON | _OFF else "数据库设置"
    return f"审核：{'开启' if enabled(con) else '关闭'}（{where}）"


def set_enabled(con: db.Connection, on: bool, by: str | None) -> None:
    """Turn review on or off in the store's setting (logged as `by`; None: while the store is being built)."""
    with db.transaction(con):
        store.set_meta(con, SETTING, "1" if on else "0")
        if by is not None:
            audit.record(con, by, "review.on" if on else "review.off")


def status_for(con: db.Connection, actor: User) -> str:
    """The status a new batch of `actor`'s gets: pending for a clerk where review is on, approved otherwise."""
    return PENDING if enabled(con) and not actor.is_admin else APPROVED


def state(status: str, undone: bool) -> str:
    """A batch's state in words: 待审核, 已退回, 已撤销 or 有效."""
    if status == RETURNED:
        return "已退回"
    if undone:
        return "已撤销"
    return "待审核" if status == PENDING else "有效"


def pending_batches(con: db.Connection, user_name: str | None = None) -> pd.DataFrame:
    """Batches awaiting review (and not undone), oldest first; only `user_name`'s when given. Columns: id, kind,
    file_name, user_name, created_at, imported, duplicates, rejected."""
    return db.query(
        con,
        """SELECT id, kind, file_name, user_name, created_at, imported, duplicates, rejected FROM batches
           WHERE status = $pending AND undone_at IS NULL AND (CAST($user AS VARCHAR) IS NULL OR user_name = $user)
           ORDER BY id""",
        {"pending": PENDING, "user": user_name},
    )


def batch_rows(con: db.Connection, batch_id: int, limit: int = 500) -> pd.DataFrame:
    """The rows a batch brought in, for a reviewer to read (at most `limit`). Activities: id, title, start_date,
    town, bureau, activity_type, participants, funding; observations: series, year, town, value, source."""
    kind = db.scalar(con, "SELECT kind FROM batches WHERE id = ?", [int(batch_id)])
    if kind == "observations":
        sql = "SELECT series, year, town, value, source FROM observations WHERE batch = ? ORDER BY id LIMIT ?"
    else:
        sql = """SELECT id, title, start_date, town, bureau, activity_type, participants, funding FROM activities
                 WHERE batch = ? ORDER BY id LIMIT ?"""
    return db.query(con, sql, [int(batch_id), limit])


def approve(con: db.Connection, batch_id: int, actor: User) -> str:
    """Let a pending batch count: its live rows are no longer pending. Returns a sentence saying what was done."""
    with _refusals_logged(con, actor, batch_id), db.transaction(con):
        b = _pending_batch(con, batch_id, actor)
        table = _table(b)
        db.execute(con, f"UPDATE {table} SET pending = false WHERE batch = ? AND NOT retracted", [int(batch_id)])
        counted = int(db.scalar(con, f"SELECT count(*) FROM {table} WHERE batch = ? AND NOT retracted", [batch_id]))
        _decide(con, batch_id, APPROVED, actor, None)
        audit.record(con, actor.name, "review.approve", batch=int(batch_id), file=b["file_name"], counted=counted)
        store.bump_data_version(con, "approve", int(batch_id))
    return f"批次 {batch_id}（{b['file_name']}，{counted} 行）已审核通过，计入各项数字。"


def return_batch(con: db.Connection, batch_id: int, actor: User, reason: str) -> str:
    """Send a pending batch back to its clerk with a reason: its rows are retracted for good (they never count; the
    clerk corrects the file and imports it again). Returns a sentence saying what was done."""
    reason = " ".join((reason or "").split())
    with _refusals_logged(con, actor, batch_id), db.transaction(con):
        if not reason:
            raise ReviewError("请写明退回的原因：填报员会看到它，并据此改正后重新报送")
        if len(reason) > MAX_REASON:
            raise ReviewError(f"退回原因过长（{len(reason)} 字），请控制在 {MAX_REASON} 字以内")
        b = _pending_batch(con, batch_id, actor)
        db.execute(con, f"UPDATE {_table(b)} SET retracted = true, pending = false WHERE batch = ?", [int(batch_id)])
        _decide(con, batch_id, RETURNED, actor, reason)
        audit.record(con, actor.name, "review.return", batch=int(batch_id), file=b["file_name"], reason=reason)
        store.bump_data_version(con, "return", int(batch_id))
    return f"已退回批次 {batch_id}（{b['file_name']}）给 {b['user_name']}，原因：{reason}。该批次不计入任何数字。"


def undo_refusal(status: str) -> str | None:
    """Why a batch of this status cannot be undone (None when it can): a returned batch is already out of every
    figure for good."""
    return "该批次已被退回，不计入任何数字，无需撤销" if status == RETURNED else None


def restore_refusal(status: str) -> str | None:
    """Why an undone batch of this status cannot be restored (None when it can): a returned batch stays out; its
    clerk corrects the file and imports it again."""
    return "该批次已被退回，不能恢复；请改正后重新导入" if status == RETURNED else None


def _table(batch: dict[str, Any]) -> str:
    return "observations" if batch["kind"] == "observations" else "activities"


def _pending_batch(con: db.Connection, batch_id: int, actor: User) -> dict[str, Any]:
    """The batch, checked inside the transaction (two reviewers at once cannot both decide it)."""
    if not actor.is_admin:
        raise ReviewError("只有管理员可以审核批次")
    frame = db.query(con, "SELECT * FROM batches WHERE id = ?", [int(batch_id)])
    if frame.empty:
        raise ReviewError(f"没有编号为 {batch_id} 的导入批次")
    b = {str(k): v for k, v in frame.iloc[0].to_dict().items()}
    when = "" if pd.isna(b["reviewed_at"]) else f"于 {pd.Timestamp(b['reviewed_at']):%Y-%m-%d %H:%M} "
    if b["status"] == APPROVED:
        raise ReviewError(f"批次 {batch_id} 已{when}审核通过（或无需审核），不能再审核")
    if b["status"] == RETURNED:
        raise ReviewError(f"批次 {batch_id} 已{when}被退回，不能再审核；请填报员改正后重新导入")
    if pd.notna(b["undone_at"]):
        raise ReviewError(f"批次 {batch_id} 已由 {b['undone_by']} 撤销，恢复后才能审核")
    return b


def _decide(con: db.Connection, batch_id: int, status: str, actor: User, note: str | None) -> None:
    db.execute(
        con,
        "UPDATE batches SET status = ?, reviewed_by = ?, reviewed_at = ?, review_note = ? WHERE id = ?",
        [status, actor.name, dt.datetime.now(), note, int(batch_id)],
    )


@contextlib.contextmanager
def _refusals_logged(con: db.Connection, actor: User, batch_id: int) -> Iterator[None]:
    """Log a review that was refused (after its transaction has rolled back)."""
    try:
        yield
    except ReviewError as exc:
        audit.record(con, actor.name, "review.refused", batch=int(batch_id), reason=str(exc))
        raise
