"""责任落实: who reported on the tasks the plan assigned them. Pure functions of the bureau × task rows that
queries.assignments returns, so a page reads those rows once (and from its cache) for several tables."""

from __future__ import annotations

import pandas as pd

from kepu.core import progress


def bureau_coverage(rows: pd.DataFrame) -> pd.DataFrame:
    """Each bureau's record on the tasks it leads. Columns: bureau, assigned, reported (tasks with at least one
    activity), coverage, silent_tasks (list), activities."""
    lead = rows[rows.assigned]
    out = (
        lead.groupby("bureau", sort=False)
        .agg(
            assigned=("task", "size"),
            reported=("activities", lambda s: int((s > 0).sum())),
            silent_tasks=(
                "task",
                lambda s: [t for t, n in zip(s, lead.loc[s.index, "activities"], strict=True) if n == 0],
            ),
        )
        .reset_index()
    )
    out["coverage"] = out.reported / out.assigned
    activities = rows.groupby("bureau", sort=False).activities.sum()
    out["activities"] = out.bureau.map(activities).fillna(0).astype("int64")
    return out


def lagging_bureaus(rows: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The bureaus with the lowest 责任落实率 on the tasks they lead, then the fewest activities."""
    return bureau_coverage(rows).sort_values(["coverage", "activities"]).head(n).reset_index(drop=True)


def task_standing(rows: pd.DataFrame, tasks: pd.DataFrame, group: str | None = None) -> pd.DataFrame:
    """The plan's tasks (catalog.tasks; of one cohort or project, or all) with their activity, 责任落实率 and its
    status. Columns: code, group_name, title, lead_bureaus (in the plan's order), leads, active_leads, activities,
    participants, funding, coverage, status, silent_bureaus (lead bureaus with no activity on the task).
    With a bureau filter on the rows, only the chosen bureaus count as leads."""
    if group is not None:
        tasks = tasks[tasks.group_name == group]
    tasks = tasks.reset_index(drop=True).copy()
    leads = rows[rows.assigned].sort_values("lead_order")
    per_task = rows.groupby("task")[["activities", "participants", "funding"]].sum()
    lead_lists = leads.groupby("task").bureau.apply(list)
    silent = leads[leads.activities == 0].groupby("task").bureau.apply(list)
    tasks["lead_bureaus"] = [lead_lists.get(code, []) for code in tasks.code]
    tasks["leads"] = [len(b) for b in tasks.lead_bureaus]
    tasks["active_leads"] = [n - len(silent.get(code, [])) for code, n in zip(tasks.code, tasks.leads, strict=True)]
    for column, kind in (("activities", "int64"), ("participants", "int64"), ("funding", "float64")):
        tasks[column] = per_task[column].reindex(tasks.code, fill_value=0).to_numpy().astype(kind)
    tasks["coverage"] = [progress.coverage(a, n) for a, n in zip(tasks.active_leads, tasks.leads, strict=True)]
    tasks["status"] = [progress.status(c, "coverage") for c in tasks.coverage]
    tasks["silent_bureaus"] = [silent.get(code, []) for code in tasks.code]
    return tasks


def lagging_tasks(rows: pd.DataFrame, tasks: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The tasks with the lowest 责任落实率, then the fewest activities."""
    return task_standing(rows, tasks).sort_values(["coverage", "activities"]).head(n).reset_index(drop=True)
