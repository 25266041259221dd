"""What an import did (or, on a dry run or with errors, would do): kepu.ingest.batches returns it to the 数据填报 page
and `kepu import`."""

from __future__ import annotations

from dataclasses import dataclass, field

from kepu.ingest.validation import RowError


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
    notes: list[str] = field(default_factory=list)  # what the user should know beyond the rows (hidden sheets…)
    replaced: int = 0  # observations: current values this import replaces
    errors_omitted: int = 0  # errors beyond validation.MAX_ERRORS: counted, not listed

    def to_json(self) -> dict:
        return {
            "imported": self.imported,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "errors": [e.to_json() for e in self.errors],
            "batch": self.batch,
            "committed": self.committed,
            "kind": self.kind,
            "rows_read": self.rows_read,
            "duplicate_rows": self.duplicate_rows,
            "message": self.message,
            "notes": self.notes,
            "replaced": self.replaced,
            "errors_omitted": self.errors_omitted,
        }
