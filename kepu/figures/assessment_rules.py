"""The automatic 考核 rules (kepu.core.assessment_scheme.RULES): each turns figures from the store into an item's
points for every unit of one side, with the basis in words (the figures behind the points) and the records behind
them (drill-down filters). All counting is done in DuckDB (kepu.storage.assessment_data, kepu.figures.reporting);
here only the few numbers per unit are combined."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kepu.core import fmt
from kepu.core.assessment_scheme import Item
from kepu.core.filters import Filters, Period
from kepu.figures import reporting
from kepu.storage import assessment_data as data
from kepu.storage import db


@dataclass(frozen=True)
class Scored:
    """One unit's result on one item: points before rounding (never negative: a deduction's amount), the basis in
    words, and the records behind it (None where no activity records are behind the item)."""

    points: float
    basis: str
    records: Filters | None = None


@dataclass
class Context:
    """What every rule needs for one side of one year's assessment, and the queries rules share (computed once)."""

    con: db.Connection
    plan_id: str
    year: int
    as_of: dt.date
    unit_kind: str  # town or bureau
    units: list[str]
    populations: dict[str, int] = field(default_factory=dict)  # towns only
    lead_tasks: dict[str, list[str]] = field(default_factory=dict)  # bureaus only
    _shared: dict[str, Any] = field(default_factory=dict)

    @property
    def days(self) -> tuple[dt.date, dt.date]:
        """The days counted: 1 January to the statistics date (or 31 December, for a year that has ended)."""
        return dt.date(self.year, 1, 1), min(self.as_of, dt.date(self.year, 12, 31))

    @property
    def last_year_days(self) -> tuple[dt.date, dt.date]:
        """The same days a year earlier (29 February falls back to the 28th)."""
        first, last = self.days
        day = min(last.day, 28) if last.month == 2 else last.day
        return first.replace(year=self.year - 1), last.replace(year=self.year - 1, day=day)

    @property
    def span(self) -> str:
        """The days counted, in words: 2025年 (a whole year), 2025年1月1日至6月30日."""
        last = self.days[1]
        whole = last == dt.date(self.year, 12, 31)
        return f"{self.year}年" if whole else f"{self.year}年1月1日至{last.month}月{last.day}日"

    def records(self, unit: str, **narrowed: tuple[str, ...]) -> Filters:
        """The filters giving a unit's counted records in the days counted (narrowed further by `narrowed`)."""
        last = self.days[1]
        f = Filters(Period(self.year, self.year), as_of=last if last < dt.date(self.year, 12, 31) else None)
        return f.narrowed(**{self.unit_kind: unit}, **narrowed)

    def shared(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._shared:
            self._shared[key] = compute()
        return self._shared[key]

    def participation(self) -> dict[str, tuple[int, int]]:
        """Each unit's participants in the days counted and on the same days last year."""

        result: dict[str, tuple[int, int]] = self.shared(
            "participation",
            lambda: data.participants(self.con, self.unit_kind, self.units, self.days, self.last_year_days),
        )
        return result


Rule = Callable[[Context, Item], dict[str, Scored]]


def participation_per_1000(ctx: Context, item: Item) -> dict[str, Scored]:
    people = ctx.participation()
    per_1000 = {u: people[u][0] * 1000 / ctx.populations[u] if ctx.populations.get(u) else 0.0 for u in ctx.units}
    best_unit = max(ctx.units, key=lambda u: per_1000[u], default=None)
    best = per_1000[best_unit] if best_unit else 0.0
    out = {}
    for u in ctx.units:
        share = per_1000[u] / best if best else 0.0
        compared = (
            "，为各镇街最高" if u == best_unit else f"，为最高的{best_unit}（{best:,.1f}人次）的{fmt.percent(share, 1)}"
        )
        basis = (
            f"{ctx.span}参与{fmt.count(people[u][0])}人次，每千人{per_1000[u]:,.1f}人次"
            f"（常住人口{ctx.populations.get(u, 0):,}人）{compared}"
            if best
            else f"{ctx.span}各镇街均无参与人次"
        )
        out[u] = Scored(item.max * share, basis, ctx.records(u))
    return out


def on_time_reports(ctx: Context, item: Item) -> dict[str, Scored]:
    due = ctx.shared("cycles", lambda: [c for c in reporting.cycles(ctx.con, ctx.year) if c.overdue(ctx.as_of)])
    if not due:
        note = f"截至{fmt_date(ctx.as_of)}，{ctx.year}年尚无已过截止日的报送周期，本项暂不计分"
        return {u: Scored(0.0, note) for u in ctx.units}

    def compute() -> dict[tuple[str, str], list[tuple[str, int]]]:
        codes = {c.code for c in due}
        found: dict[tuple[str, str], list[tuple[str, int]]] = {}
        frame = reporting.year_states(ctx.con, ctx.year, ctx.as_of)
        columns = (frame[c].tolist() for c in ("cycle", "unit_kind", "unit", "state", "days_late"))
        for code, kind, unit, state, days_late in zip(*columns, strict=True):
            if code in codes:
                late = 0 if days_late is None or pd.isna(days_late) else int(days_late)
                found.setdefault((kind, unit), []).append((state, late))
        return found

    states = ctx.shared("states", compute)
    late_share = item.params.get("late_share", 0.5)
    out = {}
    for u in ctx.units:
        seen = states.get((ctx.unit_kind, u), [])
        on_time = sum(1 for s, _ in seen if s == "on_time")
        late = [d for s, d in seen if s == "late"]
        missing = len(due) - on_time - len(late)
        share = (on_time + late_share * len(late)) / len(due)
        basis = f"已过截止日的{len(due)}期中，按时{on_time}期，逾期{len(late)}期，未报送{missing}期"
        if late:
            basis += f"（逾期共{sum(late)}天，每期按{late_share:g}期计）"
        out[u] = Scored(item.max * share, basis, ctx.records(u))
    return out


def campaigns_joined(ctx: Context, item: Item) -> dict[str, Scored]:
    held = data.campaigns_held(ctx.con, ctx.plan_id, ctx.year, ctx.days[1])
    if not held:
        note = f"截至{fmt_date(ctx.days[1])}，{ctx.year}年规划所列的重点活动均未开始，本项暂不计分"
        return {u: Scored(0.0, note) for u in ctx.units}
    joined = data.campaigns_joined(ctx.con, ctx.unit_kind, ctx.units, held, ctx.days)
    out = {}
    for u in ctx.units:
        took = [c for c in held if c in joined.get(u, set())]
        missed = [c for c in held if c not in took]
        basis = f"{ctx.year}年已开始的重点活动{len(held)}项，参与{len(took)}项"
        basis += f"（{'、'.join(took)}）" if took else ""
        basis += f"；未参与：{'、'.join(missed)}" if missed else ""
        out[u] = Scored(item.max * len(took) / len(held), basis, ctx.records(u, campaign=tuple(held)))
    return out


def growth(ctx: Context, item: Item) -> dict[str, Scored]:
    full_at = item.params.get("full_at", 0.1)
    last = ctx.last_year_days[1]
    earlier = f"{ctx.year - 1}年同期" if last != dt.date(ctx.year - 1, 12, 31) else f"{ctx.year - 1}年"
    out = {}
    for u in ctx.units:
        now, before = ctx.participation()[u]
        if before == 0:
            share = 1.0 if now else 0.0
            basis = f"{ctx.span}参与{fmt.count(now)}人次，{earlier}无参与人次" + ("，按满分计" if now else "")
        else:
            rise = (now - before) / before
            share = min(1.0, max(0.0, rise) / full_at)
            basis = (
                f"{ctx.span}参与{fmt.count(now)}人次，{earlier}{fmt.count(before)}人次，"
                f"{'增长' if rise >= 0 else '下降'}{fmt.percent(abs(rise), 1)}"
            )
            basis += f"（增长{fmt.percent(full_at)}得满分）" if 0 < share < 1 else "，不得分" if share == 0 else ""
        out[u] = Scored(item.max * share, basis, ctx.records(u))
    return out


def evidence_share(ctx: Context, item: Item) -> dict[str, Scored]:
    counts = data.evidence_counts(ctx.con, ctx.unit_kind, ctx.units, ctx.days, ctx.as_of)
    out = {}
    for u in ctx.units:
        records, proved = counts.get(u, (0, 0))
        share = proved / records if records else 0.0
        basis = (
            f"{ctx.span}计入统计的活动记录{records:,}条，附佐证材料的{proved:,}条（{fmt.percent(share, 1)}）"
            if records
            else f"{ctx.span}没有计入统计的活动记录"
        )
        out[u] = Scored(item.max * share, basis, ctx.records(u))
    return out


def tasks_reported(ctx: Context, item: Item) -> dict[str, Scored]:
    active = {pair for pair, n in data.tasks_reported(ctx.con, ctx.plan_id, ctx.days).items() if n > 0}
    out = {}
    for u in ctx.units:
        leads = ctx.lead_tasks.get(u, [])
        done = [t for t in leads if (u, t) in active]
        silent = [t for t in leads if (u, t) not in active]
        share = len(done) / len(leads) if leads else 0.0
        basis = f"牵头任务{len(leads)}项，{ctx.span}有活动记录的{len(done)}项"
        basis += f"；没有记录的：{'、'.join(silent)}" if silent else ""
        out[u] = Scored(item.max * share, basis, ctx.records(u, task=tuple(leads)))
    return out


def returned_batches(ctx: Context, item: Item) -> dict[str, Scored]:
    per = item.params.get("per", 1.0)
    batches = data.returned_batches(ctx.con, ctx.unit_kind, ctx.days, ctx.as_of)
    out = {}
    for u in ctx.units:
        ids = batches.get(u, [])
        basis = (
            f"{ctx.span}报送的批次被退回{len(ids)}个（批次 {'、'.join(map(str, ids))}），每个扣{per:g}分"
            if ids
            else f"{ctx.span}没有被退回的报送批次"
        )
        out[u] = Scored(min(item.max, per * len(ids)), basis)
    return out


def fmt_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


RULES: dict[str, Rule] = {
    "participation_per_1000": participation_per_1000,
    "on_time_reports": on_time_reports,
    "campaigns_joined": campaigns_joined,
    "growth": growth,
    "evidence_share": evidence_share,
    "tasks_reported": tasks_reported,
    "returned_batches": returned_batches,
}
