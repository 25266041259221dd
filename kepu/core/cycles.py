"""Reporting cycles (报送周期) as dates: a plan's rule (monthly, quarterly or yearly; due on a day of the month after
the cycle ends) turned into each year's cycles, and a cycle's code (2025Q4, 2025-03, 2025) read back.

Date arithmetic only: which plan's rule a year follows is the store's to say (kepu.figures.reporting)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from kepu.core.errors import UserError

QUARTERS = "一二三四"
EXAMPLES = "2025Q4（季度）、2025-03（月）或 2025（年度）"


@dataclass(frozen=True)
class Cycle:
    """One reporting cycle: its code (2025Q4, 2025-03, 2025), its label (2025年第四季度), its first and last days,
    and the day its report is due (the plan's due day of the month after `last`; a report that day is on time)."""

    code: str
    label: str
    first: dt.date
    last: dt.date
    due: dt.date

    @property
    def short(self) -> str:
        """The cycle within its year, for a column heading: 第四季度, 3月, 全年."""
        return "全年" if self.label.endswith("年度") else self.label.removeprefix(f"{self.first.year}年")

    def overdue(self, as_of: dt.date) -> bool:
        """True once the due day has passed on `as_of` (on the due day itself a report is still on time)."""
        return as_of > self.due


def cycles_in(year: int, cycle: str, due_day: int) -> list[Cycle]:
    """The cycles of `year` under a rule: `cycle` monthly, quarterly or yearly, due on `due_day` of the month after
    each ends."""
    if cycle == "monthly":
        spans = [(f"{year}-{m:02d}", f"{year}年{m}月", m, m) for m in range(1, 13)]
    elif cycle == "quarterly":
        spans = [(f"{year}Q{q}", f"{year}年第{QUARTERS[q - 1]}季度", 3 * q - 2, 3 * q) for q in range(1, 5)]
    elif cycle == "yearly":
        spans = [(str(year), f"{year}年度", 1, 12)]
    else:
        raise ValueError(f"unknown reporting cycle {cycle!r}")
    out = []
    for code, label, first_month, last_month in spans:
        after = _month_after(year, last_month)
        last = after - dt.timedelta(days=1)
        out.append(Cycle(code, label, dt.date(year, first_month, 1), last, after.replace(day=due_day)))
    return out


def parse(code: str) -> tuple[str, int]:
    """A cycle code read as (cycle kind, year): 2025Q4 → ("quarterly", 2025), 2025-03 → ("monthly", 2025), 2025 →
    ("yearly", 2025). Full-width characters, spaces and a lower-case q are tolerated; UserError (in Chinese, with
    examples) for anything else."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(code))).upper()
    if m := re.fullmatch(r"(\d{4})-?Q(\d)", text):
        if not 1 <= int(m[2]) <= 4:
            raise UserError(f"报送周期“{code}”中的季度应为 Q1—Q4，如 {m[1]}Q4")
        return "quarterly", int(m[1])
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        if not 1 <= int(m[2]) <= 12:
            raise UserError(f"报送周期“{code}”中的月份应为 01—12，如 {m[1]}-03")
        return "monthly", int(m[1])
    if re.fullmatch(r"\d{4}", text):
        return "yearly", int(text)
    raise UserError(f"无法识别的报送周期“{code}”：应写作 {EXAMPLES}")


def normal_code(code: str) -> str:
    """A code as cycles_in writes it (2025q4 → 2025Q4, 2025-3 → 2025-03); call after parse has accepted it."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(code))).upper().replace("-Q", "Q")
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        return f"{m[1]}-{int(m[2]):02d}"
    return text


def _month_after(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1)
