"""The Excel workbook of a view, and CSV downloads. Text a clerk typed (an activity's title, a note) may start
with = + - @; a spreadsheet would run it as a formula, so it is always written as text."""

from __future__ import annotations

import io
import math
import unicodedata

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from kepu.core import fmt, words
from kepu.core.glossary import UNSPECIFIED
from kepu.core.standing import StandingJSON, share_of_expected
from kepu.figures import brief
from kepu.figures.brief import Brief

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COUNT, MONEY, SHARE, RATIO, DECIMAL = "#,##0", "#,##0.00", '0.0"%"', "0.0%", "#,##0.###"
# Number formats by column header; columns not named here are text (or counts, when numeric).
FORMATS = {
    "场次": COUNT,
    "人次": COUNT,
    "活动场次": COUNT,
    "参与人次": COUNT,
    "人口": COUNT,
    "牵头任务数": COUNT,
    "有报送的任务数": COUNT,
    "经费（元）": MONEY,
    "落实率": SHARE,
    "为平均水平": SHARE,
    "人次/千人": "#,##0.0",
    "目标": DECIMAL,
    "应达": DECIMAL,
    "实际": DECIMAL,
    "按当前进度预计": DECIMAL,
    "差额": DECIMAL,
    "完成率": RATIO,
}


def neutralise(value: object) -> object:
    """Text that a spreadsheet would read as a formula, prefixed with ' so it stays text; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(frame: pd.DataFrame) -> bytes:
    """A table as CSV for Excel: UTF-8 with a BOM (so Excel reads the Chinese), formulas neutralised."""
    safe = frame.rename(columns=neutralise).map(neutralise) if len(frame.columns) else frame
    return safe.to_csv(index=False).encode("utf-8-sig")


def build(b: Brief, sheets: dict[str, pd.DataFrame], records: pd.DataFrame) -> bytes:
    """The workbook of a gathered view (brief.gather): 概要 with the figures and every target's status and
    projection, 人群 and 重点工程, then `sheets` (name → table, in order), 月度, and the matching records
    (tables.records)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    styles = _Styles(book)
    _summary_sheet(book, styles, b)
    _table(book, styles, "人群", _groups(b, "cohort"))
    _table(book, styles, "重点工程", _groups(b, "project"))
    for name, frame in sheets.items():
        _table(book, styles, name, frame)
    months = pd.DataFrame(b["by_month"], columns=["month", "activities", "participants", "funding"])
    _table(book, styles, "月度", months.set_axis(["月份", "场次", "人次", "经费（元）"], axis=1))
    shown = len(records)
    note = (
        None
        if shown == b["record_count"]
        else f"共 {b['record_count']:,} 条记录，本表列出前 {shown:,} 条；"
        "其余请按镇街、责任单位或年份缩小范围后分别导出。"
    )
    _table(book, styles, "活动记录", records, note)
    book.close()
    return out.getvalue()


def target_rows(b: Brief) -> pd.DataFrame:
    """Every target of the view: its figures, status and projection (the 概要 sheet's table)."""
    rows = []
    for s in b["targets"]:
        # Only where the target is judged: a town's actual is no share of the district's target.
        done = share_of_expected(s) if s["status"] else None
        rows.append(
            {
                "指标": s["name"],
                "所属": s["group"] or "全区",
                "单位": s["unit"],
                "依据": words.basis(s),
                "目标": s["target"],
                "应达": s["expected"],
                "实际": s["actual"],
                "完成率": done,
                "状态": words.status(s),
                "按当前进度预计": s["projected"],
                "差额": s["shortfall"],
                "进度研判": words.projection(s) or "—",
                "说明": s["note"] or "",
            }
        )
    return pd.DataFrame(rows)


def _groups(b: Brief, kind: str) -> pd.DataFrame:
    label = "人群" if kind == "cohort" else "重点工程"
    rows = []
    for g, t, standings in brief.group_standings(b, kind):
        each: list[StandingJSON | None] = [*standings] or [None]  # a row a target (an indicator can have two)
        rows += [
            {
                label: g["full_name"],
                "场次": t["activities"],
                "人次": t["participants"],
                "经费（元）": t["funding"],
                "目标指标": s["name"] if s else "未设定数量目标",
                "依据": words.basis(s) if s else "—",
                "目标": s["target"] if s else None,
                "实际": s["actual"] if s else None,
                "状态": words.status(s) if s else "—",
                "进度研判": (words.projection(s) or "—") if s else "—",
            }
            for s in each
        ]
    spare = brief.group_totals(b, kind)[UNSPECIFIED]
    rows.append(
        {
            label: f"{UNSPECIFIED}（记录未注明{label}）",
            "场次": spare["activities"],
            "人次": spare["participants"],
            "经费（元）": spare["funding"],
        }
    )
    return pd.DataFrame(rows)


def _summary_sheet(book: Workbook, styles: _Styles, b: Brief) -> None:
    sheet = book.add_worksheet("概要")
    sheet.write_string(0, 0, brief.title(b), styles.title)
    facts = [
        ("筛选", b["filters"]),
        ("截至", b["as_of"]),
        ("规划期已过", fmt.percent(b["plan_elapsed"])),
        ("活动场次", b["activities"]),
        ("参与人次", b["participants"]),
        ("经费（元）", b["funding"]),
        ("活动记录", b["record_count"]),
        ("最新活动日期", b["latest_activity"] or "尚无活动记录"),
        ("数据说明", words.data_note(b)),
        ("目标依据", words.bases_note(b["targets"]) or "—"),
    ]
    for i, (label, value) in enumerate(facts, start=2):
        sheet.write_string(i, 0, label, styles.header)
        _cell(sheet, i, 1, value, styles.number(FORMATS.get(label, COUNT)), styles)
    top = len(facts) + 3
    sheet.write_string(top, 0, "各项目标", styles.bold)
    frame = target_rows(b)
    _write_frame(sheet, styles, frame, top + 1)
    _widths(sheet, frame, first_width=max(_width("规划期已过"), 12))
    sheet.freeze_panes(1, 0)
    _print_setup(sheet)


def _table(book: Workbook, styles: _Styles, name: str, frame: pd.DataFrame, note: str | None = None) -> None:
    sheet = book.add_worksheet(name)
    first = 0
    if note:
        sheet.write_string(0, 0, note, styles.bold)
        first = 1
    _write_frame(sheet, styles, frame, first)
    _widths(sheet, frame)
    sheet.freeze_panes(first + 1, 1 if len(frame.columns) > 4 else 0)
    _print_setup(sheet, repeat_row=first)
    if len(frame):
        sheet.autofilter(first, 0, first + len(frame), len(frame.columns) - 1)


def _print_setup(sheet: Worksheet, repeat_row: int | None = None) -> None:
    """Printed landscape, one page wide, the header row repeated on every page."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    if repeat_row is not None:
        sheet.repeat_rows(repeat_row)


def _write_frame(sheet: Worksheet, styles: _Styles, frame: pd.DataFrame, row: int) -> None:
    for col, header in enumerate(frame.columns):
        sheet.write_string(row, col, str(header), styles.header)
    for col, header in enumerate(frame.columns):
        style = styles.number(FORMATS.get(header, COUNT))
        for i, value in enumerate(frame[header].tolist(), start=row + 1):
            _cell(sheet, i, col, value, style, styles)


def _cell(sheet: Worksheet, row: int, col: int, value: object, number_style: Format, styles: _Styles) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        sheet.write_blank(row, col, None)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否")
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, number_style)
    elif isinstance(value, list | tuple):
        sheet.write_string(row, col, "、".join(map(str, value)))
    else:
        text = str(value)
        # Written as a string cell it can never run; the quote prefix keeps it text when someone edits the cell.
        sheet.write_string(row, col, text, styles.quoted if text.startswith(FORMULA_STARTS) else None)


def _widths(sheet: Worksheet, frame: pd.DataFrame, first_width: int | None = None) -> None:
    for col, header in enumerate(frame.columns):
        sample = frame[header].head(500).tolist()
        width = max([_width(str(header)), *(_width(_shown(v)) for v in sample)]) + 2
        if col == 0 and first_width:
            width = max(width, first_width)
        sheet.set_column(col, col, min(max(width, 8), 60))


def _shown(value: object) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
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
        self.quoted = book.add_format({"quote_prefix": True})
        self._numbers: dict[str, Format] = {}

    def number(self, pattern: str) -> Format:
        if pattern not in self._numbers:
            self._numbers[pattern] = self.book.add_format({"num_format": pattern})
        return self._numbers[pattern]
