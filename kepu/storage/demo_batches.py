"""The demo's reports: its activity records grouped into the batches the units sent them in, cycle by cycle, so that
报送情况 (kepu.figures.reporting) has something true to show.

Each unit (a town other than 全区, a bureau) sends one batch a reporting cycle (the plan's rule: quarterly, due on
the 10th of the month after). Most send it in the last days before the due day (a weekday); some are late by a few
days to several weeks — a lagging town or bureau (demo_tables.LAGGING_*) more often; and a few never send it: their
activities of that cycle are not in the store, which is what a missing report means. A record held in a town by a
bureau counts for both, so it travels in whichever of the two batches came later (the earlier unit's own report
then still comes first). The cycle running at the end of the demo (2026 to the end of October) was sent so far in
the first days of November; a report not in by then is missing. Deterministic: drawn from its own seed.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd

from kepu.core.cycles import Cycle, cycles_in
from kepu.core.plan import DISTRICT, Plan
from kepu.storage import db
from kepu.storage import demo_tables as tables

# The demo's last day of reporting: the last batches came in during the first week after REPORTED_UNTIL.
LAST_BATCH = tables.REPORTED_UNTIL + dt.timedelta(days=10)
# The chance that a unit's report for a cycle is missing or late (a lagging unit's, then anyone else's), and the
# mean lateness in days (a late report is 1 + an exponential draw of this mean, at most MAX_LATE days late).
MISSING, LATE, MEAN_LATE, MAX_LATE = (0.1, 0.012), (0.35, 0.11), 9.0, 75


def reported(con: db.Connection, plan: Plan, records: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Add the batches that carried `records` (the demo's activities, columns of the activities table) to the store,
    and return the records that came in: with their `batch`, and without those of reports never sent."""
    rng = np.random.default_rng([seed, 12])
    years = range(plan.start_year, tables.REPORTED_UNTIL.year + 1)
    cycles = [c for y in years for c in cycles_in(y, plan.reporting.cycle, plan.reporting.due_day)]
    cycles = [c for c in cycles if c.first <= tables.REPORTED_UNTIL]
    units = [("town", t.name) for t in plan.towns if t.kind != DISTRICT] + [("bureau", b.name) for b in plan.bureaus]
    sent = _sending_days(rng, units, cycles)  # (kind, unit, cycle) → the day its batch was made, or None

    start = pd.to_datetime(records.start_date)
    firsts = np.array([np.datetime64(c.first, "D") for c in cycles])
    cycle_of = np.searchsorted(firsts, start.to_numpy().astype("datetime64[D]"), side="right") - 1
    codes = np.array([c.code for c in cycles], dtype=object)[cycle_of]
    _counted_come_in(plan, records, codes, sent, {c.code: c for c in cycles})
    # A town's own government (沙土镇人民政府) is no unit of its own: its records travel in its town's batch.
    by_bureau = [sent.get(("bureau", b, c), dt.datetime.min) for b, c in zip(records.bureau, codes, strict=True)]
    by_town = [sent.get(("town", t, c), dt.datetime.min) for t, c in zip(records.town, codes, strict=True)]
    came = [b is not None and t is not None for b, t in zip(by_bureau, by_town, strict=True)]
    carrier = [  # the later of the two reports carries the record; 全区's records only the bureau's
        ("bureau", b) if bd >= td else ("town", t)
        for b, t, bd, td in zip(records.bureau, records.town, by_bureau, by_town, strict=True)
        if bd is not None and td is not None
    ]
    out = records[came].reset_index(drop=True)
    keys = [(kind, unit, code) for (kind, unit), code in zip(carrier, codes[came], strict=True)]
    batches = sorted(set(keys), key=lambda k: (sent[k], k))
    ids = sorted(int(r[0]) for r in db.rows(con, "SELECT nextval('batch_ids') FROM range(?)", [len(batches)]))
    batch_of = dict(zip(batches, ids, strict=True))
    out["batch"] = [batch_of[k] for k in keys]
    sizes = pd.Series(out["batch"]).value_counts()
    labels = {c.code: c.label for c in cycles}
    db.insert_frame(
        con,
        "batches",
        pd.DataFrame(
            {
                "id": ids,
                "kind": "activities",
                "file_name": [f"{unit}{labels[code]}科普活动报送.xlsx" for _, unit, code in batches],
                "sha256": [hashlib.sha256(f"演示:{unit}:{code}".encode()).hexdigest() for _, unit, code in batches],
                "user_name": [f"{unit}填报员" for _, unit, _ in batches],
                "created_at": [sent[k] for k in batches],
                "rows_read": [int(sizes[i]) for i in ids],
                "imported": [int(sizes[i]) for i in ids],
                "rejected": 0,
                "duplicates": 0,
                "valid_only": False,
            }
        ),
    )
    return out


def _sending_days(
    rng: np.random.Generator, units: list[tuple[str, str]], cycles: list[Cycle]
) -> dict[tuple[str, str, str], dt.datetime | None]:
    """When each unit sent its report for each cycle (a weekday, in office hours), or None for a report never sent."""
    lagging = np.array([unit in tables.LAGGING_TOWNS or unit in tables.LAGGING_BUREAUS for _, unit in units])
    shape = (len(units), len(cycles))
    fate, early, late = rng.random(shape), rng.exponential(2.5, shape), rng.exponential(MEAN_LATE, shape)
    minute = rng.integers(8 * 60 + 30, 17 * 60 + 30, shape)
    missing = fate < np.where(lagging, MISSING[0], MISSING[1])[:, None]
    is_late = ~missing & (fate < np.where(lagging, MISSING[0] + LATE[0], MISSING[1] + LATE[1])[:, None])
    out: dict[tuple[str, str, str], dt.datetime | None] = {}
    for j, c in enumerate(cycles):
        running = c.due > LAST_BATCH  # the cycle still running at the demo's end: sent so far, in early November
        after = _weekday(c.last + dt.timedelta(days=1), forward=True)  # a report comes after its cycle ends
        for i, (kind, unit) in enumerate(units):
            if running:
                day = _weekday(tables.REPORTED_UNTIL + dt.timedelta(days=1 + int(early[i, j] * 2) % 5), forward=True)
            elif missing[i, j]:
                day = None
            elif is_late[i, j]:
                day = _weekday(c.due + dt.timedelta(days=1 + min(int(late[i, j]), MAX_LATE - 1)), forward=True)
                day = day if day <= LAST_BATCH else None  # not in by the demo's end: missing
            else:
                day = max(after, _weekday(c.due - dt.timedelta(days=int(early[i, j])), forward=False))
            minutes = int(minute[i, j])
            out[(kind, unit, c.code)] = None if day is None else dt.datetime.combine(day, dt.time(*divmod(minutes, 60)))
    return out


def _counted_come_in(
    plan: Plan,
    records: pd.DataFrame,
    codes: np.ndarray,
    sent: dict[tuple[str, str, str], dt.datetime | None],
    cycles: dict[str, Cycle],
) -> None:
    """A report drawn missing that holds records a target counts by task and type (the counted trainings, whose
    yearly totals the demo's story is built on) came in after all: late, three weeks after the due day."""
    counted = [(i.where["task"], i.where.get("activity_type")) for i in plan.indicators if "task" in i.where]
    rows = np.zeros(len(records), dtype=bool)
    for task, kind in counted:
        rows |= (records.task == task).to_numpy() & ((records.activity_type == kind).to_numpy() if kind else True)
    for unit_kind, column in (("bureau", "bureau"), ("town", "town")):
        for unit, code in set(zip(records[column][rows], codes[rows], strict=True)):
            key = (unit_kind, unit, code)
            if key in sent and sent[key] is None:
                day = _weekday(min(cycles[code].due + dt.timedelta(days=21), LAST_BATCH), forward=False)
                sent[key] = dt.datetime.combine(day, dt.time(10, 0))


def _weekday(day: dt.date, forward: bool) -> dt.date:
    """The day itself, or the nearest weekday after it (`forward`) or before it."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=1 if forward else -1)
    return day
