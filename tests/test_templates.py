"""The reporting templates: sheets in order, headers with the required mark, the hidden option lists, and the
dropdowns that point at them; the `kepu template` command."""

import io

import pytest
from openpyxl import load_workbook

from kepu import cli
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
)
from kepu.ingest import templates
from kepu.storage import store

ACTIVITY_DROPDOWNS = ("镇街", "责任单位", "人群", "重点工程", "任务编号", "活动类型", "活动主题")


@pytest.fixture(scope="module")
def store_path(tmp_path_factory, plan):
    return store.create_store(tmp_path_factory.mktemp("templates") / "s.duckdb", plans=[plan])


def build(store_path, make) -> bytes:
    con = store.connect(store_path, read_only=True)
    try:
        return make(con)
    finally:
        con.close()


@pytest.fixture(scope="module")
def activity_book(store_path):
    return load_workbook(io.BytesIO(build(store_path, templates.activity_template)))


@pytest.fixture(scope="module")
def observation_book(store_path):
    return load_workbook(io.BytesIO(build(store_path, templates.observation_template)))


def headers(sheet) -> list[str]:
    return [c.value for c in sheet[1]]


def option_lists(book) -> dict[str, list[str]]:
    """The 选项 sheet's columns, by header: the values below it down to the first empty cell."""
    lists = {}
    for column in book["选项"].iter_cols(values_only=True):
        values = list(column[1:])
        lists[column[0]] = values[: values.index(None)] if None in values else values
    return lists


def option_range(book, name: str) -> str:
    """The range on the 选项 sheet that holds the options for column `name`, worked out from the sheet itself."""
    lists = option_lists(book)
    letter = "ABCDEFGHIJ"[list(lists).index(name)]
    return f"选项!${letter}$2:${letter}${len(lists[name]) + 1}"


def list_validation(sheet, columns, name: str):
    letter = "ABCDEFGHIJKLM"[columns.index(name)]
    found = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list" and f"{letter}2" in dv]
    assert len(found) == 1, name
    assert f"{letter}5001" in found[0], name
    return found[0]


def all_text(sheet) -> str:
    return "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)


def test_activity_template_sheets_and_header(activity_book):
    assert activity_book.sheetnames == [ACTIVITY_SHEET, "填写说明", "选项"]
    assert activity_book.active.title == ACTIVITY_SHEET
    assert activity_book["选项"].sheet_state == "hidden"
    sheet = activity_book[ACTIVITY_SHEET]
    assert headers(sheet)[:3] == ["活动编号", "活动名称*", "开始日期*"]
    assert headers(sheet) == [c + "*" if c in ACTIVITY_REQUIRED else c for c in ACTIVITY_COLUMNS]
    assert sum(h.endswith("*") for h in headers(sheet)) == 6
    assert sheet.freeze_panes == "A2"
    assert all(c.font.bold for c in sheet[1])


def test_activity_template_cell_formats(activity_book):
    sheet = activity_book[ACTIVITY_SHEET]
    for row in (2, 5001):
        assert sheet[f"C{row}"].number_format == sheet[f"D{row}"].number_format == "yyyy-mm-dd"  # 开始/结束日期
        assert sheet[f"K{row}"].number_format == "0"  # 参与人次
        assert sheet[f"L{row}"].number_format == "0.00"  # 经费（元）
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width  # 活动名称 is wide


def test_activity_options_come_from_the_store(activity_book, plan):
    lists = option_lists(activity_book)
    assert list(lists) == list(ACTIVITY_DROPDOWNS)
    assert lists["镇街"] == [t.name for t in plan.towns] and len(lists["镇街"]) == 25 and "全区" in lists["镇街"]
    governments = [t.name + ("人民政府" if t.kind == "镇" else "办事处") for t in plan.towns if t.kind != "全区"]
    assert lists["责任单位"] == [b.name for b in plan.bureaus] + governments and len(lists["责任单位"]) == 27 + 24
    assert "沙土镇人民政府" in governments and "东城街道办事处" in governments
    assert lists["人群"] == [g.name for g in plan.cohorts] and len(lists["人群"]) == 5
    assert lists["重点工程"] == [g.name for g in plan.projects] and len(lists["重点工程"]) == 4
    assert len(lists["任务编号"]) == 18
    assert lists["任务编号"][4] == "Y5 加大培训力度，着力提升教师队伍科学素质"
    assert lists["任务编号"] == [f"{t.code} {t.title}" for t in plan.tasks]
    assert lists["活动类型"] == list(ACTIVITY_TYPES) and len(lists["活动类型"]) == 10
    assert lists["活动主题"] == [c.name for c in plan.campaigns] and "全国科普日" in lists["活动主题"]


@pytest.mark.parametrize("name", ACTIVITY_DROPDOWNS)
def test_each_activity_dropdown_points_at_its_options(activity_book, name):
    validation = list_validation(activity_book[ACTIVITY_SHEET], ACTIVITY_COLUMNS, name)
    assert validation.formula1 == option_range(activity_book, name)


def test_cohorts_and_bare_task_codes_are_not_blocked(activity_book):
    sheet = activity_book[ACTIVITY_SHEET]
    cohorts = list_validation(sheet, ACTIVITY_COLUMNS, "人群")
    assert not cohorts.showErrorMessage or cohorts.errorStyle == "information"  # 青少年、农民 must stay possible
    assert "、" in cohorts.prompt
    task = list_validation(sheet, ACTIVITY_COLUMNS, "任务编号")
    assert not task.showErrorMessage or task.errorStyle == "information"  # Y5 alone must stay possible
    activity_type = list_validation(sheet, ACTIVITY_COLUMNS, "活动类型")
    assert activity_type.showErrorMessage and activity_type.errorStyle in (None, "stop")


def test_activity_instructions(activity_book):
    sheet = activity_book["填写说明"]
    columns = headers(activity_book[ACTIVITY_SHEET])
    notes = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0] in columns}
    assert list(notes) == columns  # every column explained, required ones marked *
    assert all(separator in notes["人群"] for separator in COHORT_SEPARATORS)
    assert "Y5" in notes["任务编号"] and "整数" in notes["参与人次*"] and "元" in notes["经费（元）"]
    assert "全区" in notes["镇街*"] and "科协 → 区科协" in notes["责任单位*"]
    assert "人民政府" in notes["责任单位*"] and "科普日" in notes["活动主题"] and "留空" in notes["活动主题"]
    text = all_text(sheet)
    for phrase in (
        "2024-05-12",
        "2024/5/12",
        "2024.5.12",
        "2024年5月12日",
        "同一责任单位的同一活动编号",
        "开始日期、镇街、责任单位和活动名称",
        "选择性粘贴",
        "只导入无误的行",
    ):
        assert phrase in text, phrase


def test_observation_template(observation_book):
    assert observation_book.sheetnames == [OBSERVATION_SHEET, "填写说明", "选项"]
    assert observation_book.active.title == OBSERVATION_SHEET
    assert observation_book["选项"].sheet_state == "hidden"
    sheet = observation_book[OBSERVATION_SHEET]
    assert headers(sheet) == [c + "*" if c in OBSERVATION_REQUIRED else c for c in OBSERVATION_COLUMNS]
    assert headers(sheet) == ["指标*", "年份*", "镇街*", "数值*", "来源"]
    lists = option_lists(observation_book)
    assert lists["指标"] == ["公民具备科学素质的比例（%）", "科普经费（元）"] == list(OBSERVATIONS.values())
    assert len(lists["镇街"]) == 25
    for name in ("指标", "镇街"):
        validation = list_validation(sheet, OBSERVATION_COLUMNS, name)
        assert validation.formula1 == option_range(observation_book, name)
    text = all_text(observation_book["填写说明"])
    for phrase in ("四位数字", "15.7", "全区", "元", "替换", "历史"):
        assert phrase in text, phrase


def test_template_command_writes_either_template(store_path, tmp_path, capsys):
    out = tmp_path / "活动模板.xlsx"
    assert cli.main(["template", "--db", str(store_path), "--out", str(out)]) == 0
    assert f"已生成填报模板 {out}" in capsys.readouterr().out
    assert load_workbook(out).sheetnames[0] == ACTIVITY_SHEET
    out = tmp_path / "指标模板.xlsx"
    assert cli.main(["template", "--observations", "--db", str(store_path), "--out", str(out)]) == 0
    assert load_workbook(out).sheetnames[0] == OBSERVATION_SHEET


def test_template_command_uses_the_default_store(store_path, tmp_path, monkeypatch):
    monkeypatch.setenv("KEPU_DB", str(store_path))
    out = tmp_path / "t.xlsx"
    assert cli.main(["template", "--out", str(out)]) == 0
    assert out.exists()


def test_template_command_refuses_other_file_types(store_path, tmp_path, capsys):
    out = tmp_path / "t.csv"
    assert cli.main(["template", "--db", str(store_path), "--out", str(out)]) == 2
    assert ".xlsx" in capsys.readouterr().err
    assert not out.exists()
