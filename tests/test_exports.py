"""The Excel workbook, the Word briefing and CSV downloads, opened as a user would open them and checked against
`kepu summary` for the same filters (and, for the records, against the fixture file itself)."""

import csv
import io
import json
import shutil
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest
from conftest import fixture_rows, load_fixture

from kepu import cli
from kepu.core import words
from kepu.core.filters import Filters, Period
from kepu.reports import briefing, chart_images, exports, spreadsheet
from kepu.storage import activity_rows, store

AS_OF = "2025-06-30"
VIEWS = [  # (arguments) for both `kepu summary` and `kepu report`
    ["--period", "2024"],
    ["--period", "2021-2025", "--town", "沙土镇", "--town", "吴店镇"],
    ["--period", "2025", "--bureau", "区科协"],
]
NASTY = ['=HYPERLINK("http://example.com","点我")', "+1+1", "-2+3", "@SUM(A1)"]


@pytest.fixture(scope="module")
def demo_copy(demo_path, tmp_path_factory):
    """The demo store in a file of its own: the CLI opens it read-only, and DuckDB refuses that in a process where
    the app's tests already hold the shared demo store open for writing."""
    return Path(shutil.copy(demo_path, tmp_path_factory.mktemp("demo-copy") / "demo.duckdb"))


def _summary(path, args, capsys) -> dict:
    assert cli.main(["summary", "--json", "--db", str(path), "--as-of", AS_OF, *args]) == 0
    return json.loads(capsys.readouterr().out)


def _report(path, args, out, capsys) -> None:
    assert cli.main(["report", "--db", str(path), "--as-of", AS_OF, "--out", str(out), *args]) == 0
    assert "已生成" in capsys.readouterr().out


def _rows(sheet, header_row: int) -> list[dict]:
    values = list(sheet.iter_rows(min_row=header_row, values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:] if any(v is not None for v in row)]


def _summary_facts(sheet) -> dict:
    facts, row = {}, 3
    while sheet.cell(row, 1).value:
        facts[sheet.cell(row, 1).value] = sheet.cell(row, 2).value
        row += 1
    return facts


@pytest.mark.parametrize(
    "args",
    [VIEWS[0], *(pytest.param(v, marks=pytest.mark.slow) for v in VIEWS[1:])],  # one view in the fast tier
)
def test_the_workbook_has_the_figures_of_kepu_summary(demo_copy, tmp_path, capsys, plan, args):
    expected = _summary(demo_copy, args, capsys)
    _report(demo_copy, args, tmp_path / "view.xlsx", capsys)
    book = openpyxl.load_workbook(tmp_path / "view.xlsx")
    assert book.sheetnames == [
        "概要",
        "人群",
        "重点工程",
        "任务",
        "镇街",
        "镇街×人群（人次）",
        "责任单位",
        "分工矩阵（场次）",
        "月度",
        "活动记录",
    ]

    summary_sheet = book["概要"]
    facts = _summary_facts(summary_sheet)
    assert (facts["活动场次"], facts["参与人次"]) == (expected["activities"], expected["participants"])
    assert facts["经费（元）"] == pytest.approx(expected["funding"])
    header = next(r for r in range(1, 40) if summary_sheet.cell(r, 1).value == "指标")
    targets = {r["指标"]: r for r in _rows(summary_sheet, header)}
    assert len(targets) == len(expected["targets"])
    for t in expected["targets"]:
        row = targets[t["name"]]
        assert row["实际"] == pytest.approx(t["actual"]) and row["目标"] == pytest.approx(t["target"])
        assert row["状态"] == (t["status"] or "不评定")
        assert row["进度研判"] == (words.projection(t) or "—")

    full_names = {g.name: g.full_name for g in plan.cohorts}
    cohorts = {r["人群"]: r["人次"] for r in _rows(book["人群"], 1)}
    for c in expected["by_cohort"]:
        if c["cohort"] in full_names:
            assert cohorts[full_names[c["cohort"]]] == c["participants"]
    towns = {r["镇街"]: r["人次"] for r in _rows(book["镇街"], 1)}
    assert towns == {t["town"]: t["participants"] for t in expected["by_town"]}
    records = _rows(book["活动记录"], 1)
    assert len(records) == min(expected["activities"], exports.RECORD_LIMIT)
    assert sum(r["参与人次"] for r in records) == expected["participants"]
    assert book["活动记录"].freeze_panes == "B2" and book["活动记录"].column_dimensions["B"].width > 20
    assert book["活动记录"]["K2"].number_format == spreadsheet.COUNT


def test_the_workbook_lists_the_fixture_records_behind_a_view(tiny_shared, tmp_path, capsys):
    _report(tiny_shared, ["--period", "2024", "--town", "沙土镇"], tmp_path / "t.xlsx", capsys)
    records = _rows(openpyxl.load_workbook(tmp_path / "t.xlsx")["活动记录"], 1)
    expected = [r for r in fixture_rows() if r["start_date"].year == 2024 and r["town"] == "沙土镇"]
    assert sorted(r["活动编号"] for r in records) == sorted(r["ref"] for r in expected)
    assert {r["活动编号"]: r["参与人次"] for r in records} == {r["ref"]: r["participants"] for r in expected}


def test_a_view_with_more_records_than_a_workbook_holds_says_so(tiny_shared, monkeypatch):
    monkeypatch.setattr(exports, "RECORD_LIMIT", 5)
    con = store.connect(tiny_shared, read_only=True)
    try:
        data = exports.workbook(con, Filters(Period(2021, 2025)), pd.Timestamp(AS_OF).date())
    finally:
        con.close()
    sheet = openpyxl.load_workbook(io.BytesIO(data))["活动记录"]
    assert sheet["A1"].value.startswith(f"共 {len(fixture_rows())} 条记录，本表列出前 5 条")
    assert len(_rows(sheet, 2)) == 5


@pytest.fixture(scope="module")
def nasty_path(tmp_path_factory):
    """The fixture store plus records whose title and note a spreadsheet would take for formulas."""

    def fill(con, plans):
        load_fixture(con, plans)
        n, day = len(NASTY), pd.Timestamp("2024-03-01")
        rows = pd.DataFrame(
            {
                "ref": [f"X-{i}" for i in range(n)],
                "title": NASTY,
                "start_date": [day] * n,
                "end_date": [day] * n,
                "town": ["沙土镇"] * n,
                "bureau": ["区科协"] * n,
                "cohorts": [["青少年"]] * n,
                "project": [None] * n,
                "task": [None] * n,
                "activity_type": ["讲座"] * n,
                "participants": [10] * n,
                "funding": [0.0] * n,
                "note": list(reversed(NASTY)),
            }
        )
        rows["start_date"], rows["end_date"] = rows.start_date.dt.date, rows.end_date.dt.date
        activity_rows.append(con, rows)

    return store.create_store(tmp_path_factory.mktemp("nasty") / "nasty.duckdb", fill=fill)


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook(nasty_path, tmp_path, capsys):
    _report(nasty_path, ["--period", "2024"], tmp_path / "n.xlsx", capsys)
    sheet = openpyxl.load_workbook(tmp_path / "n.xlsx")["活动记录"]
    header = [c.value for c in sheet[1]]
    title, note = header.index("活动名称") + 1, header.index("备注") + 1
    cells = {sheet.cell(r, title).value: sheet.cell(r, title) for r in range(2, sheet.max_row + 1)}
    for text in NASTY:
        assert cells[text].data_type == "s"  # a string cell: openpyxl reads a formula as "f"
        assert cells[text].quotePrefix  # and it stays text if someone edits it in Excel
    notes = [sheet.cell(r, note) for r in range(2, sheet.max_row + 1) if sheet.cell(r, note).value in NASTY]
    assert len(notes) == len(NASTY) and all(c.data_type == "s" for c in notes)


def test_text_that_looks_like_a_formula_is_neutralised_in_csv(nasty_path):
    con = store.connect(nasty_path, read_only=True)
    try:
        data = exports.records_csv(con, Filters(Period(2024, 2024), town=("沙土镇",)))
    finally:
        con.close()
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads the Chinese
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    titles = {r["活动名称"] for r in rows}
    for text in NASTY:
        assert "'" + text in titles and text not in titles
    assert all(not r[c].startswith(("=", "+", "-", "@")) for r in rows for c in r)
    assert {r["参与人次"] for r in rows if r["活动编号"].startswith("X-")} == {"10"}  # numbers untouched
    assert spreadsheet.neutralise(-5) == -5 and spreadsheet.neutralise("科普日") == "科普日"


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("args", VIEWS[:2])
@pytest.mark.slow  # charts drawn by Chromium
def test_the_briefing_has_every_section_and_the_figures_of_kepu_summary(demo_copy, tmp_path, capsys, plan, args):
    expected = _summary(demo_copy, args, capsys)
    _report(demo_copy, args, tmp_path / "b.docx", capsys)
    document = docx.Document(tmp_path / "b.docx")
    text = _text(document)
    assert "科学素质行动工作简报" in text and "2025年6月30日" in text
    for heading in briefing.SECTIONS:
        assert heading in [p.text for p in document.paragraphs]
    f = Filters(Period.parse(expected["period"]), town=tuple(expected["towns"]), bureau=tuple(expected["bureaus"]))
    assert f"统计范围：{words.filters(f)}" in text
    assert f"参与{expected['participants'] / 1e4:.3g}万人次" in text or f"参与{expected['participants']:,}人次" in text
    rows = {row.cells[0].text: [c.text for c in row.cells] for table in document.tables for row in table.rows}
    for group in plan.cohorts + plan.projects:
        standing = next((t for t in expected["targets"] if t["group"] == group.name), None)
        assert group.full_name in rows
        if standing:
            assert rows[group.full_name][3] == (standing["status"] or "不评定")
    for t in expected["targets"]:
        if words.projection(t):
            assert words.projection(t) in text
    for town in (t["town"] for t in sorted(expected["by_town"], key=lambda t: t["participants"])[:1]):
        assert town in text or expected["towns"]  # the emptiest town is among the laggards
    assert "演示数据" in text and "估算" in text and "最新一条活动记录的日期" in text
    if shutil.which("chromium"):
        assert len(document.inline_shapes) >= 4  # the charts, drawn by kaleido in Debian's chromium
        assert "图1" in text


def test_a_briefing_without_a_browser_still_comes_and_says_why(tiny_shared, monkeypatch, tmp_path, capsys):
    def no_browser(figs):
        raise chart_images.ChartError("无法生成图表图片：需要本机安装 Chromium 浏览器")

    monkeypatch.setattr(chart_images, "render", no_browser)
    assert cli.main(["report", "--db", str(tiny_shared), "--format", "docx", "--out", str(tmp_path / "b.docx")]) == 0
    assert "未附图表" in capsys.readouterr().err
    document = docx.Document(tmp_path / "b.docx")
    assert "本次未附图表" in _text(document) and len(document.inline_shapes) == 0


def test_report_refuses_what_it_cannot_write(tiny_shared, tmp_path, capsys):
    assert cli.main(["report", "--db", str(tiny_shared), "--out", str(tmp_path / "r.pdf")]) == 2
    assert "--format docx 或 --format xlsx" in capsys.readouterr().err
    assert cli.main(["report", "--db", str(tiny_shared), "--format", "docx", "--out", str(tmp_path / "r.xlsx")]) == 2
    assert "须以 .docx 结尾" in capsys.readouterr().err
    assert cli.main(["report", "--db", str(tiny_shared), "--out", str(tmp_path / "nowhere" / "r.xlsx")]) == 2
    assert "不存在" in capsys.readouterr().err
    assert cli.main(["report", "--db", str(tiny_shared), "--town", "火星镇", "--out", str(tmp_path / "r.xlsx")]) == 2
    assert not (tmp_path / "r.xlsx").exists()


def test_the_records_csv_follows_a_search(tiny_shared):
    con = store.connect(tiny_shared, read_only=True)
    try:
        data = exports.records_csv(con, Filters(Period(2021, 2025)), search="科技")
    finally:
        con.close()
    refs = {r["活动编号"] for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}
    assert refs == {r["ref"] for r in fixture_rows() if any("科技" in r[c] for c in ("title", "ref", "note"))}
    assert refs


@pytest.mark.slow  # charts drawn by Chromium
def test_an_empty_store_still_gives_a_workbook_and_a_briefing(tmp_path, capsys):
    path = store.create_store(tmp_path / "empty.duckdb")
    for args in ([], ["--period", "2024", "--town", "沙土镇"]):
        _report(path, args, tmp_path / "e.xlsx", capsys)
        _report(path, args, tmp_path / "e.docx", capsys)
        assert _summary_facts(openpyxl.load_workbook(tmp_path / "e.xlsx")["概要"])["活动记录"] == 0
        document = docx.Document(tmp_path / "e.docx")
        assert "统计范围内尚无报送的活动记录" in _text(document)
        assert all(h in [p.text for p in document.paragraphs] for h in briefing.SECTIONS)


def test_the_workbook_has_the_pages_matrices(tiny_shared, tmp_path, capsys):
    _report(tiny_shared, ["--period", "2024"], tmp_path / "m.xlsx", capsys)
    book = openpyxl.load_workbook(tmp_path / "m.xlsx")
    rows = [r for r in fixture_rows() if r["start_date"].year == 2024]
    towns = {r["镇街"]: r for r in _rows(book["镇街×人群（人次）"], 1)}
    for town in ("沙土镇", "吴店镇", "全区"):
        for cohort in ("青少年", "农民"):
            expected = sum(r["participants"] for r in rows if r["town"] == town and cohort in r["cohorts"])
            assert towns[town][cohort] == expected, (town, cohort)
    duties = {r["责任单位"]: r for r in _rows(book["分工矩阵（场次）"], 1)}
    assert duties["区科协"]["Y5"] == sum(1 for r in rows if r["bureau"] == "区科协" and r["task"] == "Y5") > 0
    assert duties["区科技局"]["F1"] == "未报送"  # a lead bureau of F1 with nothing in 2024
