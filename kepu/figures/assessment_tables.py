"""The 考核 as the page and the workbook show it: a side's ranking with every item's points, one unit's items with
their bases, the items a unit may be scored on by hand, and the years that can be assessed."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kepu.core.assessment_scheme import KINDS, SIDES
from kepu.figures.assessment import Assessment, ItemResult, UnitResult, units_of
from kepu.storage import assessment_data, catalog, db

RANKING_FIRST = ["排名", "得分", "较上年"]  # with the side's word (镇街, 责任单位) after 排名


def ranking(result: Assessment, key: str) -> pd.DataFrame:
    """One side's ranking: 排名, 镇街 (or 责任单位), 得分, 较上年, then each item's points (item_column)."""
    units = units_of(result, key)
    label = SIDES[key]
    rows = []
    for u in units:
        row: dict[str, object] = {"排名": u["rank"], label: u["unit"], "得分": u["score"], "较上年": u["change"]}
        row |= {item_column(i): i["points"] for i in u["items"]}
        rows.append(row)
    columns = ["排名", label, "得分", "较上年", *(item_column(i) for i in (units[0]["items"] if units else []))]
    return pd.DataFrame(rows, columns=columns)


def item_column(item: ItemResult) -> str:
    """An item's column heading: its name and points (活动开展（25分）; 加分 and 扣分 say so)."""
    sign = {"bonus": "加", "deduction": "扣"}.get(item["kind"], "")
    return f"{item['name']}（{sign}{item['max']:g}分）"


def items(unit: UnitResult) -> pd.DataFrame:
    """A unit's items: 编号, 评分项, 类型, 得分, 分值, 依据, 记录 (whether records are behind it)."""
    return pd.DataFrame(
        [
            {
                "编号": i["item"],
                "评分项": i["name"],
                "类型": KINDS[i["kind"]],
                "得分": i["points"],
                "分值": i["max"],
                "依据": i["basis"],
                "记录": "可查看" if i["records"] is not None else "",
            }
            for i in unit["items"]
        ],
        columns=["编号", "评分项", "类型", "得分", "分值", "依据", "记录"],
    )


def by_hand(unit: UnitResult) -> list[ItemResult]:
    """A unit's items an administrator scores (manual, bonus, and deductions without a rule)."""
    return [i for i in unit["items"] if i["rule"] is None]


def years(con: db.Connection, as_of: dt.date) -> list[int]:
    """The years that can be assessed on `as_of`, newest first: every year of a plan with a 考核 scheme, up to
    as_of's year."""
    out: set[int] = set()
    for plan in catalog.plans(con):
        if assessment_data.scheme(con, plan.id):
            out |= {y for y in plan.period.years if y <= as_of.year}
    return sorted(out, reverse=True)
