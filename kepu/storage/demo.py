"""Demo data, deterministic from a seed: activity records 2021–2025 (then 2026 so far) and yearly observations.

The records tell one coherent story. The plan was issued on 2022-07-07: records before it carry no task code (the
codes did not exist yet) and come at a slower pace. A record's task decides its bureau, cohorts, type and title;
a theme day or week takes only the tasks that fit it, in its own month (【科技活动周】 in May, 【全国科普日】 in
September, 【三下乡】 in January and February), so activity peaks in May and September. Each cohort's participation
lands near the plan's yearly target, some years above and some below; 领导干部和公务员 come from task C1.
Activities' funding is part of the 科普经费 the district reports for the year (about 1 元 a resident; 2021 and 2023
fall short), and the literacy survey was run in 2020, 2022 and 2025 only. A few towns and bureaus lag on purpose and
some lead bureaus are silent on a task, so the dashboard has something true to show. Nothing here is real: every
page says so while it is in the store. The story's numbers and words (pace, month shares, tasks' weights, types
and topics, themes, participation levels, funding) are in kepu.storage.demo_tables; this module draws from them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from kepu.core.plan import DISTRICT, Plan
from kepu.storage import activity_rows, assessment_demo, db, demo_batches, demo_supervision, review
from kepu.storage import demo_tables as tables

SEED = 20210101

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]
DateArray = npt.NDArray[np.datetime64]


def fill(con: db.Connection, plans: Sequence[Plan], seed: int = SEED) -> None:
    """Add demo activities and observations for the 2021–2025 plan to a new store."""
    plan = next(p for p in plans if p.start_year == 2021)
    rng = np.random.default_rng(seed)
    records = demo_supervision.governments(plan, activities(plan, rng), seed)  # towns report as themselves too
    activity_rows.append(con, demo_batches.reported(con, plan, records, seed))  # 报送情况
    db.insert_frame(con, "observations", observations(plan, rng))
    assessment_demo.fill(con, plan, seed, tables.REPORTED_UNTIL.year)  # 考核: the items an administrator scores
    review.set_enabled(con, True, by=None)  # the demo shows the review of clerks' batches (off by default)
    demo_supervision.fill(con, plan, seed)  # clerks, batches awaiting review or returned, 佐证材料


def activities(plan: Plan, rng: np.random.Generator) -> pd.DataFrame:
    """Demo activity records: the columns of the activities table, without id. Drawn a column at a time (numpy),
    so a whole plan's records take a fraction of a second. Participants and funding are fitted last, year by year."""
    issued = _issued(plan)
    frames = [
        _ordinary(plan, rng, year, _month_counts(year, pace, issued))
        for year, pace in tables.ACTIVITIES_PER_YEAR.items()
    ]
    frames.append(_after_the_plan(plan, rng, issued))
    frames.append(_trainings(plan, rng, "Y5", "科技辅导员", tables.COUNSELLOR_TRAINING, issued, in_towns=False))
    frames.append(_trainings(plan, rng, "F2", "高素质农民", tables.FARMER_TRAINING, issued, in_towns=True))
    out = pd.concat(frames, ignore_index=True).sort_values("start_date", kind="stable", ignore_index=True)
    start = out["start_date"].to_numpy().astype("datetime64[D]")
    years = start.astype("datetime64[Y]").astype(np.int64) + 1970
    out["participants"] = _fit_participants(plan, rng, out, years)
    out["funding"] = _fit_funding(plan, out["funding"].to_numpy(), years)
    out["ref"] = [f"D{y}-{i:05d}" for i, y in enumerate(years.tolist(), 1)]
    for col in ("start_date", "end_date"):  # as dates, like the store's DATE columns
        out[col] = out[col].to_numpy().astype("datetime64[D]").tolist()
    return out.drop(columns=["_primary", "_cohorts"])


def _after_the_plan(plan: Plan, rng: np.random.Generator, issued: dt.date) -> pd.DataFrame:
    """The separate step past the plan's end: the district's work in 2026, reported up to REPORTED_UNTIL."""
    counts = _month_counts(tables.AFTER_PLAN_YEAR, tables.AFTER_PLAN_PACE, issued)
    counts[tables.REPORTED_UNTIL.month :] = 0
    return _ordinary(plan, rng, tables.AFTER_PLAN_YEAR, counts)


def _month_counts(year: int, pace: int, issued: dt.date) -> IntArray:
    """How many ordinary activities start in each month of `year`: fewer in the months before the plan's issue."""
    share = np.asarray(tables.MONTH_SHARE) / sum(tables.MONTH_SHARE)
    before = np.array([dt.date(year, m, 1) < issued.replace(day=1) for m in range(1, 13)])
    counts: IntArray = np.round(pace * share * np.where(before, tables.PRE_PLAN, 1.0)).astype(np.int64)
    return counts


def _ordinary(plan: Plan, rng: np.random.Generator, year: int, counts: IntArray) -> pd.DataFrame:
    """A year's ordinary records: a month each (`counts`), a theme for some, then a task that fits the theme, and
    from the task the bureau, type, cohorts, project and title."""
    tasks, cohort_names = list(plan.tasks), [g.name for g in plan.cohorts]
    month = np.repeat(np.arange(1, 13), counts)
    n = len(month)
    theme, day = _themes(rng, year, month)

    weights = np.array([tables.TASK_WEIGHT.get(t.code, 1.0) for t in tasks])
    task_i = np.empty(n, dtype=np.int64)
    for i in range(-1, len(tables.THEMES)):  # each theme draws among the tasks that fit it, ordinary days among all
        rows = np.flatnonzero(theme == i)
        fits = np.array([i < 0 or not tables.THEMES[i].tasks or t.code in tables.THEMES[i].tasks for t in tasks])
        task_i[rows] = rng.choice(len(tasks), size=len(rows), p=_norm(weights * fits))
    bureau = np.empty(n, dtype=object)
    kind = np.empty(n, dtype=object)
    for i, task in enumerate(tasks):  # each task draws its rows' bureaus and activity types from its own lists
        rows = np.flatnonzero(task_i == i)
        leads = [b for b in task.lead_bureaus if (task.code, b) not in tables.SILENT]
        bureau[rows] = np.array(leads, dtype=object)[
            rng.choice(len(leads), size=len(rows), p=_norm([_bureau_weight(b) for b in leads]))
        ]
        mix = tables.TYPE_MIX.get(task.code, tables.DEFAULT_MIX)
        kind[rows] = np.array(list(mix), dtype=object)[
            rng.choice(len(mix), size=len(rows), p=_norm(list(mix.values())))
        ]
    kind[(theme >= 0) & (kind == "设施建设")] = "场馆开放"  # a theme day opens the venues; building is other days' work
    codes = np.array([t.code for t in tasks], dtype=object)[task_i]

    towns = [t for t in plan.towns if t.kind != DISTRICT]
    weight = np.array([t.population * tables.LAGGING_TOWNS.get(t.name, 1.0) for t in towns]) * rng.uniform(
        0.8, 1.25, len(towns)
    )
    rural = np.array([t.kind == "镇" for t in towns])
    to_country = np.isin(theme, [i for i, t in enumerate(tables.THEMES) if t.name == "三下乡"])  # 三下乡 goes to the 镇
    town_i = np.where(
        to_country,
        rng.choice(len(towns), size=n, p=_norm(weight * rural)),
        rng.choice(len(towns), size=n, p=_norm(weight)),
    )
    district_wide = (rng.random(n) < np.where(codes == "C1", 0.7, 0.08)) & ~to_country
    town = np.where(district_wide, DISTRICT, np.array([t.name for t in towns], dtype=object)[town_i])

    cohort_mask, primary = _cohorts(plan, rng, task_i)
    project_of = np.array([t.group if t.group not in cohort_names else None for t in tasks], dtype=object)
    also = np.array([tables.TASK_PROJECT.get(t.code, (None, 0.0)) for t in tasks], dtype=object)
    joins = rng.random(n) < also[task_i, 1].astype(float)
    project = np.where(joins, also[task_i, 0], project_of[task_i])

    start: DateArray = ((np.datetime64(f"{year}-01", "M") + (month - 1)).astype("datetime64[D]") + (day - 1)).astype(
        "datetime64[D]"
    )
    issued = np.datetime64(_issued(plan), "D")
    task = np.where((start < issued) | (rng.random(n) < tables.BLANK_TASK), None, codes)  # type: ignore[call-overload]
    # numpy's stubs leave None out of ArrayLike, though np.where takes it (as an object scalar) like any value.

    names = np.array([f"【{t.name}】" for t in tables.THEMES] + [""], dtype=object)
    spelled = {n: c.name for c in plan.campaigns for n in (c.name, *c.aliases)}  # a theme that is a campaign
    campaigns = np.array([spelled.get(t.name) for t in tables.THEMES] + [None], dtype=object)
    place = np.where(town == DISTRICT, "", town)
    suffix = np.array([tables.TYPE_SUFFIX[k] for k in kind], dtype=object)
    return pd.DataFrame(
        {
            "title": names[theme] + place + _topics(rng, codes, kind, theme) + suffix,
            "bureau": bureau,
            "cohorts": _cohort_lists(cohort_names, cohort_mask),
            "project": project,
            "task": task,
            "campaign": campaigns[theme],
            **_records(rng, start, town, kind, names[theme] == f"【{tables.CROWDS}】"),
            "_primary": primary,
            "_cohorts": cohort_mask,
        }
    )


def _themes(rng: np.random.Generator, year: int, month: IntArray) -> tuple[IntArray, IntArray]:
    """For rows starting in `month`: the theme each falls on (index into THEMES; -1 for none) and its day."""
    n = len(month)
    u, fraction = rng.random(n), rng.random(n)
    theme = np.full(n, -1, dtype=np.int64)
    below = np.zeros(n)
    for i, t in enumerate(tables.THEMES):  # a theme takes its share of its month's rows
        in_month = month == t.month
        theme[in_month & (u >= below) & (u < below + t.share)] = i
        below = np.where(in_month, below + t.share, below)
    first = np.array([t.days[0] for t in tables.THEMES] + [1])[theme]
    length = np.array([t.days[1] - t.days[0] + 1 for t in tables.THEMES] + [0])[theme]
    month_days = np.array([(dt.date(year + m // 12, m % 12 + 1, 1) - dt.date(year, m, 1)).days for m in range(1, 13)])
    length = np.where(theme < 0, month_days[month - 1], length)
    day: IntArray = (first + (fraction * length).astype(np.int64)).astype(np.int64)
    return theme, day


def _cohorts(plan: Plan, rng: np.random.Generator, task_i: IntArray) -> tuple[IntArray, IntArray]:
    """Each row's cohorts as a bit mask over plan.cohorts (its task's own cohort, others by COHORT_CHANCE), and its
    task's own cohort (index; -1 for a project's task)."""
    names = [g.name for g in plan.cohorts]
    chance = np.zeros((len(plan.tasks), len(names)))
    own = np.full(len(plan.tasks), -1, dtype=np.int64)
    for k, t in enumerate(plan.tasks):
        for name, p in tables.COHORT_CHANCE.get(t.code, {}).items():
            chance[k, names.index(name)] = p
        if t.group in names:
            own[k] = names.index(t.group)
            chance[k, own[k]] = 1.0
    member = rng.random((len(task_i), len(names))) < chance[task_i]
    mask: IntArray = (member * (1 << np.arange(len(names)))).sum(axis=1).astype(np.int64)
    return mask, own[task_i]


def _cohort_lists(names: Sequence[str], mask: IntArray) -> list[list[str]]:
    combos = np.empty(1 << len(names), dtype=object)
    combos[:] = [[c for j, c in enumerate(names) if m >> j & 1] for m in range(1 << len(names))]
    return list(combos[mask])


def _topics(rng: np.random.Generator, codes: ObjArray, kind: ObjArray, theme: IntArray) -> ObjArray:
    """Each row's topic: its theme's own (for a theme with topics), else its task's (by type where TYPE_TOPICS says)."""
    pick = rng.random(len(codes))
    out = np.empty(len(codes), dtype=object)
    banks = [((codes == code) & (kind == k), topics) for (code, k), topics in tables.TYPE_TOPICS.items()]
    banks = [(codes == code, topics) for code, topics in tables.TOPICS.items()] + banks
    banks += [(theme == i, t.topics) for i, t in enumerate(tables.THEMES) if t.topics]  # later banks win
    for rows, topics in banks:
        out[rows] = np.array(topics, dtype=object)[(pick[rows] * len(topics)).astype(np.int64)]
    return out


def _trainings(
    plan: Plan,
    rng: np.random.Generator,
    code: str,
    who: str,
    totals: dict[int, int],
    issued: dt.date,
    in_towns: bool,
) -> pd.DataFrame:
    """Classes of a counted training, adding up exactly to the yearly totals; held centrally or in the towns, from
    March to November (in the year of the plan's issue, after it; without a task code before it)."""
    task = next(t for t in plan.tasks if t.code == code)
    own = [g.name for g in plan.cohorts].index(task.group)
    towns = [t.name for t in plan.towns if t.kind != DISTRICT and t.name not in tables.LAGGING_TOWNS]
    frames = []
    for year, total in totals.items():
        classes = max(1, round(total / tables.CLASS_SIZE))
        sizes = np.full(classes, total // classes)
        sizes[: total % classes] += 1
        first = issued + dt.timedelta(days=14) if year == issued.year else dt.date(year, 3, 1)
        last = min(dt.date(year, 11, 25), tables.REPORTED_UNTIL - dt.timedelta(days=5))
        start: DateArray = (np.datetime64(first, "D") + rng.integers(0, (last - first).days, size=classes)).astype(
            "datetime64[D]"
        )
        town = np.array(
            [towns[i] for i in rng.integers(len(towns), size=classes)] if in_towns else [DISTRICT] * classes,
            dtype=object,
        )
        records = _records(rng, start, town, np.array(["培训"] * classes, dtype=object), np.zeros(classes, dtype=bool))
        records["end_date"] = start + rng.integers(1, 5, classes)
        records["participants"] = sizes  # counted exactly: not refitted (_primary -1)
        titles = [f"{year}年{'' if t == DISTRICT else t}{who}培训班（第{k}期）" for k, t in enumerate(town, 1)]
        frame = pd.DataFrame(
            {
                "title": titles,
                "bureau": [task.lead_bureaus[k % len(task.lead_bureaus)] for k in range(1, classes + 1)],
                "cohorts": [[task.group]] * classes,
                "project": None,
                "task": np.where(start >= np.datetime64(issued, "D"), code, None),  # type: ignore[call-overload]
                "campaign": None,
                **records,
                "_primary": -1,
                "_cohorts": 1 << own,
            }
        )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _records(
    rng: np.random.Generator,
    start: DateArray,
    town: ObjArray,
    kind: ObjArray,
    crowds: npt.NDArray[np.bool_],
) -> dict[str, object]:
    """The measured part of records whose date, place and type are drawn: participants (log-normal by type, crowds
    at the main venues of `crowds` rows), funding as drawn (fitted to the year's 科普经费 later) and end date."""
    n = len(start)
    median, spread = (np.array([tables.PARTICIPANTS[k][j] for k in kind], dtype=float) for j in (0, 1))
    participants = np.round(rng.lognormal(np.log(median), spread)).astype(int)
    participants[crowds & (rng.random(n) < 0.1)] *= 8
    base, chance = (np.array([tables.FUNDING[k][j] for k in kind], dtype=float) for j in (0, 1))
    funding = np.where(rng.random(n) < chance, rng.lognormal(np.log(base), 0.6), 0.0)
    days = np.where(np.isin(kind, ["展览", "设施建设"]), rng.integers(3, 30, size=n), rng.integers(0, 3, size=n))
    return {
        "start_date": start,
        "end_date": start + days,
        "town": town,
        "activity_type": kind,
        "participants": np.maximum(participants, 0),
        "funding": funding,
        "note": None,
    }


def _fit_participants(plan: Plan, rng: np.random.Generator, frame: pd.DataFrame, years: IntArray) -> IntArray:
    """Participants scaled, year by year and by the task's own cohort, so that each cohort's total (every record
    tagged with it) is its annual target × PARTICIPATION_LEVEL × a little spread. Project and training records keep
    theirs; a cohort without an annual participants target keeps its drawn figures."""
    names = [g.name for g in plan.cohorts]
    targets = _cohort_targets(plan)
    participants = frame["participants"].to_numpy(dtype=float)
    primary = frame["_primary"].to_numpy()
    member = (frame["_cohorts"].to_numpy()[:, None] >> np.arange(len(names))) & 1
    group = np.eye(len(names) + 1)[np.where(primary < 0, len(names), primary)]  # the last column: not refitted
    fitted = [i for i, c in enumerate(names) if c in targets]
    kept = [i for i in range(len(names) + 1) if i not in fitted]
    factor = np.ones((len(tables.PARTICIPATION_LEVEL), len(names) + 1))
    for k, year in enumerate(tables.PARTICIPATION_LEVEL):
        here = years == year
        # reach[c, g]: participants of this year's records whose task is of group g, among those tagged c
        reach = (member[here] * participants[here, None]).T @ group[here]
        level = tables.PARTICIPATION_LEVEL[year] * rng.uniform(
            1 - tables.COHORT_SPREAD, 1 + tables.COHORT_SPREAD, len(names)
        )
        want = np.array([targets.get(c, 0.0) for c in names]) * level
        own = reach[np.ix_(fitted, fitted)]
        rest = reach[np.ix_(fitted, kept)].sum(axis=1)
        factor[k, fitted] = np.linalg.solve(own, want[fitted] - rest)
    row_factor = factor[
        np.searchsorted(list(tables.PARTICIPATION_LEVEL), years), np.where(primary < 0, len(names), primary)
    ]
    fitted_participants: IntArray = np.round(participants * row_factor).astype(np.int64)
    return fitted_participants


def _cohort_targets(plan: Plan) -> dict[str, float]:
    """The plan's annual participation target of each cohort that has one."""
    indicators = {i.code: i for i in plan.indicators}
    out = {}
    for t in plan.targets:
        i = indicators.get(t.indicator)
        if t.kind == "annual" and i and i.measure == "participants" and set(i.where) == {"cohort"}:
            out[i.where["cohort"]] = t.value
    return out


def _fit_funding(plan: Plan, funding: npt.NDArray[np.float64], years: IntArray) -> npt.NDArray[np.float64]:
    """Funding scaled year by year to ACTIVITY_FUNDING_SHARE of the year's 科普经费, to the 10 元."""
    out = funding.copy()
    for year, share in tables.ACTIVITY_FUNDING_SHARE.items():
        here = years == year
        out[here] *= share * _science_funding_total(plan, year) / funding[here].sum()
    rounded: npt.NDArray[np.float64] = np.round(out, -1)
    return rounded


def _science_funding_total(plan: Plan, year: int) -> float:
    """The 科普经费 (元) the demo district spends in `year`: SCIENCE_FUNDING_PER_CAPITA × its population."""
    population = next(t.population for t in plan.towns if t.kind == DISTRICT)
    return float(round(tables.SCIENCE_FUNDING_PER_CAPITA[year] * population, -2))


def _issued(plan: Plan) -> dt.date:
    """The day the plan was issued (its first day, for a plan file that does not say)."""
    return dt.date.fromisoformat(plan.issued) if plan.issued else dt.date(plan.start_year, 1, 1)


def _bureau_weight(name: str) -> float:
    return tables.LAGGING_BUREAUS.get(name, 1.0) * (3.0 if name == "区科协" else 1.0)


def observations(plan: Plan, rng: np.random.Generator) -> pd.DataFrame:
    """The literacy survey's rounds (全区) and each plan year's 科普经费 (元) by town and 全区: the columns of the
    observations table. A town's share follows its population (half for a lagging town), give or take 15 %."""
    rows = [
        {"series": "survey_rate", "year": y, "town": DISTRICT, "value": v, "source": "演示数据：科学素质抽样调查"}
        for y, v in tables.SURVEY_RATE.items()
    ]
    towns = [t for t in plan.towns if t.kind != DISTRICT]
    for year in plan.years:
        total = _science_funding_total(plan, year)
        lag = np.array([0.5 if t.name in tables.LAGGING_TOWNS else 1.0 for t in towns])
        weight = np.array([t.population for t in towns]) * lag * rng.uniform(0.85, 1.15, len(towns))
        values = np.round(
            np.append(_norm(weight) * (1 - tables.DISTRICT_FUNDING_SHARE), tables.DISTRICT_FUNDING_SHARE) * total, -2
        )
        for town, value in zip([*(t.name for t in towns), DISTRICT], values, strict=True):
            rows.append(
                {
                    "series": "science_funding",
                    "year": year,
                    "town": town,
                    "value": float(value),
                    "source": "演示数据：科普经费统计",
                }
            )
    return pd.DataFrame(rows)


def _norm(weights: Sequence[float] | npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    w = np.asarray(weights, dtype=float)
    normed: npt.NDArray[np.float64] = w / w.sum()  # numpy's stubs type an array's sum as Any
    return normed
