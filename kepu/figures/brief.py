"""Everything a meeting needs about one view, gathered once: the overview's summary plus the projects, the tasks,
the laggards, the months and the facts about the data. The Excel workbook, the Word briefing and the meeting
screen are all drawn from this, and its figures are summary.summary's, so they match the pages and `kepu summary`."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict, cast

import pandas as pd

from kepu.core import words
from kepu.core.filters import Filters
from kepu.core.plan import District
from kepu.core.standing import StandingJSON
from kepu.figures import duty, summary, targets
from kepu.figures.summary import BureauParticipants, CohortTotals, ProjectTotals, TownTotals
from kepu.storage import catalog, db, queries
from kepu.storage.queries import Totals


class GroupRow(TypedDict):
    """A cohort or project of the plan (catalog.groups)."""

    name: str
    kind: str  # cohort or project
    full_name: str


class MonthTotals(Totals):
    month: str  # YYYY-MM


class Brief(TypedDict):
    """A gathered view: summary.Summary's keys (but towns and bureaus, here tables), then the rest."""

    plan: str | None
    period: str
    towns: pd.DataFrame  # queries.town_table
    bureaus: pd.DataFrame  # duty.bureau_coverage
    campaigns: list[str]
    as_of: str
    plan_elapsed: float | None
    finished: bool
    activities: int
    participants: int
    funding: float
    by_cohort: list[CohortTotals]
    by_town: list[TownTotals]
    by_bureau: list[BureauParticipants]
    targets: list[StandingJSON]
    plan_name: str
    plan_document: str
    filters: str  # the filters in words
    focus: str | None  # the cohort or project whose page asked for the view
    groups: list[GroupRow]
    by_project: list[ProjectTotals]
    by_month: list[MonthTotals]
    assignments: pd.DataFrame  # queries.assignments
    tasks: pd.DataFrame  # duty.task_standing
    lagging_towns: pd.DataFrame
    lagging_bureaus: pd.DataFrame
    lagging_tasks: pd.DataFrame
    record_count: int
    latest_activity: str | None  # ISO date
    demo: bool
    district: District
    estimated_population: bool


def gather(
    con: db.Connection,
    f: Filters,
    as_of: dt.date,
    focus: str | None = None,
    years_of_plan: targets.Months | None = None,
) -> Brief:
    """The view `f` as of `as_of`; `focus` names the cohort or project whose page asked for it, if any."""
    plan = catalog.plan_for(con, f.period)
    figures = summary.summary(con, f, as_of, years_of_plan)
    tasks = catalog.tasks(con, plan.id)
    rows = queries.assignments(con, f, plan.id)
    groups = catalog.groups(con, plan.id)
    latest = queries.latest_activity_date(con)
    towns = queries.town_table(con, f)
    # Each frame's columns are its records' keys: pandas cannot say so, hence the casts.
    return {
        **figures,
        "plan_name": plan.name,
        "plan_document": plan.document,
        "filters": words.filters(f),
        "focus": focus,
        "groups": cast(list[GroupRow], groups[["name", "kind", "full_name"]].to_dict("records")),
        "by_project": cast(list[ProjectTotals], summary.by_project(con, f, plan.id).to_dict("records")),
        "by_month": cast(list[MonthTotals], queries.breakdown(con, f, ("month",)).to_dict("records")),
        "assignments": rows,  # queries.assignments: each lead bureau of each task, with its activity
        "tasks": duty.task_standing(rows, tasks),
        "towns": towns,
        "bureaus": duty.bureau_coverage(rows),
        "lagging_towns": summary.lagging(towns),
        "lagging_bureaus": duty.lagging_bureaus(rows),
        "lagging_tasks": duty.lagging_tasks(rows, tasks),
        "record_count": queries.count_records(con, f),
        "latest_activity": None if latest is None else pd.Timestamp(latest).date().isoformat(),
        "demo": catalog.is_demo(con),
        "district": catalog.district(con),
        "estimated_population": bool(towns.population_estimated.fillna(False).any()),
    }


def title(b: Brief) -> str:
    """The title of an export: the plan's, with the focus cohort or project when a page asked for one."""
    focus = next((g["full_name"] for g in b["groups"] if g["name"] == b["focus"]), None)
    return f"{b['plan_name']} · {focus}" if focus else b["plan_name"]


def group_totals(b: Brief, kind: str) -> dict[str, Totals]:
    """The totals of each cohort (kind="cohort") or project, and of UNSPECIFIED, by name."""
    if kind == "cohort":
        return {r["cohort"]: r for r in b["by_cohort"]}
    return {r["project"]: r for r in b["by_project"]}


def group_standings(b: Brief, kind: str) -> list[tuple[GroupRow, Totals, list[StandingJSON]]]:
    """Each cohort (kind="cohort") or project with its totals and its targets' standings: none, one, or several
    (an indicator can be judged twice, on the plan's 纲要目标 and on the 区定目标 set beside it; the plan's first)."""
    totals = group_totals(b, kind)
    return [
        (g, totals[g["name"]], [s for s in b["targets"] if s["group"] == g["name"]])
        for g in b["groups"]
        if g["kind"] == kind
    ]


def document_targets(standings: list[StandingJSON]) -> list[list[StandingJSON]]:
    """The plan document's own targets (纲要目标), each with the standings of the same indicator judged beside it
    (a 区定目标 the district set over it), the 纲要目标 first."""
    codes = dict.fromkeys(s["indicator"] for s in standings if s["basis"] == "纲要目标")
    return [
        sorted((s for s in standings if s["indicator"] == c), key=lambda s: s["basis"] != "纲要目标") for c in codes
    ]
