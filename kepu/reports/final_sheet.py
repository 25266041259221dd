"""The 终期评估报告 as an Excel workbook: the Word report's content as sheets (总体, 目标, 逐年, 任务落实, 责任单位,
镇街, 说明), figures as numbers. Written with xlsxwriter like the view's workbook (spreadsheet.py): text is always
a text cell, header rows frozen and repeated when printed, printed landscape one page wide."""

from __future__ import annotations

import io
import math
import unicodedata

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from kepu.core import words
from kepu.core.glossary import TARGET_KIND_LABELS
from kepu.figures import brief
from kepu.reports import final, final_targets
from kepu.reports.final import Evaluation
from kepu.reports.spreadsheet import FORMULA_STARTS

COUNT, MONEY, SHARE = "#,##0", "#,##0.00", "0.0%"
UNIT_FORMATS = {"%": "0.0", "元": "0.000"}  # other units are counts
FORMATS = {
    "活动场次": COUNT,
    "参与人次": COUNT,
    "人口": COUNT,
    "牵头任务数": COUNT,
    "有报送的任务数": COUNT,
    "经费（元）": MONEY,
    "落实率": SHARE,
    "每千人参与人次": "#,##0.0",
}


def build(e: Evaluation) -> bytes:
    """The workbook of an evaluation (final.evaluate)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    styles = _Styles(book)
    _overall(book, styles, e)
    _sheet(book, styles, "目标", _targets(e), wrap=("说明", "备注"))
    _years(book, styles, e)
    _sheet(book, styles, "任务落实", _duties(e))
    _sheet(book, styles, "责任单位", _bureaus(e))
    _sheet(book, styles, "镇街", _towns(e))
    _notes(book, styles, e)
    book.close()
    return out.getvalue()


def _overall(book: Workbook, styles: _Styles, e: Evaluation) -> None:
    b = e.brief
    sheet = book.add_worksheet("总体")
    sheet.write_string(0, 0, f"《{e.plan.name}》{final.TITLE}", styles.title)
    facts: list[tuple[str, object]] = [
        ("规划", e.plan.name),
        ("文号", e.plan.document or "—"),
        ("评估期", e.plan.period.label()),
        ("统计范围", b["filters"]),
        ("截至", b["as_of"]),
        ("活动场次", b["activities"]),
        ("参与人次", b["participants"]),
        ("经费（元）", b["funding"]),
        ("活动记录", b["record_count"]),
        ("目标完成情况", final_targets.verdict(e.targets)),
        ("责任单位落实", final.bureau_sentence(e)),
        ("数据说明", words.data_note(b)),
    ]
    for i, (label, value) in enumerate(facts, start=2):
        sheet.write_string(i, 0, label, styles.header)
        _cell(sheet, i, 1, value, styles, styles.number(FORMATS.get(label, COUNT)), styles.wrap)
    row = len(facts) + 3
    sheet.write_string(row, 0, "各年度科普活动情况", styles.bold)
    years = final.year_totals(e).set_axis(["年度", "活动场次", "参与人次", "经费（元）"], axis=1)
    total = pd.DataFrame([["合计", b["activities"], b["participants"], b["funding"]]], columns=years.columns)
    years = pd.concat([years.astype({"年度": "object"}), total], ignore_index=True)
    _frame(sheet, styles, years, row + 1)
    row += len(years) + 3
    sheet.write_string(row, 0, "各人群、重点工程", styles.bold)
    groups = pd.DataFrame(
        [
            {
                "类别": label,
                "名称": g["full_name"],
                "活动场次": t["activities"],
                "参与人次": t["participants"],
                "经费（元）": t["funding"],
                "情况": final.group_paragraph(e, kind, g["name"]),
            }
            for kind, label in final.KINDS.items()
            for g, t, _ in brief.group_standings(b, kind)
        ]
    )
    _frame(sheet, styles, groups, row + 1, wrap=("情况",))
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 60, styles.wrap)
    sheet.set_column(2, 4, 14)
    sheet.set_column(5, 5, 80)
    _print_setup(sheet)


def _targets(e: Evaluation) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "序号": i,
                "目标": s["name"],
                "依据": words.basis(s),
                "所属": s["group"] or "全区",
                "类型": TARGET_KIND_LABELS.get(s["kind"], s["kind"]),
                "单位": s["unit"],
                "目标值": s["target"],
                "期末实际": s["actual"],
                "差额": final_targets.gap(s),
                "完成情况": final_targets.state(s),
                "目标说明": final_targets.target_text(s),
                "说明": final_targets.explanation(s),
                "备注": s["note"],
            }
            for i, s in enumerate(e.targets, start=1)
        ],
        columns=[
            *("序号", "目标", "依据", "所属", "类型", "单位", "目标值", "期末实际", "差额", "完成情况"),
            *("目标说明", "说明", "备注"),
        ],
    )


def _years(book: Workbook, styles: _Styles, e: Evaluation) -> None:
    """One row per target and item (目标, 实际, 评定), one column per year, then the plan's."""
    sheet = book.add_worksheet("逐年")
    headers = ["目标", "依据", "单位", "项目", *(f"{y}年" for y in e.years), "规划期"]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, styles.header)
    row = 1
    for s in e.targets:
        number = styles.number(UNIT_FORMATS.get(s["unit"], COUNT))
        for what, cells, whole in final_targets.year_rows(s, e.years):
            for col, value in enumerate([s["name"], words.basis(s), s["unit"], what, *cells, whole]):
                _cell(sheet, row, col, value, styles, number)
            row += 1
    widths = [max(_width(s["name"]) for s in e.targets) + 2 if e.targets else 20, 12, 6, 6]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.set_column(4, len(headers) - 1, 12)
    sheet.freeze_panes(1, 4)
    _print_setup(sheet, repeat_row=0)
    if row > 1:
        sheet.autofilter(0, 0, row - 1, len(headers) - 1)


def _duties(e: Evaluation) -> pd.DataFrame:
    rows = pd.concat([final.duties(e, kind) for kind in final.KINDS], ignore_index=True)
    rows["kind"] = rows.kind.map(final.KINDS)
    rows["reported"] = rows.reported.map({True: "已报送", False: "未报送"})
    columns = {
        "kind": "类别",
        "full_name": "所属",
        "code": "任务",
        "title": "内容",
        "bureau": "牵头单位",
        "activities": "活动场次",
        "participants": "参与人次",
        "funding": "经费（元）",
        "reported": "落实情况",
    }
    return rows[list(columns)].rename(columns=columns)


def _bureaus(e: Evaluation) -> pd.DataFrame:
    bureaus = e.brief["bureaus"]
    columns = {
        "bureau": "责任单位",
        "assigned": "牵头任务数",
        "reported": "有报送的任务数",
        "coverage": "落实率",
        "silent_tasks": "未报送的任务",
        "activities": "活动场次",
    }
    return bureaus[list(columns)].rename(columns=columns)


def _towns(e: Evaluation) -> pd.DataFrame:
    towns = e.brief["towns"].copy()
    towns["population_estimated"] = towns.population_estimated.fillna(False).astype(bool)
    columns = {
        "town": "镇街",
        "population": "人口",
        "population_estimated": "人口为估算",
        "activities": "活动场次",
        "participants": "参与人次",
        "funding": "经费（元）",
        "participants_per_1000": "每千人参与人次",
    }
    return towns[list(columns)].rename(columns=columns)


def _notes(book: Workbook, styles: _Styles, e: Evaluation) -> None:
    sheet = book.add_worksheet("说明")
    row = 0
    for heading, items in (
        ("未能评估的事项", final.unmeasured(e) or ["无。各项目标、各项任务均有数据可供评估。"]),
        ("数据说明", final.caveats(e)),
    ):
        sheet.write_string(row, 0, heading, styles.bold)
        for i, item in enumerate(items, start=1):
            sheet.write_number(row + i, 0, i)
            _cell(sheet, row + i, 1, item, styles, styles.number(COUNT), styles.wrap)
        row += len(items) + 2
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 100)
    _print_setup(sheet)


# --- cells ------------------------------------------------------------------------------------------------------


def _sheet(book: Workbook, styles: _Styles, name: str, frame: pd.DataFrame, wrap: tuple[str, ...] = ()) -> None:
    sheet = book.add_worksheet(name)
    _frame(sheet, styles, frame, 0, wrap)
    for col, header in enumerate(frame.columns):
        sample = [_shown(v) for v in frame[header].head(500).tolist()]
        width = max([_width(str(header)), *map(_width, sample)]) + 2
        sheet.set_column(col, col, min(max(width, 8), 50 if header in wrap else 60))
    sheet.freeze_panes(1, 0)
    _print_setup(sheet, repeat_row=0)
    if len(frame):
        sheet.autofilter(0, 0, len(frame), len(frame.columns) - 1)


def _frame(sheet: Worksheet, styles: _Styles, frame: pd.DataFrame, row: int, wrap: tuple[str, ...] = ()) -> None:
    for col, header in enumerate(frame.columns):
        sheet.write_string(row, col, str(header), styles.header)
        number = styles.number(FORMATS.get(str(header), "#,##0.###"))
        for i, value in enumerate(frame[header].tolist(), start=row + 1):
            _cell(sheet, i, col, value, styles, number, styles.wrap if header in wrap else None)


def _cell(
    sheet: Worksheet,
    row: int,
    col: int,
    value: object,
    styles: _Styles,
    number: Format,
    text_style: Format | None = None,
) -> None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        sheet.write_blank(row, col, None)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否")
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, number)
    elif isinstance(value, list | tuple):
        sheet.write_string(row, col, "、".join(map(str, value)) or "—")
    else:
        text = str(value)
        # A text cell never runs; the quote prefix keeps it text when someone edits it.
        sheet.write_string(row, col, text, styles.quoted if text.startswith(FORMULA_STARTS) else text_style)


def _print_setup(sheet: Worksheet, repeat_row: int | None = None) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    if repeat_row is not None:
        sheet.repeat_rows(repeat_row)


def _shown(value: object) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:,.2f}"
    if isinstance(value, list | tuple):
        return "、".join(map(str, value))
    return "" if value is None else str(value)


def _width(text: str) -> int:
    """Columns a text takes in Excel: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class _Styles:
    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 16})
        self.bold = book.add_format({"bold": True})
        self.header = book.add_format(
            {"bold": True, "bg_color": "#DCE6F2", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.quoted = book.add_format({"quote_prefix": True})
        self._numbers: dict[str, Format] = {}

    def number(self, pattern: str) -> Format:
        if pattern not in self._numbers:
            self._numbers[pattern] = self.book.add_format({"num_format": pattern})
        return self._numbers[pattern]
