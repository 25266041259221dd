"""A plan written into the store: its structure, places, bureaus, indicators and targets (kepu init)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from kepu.core.plan import DISTRICT, Plan, plan_dir
from kepu.storage import db
from kepu.storage.schema import (
    StoreError,
    schema_version,
    write_district_facts,
    write_supervision,
    write_town_governments,
    write_town_grid,
)


def plans_in_order(plans: Sequence[Plan]) -> list[Plan]:
    """The plans oldest first, refused (StoreError) when there are none, two share an id, or their years overlap:
    each date must fall in at most one plan, since a record is checked against the plan its date falls in."""
    ordered = sorted(plans, key=lambda p: (p.start_year, p.end_year))
    if not ordered:
        raise StoreError(f"在 {plan_dir()} 中没有找到规划文件 plan-*.yaml")
    for earlier, later in itertools.pairwise(ordered):
        if earlier.id == later.id or later.start_year <= earlier.end_year:
            clash = f"编号都是“{later.id}”" if earlier.id == later.id else "的年份重叠"
            raise StoreError(
                f"规划 {earlier.source or earlier.id}（{earlier.start_year}—{earlier.end_year}年）与 "
                f"{later.source or later.id}（{later.start_year}—{later.end_year}年）{clash}，请改正其中一个规划文件"
            )
    return ordered


def load_plan_into(con: db.Connection, plan: Plan) -> None:
    """Write a plan's structure, places, bureaus, indicators and targets into the store. Towns and bureaus are the
    store's, not a plan's: a later plan's list updates the ones it names (its figures and order win), adds the ones
    it adds, and keeps the ones only earlier plans name (after its own), since their records still name them."""
    ex, version = db.executemany, schema_version(con)
    ex(
        con,
        "INSERT INTO plans (id, name, document, issued, start_year, end_year, source) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(plan.id, plan.name, plan.document, plan.issued, plan.start_year, plan.end_year, plan.source)],
    )
    if version >= 4:
        write_district_facts(con, plan)
    if version >= 5:
        write_supervision(con, plan)
    units = [t for t in plan.towns if t.kind != DISTRICT]
    named = {t.name for t in plan.towns}
    earlier = db.rows(con, "SELECT name FROM towns WHERE kind <> ? ORDER BY sort", [DISTRICT])
    earlier_units = [n for (n,) in earlier if n not in named]
    sort = {t.name: i for i, t in enumerate([*units, *earlier_units, *(t for t in plan.towns if t.kind == DISTRICT)])}
    ex(
        con,
        "INSERT OR REPLACE INTO towns (name, kind, admin, code, population, population_estimated, sort) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(t.name, t.kind, t.admin, t.code, t.population, t.population_estimated, sort[t.name]) for t in plan.towns],
    )
    ex(con, "UPDATE towns SET sort = ? WHERE name = ?", [(sort[n], n) for n in earlier_units])
    if version >= 6:
        write_town_grid(con, plan)
    ex(
        con,
        "INSERT OR REPLACE INTO town_aliases VALUES (?, ?)",
        [(alias, t.name) for t in plan.towns if t.kind != DISTRICT for alias in town_aliases(t.name)],
    )
    named = {b.name for b in plan.bureaus}
    plans_bureaus = "SELECT name FROM bureaus WHERE town IS NULL" if version >= 5 else "SELECT name FROM bureaus"
    earlier_bureaus = [n for (n,) in db.rows(con, plans_bureaus + " ORDER BY sort") if n not in named]
    ex(
        con,
        "INSERT OR REPLACE INTO bureaus (name, sort) VALUES (?, ?)",
        [(b.name, i) for i, b in enumerate(plan.bureaus)],
    )
    ex(
        con,
        "UPDATE bureaus SET sort = ? WHERE name = ?",
        [(len(plan.bureaus) + i, n) for i, n in enumerate(earlier_bureaus)],
    )
    ex(
        con,
        "INSERT OR REPLACE INTO bureau_aliases VALUES (?, ?)",
        [(alias, b.name) for b in plan.bureaus for alias in b.aliases],
    )
    if version >= 5:
        write_town_governments(con)  # every town's own government as a 责任单位, after the plans' bureaus
    groups = list(plan.cohorts) + list(plan.projects)
    ex(
        con,
        "INSERT INTO groups VALUES (?, ?, ?, ?, ?, ?)",
        [(plan.id, g.name, g.kind, g.slug, g.full_name, i) for i, g in enumerate(groups)],
    )
    ex(
        con,
        "INSERT INTO tasks VALUES (?, ?, ?, ?, ?)",
        [(plan.id, t.code, t.group, t.title, i) for i, t in enumerate(plan.tasks)],
    )
    ex(
        con,
        "INSERT INTO task_bureaus VALUES (?, ?, ?, ?)",
        [(plan.id, t.code, b, i) for t in plan.tasks for i, b in enumerate(t.lead_bureaus)],
    )
    ex(
        con,
        "INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                plan.id,
                i.code,
                i.name,
                i.unit,
                i.basis,
                i.measure,
                i.observation,
                i.where.get("task"),
                i.where.get("activity_type"),
                i.where.get("cohort"),
                i.where.get("project"),
                n,
            )
            for n, i in enumerate(plan.indicators)
        ],
    )
    rows = []
    for t in plan.targets:
        years = plan.years if t.kind == "annual" else [t.year]
        rows += [(plan.id, t.indicator, t.kind, y, t.value, t.baseline_year, t.basis) for y in years]
    ex(
        con,
        "INSERT INTO targets (plan_id, indicator, kind, year, value, baseline_year, basis) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def town_aliases(name: str) -> list[str]:
    """Names a clerk may write for a town: 沙土镇 → 沙土, 东城街道 → 东城 (皇镇街道 → 皇镇)."""
    for suffix in ("街道", "镇"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return [name[: -len(suffix)]]
    return []
