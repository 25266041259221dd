"""The Excel reporting templates clerks fill in: activity records and indicator observations.

Each template has the data sheet first (its header as the importer expects it, required columns marked *), then
a sheet of instructions, then a hidden sheet holding the dropdown options, which the data sheet's validations
refer to by range.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kepu.core.glossary import (
    ACTIVITY_COLUMNS,
    ACTIVITY_REQUIRED,
    ACTIVITY_SHEET,
    ACTIVITY_TYPES,
    COHORT_SEPARATORS,
    OBSERVATION_COLUMNS,
    OBSERVATION_REQUIRED,
    OBSERVATION_SHEET,
    OBSERVATIONS,
    OPTIONS_SHEET,
)
from kepu.storage import catalog, db

INSTRUCTIONS_SHEET = "填写说明"
FIRST_ROW, LAST_ROW = 2, 5001  # the rows that get formats and dropdowns

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_MARK = "*"

# A dropdown either refuses other input ("stop"), asks before keeping it ("warning": the importer also knows
# short names and aliases), or says nothing (None: a cell may hold several values, or a task's bare code).
STOP, WARNING = "stop", "warning"
_ALIAS_ERROR = "不在下拉列表中。简称或别名（如“沙土”“科协”）导入时也能识别；否则请从列表中选择。"

DATE_FORMAT, INTEGER_FORMAT, MONEY_FORMAT, TEXT_FORMAT = "yyyy-mm-dd", "0", "0.00", "@"
WIDE_COLUMNS = {"活动名称": 36, "备注": 30, "来源": 30}
MAX_WIDTH = 48


@dataclass(frozen=True)
class Dropdown:
    """The options offered in one column of a data sheet, and how strictly they are enforced."""

    column: str
    options: Sequence[str]
    error_style: str | None
    prompt: str | None = None
    error: str | None = None


def activity_template(con: db.Connection) -> bytes:
    """The activity-record template (.xlsx) for the plan running today, as file contents."""
    plan = _current_plan(con)
    dropdowns = _activity_dropdowns(con, plan.id)
    # 活动编号 as text, so a bureau's 001 keeps its zeros instead of becoming the number 1.
    formats = {
        "活动编号": TEXT_FORMAT,
        "开始日期": DATE_FORMAT,
        "结束日期": DATE_FORMAT,
        "参与人次": INTEGER_FORMAT,
        "经费（元）": MONEY_FORMAT,
    }
    book = _data_book(ACTIVITY_SHEET, ACTIVITY_COLUMNS, ACTIVITY_REQUIRED, formats, dropdowns)
    _activity_number_checks(book[ACTIVITY_SHEET])
    _write_instructions(
        book,
        f"活动记录填报说明（{plan.name}，{plan.start_year}—{plan.end_year}年）",
        _activity_column_notes(_example_task(catalog.tasks(con, plan.id))),
        ACTIVITY_REQUIRED,
        _activity_rules(plan),
    )
    return _to_bytes(book)


def observation_template(con: db.Connection) -> bytes:
    """The indicator-observation template (.xlsx): survey rates and science funding by year and town."""
    dropdowns = [
        Dropdown("指标", list(OBSERVATIONS.values()), STOP, error="请从下拉列表中选择指标。"),
        Dropdown("镇街", _town_names(con), WARNING, prompt="全区数据（如抽样调查比例）选“全区”", error=_ALIAS_ERROR),
    ]
    formats = {"年份": INTEGER_FORMAT}
    book = _data_book(OBSERVATION_SHEET, OBSERVATION_COLUMNS, OBSERVATION_REQUIRED, formats, dropdowns)
    _write_instructions(
        book, "指标数据填报说明", _observation_column_notes(), OBSERVATION_REQUIRED, _observation_rules()
    )
    return _to_bytes(book)


def task_label(code: str, title: str) -> str:
    """A task as offered in the dropdown: its code, a space, its title (Y5 加大培训力度，…)."""
    return f"{code} {title}"


# --- what goes into the templates ------------------------------------------------------------------------------


def _current_plan(con: db.Connection) -> catalog.PlanInfo:
    """The plan running today; once every plan has ended, the latest (whose headings work goes on under, and which
    rows dated today are checked against: vocabulary.Vocabularies)."""
    return catalog.plan_for(con, catalog.default_period(con, dt.date.today()))


def _example_task(tasks: pd.DataFrame) -> str:
    """A task code to show as an example of writing the code alone: the first cohort's last task (Y5)."""
    return str(tasks[tasks.group_name == tasks.group_name.iloc[0]].code.iloc[-1]) if len(tasks) else "Y5"


def _town_names(con: db.Connection) -> list[str]:
    return catalog.towns(con).name.tolist()


def _activity_dropdowns(con: db.Connection, plan_id: str) -> list[Dropdown]:
    groups = catalog.groups(con, plan_id)
    tasks = catalog.tasks(con, plan_id)
    separators = " ".join(COHORT_SEPARATORS)
    campaigns = catalog.campaigns(con, plan_id).name.tolist()
    dropdowns = [
        Dropdown("镇街", _town_names(con), WARNING, prompt="面向全区的活动选“全区”", error=_ALIAS_ERROR),
        Dropdown("责任单位", catalog.bureaus(con), WARNING, error=_ALIAS_ERROR),
        Dropdown(
            "人群",
            groups[groups.kind == "cohort"].name.tolist(),
            None,
            prompt=f"可填多个人群，用“、”分隔（也可用 {separators}），如：青少年、农民",
        ),
        Dropdown(
            "重点工程",
            groups[groups.kind == "project"].name.tolist(),
            WARNING,  # a row dated in another plan's years names that plan's projects
            error="不在本规划的重点工程中。补报其他规划期内的活动时可写该规划的重点工程；否则请从列表中选择，或留空。",
        ),
        Dropdown(
            "任务编号",
            [task_label(c, t) for c, t in zip(tasks.code, tasks.title, strict=True)],
            None,
            prompt=f"可从列表选择，也可只填编号，如 {_example_task(tasks)}",
        ),
        Dropdown("活动类型", list(ACTIVITY_TYPES), STOP, error="请从下拉列表中选择活动类型。"),
    ]
    if campaigns:  # a plan without campaigns leaves the column free (and the importer refuses any value)
        dropdowns.append(
            Dropdown(
                "活动主题",
                campaigns,
                WARNING,  # short names (科普日, 三下乡) are known to the importer too
                prompt="属于全国科普日、科技活动周等主题活动的，从列表选择；其他活动留空",
                error="不在活动主题列表中。简称（如“科普日”“三下乡”）导入时也能识别；否则请从列表中选择，或留空。",
            )
        )
    return dropdowns


def _activity_column_notes(example_task: str) -> dict[str, str]:
    separators = " ".join(COHORT_SEPARATORS)
    return {
        "活动编号": "本单位自己的活动编号，可不填。再次导入时据此识别已导入的活动：同一责任单位的同一活动编号"
        "不会重复计入。",
        "活动名称": "活动的名称，如“2024年科技辅导员培训班”。",
        "开始日期": "活动开始的日期；活动按开始日期计入年度。",
        "结束日期": "多日活动的结束日期；一天内结束的活动可不填。",
        "镇街": "活动所在的镇街，可写全称或省去“镇”“街道”（沙土 → 沙土镇）；面向全区的活动写“全区”。",
        "责任单位": "组织活动的单位，可写简称或别名（科协 → 区科协）；镇街自己组织的，选该镇街的人民政府或街道办事处。",
        "人群": f"活动面向的人群，可填多个，用 {separators} 中任一符号分隔（如“青少年、农民”）；可不填。",
        "重点工程": "活动所属的重点工程，可不填。",
        "任务编号": f"活动落实的规划任务：可从列表选择（编号加任务名称），也可只写编号（如 {example_task}）；可不填。",
        "活动类型": f"从列表中选择：{'、'.join(ACTIVITY_TYPES)}。",
        "参与人次": "参加活动的人次，整数，不小于 0。",
        "经费（元）": "活动经费，单位为元，不小于 0，可保留两位小数；可不填。",
        "活动主题": "活动所属的全国性主题活动（如全国科普日、科技活动周），可写简称（科普日、三下乡）；"
        "不属于任何主题的留空。日期不在该主题当年的时间内的，照常导入，导入结果中会提示核对。",
        "备注": "其他需要说明的情况，可不填。",
    }


def _activity_rules(plan: catalog.PlanInfo) -> list[str]:
    return [
        "带 * 的列必须填写；请勿改动表头。",
        f"人群、重点工程和任务编号按活动开始日期所在的规划检查；下拉列表中是 {plan.period.label()}规划的。"
        "补报其他规划期内的活动时，请写该规划的人群、重点工程和任务编号。",
        "日期可写 2024-05-12、2024/5/12、2024.5.12、2024年5月12日，或直接使用 Excel 日期。",
        "镇街可带或不带“镇”“街道”，“全区”表示面向全区；责任单位可写简称或别名（如 科协 → 区科协）。",
        "镇街自己组织的活动，责任单位选该镇街的人民政府或街道办事处（如 沙土镇人民政府，也可写“沙土镇政府”），"
        "镇街应为该镇街本身。",
        "重复导入的识别：填了活动编号的，同一责任单位的同一活动编号只计一次；没有编号的，开始日期、镇街、责任单位"
        "和活动名称都相同的视为同一活动，不会重复计入。",
        "含公式的单元格请先复制，再“选择性粘贴 → 数值”，否则不能导入。",
        "文件中只要有一行有误，整个文件都不导入；导入时也可以选择只导入无误的行，有误的行改正后再导入。",
        "下拉列表的选项保存在隐藏的“选项”工作表中，请勿修改。",
    ]


def _observation_column_notes() -> dict[str, str]:
    return {
        "指标": f"从列表中选择：{'、'.join(OBSERVATIONS.values())}。",
        "年份": "数据所属的年份，四位数字，如 2024。",
        "镇街": "数据所属的镇街，可写全称或省去“镇”“街道”；全区数据写“全区”。",
        "数值": "公民具备科学素质的比例填百分数的数值（如 15.7 表示 15.7%），通常只填全区；"
        "科普经费填元，按镇街、年份各填一行。",
        "来源": "数据的出处，如“2024年公民科学素质抽样调查”，可不填。",
    }


def _observation_rules() -> list[str]:
    return [
        "带 * 的列必须填写；请勿改动表头。",
        "同一指标、年份和镇街再次填报时，新数值替换原有数值；原有数值保留在历史记录中。",
        "含公式的单元格请先复制，再“选择性粘贴 → 数值”，否则不能导入。",
        "文件中只要有一行有误，整个文件都不导入；导入时也可以选择只导入无误的行。",
    ]


# --- building the workbook -------------------------------------------------------------------------------------


def _data_book(
    sheet_name: str,
    columns: Sequence[str],
    required: Sequence[str],
    formats: dict[str, str],
    dropdowns: Sequence[Dropdown],
) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name
    _write_header(sheet, columns, required)
    _set_widths(sheet, columns, dropdowns)
    _set_formats(sheet, columns, formats)
    ranges = _write_options(book, dropdowns)
    for dropdown in dropdowns:
        _add_dropdown(sheet, _column_letter(columns, dropdown.column), ranges[dropdown.column], dropdown)
    return book


def _write_header(sheet: Worksheet, columns: Sequence[str], required: Sequence[str]) -> None:
    for i, name in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=i, value=_header_text(name, required))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
    sheet.freeze_panes = "A2"


def _set_widths(sheet: Worksheet, columns: Sequence[str], dropdowns: Sequence[Dropdown]) -> None:
    options = {d.column: d.options for d in dropdowns}
    for i, name in enumerate(columns, start=1):
        texts = [name + REQUIRED_MARK, "2024-05-12", *options.get(name, ())]
        width = max(WIDE_COLUMNS.get(name, 0), max(_display_width(t) for t in texts) + 3)
        sheet.column_dimensions[get_column_letter(i)].width = min(width, MAX_WIDTH)


def _set_formats(sheet: Worksheet, columns: Sequence[str], formats: dict[str, str]) -> None:
    for name, number_format in formats.items():
        column = columns.index(name) + 1
        for row in range(FIRST_ROW, LAST_ROW + 1):
            sheet.cell(row=row, column=column).number_format = number_format


def _activity_number_checks(sheet: Worksheet) -> None:
    """Whole participants and money not below zero: Excel refuses 12人 or -3 as it is typed, rather than the
    import refusing the whole file later."""
    for column, kind, message in (
        ("参与人次", "whole", "参与人次应为不小于 0 的整数。"),
        ("经费（元）", "decimal", "经费应为不小于 0 的数，单位为元。"),
    ):
        check = DataValidation(
            type=kind,
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle=STOP,
            error=message,
        )
        sheet.add_data_validation(check)
        check.add(_column_range(_column_letter(ACTIVITY_COLUMNS, column)))


def _write_options(book: Workbook, dropdowns: Sequence[Dropdown]) -> dict[str, str]:
    """Write each dropdown's options as a column of the hidden 选项 sheet; return each column's range reference.

    Validations refer to these ranges because an inline list is limited to 255 characters. A reference is written
    as Excel stores it in the file (选项!$A$2:$A$26), without the leading = its dialog shows.
    """
    sheet = book.create_sheet(OPTIONS_SHEET)
    sheet.sheet_state = "hidden"
    ranges = {}
    for i, dropdown in enumerate(dropdowns, start=1):
        letter = get_column_letter(i)
        sheet.cell(row=1, column=i, value=dropdown.column).font = HEADER_FONT
        for row, option in enumerate(dropdown.options, start=2):
            sheet.cell(row=row, column=i, value=option)
        sheet.column_dimensions[letter].width = min(max(_display_width(o) for o in dropdown.options) + 3, MAX_WIDTH)
        ranges[dropdown.column] = f"{OPTIONS_SHEET}!${letter}$2:${letter}${len(dropdown.options) + 1}"
    return ranges


def _add_dropdown(sheet: Worksheet, letter: str, source: str, dropdown: Dropdown) -> None:
    validation = DataValidation(type="list", formula1=source, allow_blank=True)
    if dropdown.error_style is not None:
        validation.showErrorMessage = True
        validation.errorStyle = dropdown.error_style
        validation.error = dropdown.error
    if dropdown.prompt:
        validation.showInputMessage = True
        validation.prompt = dropdown.prompt
    sheet.add_data_validation(validation)
    validation.add(_column_range(letter))


def _write_instructions(
    book: Workbook, title: str, column_notes: dict[str, str], required: Sequence[str], rules: Sequence[str]
) -> None:
    """Add the 填写说明 sheet right after the data sheet, which stays the one a workbook opens on."""
    sheet = book.create_sheet(INSTRUCTIONS_SHEET, index=1)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 90
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(["列", "说明（带 * 的列必须填写）"])
    for name, note in column_notes.items():
        sheet.append([_header_text(name, required), note])
    sheet.append([])
    sheet.append(["填写要求"])
    for n, rule in enumerate(rules, start=1):
        sheet.append([n, rule])
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = wrap
    for header_row in (3, 3 + len(column_notes) + 2):
        for cell in sheet[header_row]:
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    book.active = 0


def _header_text(name: str, required: Sequence[str]) -> str:
    return name + REQUIRED_MARK if name in required else name


def _column_letter(columns: Sequence[str], name: str) -> str:
    return get_column_letter(columns.index(name) + 1)


def _column_range(letter: str) -> str:
    return f"{letter}{FIRST_ROW}:{letter}{LAST_ROW}"


def _display_width(text: str) -> int:
    """How many narrow characters `text` spans on screen: Chinese characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def _to_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
