"""What the store knows of the plans: periods, places, bureaus, cohorts and projects, indicators and targets."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

from kepu.core import matching
from kepu.core.errors import UserError
from kepu.core.filters import Period
from kepu.core.plan import DISTRICT, District
from kepu.storage import db
from kepu.storage.store import get_meta


@dataclass(frozen=True)
class PlanInfo:
    id: str
    name: str
    document: str
    start_year: int
    end_year: int
    issued: str = ""  # the date the document was issued, as the plan file gives it

    @property
    def period(self) -> Period:
        return Period(self.start_year, self.end_year)


def plans(con: db.Connection) -> list[PlanInfo]:
    """The plans in the store, oldest first."""
    rows = db.rows(
        con, "SELECT id, name, document, start_year, end_year, coalesce(issued, '') FROM plans ORDER BY start_year"
    )
    return [PlanInfo(*r) for r in rows]


def plan_for(con: db.Connection, period: Period) -> PlanInfo:
    """The plan whose structure (cohorts, projects, tasks) a view of `period` uses: the plan covering it; for years
    outside every plan, the latest plan begun by then (work goes on after a plan ends, under its headings), else the
    earliest plan. UserError only for a store with no plan at all."""
    all_plans = plans(con)
    if not all_plans:
        raise UserError("数据库中没有载入任何规划，请运行 uv run kepu init")
    covering = covering_plan(con, period, all_plans)
    if covering is not None:
        return covering
    begun = [p for p in all_plans if p.start_year <= period.first]
    return begun[-1] if begun else all_plans[0]


def covering_plan(con: db.Connection, period: Period, all_plans: list[PlanInfo] | None = None) -> PlanInfo | None:
    """The plan whose years contain all of `period`, or None (a year after the plan, or a span across two plans):
    targets are judged only within one plan's years."""
    for plan in plans(con) if all_plans is None else all_plans:
        if plan.start_year <= period.first and period.last <= plan.end_year:
            return plan
    return None


def periods(con: db.Connection, today: dt.date | None = None) -> list[str]:
    """The periods a view can show, as written in links, newest first: each plan's whole period, then its years;
    and the years outside every plan (between two plans, or after the last one, up to the later of this year and
    the latest activity's), in a block of their own where they fall. Years before the first plan are not offered."""
    all_plans = plans(con)
    if not all_plans:
        return []
    latest = db.scalar(con, "SELECT max(year(start_date)) FROM activities WHERE NOT retracted AND NOT pending")
    last_year = max((today or dt.date.today()).year, latest or 0)
    blocks: list[list[str]] = []
    year = all_plans[0].start_year  # the first year not yet in a block
    for plan in all_plans:
        if year < plan.start_year:
            blocks.append([str(y) for y in range(year, plan.start_year)])
        blocks.append([str(plan.period), *(str(y) for y in plan.period.years)])
        year = max(year, plan.end_year + 1)
    if year <= last_year:
        blocks.append([str(y) for y in range(year, last_year + 1)])
    return [p for block in reversed(blocks) for p in block]


def default_period(con: db.Connection, today: dt.date) -> Period:
    """The whole of the plan running today, or of the latest plan once all have ended."""
    all_plans = plans(con)
    for plan in all_plans:
        if plan.start_year <= today.year <= plan.end_year:
            return plan.period
    return all_plans[-1].period


def towns(con: db.Connection) -> pd.DataFrame:
    """Towns with 全区 last. Columns: name, kind, admin, code, population, population_estimated."""
    return db.query(con, "SELECT name, kind, admin, code, population, population_estimated FROM towns ORDER BY sort")


def town_grid(con: db.Connection) -> pd.DataFrame:
    """The towns placed on the schematic tile map, in the towns' order. Columns: town, grid_row, grid_col."""
    return db.query(con, "SELECT name AS town, grid_row, grid_col FROM towns WHERE grid_row IS NOT NULL ORDER BY sort")


def bureaus(con: db.Connection) -> list[str]:
    """Bureau names in the plan's order, then the towns' own governments (沙土镇人民政府…) in the towns' order."""
    return [r[0] for r in db.rows(con, "SELECT name FROM bureaus ORDER BY sort")]


def plan_bureaus(con: db.Connection) -> list[str]:
    """The plans' bureaus, in order: those a task can be assigned to (not a town's own government)."""
    return [r[0] for r in db.rows(con, "SELECT name FROM bureaus WHERE town IS NULL ORDER BY sort")]


def town_governments(con: db.Connection) -> dict[str, str]:
    """Each town's own government as a 责任单位 (沙土镇人民政府, 东城街道办事处) → its town, in the towns' order."""
    return dict(db.rows(con, "SELECT name, town FROM bureaus WHERE town IS NOT NULL ORDER BY sort"))


def campaigns(con: db.Connection, plan_id: str) -> pd.DataFrame:
    """The plan's campaigns (活动主题) in its order. Columns: name, aliases (list), window_from, window_to (MM-DD,
    the usual window), cohorts (list), tasks (list)."""
    return db.query(
        con,
        "SELECT name, aliases, window_from, window_to, cohorts, tasks FROM campaigns WHERE plan_id = ? ORDER BY sort",
        [plan_id],
    )


def campaign_names(con: db.Connection) -> list[str]:
    """Every plan's campaigns, each once: the oldest plan's in its order, then any a later plan adds."""
    return [
        r[0]
        for r in db.rows(
            con,
            """SELECT c.name FROM campaigns c JOIN plans p ON p.id = c.plan_id
               GROUP BY c.name ORDER BY min(p.start_year), min(c.sort)""",
        )
    ]


def campaign_windows(con: db.Connection, plan_id: str) -> dict[tuple[str, int], tuple[dt.date, dt.date]]:
    """Each of the plan's campaigns' first and last day in each year it is dated in, by (campaign, year)."""
    rows = db.rows(con, "SELECT campaign, year, first_day, last_day FROM campaign_windows WHERE plan_id = ?", [plan_id])
    return {(name, year): (first, last) for name, year, first, last in rows}


def campaign_spellings(con: db.Connection, plan_id: str | None = None) -> dict[str, str]:
    """Every accepted spelling of a campaign of the plan (of any plan, when None) by its match key → its name: the
    name and aliases, each also without its quotation marks and with Chinese ones (文化科技卫生“三下乡”)."""
    rows = db.rows(
        con,
        """SELECT name, aliases FROM campaigns WHERE CAST($plan AS VARCHAR) IS NULL OR plan_id = $plan
           ORDER BY plan_id, sort""",
        {"plan": plan_id},
    )
    out: dict[str, str] = {}
    for name, aliases in rows:
        for spelling in (name, *aliases):
            for variant in (spelling, _UNQUOTED.sub("", spelling), spelling.replace('"', "“", 1).replace('"', "”", 1)):
                out.setdefault(matching.key(variant), name)
    return out


_UNQUOTED = re.compile("[\"“”「」『』'‘’]")


_GROUPS = "SELECT name, kind, slug, full_name FROM groups WHERE plan_id = ? ORDER BY sort"


def groups(con: db.Connection, plan_id: str) -> pd.DataFrame:
    """The plan's cohorts, then its projects. Columns: name, kind (cohort/project), slug, full_name."""
    return db.query(con, _GROUPS, [plan_id])


class Group(NamedTuple):
    name: str
    kind: str  # cohort or project
    slug: str
    full_name: str


def group_rows(con: db.Connection, plan_id: str) -> list[Group]:
    """groups() as plain tuples, for what every page run reads (the navigation, the sidebar)."""
    return [Group(*row) for row in db.rows(con, _GROUPS, [plan_id])]


def tasks(con: db.Connection, plan_id: str) -> pd.DataFrame:
    """The plan's tasks. Columns: code, group_name, title."""
    return db.query(con, "SELECT code, group_name, title FROM tasks WHERE plan_id = ? ORDER BY sort", [plan_id])


def indicators(con: db.Connection, plan_id: str) -> pd.DataFrame:
    """The plan's indicators. Columns: code, name, unit, basis, measure, observation, task, activity_type,
    cohort, project."""
    return db.query(
        con,
        """SELECT code, name, unit, basis, measure, observation, task, activity_type, cohort, project
                            FROM indicators WHERE plan_id = ? ORDER BY sort""",
        [plan_id],
    )


_TARGETS = """SELECT indicator, kind, year, value, baseline_year, basis FROM targets
              WHERE plan_id = ? ORDER BY indicator, year"""


def targets(con: db.Connection, plan_id: str) -> pd.DataFrame:
    """The plan's targets, one row per value. Columns: indicator, kind, year, value, baseline_year, basis."""
    return db.query(con, _TARGETS, [plan_id])


class TargetRow(NamedTuple):
    indicator: str
    kind: str  # level, plan or annual
    year: int | None
    value: float
    baseline_year: int | None
    basis: str


def target_rows(con: db.Connection, plan_id: str) -> list[TargetRow]:
    """targets() as plain tuples, for judging: each view's standings slice them once per indicator."""
    return [TargetRow(*row) for row in db.rows(con, _TARGETS, [plan_id])]


def observations(
    con: db.Connection, series: str, towns: tuple[str, ...] = (), as_of: dt.date | None = None
) -> pd.DataFrame:
    """Yearly observations of a series, summed over the given towns (all, when none), as known on `as_of` (None:
    all): a year's figure is known once the year is over, or once the batch that reported it was imported (approved,
    where it waited for review). Columns:
    year, value, reporting (how many towns reported), population (of the towns covered)."""
    params: dict[str, object] = {"series": series, "towns": list(towns), "as_of": as_of}
    if towns:
        town_filter = "o.town IN (SELECT unnest($towns))"
        population = "(SELECT sum(population) FROM towns WHERE name IN (SELECT unnest($towns)))"
    else:
        town_filter = "true"
        population = "(SELECT population FROM towns WHERE kind = '全区')"
    sql = f"""SELECT o.year, sum(o.value)::DOUBLE AS value, count(DISTINCT o.town)::BIGINT AS reporting,
                     {population}::BIGINT AS population
              FROM current_observations o LEFT JOIN batches b ON b.id = o.batch
              WHERE o.series = $series AND {town_filter}
                AND (CAST($as_of AS DATE) IS NULL OR make_date(o.year, 12, 31) <= $as_of
                     OR (o.year <= year($as_of) AND coalesce(b.reviewed_at, b.created_at)::DATE <= $as_of))
              GROUP BY o.year ORDER BY o.year"""
    return db.query(con, sql, params)


def district(con: db.Connection) -> District:
    """The district the store is about: its name, who issues its briefings, its population and the population's
    source (from the newest plan that says; empty strings for a store whose plan does not)."""
    row = db.rows(
        con,
        """SELECT place, issuer, population_source FROM plans WHERE place IS NOT NULL
           ORDER BY start_year DESC LIMIT 1""",
    )
    place, issuer, source = row[0] if row else ("", "", "")
    population = db.scalar(con, "SELECT population FROM towns WHERE kind = ?", [DISTRICT]) or 0
    return District(place or "", issuer or "", int(population), source or "")


def administrations(con: db.Connection) -> dict[str, str]:
    """The bodies that administer towns, in the plan's order, each with its short name (牡丹区 → 区直管)."""
    return dict(db.rows(con, "SELECT name, short FROM administrations ORDER BY sort"))


def towns_by_admin(con: db.Connection) -> list[tuple[str, str | None]]:
    """(town, administering body) in the sidebar's order: by body in the plan's order, then as the towns are
    sorted; towns of no listed body last. Plain tuples: the sidebar reads them on every run."""
    sql = """
        SELECT t.name, t.admin FROM towns t LEFT JOIN administrations a ON a.name = t.admin
        ORDER BY a.sort NULLS LAST, t.sort
    """
    return [(str(name), admin) for name, admin in db.rows(con, sql)]


def is_demo(con: db.Connection) -> bool:
    """True while the store holds demo data."""
    return get_meta(con, "demo") == "1"


def data_version(con: db.Connection) -> int:
    """A number that changes whenever the store's records change (the app keys its caches on it)."""
    return int(get_meta(con, "data_version", "0"))


def resolve_town(con: db.Connection, name: str) -> str | None:
    """The town a name or alias means (沙土 → 沙土镇, compared as kepu.matching does), or None."""
    return spellings(con, "town").get(matching.key(name))


def resolve_bureau(con: db.Connection, name: str) -> str | None:
    """The bureau a name or alias means (科协 → 区科协, 区教育局 → 区教体局), or None."""
    return spellings(con, "bureau").get(matching.key(name))


def spellings(con: db.Connection, kind: str) -> dict[str, str]:
    """Every accepted spelling of a town (kind "town"), bureau ("bureau") or campaign ("campaign") by its match key
    → the canonical name. Names come before aliases, so a name is never taken for another's alias."""
    if kind == "campaign":
        return campaign_spellings(con)
    names = towns(con).name if kind == "town" else bureaus(con)
    out = {matching.key(n): n for n in names}
    for alias, name in aliases(con, kind).items():
        out.setdefault(matching.key(alias), name)
    return out


def aliases(con: db.Connection, kind: str) -> dict[str, str]:
    """Other names for towns (kind "town") or bureaus ("bureau"), each mapped to the canonical name."""
    table = {"town": "SELECT alias, town FROM town_aliases", "bureau": "SELECT alias, bureau FROM bureau_aliases"}[kind]
    return dict(db.rows(con, table))


class Snapshot:
    """The store as it is now, for as long as a page takes to read it: every read on `con` sees one state of the
    store, whatever an import commits meanwhile. `version` is that state's data version."""

    def __init__(self, con: db.Connection) -> None:
        self.con = con
        db.open_snapshot(con)
        self.version = data_version(con)

    def close(self) -> None:
        db.close_snapshot(self.con)
