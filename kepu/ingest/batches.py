"""Import batches: a checked file committed in one transaction, nothing counted twice; undo and restore.

The app's 数据填报 page and `kepu import` share this one path.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Hashable, Iterator
from typing import Any

import pandas as pd

from kepu.core.errors import UserError
from kepu.core.glossary import (
    ACTIVITY_COLUMNS,
    ACTIVITY_SHEET,
    OBSERVATION_COLUMNS,
    OBSERVATION_REQUIRED,
    OBSERVATION_SHEET,
)
from kepu.ingest import reading
from kepu.ingest.error_report import error_workbook as error_workbook  # offered beside an import's outcome
from kepu.ingest.outcome import Outcome as Outcome  # what an import did, for its callers
from kepu.ingest.validation import Checked, Refusal, check_activities, check_observations
from kepu.ingest.vocabulary import Vocabularies
from kepu.storage import activity_rows, audit, db, review, store
from kepu.storage.auth import User


class BatchError(UserError):
    """An undo or restore that cannot be done; the message says why, in Chinese."""


def check_file(
    con: db.Connection, data: bytes, file_name: str, today: dt.date, refusal: Refusal | None = None
) -> tuple[str, Checked]:
    """Read and check a file: which kind it is (activities or observations) and its rows and errors."""
    sheet = reading.read(
        data, file_name, {*ACTIVITY_COLUMNS, *OBSERVATION_COLUMNS}, (ACTIVITY_SHEET, OBSERVATION_SHEET)
    )
    vocabs = Vocabularies(con, today)  # each activity is checked against the plan its start date falls in
    headers = {reading.header_key(h) for h in sheet.headers}
    if all(reading.header_key(c) in headers for c in OBSERVATION_REQUIRED):
        kind, checked = "observations", check_observations(sheet, vocabs.default, today, refusal)
    else:
        kind, checked = "activities", check_activities(sheet, vocabs, today, refusal)
    checked.notes = [*sheet.notes, *checked.notes]  # the file's, then the rows' (a campaign outside its days…)
    return kind, checked


def import_file(
    con: db.Connection,
    data: bytes,
    file_name: str,
    actor: User,
    *,
    today: dt.date | None = None,
    valid_only: bool = False,
    dry_run: bool = False,
) -> Outcome:
    """Check a file and, unless it has errors (or only its valid rows are wanted), commit it as one batch in
    `actor`'s name, every row held to the actor's scope (User.refusal); a clerk's batch waits for review where
    review is on (kepu.storage.review), counting in no figure until approved.

    Rows already in the store are not added again (see _same_activity). Raises reading.FileRejected for a file that
    cannot be used. A refusal that is not a dry run is logged.
    """
    today = today or dt.date.today()
    try:
        kind, checked = check_file(con, data, file_name, today, actor.refusal)
        if checked.rows_read == 0:
            raise reading.FileRejected("文件中只有表头，没有数据行")
    except reading.FileRejected as exc:
        if not dry_run:
            log_refusal(con, actor, file_name, str(exc))
        raise
    outcome = Outcome(
        kind,
        False,
        None,
        checked.rows_read,
        0,
        checked.rejected_rows,
        0,
        checked.errors,
        notes=checked.notes,
        errors_omitted=checked.errors_omitted,
    )
    refused = f"有 {outcome.rejected} 行未通过检查，未导入任何数据。请按错误清单修改后重新上传。"
    if dry_run:  # compare with the store, write nothing: imported counts what a commit of the valid rows would add
        fresh, duplicate_rows, outcome.replaced = _COMMIT[kind](con, checked.rows, None)
        outcome.imported, outcome.duplicates, outcome.duplicate_rows = len(fresh), len(duplicate_rows), duplicate_rows
        outcome.message = (
            refused
            if checked.errors
            else (f"检查通过（未写入）：将导入 {outcome.imported} 行，{outcome.duplicates} 行已在库中。")
        )
        return outcome
    if checked.errors and (not valid_only or checked.rows.empty):
        outcome.message = refused if not valid_only else NOTHING_VALID
        log_refusal(con, actor, file_name, outcome.message, rejected=outcome.rejected)
        return outcome
    return _finish(con, outcome, checked, data, file_name, actor, valid_only)


NOTHING_VALID = "没有通过检查的行，未导入任何数据。请按错误清单修改后重新上传。"


def log_refusal(con: db.Connection, actor: User, file_name: str, reason: str, **detail: object) -> None:
    """Put a refused import in the audit log (the file's name as text, whatever it holds)."""
    audit.record(con, actor.name, "import.refused", file=file_name, reason=reason, **detail)


def _finish(
    con: db.Connection,
    outcome: Outcome,
    checked: Checked,
    data: bytes,
    file_name: str,
    actor: User,
    valid_only: bool,
) -> Outcome:
    with db.transaction(con):
        batch = int(db.scalar(con, "SELECT nextval('batch_ids')"))
        status = review.status_for(con, actor)
        fresh, duplicate_rows, replaced = _COMMIT[outcome.kind](con, checked.rows, batch, status == review.PENDING)
        outcome.duplicates, outcome.duplicate_rows = len(duplicate_rows), duplicate_rows
        if fresh.empty:  # every row already in the store: no empty batch to clutter the history
            outcome.message = f"没有需要导入的新记录：{outcome.duplicates} 行已在库中（未重复计入）。"
            return outcome
        db.execute(
            con,
            """INSERT INTO batches (id, kind, file_name, sha256, user_name, created_at, rows_read,
                                                imported, rejected, duplicates, valid_only, status)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                batch,
                outcome.kind,
                file_name,
                hashlib.sha256(data).hexdigest(),
                actor.name,
                dt.datetime.now(),
                checked.rows_read,
                len(fresh),
                outcome.rejected,
                len(duplicate_rows),
                valid_only,
                status,
            ],
        )
        audit.record(
            con,
            actor.name,
            "import.valid_only" if valid_only and checked.errors else "import",
            batch=batch,
            file=file_name,
            kind=outcome.kind,
            imported=len(fresh),
            duplicates=len(duplicate_rows),
            rejected=outcome.rejected,
            replaced=replaced,
            status=status,
        )
        store.bump_data_version(con, "import", batch)
    outcome.committed, outcome.batch, outcome.replaced, outcome.imported = True, batch, replaced, len(fresh)
    skipped = f"，跳过 {outcome.rejected} 行有错误的行" if outcome.rejected else ""
    again = f"，{outcome.duplicates} 行已在库中（未重复计入）" if outcome.duplicates else ""
    replacing = f"，替换了 {replaced} 个原有数值（原值保留在历史中）" if replaced else ""
    outcome.message = f"已导入 {outcome.imported} 行（批次 {batch}）{replacing}{again}{skipped}。"
    if status == review.PENDING:
        outcome.message = (
            f"已提交 {outcome.imported} 行（批次 {batch}，待审核）{again}{skipped}；管理员审核通过后计入各项数字。"
        )
    return outcome


# --- when two records are the same activity: the rule, written once ------------------------------------------


def _same_activity(a: str, b: str) -> tuple[str, str]:
    """The two ways records `a` and `b` (table aliases) are the same activity, as SQL conditions: both carry a
    活动编号 and the 责任单位 and the numbers match; or either lacks one and the start date, 镇街, 责任单位 and
    活动名称 match. Numbers and names are compared by their match keys (kepu.matching.key), so a re-sent row that
    differs only in full-width forms, invisible characters, spacing or letter case is the same activity, and so is
    a row sent again with a 活动编号 it lacked the first time. Two conditions rather than one OR, so each is an
    equality join."""
    by_number = f"{a}.bureau = {b}.bureau AND {a}.ref_key = {b}.ref_key"  # NULL matches nothing
    by_name = (
        f"{a}.start_date = {b}.start_date AND {a}.town = {b}.town AND {a}.bureau = {b}.bureau"
        f" AND {a}.title_key = {b}.title_key AND ({a}.ref_key IS NULL OR {b}.ref_key IS NULL)"
    )
    return by_number, by_name


def _duplicates_sql() -> str:
    """Rows of `incoming` that repeat an earlier row of the file, or a live record of the store (one awaiting review
    too; a returned one is retracted, so absent)."""
    within = [
        f"SELECT i.row FROM incoming i JOIN incoming j ON {same} AND j.row < i.row" for same in _same_activity("i", "j")
    ]
    stored = [
        f"SELECT i.row FROM incoming i JOIN activities a ON {same} AND NOT a.retracted"
        for same in _same_activity("i", "a")
    ]
    return " UNION ".join(within + stored)


_DUPLICATES = _duplicates_sql()
_KEY_COLUMNS = ["row", "ref_key", "bureau", "start_date", "town", "title_key"]


def _commit_activities(
    con: db.Connection, rows: pd.DataFrame, batch: int | None, pending: bool = False
) -> tuple[pd.DataFrame, list[int], int]:
    """Insert the rows not already in the store (nor earlier in the file); return them, the duplicates' row numbers
    and 0 (activities replace nothing)."""
    with db.frame(con, "incoming", rows[_KEY_COLUMNS]):
        duplicates = sorted({r[0] for r in db.rows(con, _DUPLICATES)})
    fresh = rows[~rows.row.isin(duplicates)]
    if batch is not None and len(fresh):
        activity_rows.append(con, fresh.drop(columns="row").assign(batch=batch, pending=pending))
    return fresh, duplicates, 0


# The value a re-sent one is compared with: the newest live one, awaiting review or not (as current_observations, but
# with pending values: sending again a value that awaits review is a duplicate).
_CURRENT = """(SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY series, year, town
                                                      ORDER BY coalesce(batch, 0) DESC, id DESC) AS kepu_rank
                              FROM observations WHERE NOT retracted) ranked WHERE kepu_rank = 1) c
               ON c.series = i.series AND c.year = i.year
               AND c.town = i.town"""


def _commit_observations(
    con: db.Connection, rows: pd.DataFrame, batch: int | None, pending: bool = False
) -> tuple[pd.DataFrame, list[int], int]:
    """Insert each value that differs from the current one; an unchanged value is a duplicate. Nothing is
    overwritten: the newest live batch's value is current (the view current_observations), older ones stay as
    history. Returns the new rows, the duplicates' row numbers and how many current values the new rows replace."""
    with db.frame(con, "incoming", rows):
        found = db.rows(con, f"SELECT i.row, c.value = i.value FROM incoming i JOIN {_CURRENT}")
    unchanged = sorted(row for row, same in found if same)
    fresh = rows[~rows.row.isin(unchanged)]
    if batch is not None and len(fresh):
        db.insert_frame(con, "observations", fresh.drop(columns="row").assign(batch=batch, pending=pending))
    return fresh, unchanged, sum(1 for _, same in found if not same)


_COMMIT = {"activities": _commit_activities, "observations": _commit_observations}


# --- the batches, and undoing them ---------------------------------------------------------------------------


def batches(con: db.Connection, user_name: str | None = None, limit: int = 200) -> pd.DataFrame:
    """Import batches, newest first (only `user_name`'s, when given). Columns: id, kind, file_name, sha256,
    user_name, created_at, rows_read, imported, rejected, duplicates, valid_only, undone_at, undone_by, status
    (kepu.storage.review), reviewed_by, reviewed_at, review_note."""
    return db.query(
        con,
        """SELECT id, kind, file_name, sha256, user_name, created_at, rows_read, imported, rejected,
                                   duplicates, valid_only, undone_at, undone_by, status, reviewed_by,
                                   reviewed_at, review_note
                            FROM batches WHERE CAST($user AS VARCHAR) IS NULL OR user_name = $user
                            ORDER BY id DESC LIMIT $limit""",
        {"user": user_name, "limit": limit},
    )


def _batch(con: db.Connection, batch_id: int) -> dict[Hashable, Any]:  # a row of mixed columns
    frame = db.query(con, "SELECT * FROM batches WHERE id = ?", [int(batch_id)])
    if frame.empty:
        raise BatchError(f"没有编号为 {batch_id} 的导入批次")
    return frame.iloc[0].to_dict()


def undo(con: db.Connection, batch_id: int, actor: User) -> str:
    """Retract a batch's records (kept for audit, restorable). For observations, the value of the newest batch still
    live becomes current again. Returns a sentence saying what was done."""
    with _refusals_logged(con, actor, "undo.refused", batch_id), db.transaction(con):
        b = _batch(con, batch_id)  # checked inside: two undos of one batch at once cannot both pass
        if pd.notna(b["undone_at"]):
            raise BatchError(f"批次 {batch_id} 已于 {pd.Timestamp(b['undone_at']):%Y-%m-%d %H:%M} 撤销")
        if not actor.may_undo(b["user_name"]):
            raise BatchError("您只能撤销自己导入的批次")
        if why := review.undo_refusal(b["status"]):
            raise BatchError(why)
        table = "activities" if b["kind"] == "activities" else "observations"
        db.execute(con, f"UPDATE {table} SET retracted = true WHERE batch = ?", [int(batch_id)])
        db.execute(
            con,
            "UPDATE batches SET undone_at = ?, undone_by = ? WHERE id = ?",
            [dt.datetime.now(), actor.name, int(batch_id)],
        )
        audit.record(con, actor.name, "undo", batch=int(batch_id), file=b["file_name"])
        store.bump_data_version(con, "undo", int(batch_id))
        effect = "" if b["kind"] == "activities" else _observation_effect(con, batch_id, undone=True)
    return f"已撤销批次 {batch_id}（{b['file_name']}，{b['imported']} 行）；记录保留备查，可恢复{effect}。"


def restore(con: db.Connection, batch_id: int, actor: User) -> str:
    """Bring an undone batch back. Records that another batch has brought in since stay counted once; an
    observation is current again only where no newer live batch has a value. Returns a sentence saying what the
    restore replaced and what it did not."""
    with _refusals_logged(con, actor, "restore.refused", batch_id), db.transaction(con):
        b = _batch(con, batch_id)  # checked inside, as for undo
        if pd.isna(b["undone_at"]):
            raise BatchError(f"批次 {batch_id} 没有被撤销，无需恢复")
        if why := actor.restore_refusal(b["user_name"], b["undone_by"]) or review.restore_refusal(b["status"]):
            raise BatchError(why)
        if b["kind"] == "activities":
            before = _live(con, batch_id)
            by_number, by_name = _same_activity("a", "x")
            db.execute(
                con,
                f"""UPDATE activities a SET retracted = false WHERE a.batch = $b
                                AND NOT EXISTS (SELECT 1 FROM activities x WHERE NOT x.retracted
                                                AND x.batch IS DISTINCT FROM $b AND {by_number})
                                AND NOT EXISTS (SELECT 1 FROM activities x WHERE NOT x.retracted
                                                AND x.batch IS DISTINCT FROM $b AND {by_name})""",
                {"b": int(batch_id)},
            )
            restored = _live(con, batch_id) - before
            skipped = int(b["imported"]) - restored
            effect = f"；{skipped} 行此后已由其他批次导入，未重复恢复" if skipped else ""
        else:
            db.execute(con, "UPDATE observations SET retracted = false WHERE batch = ?", [int(batch_id)])
            restored = int(b["imported"])
            effect = _observation_effect(con, batch_id, undone=False)
        db.execute(con, "UPDATE batches SET undone_at = NULL, undone_by = NULL WHERE id = ?", [int(batch_id)])
        audit.record(con, actor.name, "restore", batch=int(batch_id), restored=restored)
        store.bump_data_version(con, "restore", int(batch_id))
    return f"已恢复批次 {batch_id}（{restored} 行）{effect}。"


@contextlib.contextmanager
def _refusals_logged(con: db.Connection, actor: User, action: str, batch_id: int) -> Iterator[None]:
    """Log an undo or restore that was refused (after its transaction has rolled back)."""
    try:
        yield
    except BatchError as exc:
        audit.record(con, actor.name, action, batch=int(batch_id), reason=str(exc))
        raise


def _observation_effect(con: db.Connection, batch_id: int, undone: bool) -> str:
    """After an observation batch is undone or restored: which of its values are current now, in words."""
    rows = db.rows(
        con,
        """SELECT c.batch = $b, c.batch FROM observations o
                           LEFT JOIN current_observations c ON c.series = o.series AND c.year = o.year
                                AND c.town = o.town
                           WHERE o.batch = $b""",
        {"b": int(batch_id)},
    )
    if undone:
        back = sum(1 for _, current in rows if current is not None)
        gone = len(rows) - back
        parts = [f"{back} 个指标数值恢复为此前批次的值"] if back else []
        parts += [f"{gone} 个指标数值此后没有数据"] if gone else []
    else:
        mine = sum(1 for is_current, _ in rows if is_current)
        newer = sorted({current for is_current, current in rows if not is_current and current is not None})
        parts = [f"{mine} 个指标数值恢复为当前值"] if mine else []
        if newer:
            parts.append(f"{len(rows) - mine} 个数值仍以较新的批次 {'、'.join(map(str, newer))} 为准（新批次优先）")
    return "；" + "，".join(parts) if parts else ""


def _live(con: db.Connection, batch_id: int) -> int:
    return int(db.scalar(con, "SELECT count(*) FROM activities WHERE batch = ? AND NOT retracted", [int(batch_id)]))
