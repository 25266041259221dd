"""Demo data, deterministic from a seed: activity records 2021–2025 and yearly observations.

The records follow the real calendar (theme weeks named in the plan), grow year on year and carry a long
tail of participants. A few towns and bureaus lag on purpose and some lead bureaus are silent on a task, so
the dashboard has something true to show. Nothing here is real: every page says so while it is in the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from kepu.core.glossary import ACTIVITY_TYPES
from kepu.core.plan import DISTRICT, Plan
from kepu.storage import db

SEED = 20210101
ACTIVITIES_PER_YEAR = {2021: 3000, 2022: 3500, 2023: 4000, 2024: 4500, 2025: 5000}

# Lagging on purpose: a town's or bureau's share of activity is multiplied by these.
LAGGING_TOWNS = {"吕陵镇": 0.25, "胡集镇": 0.3, "李村镇": 0.5}
LAGGING_BUREAUS = {"区林业局": 0.25, "区行政审批服务局": 0.3, "区妇联": 0.5}
# Lead bureaus that never report on a task they are assigned.
SILENT = {
    ("Y4", "区交通运输局"),
    ("Y4", "区市场监管局"),
    ("W1", "区住房和城乡建设局"),
    ("F1", "区民政局"),
    ("P3", "区自然资源局"),
    ("Y1", "区广播电视台"),
    ("E1", "区工业和信息化局"),
}

# Relative volume of each task (tasks not named get 1).
TASK_WEIGHT = {
    "Y4": 3.0,
    "Y2": 2.0,
    "Y1": 1.5,
    "Y5": 0.3,
    "F1": 3.0,
    "F2": 1.2,
    "F3": 1.5,
    "W3": 1.5,
    "E1": 2.5,
    "C1": 0.5,
    "P1": 0.7,
    "P2": 1.2,
    "P3": 0.5,
    "P4": 3.5,
}
# The mix of activity types by task; tasks not named use DEFAULT_MIX.
DEFAULT_MIX: dict[str, float] = {
    "讲座": 3,
    "科普宣传": 3,
    "主题活动": 2,
    "展览": 1,
    "竞赛": 1,
    "志愿服务": 1.5,
    "培训": 1,
    "其他": 0.5,
}
TYPE_MIX: dict[str, dict[str, float]] = {
    "Y2": {"竞赛": 3, "主题活动": 2, "讲座": 2, "展览": 1, "培训": 0.5},
    "Y4": {"场馆开放": 2, "展览": 2, "主题活动": 3, "讲座": 2, "科普宣传": 1, "志愿服务": 1},
    "Y5": {"讲座": 2, "竞赛": 1},  # Y5's trainings follow COUNSELLOR_TRAINING
    "F2": {"讲座": 2, "竞赛": 1, "志愿服务": 1},  # F2's trainings follow FARMER_TRAINING
    "W2": {"竞赛": 3, "培训": 3, "讲座": 1},
    "W3": {"培训": 4, "讲座": 2, "竞赛": 1},
    "E1": {"讲座": 4, "培训": 2, "科普宣传": 2, "志愿服务": 2},
    "C1": {"讲座": 3, "培训": 3},
    "P2": {"科普宣传": 4, "竞赛": 2, "培训": 1},
    "P3": {"设施建设": 3, "场馆开放": 3, "展览": 1},
    "P4": {"科普宣传": 3, "志愿服务": 3, "主题活动": 2, "讲座": 2},
}
# Yearly totals (人次) of the two trainings the plan counts, and the size of a class.
COUNSELLOR_TRAINING = {2021: 84, 2022: 104, 2023: 121, 2024: 138, 2025: 152}
FARMER_TRAINING = {2021: 150, 2022: 186, 2023: 228, 2024: 262, 2025: 291}
CLASS_SIZE = 30

# Median participants and spread (log-normal) by activity type, and median funding (元).
PARTICIPANTS = {
    "讲座": (60, 0.7),
    "培训": (40, 0.5),
    "展览": (400, 1.0),
    "竞赛": (120, 0.9),
    "主题活动": (250, 1.0),
    "科普宣传": (300, 1.1),
    "志愿服务": (80, 0.8),
    "场馆开放": (600, 1.0),
    "设施建设": (20, 1.5),
    "其他": (80, 0.8),
}
FUNDING = {
    "讲座": 2000,
    "培训": 8000,
    "展览": 15000,
    "竞赛": 10000,
    "主题活动": 12000,
    "科普宣传": 3000,
    "志愿服务": 500,
    "场馆开放": 5000,
    "设施建设": 150000,
    "其他": 2000,
}

# Theme days and weeks from the plan: (name, month, first day, last day, share of the year's activities).
THEMES = [
    ("文化科技卫生“三下乡”", 1, 5, 25, 0.05),
    ("中国水周", 3, 22, 28, 0.03),
    ("防灾减灾日", 5, 10, 14, 0.03),
    ("科技活动周", 5, 18, 25, 0.06),
    ("食品安全宣传周", 6, 10, 16, 0.03),
    ("老年健康宣传周", 7, 20, 26, 0.03),
    ("全国科普日", 9, 15, 25, 0.10),
]
# Ordinary weeks: fewer in February (Spring Festival) and August (summer holidays).
MONTH_WEIGHT = [0.8, 0.5, 1.0, 1.1, 1.1, 1.0, 0.9, 0.6, 1.0, 1.1, 1.1, 1.0]

TOPICS = {
    "青少年": [
        "科学家精神进校园",
        "青少年科技节",
        "科技小论文辅导",
        "流动科技馆进校园",
        "科普大篷车进校园",
        "馆校合作科学课",
    ],
    "农民": ["科技下乡", "农业实用技术", "移风易俗科普", "科技志愿服务乡村行", "农村电商技能", "绿色生产技术"],
    "产业工人": ["职工技能", "安全生产科普", "工匠精神宣讲", "职业技能提升", "新职业技能"],
    "老年人": ["智能手机应用", "防诈骗科普", "老年健康大讲堂", "银龄科普志愿服务", "合理用药科普"],
    "领导干部和公务员": ["领导干部科学素质专题", "前沿科技知识专题", "公务员科学履职"],
    "科技资源科普化工程": ["科学家精神报告会", "科研机构开放日", "学会科普品牌活动"],
    "科普信息化提升工程": ["科普短视频创作", "科普中国信息员", "网络科普"],
    "科普基础设施建设工程": ["社区科普馆", "科普教育基地", "户外科普宣传栏"],
    "基层科普能力提升工程": ["应急科普", "订单式科普", "新时代文明实践科普"],
}
TYPE_SUFFIX = {
    "讲座": "讲座",
    "培训": "培训班",
    "展览": "展览",
    "竞赛": "竞赛",
    "主题活动": "主题活动",
    "科普宣传": "宣传活动",
    "志愿服务": "志愿服务",
    "场馆开放": "开放日",
    "设施建设": "建设",
    "其他": "活动",
}

# Survey rate (%) of the district, and the district-level share of 科普经费 per resident (元).
SURVEY_RATE = {2020: 10.2, 2021: 11.0, 2022: 12.1, 2023: 13.3, 2024: 14.6, 2025: 15.7}
TOWN_FUNDING_PER_CAPITA = {2021: 0.62, 2022: 0.74, 2023: 0.88, 2024: 0.97, 2025: 1.08}
DISTRICT_FUNDING_PER_CAPITA = {2021: 0.10, 2022: 0.10, 2023: 0.11, 2024: 0.11, 2025: 0.12}


def fill(con: db.Connection, plans: Sequence[Plan], seed: int = SEED) -> None:
    """Add demo activities and observations for the 2021–2025 plan to a new store."""
    plan = next(p for p in plans if p.start_year == 2021)
    rng = np.random.default_rng(seed)
    db.insert_frame(con, "activities", activities(plan, rng))
    db.insert_frame(con, "observations", observations(plan, rng))


def activities(plan: Plan, rng: np.random.Generator) -> pd.DataFrame:
    """Demo activity records: the columns of the activities table, without id. Drawn a column at a time (numpy),
    so a whole plan's records take a fraction of a second."""
    frames = [_ordinary(plan, rng, year, n) for year, n in ACTIVITIES_PER_YEAR.items()]
    frames.append(_trainings(plan, rng, "Y5", "科技辅导员", COUNSELLOR_TRAINING, in_towns=False))
    frames.append(_trainings(plan, rng, "F2", "高素质农民", FARMER_TRAINING, in_towns=True))
    out = pd.concat(frames, ignore_index=True).sort_values("start_date", kind="stable", ignore_index=True)
    out["ref"] = [f"D{d.year}-{i:05d}" for i, d in enumerate(out["start_date"], 1)]
    return out


def _ordinary(plan: Plan, rng: np.random.Generator, year: int, n: int) -> pd.DataFrame:
    tasks = list(plan.tasks)
    towns = [t for t in plan.towns if t.kind != DISTRICT]
    town_p = _norm([t.population * LAGGING_TOWNS.get(t.name, 1.0) * rng.uniform(0.8, 1.25) for t in towns])
    groups = {g.name: g for g in plan.cohorts + plan.projects}
    cohort_names = [g.name for g in plan.cohorts]

    task_i = rng.choice(len(tasks), size=n, p=_norm([TASK_WEIGHT.get(t.code, 1.0) for t in tasks]))
    bureau = np.empty(n, dtype=object)
    kind = np.empty(n, dtype=object)
    for i, task in enumerate(tasks):  # each task draws its rows' bureaus and activity types from its own lists
        rows = np.flatnonzero(task_i == i)
        leads = [b for b in task.lead_bureaus if (task.code, b) not in SILENT]
        bureau[rows] = np.array(leads, dtype=object)[
            rng.choice(len(leads), size=len(rows), p=_norm([_bureau_weight(b) for b in leads]))
        ]
        mix = TYPE_MIX.get(task.code, DEFAULT_MIX)
        kind[rows] = np.array(list(mix), dtype=object)[
            rng.choice(len(mix), size=len(rows), p=_norm(list(mix.values())))
        ]
    codes = np.array([t.code for t in tasks], dtype=object)[task_i]
    group = np.array([t.group for t in tasks], dtype=object)[task_i]
    district_wide = rng.random(n) < np.where(codes == "C1", 0.7, 0.08)
    town = np.where(
        district_wide,
        DISTRICT,
        np.array([t.name for t in towns], dtype=object)[rng.choice(len(towns), size=n, p=town_p)],
    )
    start, theme = _dates(rng, year, n)

    is_cohort = np.array([groups[g].kind == "cohort" for g in group])
    extra = rng.random(n) < 0.15
    other = rng.integers(len(cohort_names), size=n)
    with_project = rng.random(n) < 0.1
    which_project = rng.integers(2, size=n)
    how_many = rng.choice(3, size=n, p=[0.3, 0.5, 0.2])
    order = rng.random((n, len(cohort_names))).argsort(axis=1)  # a random order of the cohorts, for each row
    cohorts, project = [], []
    for r in range(n):
        if is_cohort[r]:
            chosen = {group[r], cohort_names[other[r]]} if extra[r] else {group[r]}
            project.append(
                ("基层科普能力提升工程", "科普信息化提升工程")[which_project[r]] if with_project[r] else None
            )
        else:
            chosen = {cohort_names[j] for j in order[r, : how_many[r]]}
            project.append(group[r])
        cohorts.append(sorted(chosen, key=cohort_names.index))
    # numpy's stubs leave None out of ArrayLike, though np.where takes it (as an object scalar) like any value.
    task = np.where(rng.random(n) < 0.04, None, codes)  # type: ignore[call-overload]
    return _records(rng, start, theme, town, bureau, cohorts, project, task, kind, group)


def _trainings(
    plan: Plan, rng: np.random.Generator, code: str, who: str, totals: dict[int, int], in_towns: bool
) -> pd.DataFrame:
    """Classes of a counted training, adding up exactly to the yearly totals; held centrally or in the towns."""
    task = next(t for t in plan.tasks if t.code == code)
    towns = [t.name for t in plan.towns if t.kind != DISTRICT and t.name not in LAGGING_TOWNS]
    frames = []
    for year, total in totals.items():
        classes = max(1, round(total / CLASS_SIZE))
        sizes = np.full(classes, total // classes)
        sizes[: total % classes] += 1
        start = [dt.date(year, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(60, 330, size=classes)]
        bureau = [task.lead_bureaus[k % len(task.lead_bureaus)] for k in range(1, classes + 1)]
        town = [towns[i] for i in rng.integers(len(towns), size=classes)] if in_towns else [DISTRICT] * classes
        frame = _records(
            rng,
            start,
            [None] * classes,
            town,
            bureau,
            [[task.group]] * classes,
            [None] * classes,
            [code] * classes,
            ["培训"] * classes,
            [task.group] * classes,
        )
        places = ["" if t == DISTRICT else t for t in town]
        frame["title"] = [f"{year}年{place}{who}培训班（第{k}期）" for k, place in enumerate(places, 1)]
        frame["participants"] = sizes.astype(int)
        frame["end_date"] = [
            s + dt.timedelta(days=int(d)) for s, d in zip(start, rng.integers(1, 5, size=classes), strict=True)
        ]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


# A column of drawn values, one for each record: a list, or a numpy array of Python objects.
Drawn = Sequence[str | None] | npt.NDArray[np.object_]


def _records(
    rng: np.random.Generator,
    start: Sequence[dt.date],
    theme: Drawn,
    town: Drawn,
    bureau: Drawn,
    cohorts: Sequence[list[str]],
    project: Sequence[str | None],
    task: Drawn,
    kind: Drawn,
    topic_group: Drawn,
) -> pd.DataFrame:
    """The records of rows whose place, who and what are drawn: their participants (log-normal by type, crowds at
    全国科普日), funding, title and end date."""
    n = len(start)
    kind, theme, town, topic_group = (np.asarray(a, dtype=object) for a in (kind, theme, town, topic_group))
    median = np.array([PARTICIPANTS[k][0] for k in kind], dtype=float)
    spread = np.array([PARTICIPANTS[k][1] for k in kind], dtype=float)
    participants = np.round(rng.lognormal(np.log(median), spread)).astype(int)
    participants[(theme == "全国科普日") & (rng.random(n) < 0.1)] *= 8  # the main venues draw crowds
    funding = np.round(rng.lognormal(np.log([FUNDING[k] for k in kind]), 0.6), -1)
    funding[rng.random(n) < 0.12] = 0.0
    long_lasting = np.isin(kind, ["展览", "设施建设"])
    days = np.where(long_lasting, rng.integers(3, 30, size=n), rng.integers(0, 3, size=n))
    pick = rng.random(n)
    titles = []
    for r in range(n):
        topics = TOPICS[topic_group[r]]
        prefix = f"【{theme[r]}】" if theme[r] else ""
        place = "" if town[r] == DISTRICT else town[r]
        titles.append(f"{prefix}{place}{topics[int(pick[r] * len(topics))]}{TYPE_SUFFIX[kind[r]]}")
    return pd.DataFrame(
        {
            "title": titles,
            "start_date": list(start),
            "end_date": [s + dt.timedelta(days=int(d)) for s, d in zip(start, days, strict=True)],
            "town": list(town),
            "bureau": list(bureau),
            "cohorts": list(cohorts),
            "project": list(project),
            "task": list(task),
            "activity_type": list(kind),
            "participants": np.maximum(participants, 0),
            "funding": funding,
            "note": None,
        }
    )


def _dates(rng: np.random.Generator, year: int, n: int) -> tuple[list[dt.date], list[str | None]]:
    """Start dates in `year`: on a theme day or week some of the time, else an ordinary day; and the theme."""
    shares = [t[4] for t in THEMES]
    pick = rng.choice(len(THEMES) + 1, size=n, p=[*shares, 1 - sum(shares)])
    month = rng.choice(12, size=n, p=_norm(MONTH_WEIGHT)) + 1
    fraction = rng.random(n)
    starts, themes = [], []
    for r in range(n):
        if pick[r] < len(THEMES):
            name, m, first, last, _ = THEMES[pick[r]]
            starts.append(dt.date(year, m, first + int(fraction[r] * (last - first + 1))))
            themes.append(name)
        else:
            m = int(month[r])
            days = (dt.date(year + (m == 12), m % 12 + 1, 1) - dt.date(year, m, 1)).days
            starts.append(dt.date(year, m, 1 + int(fraction[r] * days)))
            themes.append(None)
    return starts, themes


def _bureau_weight(name: str) -> float:
    return LAGGING_BUREAUS.get(name, 1.0) * (3.0 if name == "区科协" else 1.0)


def observations(plan: Plan, rng: np.random.Generator) -> pd.DataFrame:
    """Yearly survey rates (全区) and 科普经费 (元) by town and 全区: the columns of the observations table."""
    rows = [
        {"series": "survey_rate", "year": y, "town": DISTRICT, "value": v, "source": "演示数据：科学素质抽样调查"}
        for y, v in SURVEY_RATE.items()
    ]
    for year in plan.years:
        for town in plan.towns:
            if town.kind == DISTRICT:
                per_capita = DISTRICT_FUNDING_PER_CAPITA[year]
            else:
                lag = 0.5 if town.name in LAGGING_TOWNS else 1.0
                per_capita = TOWN_FUNDING_PER_CAPITA[year] * lag * rng.uniform(0.85, 1.15)
            rows.append(
                {
                    "series": "science_funding",
                    "year": year,
                    "town": town.name,
                    "value": round(per_capita * town.population, -2),
                    "source": "演示数据：科普经费统计",
                }
            )
    return pd.DataFrame(rows)


def _norm(weights: Sequence[float]) -> npt.NDArray[np.float64]:
    w = np.asarray(weights, dtype=float)
    normed: npt.NDArray[np.float64] = w / w.sum()  # numpy's stubs type an array's sum as Any
    return normed


assert set(PARTICIPANTS) == set(ACTIVITY_TYPES) == set(FUNDING) == set(TYPE_SUFFIX)
