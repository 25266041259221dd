"""活动主题 (全国科普日, 科技活动周…): each campaign's participation year over year, and the campaigns' by town and by
bureau. Every table is one query (queries.breakdown by the row dimension and year), laid out here as rows × years."""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from kepu.core import fmt
from kepu.core.filters import Filters
from kepu.core.glossary import DIMENSIONS
from kepu.figures import tables
from kepu.storage import catalog, db, queries

TOTAL = "合计"


def scope(f: Filters, names: list[str]) -> Filters:
    """`f` kept to campaign activities: those of the campaigns it is narrowed to, else of any of `names`."""
    return f if f.campaign else f.narrowed(campaign=tuple(names))


def by_campaign(con: db.Connection, f: Filters) -> pd.DataFrame:
    """Activities, participants and funding by campaign and year in `f`; activities of no campaign left out.
    Columns: campaign, year, activities, participants, funding."""
    return _by_year(con, scope(f, catalog.campaign_names(con)), "campaign")


def by_town(con: db.Connection, f: Filters) -> pd.DataFrame:
    """The campaigns' activities in `f` (all campaigns, unless `f` names some) by town and year. Columns: town, year,
    activities, participants, funding."""
    return _by_year(con, scope(f, catalog.campaign_names(con)), "town")


def by_bureau(con: db.Connection, f: Filters) -> pd.DataFrame:
    """The campaigns' activities in `f` by bureau (a town's own government included) and year. Columns: bureau,
    year, activities, participants, funding."""
    return _by_year(con, scope(f, catalog.campaign_names(con)), "bureau")


def _by_year(con: db.Connection, f: Filters, dim: str) -> pd.DataFrame:
    return queries.breakdown(con, f, (dim, "year"))


def described(f: Filters) -> str:
    """Which campaigns a view's tables are about, in words: “全国科普日”, or 各主题合计 when it names none."""
    return "、".join(f"“{c}”" for c in f.campaign) if f.campaign else "各主题合计"


def year_table(frame: pd.DataFrame, dim: str, measure: str, rows: list[str], years: tuple[int, ...]) -> pd.DataFrame:
    """A by_* frame as the page shows it: a row for each of `rows` (in that order; zeros where nothing was
    reported), a column for each year (2021年…) and 合计. The first column is the dimension, headed in Chinese."""
    table = frame.pivot_table(index=dim, columns="year", values=measure, aggfunc="sum", fill_value=0)
    table = table.reindex(index=rows, columns=list(years), fill_value=0)
    table = table.astype("float64" if measure == "funding" else "int64")
    table.columns = [f"{y}年" for y in years]
    table[TOTAL] = table.sum(axis=1)
    return table.rename_axis(DIMENSIONS[dim]).reset_index()


def ranked(table: pd.DataFrame, keep: list[str] | None = None) -> pd.DataFrame:
    """A year_table with its largest 合计 first (the order of the rows given breaks ties), rows with nothing
    dropped unless they are in `keep`."""
    label = table.columns[0]
    shown = table[(table[TOTAL] > 0) | table[label].isin(keep or [])]
    return shown.sort_values(TOTAL, ascending=False, kind="stable").reset_index(drop=True)


def windows(campaigns: pd.DataFrame) -> pd.DataFrame:
    """catalog.campaigns for display: each campaign's short names, its usual days, the cohorts and tasks it serves."""

    def days(first: str, last: str) -> str:
        (m1, d1), (m2, d2) = (map(int, x.split("-")) for x in (first, last))
        return f"{m1}月{d1}日—{m2}月{d2}日"

    return pd.DataFrame(
        {
            "活动主题": campaigns.name,
            "简称": ["、".join(a) for a in campaigns.aliases],
            "每年的时间": [days(a, b) for a, b in zip(campaigns.window_from, campaigns.window_to, strict=True)],
            "常面向的人群": ["、".join(c) or "—" for c in campaigns.cohorts],
            "相关任务": ["、".join(t) or "—" for t in campaigns.tasks],
        }
    )


def styled(table: pd.DataFrame) -> Styler:
    """A year_table shaded by value across its years (合计 plain), numbers with thousands separators."""
    return tables.heat(table, columns=[c for c in table.columns[1:] if c != TOTAL])


def headline(
    totals: queries.Totals, towns: pd.DataFrame, bureaus: pd.DataFrame, town_names: list[str]
) -> dict[str, str]:
    """The figures over the campaign tables, in words: 场次 and 人次 of the view (`totals`), how many of
    `town_names` (the 镇街, 全区 not among them) and how many bureaus had any campaign activity. `towns`, `bureaus`:
    by_town and by_bureau."""
    took_part = towns[(towns.activities > 0) & towns.town.isin(town_names)].town.nunique()
    return {
        "主题活动场次": fmt.count(totals["activities"]),
        "参与人次": fmt.count(totals["participants"]),
        "有主题活动的镇街": f"{took_part} / {len(town_names)}",
        "有主题活动的责任单位": str(bureaus[bureaus.activities > 0].bureau.nunique()),
    }


def totals(con: db.Connection, f: Filters) -> queries.Totals:
    """Activities, participants and funding of the campaigns' activities in `f`."""
    return queries.totals(con, scope(f, catalog.campaign_names(con)))
