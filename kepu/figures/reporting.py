"""报送情况: each unit's report for each reporting cycle, judged on time, late by N days, or missing.

The rule (what `kepu reminders`, the 报送情况 page, the 催报通知 and the 考核 all use):

- The cycles are the plan's (`reporting` in the plan file: monthly, quarterly or yearly, due on a day of the month
  after the cycle ends), from the plan covering the cycle's year (after the last plan, the latest plan's rule).
- A unit is a town other than 全区, or a bureau other than a town's own government (whose activities are the town's).
- A unit **reported in a cycle** when some batch made on or before the as-of day, neither undone nor returned,
  carries activities of the unit dated (by start date) within the cycle: a town's are the activities held in it, a
  bureau's those it is responsible for. A batch awaiting review counts: the unit has reported; reviewing is the
  district's part. Its report's day is the day the first such batch was made.
- **on_time** when that day is on or before the due day; **late** by N days otherwise (days_late = N); **missing**
  when nothing was reported and the due day has passed — a unit that reported nothing in the cycle is missing,
  whether it held no activity or did not send it.
- **not_due** while the due day has not passed (as_of ≤ due) and the unit has not reported yet: it may still report
  on time. A unit that has already reported for a cycle not yet due is on_time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

import pandas as pd
from pandas.io.formats.style import Styler

from kepu.core import cycles as cycle_codes
from kepu.core.cycles import Cycle
from kepu.core.errors import UserError
from kepu.core.filters import Period
from kepu.core.plan import REPORTING_CYCLES, Reporting
from kepu.storage import catalog, db, submissions

__all__ = [
    "KINDS",
    "RULE_WORDS",
    "STATES",
    "Cycle",
    "chase_table",
    "chased",
    "cycle",
    "cycles",
    "grid",
    "grid_style",
    "latest_due",
    "recent_cycles",
    "rule",
    "rule_text",
    "states",
    "year_states",
]

STATES = {"on_time": "按时报送", "late": "逾期报送", "missing": "未报送", "not_due": "未到期"}
KINDS = {"town": "镇街", "bureau": "责任单位"}
COLUMNS = ["unit_kind", "unit", "state", "days_late", "submitted", "activities"]
# A grid cell's colours by state (words too: the colour is never the only sign).
PAINT = {
    "on_time": "background-color: #e3f1e4; color: #1b5e20",
    "late": "background-color: #fdebd3; color: #8a4b00; font-weight: 600",
    "missing": "background-color: #fde0dc; color: #b71c1c; font-weight: 600",
    "not_due": "color: #757575",
}
ON_TIME_MARK, MISSING_MARK = "✓ 按时", "✗ 未报送"
# A rule in words: when a cycle's report is due, and what a cycle is called (本季度).
RULE_WORDS = {
    "monthly": ("每月结束后次月", "月"),
    "quarterly": ("每季度结束后次月", "季度"),
    "yearly": ("每年结束后次年1月", "年度"),
}


def rule(con: db.Connection, year: int) -> Reporting:
    """The reporting rule `year` follows: its plan's (after the last plan, the latest plan's). UserError for a year
    before the first plan: no unit reported to a plan before there was one."""
    plans = catalog.plans(con)
    if plans and year < plans[0].start_year:
        raise UserError(f"{year}年早于第一个规划（{plans[0].start_year}年起），没有报送周期")
    plan = catalog.plan_for(con, Period(year, year))
    return submissions.reporting_rule(con, plan.id)


def cycles(con: db.Connection, year: int) -> list[Cycle]:
    """The reporting cycles of `year`, in order, under the rule of the plan covering it."""
    r = rule(con, year)
    return cycle_codes.cycles_in(year, r.cycle, r.due_day)


def cycle(con: db.Connection, code: str) -> Cycle:
    """The cycle a code names (2025Q4, 2025-03, 2025). UserError, in Chinese with an example, for a code that is
    not written like a cycle or is not one of its year's cycles (2025-03 when 2025 is reported quarterly)."""
    _, year = cycle_codes.parse(code)
    options = cycles(con, year)
    wanted = cycle_codes.normal_code(code)
    for c in options:
        if c.code == wanted:
            return c
    r = rule(con, year)
    raise UserError(
        f"“{code}”不是{year}年的报送周期：{year}年按{REPORTING_CYCLES[r.cycle]}报送，"
        f"周期写作 {options[0].code}—{options[-1].code}，如 {options[-1].code}"
    )


def recent_cycles(con: db.Connection, as_of: dt.date) -> list[Cycle]:
    """Every cycle begun by `as_of`, from the first plan's first year, newest first (what a cycle picker offers)."""
    first_year = min((p.start_year for p in catalog.plans(con)), default=as_of.year + 1)
    found = [c for y in range(first_year, as_of.year + 1) for c in cycles(con, y) if c.first <= as_of]
    return found[::-1]


def rule_text(con: db.Connection, year: int) -> str:
    """The reporting rule of `year` in words: 每季度结束后次月10日前报送."""
    r = rule(con, year)
    return f"{RULE_WORDS[r.cycle][0]}{r.due_day}日前报送"


def latest_due(con: db.Connection, as_of: dt.date) -> Cycle:
    """The latest cycle whose due day has passed on `as_of` (what 催报 is about by default)."""
    first_year = min((p.start_year for p in catalog.plans(con)), default=as_of.year)
    candidates = [c for y in range(max(first_year, as_of.year - 2), as_of.year + 1) for c in cycles(con, y)]
    passed = [c for c in candidates if c.overdue(as_of)]
    if not passed:
        raise UserError(f"截至{as_of}，还没有已过截止日的报送周期")
    return max(passed, key=lambda c: c.due)


def states(con: db.Connection, code: str | Cycle, as_of: dt.date | None = None) -> pd.DataFrame:
    """Every unit's report for one cycle as it stood on `as_of` (default today). Columns: unit_kind ('town' or
    'bureau'), unit, state ('on_time', 'late', 'missing' or 'not_due'), days_late (int for a late report, else
    None), submitted (the first report's date, or None), activities (how many of the unit's activities dated within
    the cycle were reported by as_of). Towns first, then bureaus, in the plan's order."""
    c = code if isinstance(code, Cycle) else cycle(con, code)
    return _judged(con, [c], as_of or dt.date.today()).drop(columns="cycle")


def year_states(con: db.Connection, year: int, as_of: dt.date | None = None) -> pd.DataFrame:
    """states() for every cycle of `year`, in one frame: a `cycle` column (its code) before the others."""
    return _judged(con, cycles(con, year), as_of or dt.date.today())


def chased(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a states() frame a 催报 is about: missing first, then late (longest first), each in unit order."""
    order = {"missing": 0, "late": 1}
    picked = frame[frame.state.isin(list(order))].copy()
    picked["_order"] = picked.state.map(order)
    picked["_late"] = -pd.to_numeric(picked.days_late).fillna(0)
    return picked.sort_values(["_order", "_late"], kind="stable").drop(columns=["_order", "_late"])


def _judged(con: db.Connection, wanted: list[Cycle], as_of: dt.date) -> pd.DataFrame:
    found = submissions.first_submissions(con, wanted, as_of)
    by_code = {c.code: c for c in wanted}
    state: list[str] = []
    late: list[int | None] = []
    submitted: list[dt.date | None] = []
    for code, day in zip(found.cycle, found.submitted, strict=True):
        c, day = by_code[code], None if pd.isna(day) else pd.Timestamp(day).date()
        submitted.append(day)
        if day is None:
            state.append("missing" if c.overdue(as_of) else "not_due")
            late.append(None)
        elif day <= c.due:
            state.append("on_time")
            late.append(None)
        else:
            state.append("late")
            late.append((day - c.due).days)
    out = found.assign(
        state=state,
        days_late=pd.Series(late, index=found.index, dtype=object),
        submitted=pd.Series(submitted, index=found.index, dtype=object),
        activities=found.activities.astype(int),
    )
    return out[["cycle", *COLUMNS]].reset_index(drop=True)


# For display: the unit × cycle grid of a year and the 催报 list, in words and colours.


def cell(state: str, days_late: int | None) -> str:
    """A grid cell: ✓ 按时, 逾期 N 天, ✗ 未报送 or 未到期."""
    if state == "late":
        return f"逾期 {days_late} 天"
    return {"on_time": ON_TIME_MARK, "missing": MISSING_MARK}.get(state, STATES[state])


def grid(year_frame: pd.DataFrame, year_cycles: list[Cycle], as_of: dt.date) -> pd.DataFrame:
    """A year_states() frame as a table: a row per unit (单位, 类别), a column per cycle (its short name: 第一季度…)
    holding cell(), and 按时 (of the cycles past their due day on `as_of`, how many were on time: 3/4)."""
    if year_frame.empty:
        return pd.DataFrame(columns=["单位", "类别", *(c.short for c in year_cycles), "按时"])
    text = year_frame.assign(text=[cell(s, d) for s, d in zip(year_frame.state, year_frame.days_late, strict=True)])
    table = text.pivot(index=["unit_kind", "unit"], columns="cycle", values="text")
    order = year_frame.drop_duplicates(["unit_kind", "unit"])[["unit_kind", "unit"]]
    table = table.reindex(pd.MultiIndex.from_frame(order))[[c.code for c in year_cycles]]
    table.columns = [c.short + ("" if c.overdue(as_of) else "（未到期）") for c in year_cycles]
    due = year_frame[year_frame.cycle.isin([c.code for c in year_cycles if c.overdue(as_of)])]
    on_time = due.assign(on=due.state == "on_time").groupby(["unit_kind", "unit"]).on.agg(["sum", "count"])
    table["按时"] = [
        f"{int(on_time.loc[k, 'sum'])}/{int(on_time.loc[k, 'count'])}" if k in on_time.index else "—"
        for k in table.index
    ]
    table = table.reset_index()
    table.insert(0, "类别", table.pop("unit_kind").map(KINDS))
    return table.rename(columns={"unit": "单位"})[["单位", "类别", *table.columns[2:]]]


def grid_style(table: pd.DataFrame) -> Styler:
    """The grid with each cycle's cells coloured by state (green on time, orange late, red missing, grey not due)."""

    def paint(v: object) -> str:
        text = str(v)
        if text == ON_TIME_MARK:
            return PAINT["on_time"]
        if text.startswith("逾期"):
            return PAINT["late"]
        return PAINT["missing"] if text == MISSING_MARK else PAINT["not_due"] if text == STATES["not_due"] else ""

    cycle_columns: list[Hashable] = [c for c in table.columns if c not in ("单位", "类别", "按时")]
    return table.style.map(paint, subset=cycle_columns)


def chase_table(chase: pd.DataFrame, c: Cycle, as_of: dt.date) -> pd.DataFrame:
    """A chased() frame as the 催报 list: 单位, 类别, 情况 (未报送 / 逾期报送), 报送日期, 逾期天数 (for a missing
    report: days since the due day, so far), 活动场次."""
    overdue = (as_of - c.due).days
    return pd.DataFrame(
        {
            "单位": chase.unit.to_numpy(),
            "类别": chase.unit_kind.map(KINDS).to_numpy(),
            "情况": chase.state.map(STATES).to_numpy(),
            "报送日期": [d.isoformat() if d is not None else "—" for d in chase.submitted],
            "逾期天数": [int(d) if d is not None else overdue for d in chase.days_late],
            "活动场次": chase.activities.astype(int).to_numpy(),
        }
    )
