"""The overview's figures for a view, as one object: what the 总览 page shows and `kepu summary` prints."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict, cast

import pandas as pd

from kepu.core import progress
from kepu.core.filters import Filters
from kepu.core.glossary import UNSPECIFIED
from kepu.core.standing import StandingJSON
from kepu.figures import targets
from kepu.storage import catalog, db, queries
from kepu.storage.queries import Totals


class CohortTotals(Totals):
    """A row of by_cohort: a cohort (or UNSPECIFIED) with its totals."""

    cohort: str


class ProjectTotals(Totals):
    """A row of by_project: a project (or UNSPECIFIED) with its totals."""

    project: str


class TownTotals(Totals):
    """A town (全区 included) with its totals."""

    town: str


class BureauParticipants(TypedDict):
    bureau: str
    participants: int


class Summary(TypedDict):
    """What summary() returns (and `kepu summary --json` prints), JSON-ready."""

    plan: str | None  # the id of the plan whose years hold the period (None: outside every plan, no targets)
    period: str
    towns: list[str]  # the towns the view is narrowed to (none: all)
    bureaus: list[str]
    campaigns: list[str]  # the 活动主题 the view is narrowed to (none: all activities)
    as_of: str
    plan_elapsed: float | None  # the share of the plan's period passed by as_of
    finished: bool  # the period is over by as_of: targets read 完成 or 未完成
    activities: int
    participants: int
    funding: float
    by_cohort: list[CohortTotals]
    by_town: list[TownTotals]
    by_bureau: list[BureauParticipants]
    targets: list[StandingJSON]


def summary(con: db.Connection, f: Filters, as_of: dt.date, years_of_plan: targets.Months | None = None) -> Summary:
    """Totals, by cohort, by town (全区 included), by bureau and every target's standing, JSON-ready.
    `years_of_plan`: targets.activity_years for the view over the whole plan, when the caller has it."""
    plan = catalog.plan_for(con, f.period)  # whose cohorts the view lists
    covering = catalog.covering_plan(con, f.period)  # whose targets it is judged against: none after the plan
    totals = queries.totals(con, f)
    # Each frame's columns are its records' keys: pandas cannot say so, hence the casts.
    return {
        "plan": covering.id if covering else None,
        "period": str(f.period),
        "towns": list(f.town),
        "bureaus": list(f.bureau),
        "campaigns": list(f.campaign),
        "as_of": as_of.isoformat(),
        "plan_elapsed": round(progress.span_elapsed(covering.start_year, covering.end_year, as_of), 4)
        if covering
        else None,
        "finished": as_of >= dt.date(f.period.last, 12, 31),
        **totals,
        "by_cohort": cast(list[CohortTotals], by_cohort(con, f, plan.id).to_dict("records")),
        "by_town": cast(
            list[TownTotals],
            queries.town_table(con, f)[["town", "activities", "participants", "funding"]].to_dict("records"),
        ),
        "by_bureau": cast(
            list[BureauParticipants], queries.bureau_table(con, f)[["bureau", "participants"]].to_dict("records")
        ),
        "targets": targets.report(con, f, as_of, years_of_plan=years_of_plan),
    }


def by_cohort(con: db.Connection, f: Filters, plan_id: str) -> pd.DataFrame:
    """Every cohort of the plan, then UNSPECIFIED (records naming none). An activity counts fully under each of
    its cohorts. Columns: cohort, activities, participants, funding."""
    return _by_group(con, f, plan_id, "cohort")


def by_project(con: db.Connection, f: Filters, plan_id: str) -> pd.DataFrame:
    """Every project of the plan, then UNSPECIFIED. Columns: project, activities, participants, funding."""
    return _by_group(con, f, plan_id, "project")


def _by_group(con: db.Connection, f: Filters, plan_id: str, dim: str) -> pd.DataFrame:
    groups = catalog.groups(con, plan_id)
    names = [*groups[groups.kind == dim].name, UNSPECIFIED]
    found = queries.breakdown(con, f, (dim,)).set_index(dim)
    frame = found.reindex(names, fill_value=0).rename_axis(dim).reset_index()
    return frame.astype({"activities": "int64", "participants": "int64", "funding": "float64"})


def lagging_towns(con: db.Connection, f: Filters, n: int = 5) -> pd.DataFrame:
    """The towns with the fewest participants per 1,000 residents. Columns: town, participants,
    participants_per_1000, share_of_average (1.0 = the towns' average)."""
    return lagging(queries.town_table(con, f), n)


def lagging(towns: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """lagging_towns from a queries.town_table the caller already has."""
    towns = towns[towns.participants_per_1000.notna()].copy()
    average = towns.participants.sum() * 1000 / towns.population.sum() if len(towns) else 0
    towns["share_of_average"] = towns.participants_per_1000 / average if average else None
    return towns.nsmallest(n, "participants_per_1000")[
        ["town", "participants", "participants_per_1000", "share_of_average"]
    ].reset_index(drop=True)
