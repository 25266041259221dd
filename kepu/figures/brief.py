"""Everything a meeting needs about one view, gathered once: the overview's summary plus the projects, the tasks,
the laggards, the months and the facts about the data. The Excel workbook, the Word briefing and the meeting
screen are all drawn from this, and its figures are summary.summary's, so they match the pages and `kepu summary`."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kepu.core import words
from kepu.core.filters import Filters
from kepu.figures import duty, summary
from kepu.storage import catalog, queries


def gather(con, f: Filters, as_of: dt.date, focus: str | None = None, years_of_plan: dict | None = None) -> dict:
    """The view `f` as of `as_of`; `focus` names the cohort or project whose page asked for it, if any."""
    plan = catalog.plan_for(con, f.period)
    figures = summary.summary(con, f, as_of, years_of_plan)
    tasks = catalog.tasks(con, plan.id)
    rows = queries.assignments(con, f, plan.id)
    groups = catalog.groups(con, plan.id)
    latest = queries.latest_activity_date(con)
    towns = queries.town_table(con, f)
    return {
        **figures,
        "plan_name": plan.name,
        "plan_document": plan.document,
        "filters": words.filters(f),
        "focus": focus,
        "groups": groups[["name", "kind", "full_name"]].to_dict("records"),
        "by_project": summary.by_project(con, f, plan.id).to_dict("records"),
        "by_month": queries.breakdown(con, f, ("month",)).to_dict("records"),
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


def title(b: dict) -> str:
    """The title of an export: the plan's, with the focus cohort or project when a page asked for one."""
    focus = next((g["full_name"] for g in b["groups"] if g["name"] == b["focus"]), None)
    return f"{b['plan_name']} · {focus}" if focus else b["plan_name"]


def group_standings(b: dict, kind: str) -> list[tuple[dict, dict, dict | None]]:
    """Each cohort (kind="cohort") or project with its totals and its target's standing (None without one)."""
    totals = {r[kind]: r for r in b["by_cohort" if kind == "cohort" else "by_project"]}
    by_group = {s["group"]: s for s in b["targets"] if s["group"]}
    return [(g, totals[g["name"]], by_group.get(g["name"])) for g in b["groups"] if g["kind"] == kind]
