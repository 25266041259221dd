"""The 考核结果 workbook: 镇街 and 责任单位 (each unit's rank, score, change on last year and every item's points),
得分依据 (every item of every unit with the figures behind its points) and 评分办法 (the scheme). Written with
xlsxwriter like the other workbooks: text is always a text cell (a reason typed as =… never runs), header rows frozen
and repeated when printed, printed landscape one page wide."""

from __future__ import annotations

import io
import unicodedata

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from kepu.core.assessment_scheme import KINDS, RULES, SIDES
from kepu.figures import assessment, assessment_tables
from kepu.reports.assessment_report import Report, date_text, sample_note
from kepu.reports.spreadsheet import FORMULA_STARTS

POINTS = "0.00"
WRAPPED = {"依据", "计分办法", "评分标准"}


def build(report: Report) -> bytes:
    """The workbook as .xlsx bytes."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    styles = _Styles(book)
    for key in SIDES:
        heading = f"{report.title}结果（{SIDES[key]}）"
        _sheet(book, styles, SIDES[key], assessment_tables.ranking(report.result, key), heading, _subtitle(report, key))
    _sheet(book, styles, "得分依据", bases(report), f"{report.title}得分依据", _subtitle(report))
    _sheet(book, styles, "评分办法", method(report), f"{report.title}评分办法", _subtitle(report))
    book.close()
    return out.getvalue()


def bases(report: Report) -> pd.DataFrame:
    """Every item of every unit: 类别, 单位, 排名, 总分, 编号, 评分项, 类型, 得分, 分值, 依据."""
    rows = [
        {
            "类别": SIDES[key],
            "单位": u["unit"],
            "排名": u["rank"],
            "总分": u["score"],
            "编号": i["item"],
            "评分项": i["name"],
            "类型": KINDS[i["kind"]],
            "得分": i["points"],
            "分值": i["max"],
            "依据": i["basis"],
        }
        for key in SIDES
        for u in assessment.units_of(report.result, key)
        for i in u["items"]
    ]
    return pd.DataFrame(
        rows, columns=["类别", "单位", "排名", "总分", "编号", "评分项", "类型", "得分", "分值", "依据"]
    )


def method(report: Report) -> pd.DataFrame:
    """The scheme: 类别, 编号, 评分项, 类型, 分值, 计分办法, 评分标准 (from the first unit of each side)."""
    rows = []
    for key in SIDES:
        units = assessment.units_of(report.result, key)
        for i in units[0]["items"] if units else []:
            rule = RULES[i["rule"]] if i["rule"] else None
            rows.append(
                {
                    "类别": SIDES[key],
                    "编号": i["item"],
                    "评分项": i["name"],
                    "类型": KINDS[i["kind"]],
                    "分值": i["max"],
                    "计分办法": f"{rule.label}：{rule.method}" if rule else "由管理员对照评分标准评定，并写明理由",
                    "评分标准": i["note"],
                }
            )
    return pd.DataFrame(rows, columns=["类别", "编号", "评分项", "类型", "分值", "计分办法", "评分标准"])


def _subtitle(report: Report, key: str | None = None) -> str:
    parts = [f"统计截至{date_text(report.issued)}"]
    if key:
        parts.append(f"满分{report.result['totals'][key]:g}分，另有加分、扣分项；得分相同的并列")
    parts.append(sample_note(report))
    return "。".join(p for p in parts if p)


def _sheet(book: Workbook, styles: _Styles, name: str, frame: pd.DataFrame, heading: str, subtitle: str) -> Worksheet:
    sheet = book.add_worksheet(name)
    sheet.write_string(0, 0, heading, styles.title)
    sheet.write_string(1, 0, subtitle, styles.note)
    top = 3
    for col, header in enumerate(frame.columns):
        sheet.write_string(top, col, str(header), styles.header)
    for col, header in enumerate(frame.columns):
        values = frame[header].tolist()
        for row, value in enumerate(values, start=top + 1):
            _cell(sheet, row, col, value, styles, wrap=str(header) in WRAPPED)
        width = max([_width(str(header)), *(_width(_shown(v)) for v in values[:500])]) + 2
        sheet.set_column(col, col, 60 if str(header) in WRAPPED else min(max(width, 6), 40))
    sheet.freeze_panes(top + 1, 2)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(top)
    if len(frame):
        sheet.autofilter(top, 0, top + len(frame), len(frame.columns) - 1)
    return sheet


def _cell(sheet: Worksheet, row: int, col: int, value: object, styles: _Styles, wrap: bool) -> None:
    if value is None or (isinstance(value, float) and value != value):
        sheet.write_blank(row, col, None)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        sheet.write_number(row, col, value, styles.points if isinstance(value, float) else None)
    else:
        text = str(value)
        style = styles.quoted if text.startswith(FORMULA_STARTS) else styles.wrap if wrap else None
        sheet.write_string(row, col, text, style)


def _shown(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else "" if value is None else str(value)


def _width(text: str) -> int:
    """Columns a text takes in Excel: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class _Styles:
    def __init__(self, book: Workbook) -> None:
        self.title = book.add_format({"bold": True, "font_size": 16})
        self.note = book.add_format({"italic": True, "font_color": "#595959"})
        self.header = book.add_format(
            {"bold": True, "bg_color": "#DCE6F2", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.points = book.add_format({"num_format": POINTS})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.quoted = book.add_format({"quote_prefix": True, "text_wrap": True})
