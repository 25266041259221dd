"""Import batches: a checked file committed in one transaction, nothing counted twice; undo and restore.

The app's 数据填报 page and `kepu import` share this one path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from kepu import audit, catalog, db, reading, store
from kepu.glossary import (
    ACTIVITY_COLUMNS,
    ACTIVITY_SHEET,
    OBSERVATION_COLUMNS,
    OBSERVATION_REQUIRED,
    OBSERVATION_SHEET,
)
from kepu.validation import Checked, RowError, Vocabulary, check_activities, check_observations


class BatchError(ValueError):
    """An undo or restore that cannot be done; the message says why, in Chinese."""


@dataclass
class Outcome:
    """What an import did (or, on a dry run or with errors, would do)."""

    kind: str  # activities or observations
    committed: bool
    batch: int | None
    rows_read: int
    imported: int
    rejected: int
    duplicates: int
    errors: list[RowError] = field(default_factory=list)
    duplicate_rows: list[int] = field(default_factory=list)
    message: str = ""

    def to_json(self) -> dict:
        return {"imported": self.imported, "rejected": self.rejected, "duplicates": self.duplicates,
                "errors": [e.to_json() for e in self.errors], "batch": self.batch, "committed": self.committed,
                "kind": self.kind, "rows_read": self.rows_read, "duplicate_rows": self.duplicate_rows,
                "message": self.message}


def check_file(con, data: bytes, file_name: str, today: dt.date,
               may_report: Callable[[str, str], bool] | None = None) -> tuple[str, Checked]:
    """Read and check a file: which kind it is (activities or observations) and its rows and errors."""
    sheet = reading.read(data, file_name, _sheet_for(file_name), {*ACTIVITY_COLUMNS, *OBSERVATION_COLUMNS})
    plan = catalog.plan_for(con, catalog.default_period(con, today))
    vocab = Vocabulary.load(con, plan.id)
    headers = {reading.header_key(h) for h in sheet.headers}
    if all(reading.header_key(c) in headers for c in OBSERVATION_REQUIRED):
        return "observations", check_observations(sheet, vocab, today)
    return "activities", check_activities(sheet, vocab, today, may_report)


def _sheet_for(file_name: str) -> str:
    return OBSERVATION_SHEET if OBSERVATION_SHEET in file_name else ACTIVITY_SHEET


def import_file(con, data: bytes, file_name: str, user_name: str, *, today: dt.date | None = None,
                may_report: Callable[[str, str], bool] | None = None, valid_only: bool = False,
                dry_run: bool = False) -> Outcome:
    """Check a file and, unless it has errors (or only its valid rows are wanted), commit it as one batch.

    Rows already in the store are not added again: the same 活动编号 from the same 责任单位, or without a number
    the same start date, 镇街, 责任单位 and 活动名称. Raises reading.FileRejected for a file that cannot be used.
    """
    today = today or dt.date.today()
    kind, checked = check_file(con, data, file_name, today, may_report)
    if checked.rows_read == 0:
        raise reading.FileRejected("文件中只有表头，没有数据行")
    outcome = Outcome(kind, False, None, checked.rows_read, 0, checked.rejected_rows, 0, checked.errors)
    refused = f"有 {outcome.rejected} 行未通过检查，未导入任何数据。请按错误清单修改后重新上传。"
    if dry_run:  # compare with the store, write nothing: imported counts what a commit of the valid rows would add
        fresh, duplicate_rows = _COMMIT[kind](con, checked.rows, None)
        outcome.imported, outcome.duplicates, outcome.duplicate_rows = len(fresh), len(duplicate_rows), duplicate_rows
        outcome.message = refused if checked.errors else (
            f"检查通过（未写入）：将导入 {outcome.imported} 行，{outcome.duplicates} 行已在库中。")
        return outcome
    if checked.errors and not valid_only:
        outcome.message = refused
        return outcome
    return _finish(con, outcome, checked, data, file_name, user_name, valid_only)


def _finish(con, outcome: Outcome, checked: Checked, data: bytes, file_name: str, user_name: str,
            valid_only: bool) -> Outcome:
    with db.transaction(con):
        batch = int(db.scalar(con, "SELECT nextval('batch_ids')"))
        fresh, duplicate_rows = _COMMIT[outcome.kind](con, checked.rows, batch)
        db.execute(con, """INSERT INTO batches (id, kind, file_name, sha256, user_name, created_at, rows_read,
                                                imported, rejected, duplicates, valid_only)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                   [batch, outcome.kind, file_name, hashlib.sha256(data).hexdigest(), user_name, dt.datetime.now(),
                    checked.rows_read, len(fresh), outcome.rejected, len(duplicate_rows), valid_only])
        audit.record(con, user_name, "import.valid_only" if valid_only and checked.errors else "import",
                     batch=batch, file=file_name, kind=outcome.kind, imported=len(fresh),
                     duplicates=len(duplicate_rows), rejected=outcome.rejected)
        store.bump_data_version(con)
    outcome.committed, outcome.batch = True, batch
    outcome.imported, outcome.duplicates, outcome.duplicate_rows = len(fresh), len(duplicate_rows), duplicate_rows
    skipped = f"，跳过 {outcome.rejected} 行有错误的行" if outcome.rejected else ""
    again = f"，{outcome.duplicates} 行已在库中（未重复计入）" if outcome.duplicates else ""
    outcome.message = f"已导入 {outcome.imported} 行（批次 {batch}）{again}{skipped}。"
    return outcome


# Rows that would count an activity already in the store: by 活动编号 within a bureau, else by its natural key.
_ALREADY_IN_STORE = """
    SELECT i.row FROM incoming i JOIN activities a ON a.ref = i.ref AND a.bureau = i.bureau
    WHERE i.ref IS NOT NULL AND NOT a.retracted
    UNION
    SELECT i.row FROM incoming i JOIN activities a
      ON a.start_date = i.start_date AND a.town = i.town AND a.bureau = i.bureau AND a.title = i.title
    WHERE i.ref IS NULL AND NOT a.retracted"""


def _commit_activities(con, rows: pd.DataFrame, batch: int | None) -> tuple[pd.DataFrame, list[int]]:
    """Insert the rows not already in the store (nor earlier in the file); return them and the duplicates' rows."""
    key = ["bureau", "ref"]
    natural = ["start_date", "town", "bureau", "title"]
    with_ref = rows.ref.notna()
    repeated = (with_ref & rows.duplicated(key)) | (~with_ref & rows.duplicated(natural))
    candidates = rows[~repeated]
    with db.frame(con, "incoming", candidates[["row", "ref", "bureau", "start_date", "town", "title"]]):
        in_store = {r[0] for r in db.rows(con, _ALREADY_IN_STORE)}
    fresh = candidates[~candidates.row.isin(in_store)]
    duplicates = sorted([*rows.row[repeated], *in_store])
    if batch is not None and len(fresh):
        db.insert_frame(con, "activities", fresh.drop(columns="row").assign(batch=batch))
    return fresh, duplicates


_SAME_KEY = ("o.series = i.series AND o.year = i.year AND o.town = i.town"
             " AND NOT o.retracted AND o.superseded_by IS NULL")


def _commit_observations(con, rows: pd.DataFrame, batch: int | None) -> tuple[pd.DataFrame, list[int]]:
    """Insert each new value, superseding (not deleting) the value it replaces; an unchanged value is a
    duplicate. Returns the new rows and the duplicates' row numbers."""
    with db.frame(con, "incoming", rows):
        unchanged = {r[0] for r in db.rows(con, f"SELECT i.row FROM incoming i JOIN observations o ON {_SAME_KEY} "
                                                "AND o.value = i.value")}
    fresh = rows[~rows.row.isin(unchanged)]
    if batch is not None and len(fresh):
        with db.frame(con, "incoming", fresh):
            db.execute(con, f"UPDATE observations o SET superseded_by = ? FROM incoming i WHERE {_SAME_KEY}", [batch])
        db.insert_frame(con, "observations", fresh.drop(columns="row").assign(batch=batch))
    return fresh, sorted(unchanged)


_COMMIT = {"activities": _commit_activities, "observations": _commit_observations}


# --- the batches, and undoing them ---------------------------------------------------------------------------

def batches(con, user_name: str | None = None, limit: int = 200) -> pd.DataFrame:
    """Import batches, newest first (only `user_name`'s, when given). Columns: id, kind, file_name, sha256,
    user_name, created_at, rows_read, imported, rejected, duplicates, valid_only, undone_at, undone_by."""
    return db.query(con, """SELECT id, kind, file_name, sha256, user_name, created_at, rows_read, imported, rejected,
                                   duplicates, valid_only, undone_at, undone_by
                            FROM batches WHERE $user IS NULL OR user_name = $user
                            ORDER BY id DESC LIMIT $limit""", {"user": user_name, "limit": limit})


def _batch(con, batch_id: int) -> dict:
    frame = db.query(con, "SELECT * FROM batches WHERE id = ?", [int(batch_id)])
    if frame.empty:
        raise BatchError(f"没有编号为 {batch_id} 的导入批次")
    return frame.iloc[0].to_dict()


def undo(con, batch_id: int, user_name: str, may_undo: Callable[[str], bool] | None = None) -> str:
    """Retract a batch's records (kept for audit, restorable); observations it replaced become current again."""
    with db.transaction(con):  # checked inside: two undos of one batch at once cannot both pass
        b = _batch(con, batch_id)
        if pd.notna(b["undone_at"]):
            raise BatchError(f"批次 {batch_id} 已于 {pd.Timestamp(b['undone_at']):%Y-%m-%d %H:%M} 撤销")
        if may_undo and not may_undo(b["user_name"]):
            raise BatchError("您只能撤销自己导入的批次")
        if b["kind"] == "activities":
            db.execute(con, "UPDATE activities SET retracted = true WHERE batch = ?", [int(batch_id)])
        else:
            db.execute(con, "UPDATE observations SET retracted = true WHERE batch = ?", [int(batch_id)])
            db.execute(con, """UPDATE observations o SET superseded_by = NULL WHERE o.superseded_by = $b
                               AND NOT EXISTS (SELECT 1 FROM observations x WHERE x.series = o.series
                                   AND x.year = o.year AND x.town = o.town AND NOT x.retracted
                                   AND x.superseded_by IS NULL)""", {"b": int(batch_id)})
        db.execute(con, "UPDATE batches SET undone_at = ?, undone_by = ? WHERE id = ?",
                   [dt.datetime.now(), user_name, int(batch_id)])
        audit.record(con, user_name, "undo", batch=int(batch_id), file=b["file_name"])
        store.bump_data_version(con)
    return f"已撤销批次 {batch_id}（{b['file_name']}，{b['imported']} 行）；记录保留备查，可恢复。"


def restore(con, batch_id: int, user_name: str, may_undo: Callable[[str], bool] | None = None) -> str:
    """Bring an undone batch back. Records that another batch has brought in since stay counted once."""
    with db.transaction(con):  # checked inside, as for undo
        b = _batch(con, batch_id)
        if pd.isna(b["undone_at"]):
            raise BatchError(f"批次 {batch_id} 没有被撤销，无需恢复")
        if may_undo and not may_undo(b["user_name"]):
            raise BatchError("您只能恢复自己导入的批次")
        if b["kind"] == "activities":
            before = _live(con, batch_id)
            db.execute(con, """UPDATE activities a SET retracted = false WHERE a.batch = $b AND NOT EXISTS (
                                   SELECT 1 FROM activities x WHERE NOT x.retracted AND x.batch IS DISTINCT FROM $b
                                   AND ((a.ref IS NOT NULL AND x.ref = a.ref AND x.bureau = a.bureau)
                                     OR (a.ref IS NULL AND x.start_date = a.start_date AND x.town = a.town
                                         AND x.bureau = a.bureau AND x.title = a.title)))""", {"b": int(batch_id)})
            restored = _live(con, batch_id) - before
        else:
            db.execute(con, """UPDATE observations o SET superseded_by = $b FROM observations i
                               WHERE i.batch = $b AND i.superseded_by IS NULL AND o.series = i.series
                               AND o.year = i.year AND o.town = i.town AND NOT o.retracted
                               AND o.superseded_by IS NULL""", {"b": int(batch_id)})
            db.execute(con, "UPDATE observations SET retracted = false WHERE batch = ?", [int(batch_id)])
            restored = int(b["imported"])
        db.execute(con, "UPDATE batches SET undone_at = NULL, undone_by = NULL WHERE id = ?", [int(batch_id)])
        audit.record(con, user_name, "restore", batch=int(batch_id), restored=restored)
        store.bump_data_version(con)
    skipped = int(b["imported"]) - restored
    note = f"；{skipped} 行此后已由其他批次导入，未重复恢复" if skipped else ""
    return f"已恢复批次 {batch_id}（{restored} 行）{note}。"


def _live(con, batch_id: int) -> int:
    return int(db.scalar(con, "SELECT count(*) FROM activities WHERE batch = ? AND NOT retracted", [int(batch_id)]))


def error_workbook(errors: list[RowError]) -> bytes:
    """The errors as an .xlsx report (行号, 列, 值, 原因). Every cell is written as text, so a value that looks
    like a formula stays inert when the report is opened."""
    import openpyxl  # only needed for this download

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "错误清单"
    sheet.append(["行号", "列", "值", "原因"])
    for e in errors:
        sheet.append([e.row, e.column, e.value, e.reason])
        for cell in sheet[sheet.max_row][1:]:
            cell.data_type = "s"
    for column, width in zip("ABCD", (8, 12, 30, 60), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
