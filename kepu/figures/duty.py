"""责任落实: who reported on the tasks the plan assigned them. Pure functions of the bureau × task rows that
queries.assignments returns, so a report reads those rows once for several tables; and the same read from the
store (`*_in`), for pages, which cache the small result rather than the rows and work it out again on every run."""

from __future__ import annotations

import pandas as pd

from kepu.core import progress
from kepu.core.filters import Filters
from kepu.storage import catalog, db, queries


def bureau_coverage(rows: pd.DataFrame) -> pd.DataFrame:
    """Each bureau's record on the tasks it leads. Columns: bureau, assigned, reported (tasks with at least one
    activity), coverage, silent_tasks (list), activities. Bureaus in the order the rows first name them as leads.
    Counted in plain Python over the columns: the rows are few (bureaus × tasks), and pandas' grouping with
    per-group functions cost more than the query behind them on every page that shows them."""
    totals: dict[str, int] = {}
    led: dict[str, tuple[list[str], list[str]]] = {}  # bureau → (tasks it leads, those with no activity)
    for bureau, task, activities, assigned in zip(
        rows.bureau.tolist(), rows.task.tolist(), rows.activities.tolist(), rows.assigned.tolist(), strict=True
    ):
        totals[bureau] = totals.get(bureau, 0) + int(activities)
        if assigned:
            tasks, silent = led.setdefault(bureau, ([], []))
            tasks.append(task)
            if activities == 0:
                silent.append(task)
    out = pd.DataFrame(
        {
            "bureau": pd.Series(list(led), dtype="str"),
            "assigned": pd.Series([len(t) for t, _ in led.values()], dtype="int64"),
            "reported": pd.Series([len(t) - len(s) for t, s in led.values()], dtype="int64"),
            "silent_tasks": pd.Series([s for _, s in led.values()], dtype="object"),
        }
    )
    out["coverage"] = out.reported / out.assigned
    out["activities"] = pd.Series([totals[b] for b in led], dtype="int64")
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
    lead_lists: dict[str, list[tuple[int, str]]] = {}
    silent_lists: dict[str, list[tuple[int, str]]] = {}
    for bureau, task, order, activities, assigned in zip(
        rows.bureau.tolist(),
        rows.task.tolist(),
        rows.lead_order.tolist(),
        rows.activities.tolist(),
        rows.assigned.tolist(),
        strict=True,
    ):
        if assigned:
            lead_lists.setdefault(task, []).append((order, bureau))
            if activities == 0:
                silent_lists.setdefault(task, []).append((order, bureau))
    per_task = rows.groupby("task")[["activities", "participants", "funding"]].sum()
    tasks["lead_bureaus"] = [[b for _, b in sorted(lead_lists.get(code, []))] for code in tasks.code]
    silent = {code: [b for _, b in sorted(pairs)] for code, pairs in silent_lists.items()}
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


def bureaus_in(con: db.Connection, f: Filters, plan_id: str) -> pd.DataFrame:
    """bureau_coverage of the view `f`."""
    return bureau_coverage(queries.assignments(con, f, plan_id))


def tasks_in(con: db.Connection, f: Filters, plan_id: str, group: str | None = None) -> pd.DataFrame:
    """task_standing of the view `f` (of one cohort or project's tasks, when given)."""
    return task_standing(queries.assignments(con, f, plan_id), catalog.tasks(con, plan_id), group)


def laggards_in(
    con: db.Connection, for_bureaus: Filters, for_tasks: Filters, plan_id: str, n: int = 5
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """lagging_bureaus of one view and lagging_tasks of another (a page leaves each table's own drill-down out of
    it); the bureau × task rows are read once when the two views are the same, as they are without a drill-down."""
    rows = queries.assignments(con, for_bureaus, plan_id)
    task_rows = rows if for_tasks == for_bureaus else queries.assignments(con, for_tasks, plan_id)
    return lagging_bureaus(rows, n), lagging_tasks(task_rows, catalog.tasks(con, plan_id), n)
