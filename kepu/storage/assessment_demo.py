"""The demo's 考核 items scored by hand: for each year of the plan, an administrator's points for every town and lead
bureau on the scheme's manual items, a few 示范创建 bonuses and a few 数据质量 deductions, each with a reason, so
the 考核 page and its documents have something to show. Deterministic, from its own seed; every reason says 演示."""

from __future__ import annotations

import datetime as dt

import numpy as np

from kepu.core import assessment_scheme
from kepu.core.plan import DISTRICT, Plan
from kepu.storage import db

SCORED_BY = "演示管理员"
BONUS_CHANCE, DEDUCTION_CHANCE = 0.12, 0.08
MANUAL_REASONS = ("按年度工作总结和检查情况评定", "对照评分标准逐项核实后评定", "按报送材料和实地检查情况评定")
BONUS_REASONS = ("获评市级科普示范社区", "获评省级科普教育基地", "获评市级科普工作先进集体")
DEDUCTION_REASON = "报送数据经核实有重复记录"


def fill(con: db.Connection, plan: Plan, seed: int, last_year: int) -> None:
    """Add the demo's manual points for each year of `plan` up to `last_year`."""
    if not plan.assessment:
        return
    scheme = assessment_scheme.parse(plan.assessment)
    rng = np.random.default_rng([seed, 33])
    units = {
        "town": [t.name for t in plan.towns if t.kind != DISTRICT],
        "bureau": list(dict.fromkeys(b for t in plan.tasks for b in t.lead_bureaus)),
    }
    rows = []
    for year in range(plan.start_year, min(plan.end_year, last_year) + 1):
        scored_at = dt.datetime(year + 1, 1, 15, 10, 0)
        for kind, side in (("town", scheme.towns), ("bureau", scheme.bureaus)):
            for unit in units[kind]:
                skill = rng.uniform(0.45, 1.0)  # a unit that does well on one item tends to on the others
                for item in (i for i in side.items if i.by_hand):
                    row = _points(rng, item, skill)
                    if row is not None:
                        rows.append((year, kind, unit, item.code, *row, SCORED_BY, scored_at))
    db.executemany(con, "INSERT INTO assessment_manual VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _points(rng: np.random.Generator, item: assessment_scheme.Item, skill: float) -> tuple[float, str] | None:
    """An item's points and reason, or None when the demo leaves it unscored (no bonus, no deduction)."""
    if item.kind == "manual":
        share = min(1.0, max(0.0, skill + rng.normal(0, 0.12)))
        points = round(item.max * share * 2) / 2  # in half points, as a sheet is marked
        return points, f"演示：{MANUAL_REASONS[int(rng.integers(len(MANUAL_REASONS)))]}"
    if item.kind == "bonus":
        if rng.random() >= BONUS_CHANCE * (0.5 + skill):
            return None
        points = float(min(item.max, rng.choice([2.0, 3.0, 5.0])))
        return points, f"演示：{BONUS_REASONS[int(rng.integers(len(BONUS_REASONS)))]}"
    if rng.random() >= DEDUCTION_CHANCE * (1.5 - skill):
        return None
    n = int(rng.integers(1, 3))
    return float(min(item.max, n)), f"演示：{DEDUCTION_REASON}{n}处"
