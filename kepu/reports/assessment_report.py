"""What the 考核 documents share: the year's assessment gathered with the district's facts, the sentences that state a
unit's facts, file names, and the audit line of an export. The documents themselves: assessment_sheet (考核结果
workbook), assessment_notice (通报) and assessment_supervision (督办单)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kepu.core.assessment_scheme import MANUAL_REMEDY, RULES, SIDES
from kepu.core.errors import UserError
from kepu.core.plan import District
from kepu.figures import assessment
from kepu.figures.assessment import Assessment, ItemResult, UnitResult
from kepu.storage import audit, catalog, db

KINDS_OF_REPORT = {"assessment": "考核结果", "notice": "考核情况通报", "supervision": "督办单"}
FORMAT_OF = {"assessment": "xlsx", "notice": "docx", "supervision": "docx"}
NAMED = 3  # units named as the best and as the weakest of each side in the 通报
DAYS_TO_ANSWER = 30  # a 督办单 asks for the unit's answer within this many days of its date


@dataclass(frozen=True)
class Report:
    """A year's assessment with what its documents print around it."""

    result: Assessment
    district: District
    demo: bool
    issued: dt.date  # the documents' date: the statistics date

    @property
    def year(self) -> int:
        return self.result["year"]

    @property
    def title(self) -> str:
        """关于2025年度全民科学素质工作考核情况的通报 names it; this is the 2025年度全民科学素质工作考核 part."""
        return f"{self.year}年度{self.result['title']}"

    @property
    def sample(self) -> bool:
        return self.result["scheme_label"] == "示例"


def gather(con: db.Connection, year: int, as_of: dt.date) -> Report:
    """The year's assessment as it stood on `as_of`, with the district's facts."""
    return Report(assessment.assess(con, year, as_of), catalog.district(con), catalog.is_demo(con), as_of)


def file_name(kind: str, year: int, unit: str | None = None) -> str:
    """2025年度考核结果.xlsx, 2025年度考核情况通报.docx, 2025年度督办单_东城街道.docx."""
    stem = f"{year}年度{KINDS_OF_REPORT[kind]}" + (f"_{unit}" if unit else "")
    return re.sub(r'[\\/:*?"<>|\s]+', "", stem) + f".{FORMAT_OF[kind]}"


def log(con: db.Connection, user_name: str, kind: str, year: int, unit: str | None = None, where: str = "") -> None:
    """Put a 考核 document taken away in the audit log."""
    audit.record(
        con,
        user_name,
        "export",
        format=FORMAT_OF[kind],
        report=KINDS_OF_REPORT[kind],
        year=year,
        unit=unit,
        file=where or None,
    )


def date_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def points(value: float) -> str:
    """12.5 → 12.5分, 30.0 → 30分."""
    return f"{value:g}分"


def change_text(unit: UnitResult) -> str:
    """较上年提高3.5分 / 降低2分 / 持平; empty when last year was not assessed."""
    change = unit["change"]
    if change is None:
        return ""
    if change == 0:
        return "与上年持平"
    return f"较上年{'提高' if change > 0 else '降低'}{abs(change):g}分"


def standing(unit: UnitResult, of: int) -> str:
    """得分81.12分，排名第1（共24个），较上年提高9.43分."""
    parts = [f"得分{points(unit['score'])}", f"排名第{unit['rank']}（共{of}个）"]
    if change := change_text(unit):
        parts.append(change)
    return "，".join(parts)


def best_items(unit: UnitResult, n: int = 2) -> list[ItemResult]:
    """A unit's strongest scored items (auto and manual, highest share of their points first), and any bonus."""
    scored = [i for i in unit["items"] if i["kind"] in ("auto", "manual") and i["points"] > 0]
    top = sorted(scored, key=lambda i: -i["points"] / i["max"])[:n]
    return top + [i for i in unit["items"] if i["kind"] == "bonus" and i["points"] > 0]


def item_fact(item: ItemResult) -> str:
    """“按时报送”得13.12分（满分15分）：截至…已过截止日4期… ; a bonus or deduction says 加 / 扣."""
    if item["kind"] == "bonus":
        head = f"“{item['name']}”加{points(item['points'])}"
    elif item["kind"] == "deduction":
        head = f"“{item['name']}”扣{points(-item['points'])}"
    else:
        head = f"“{item['name']}”得{points(item['points'])}（满分{points(item['max'])}）"
    return f"{head}：{item['basis']}"


def remedy(item: ItemResult) -> str:
    """What a unit weak on the item is asked to do."""
    if item["rule"]:
        return RULES[item["rule"]].remedy
    return f"{MANUAL_REMEDY}（{item['note']}）" if item["note"] else MANUAL_REMEDY


def side_sentence(report: Report, key: str) -> str:
    """24个镇街平均得分62.3分，最高为安兴镇（81.12分），最低为东城街道（46.25分）."""
    units = assessment.units_of(report.result, key)
    if not units:
        return f"本年度没有参加考核的{SIDES[key]}。"
    mean = sum(u["score"] for u in units) / len(units)
    top, bottom = units[0], units[-1]
    return (
        f"{len(units)}个{SIDES[key]}平均得分{mean:.2f}分，最高为{top['unit']}（{points(top['score'])}），"
        f"最低为{bottom['unit']}（{points(bottom['score'])}）。"
    )


def named(report: Report, key: str) -> tuple[list[UnitResult], list[UnitResult]]:
    """The best NAMED and the weakest NAMED units of a side (fewer when the side is small; never one unit twice)."""
    units = assessment.units_of(report.result, key)
    n = min(NAMED, len(units) // 2)
    return units[:n], units[len(units) - n :][::-1]


def supervised(report: Report, unit_name: str) -> tuple[str, UnitResult, list[ItemResult]]:
    """The side, result and weak items of the unit a 督办单 is for; UserError when it has nothing to supervise."""
    key, unit = assessment.unit_result(report.result, unit_name)
    weak = assessment.weak_items(unit)
    if not weak:
        raise UserError(
            f"{unit_name}{report.year}年度各项得分均不低于该项分值的{assessment.LOW_SHARE:.0%}，也没有扣分，无需督办"
        )
    return key, unit, weak


def deadline(report: Report) -> dt.date:
    """The day a 督办单 asks the unit to answer by."""
    return report.issued + dt.timedelta(days=DAYS_TO_ANSWER)


def sample_note(report: Report) -> str:
    """What the documents say when the scheme is the plan file's 示例 or the store holds demo data ('' otherwise)."""
    notes = []
    if report.sample:
        notes.append("本次考核采用规划文件中的示例评分办法，得分仅供演示，正式考核请换用本区印发的考核办法")
    if report.demo:
        notes.append("数据为演示数据，不代表真实情况")
    return "【示例】" + "；".join(notes) + "。" if notes else ""
