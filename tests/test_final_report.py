"""The 终期评估报告 (`kepu report --kind final`), opened as a reader opens it (python-docx, openpyxl) and checked
against `kepu summary --json` for the same store, period and date, and against the records themselves (SQL): every
target's name, basis and verdict; each year's figures; the totals; the 未完成 named in the summary; each task's lead
bureaus and what they reported. And the refusal of a period that is not a whole, finished plan."""

import contextlib
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
from apps import start

from kepu import cli
from kepu.core import fmt, words
from kepu.storage import audit, db, store

AS_OF = "2026-03-01"  # the plan 2021–2025 has ended
PLAN = ["--period", "2021-2025"]
STORES = ["tiny", pytest.param("demo", marks=pytest.mark.slow)]
NOT_JUDGED = "未评定"


def _cli(*args: str) -> tuple[int, str, str]:
    """`kepu …` in this process: its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def _summary(path: Path, *args: str) -> dict:
    code, out, err = _cli("summary", "--json", "--db", str(path), "--as-of", AS_OF, *args)
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def made(tiny_path, demo_path, tmp_path_factory):
    """name → (summary JSON, .docx path, .xlsx path, store path), made once per store: the report is logged, so
    each store is a copy of the shared one."""
    cache: dict[str, tuple[dict, Path, Path, Path]] = {}

    def make(name: str) -> tuple[dict, Path, Path, Path]:
        if name not in cache:
            folder = tmp_path_factory.mktemp(f"final-{name}")
            path = Path(shutil.copy(tiny_path if name == "tiny" else demo_path, folder / "store.duckdb"))
            for kind in ("docx", "xlsx"):
                out = folder / f"report.{kind}"
                code, said, err = _cli("report", "--kind", "final", "--db", str(path), "--as-of", AS_OF, "--out",
                                       str(out), *PLAN)  # fmt: skip
                assert code == 0, err
                assert "已生成终期评估报告" in said
            cache[name] = (_summary(path, *PLAN), folder / "report.docx", folder / "report.xlsx", path)
        return cache[name]

    return make


def _texts(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def _table(document, *header: str) -> list[list[str]]:
    """The rows (header first) of the one table whose header starts with `header`."""
    found = [_texts(t) for t in document.tables if tuple(c.text for c in t.rows[0].cells[: len(header)]) == header]
    assert len(found) == 1, header
    return found[0]


def _tables(document, *header: str) -> list[list[str]]:
    """The body rows of every table whose header starts with `header`, one after another."""
    return [
        row
        for t in document.tables
        if tuple(c.text for c in t.rows[0].cells[: len(header)]) == header
        for row in _texts(t)[1:]
    ]


def _figure(x: float | None, unit: str) -> str:
    """A figure as a table whose row names its unit shows it: counts in full, % to one place, 元 to three."""
    if x is None:
        return "—"
    if unit == "%":
        return f"{x:.1f}"
    if unit == "元":
        return f"{x:.3f}"
    return f"{x:,.0f}"


def _section(document, first: str, last: str) -> str:
    """The text of the paragraphs from heading `first` up to heading `last`."""
    texts = [p.text for p in document.paragraphs]
    return "\n".join(texts[texts.index(first) + 1 : texts.index(last)])


@pytest.mark.parametrize("name", STORES)
def test_every_target_is_named_with_its_basis_and_its_verdict(made, name):
    summary, path, _, _ = made(name)
    document = docx.Document(path)
    rows = _table(document, "序号", "目标（依据）")[1:]
    assert len(rows) == len(summary["targets"]) > 0
    for row, t in zip(rows, summary["targets"], strict=True):
        assert row[1] == f"{t['name']}（{words.basis(t)}）"
        assert row[5] == (t["state"] or NOT_JUDGED)
        assert words.actual(t) in row[3]
        short = t["shortfall"]
        if t["state"] == "未完成" and short is not None and short > 0:
            assert row[4] == (f"{short:.1f}个百分点" if t["unit"] == "%" else fmt.value(short, t["unit"]))
        else:
            assert row[4] == "—"


@pytest.mark.parametrize("name", STORES)
def test_each_year_has_its_figure_and_its_target(made, name):
    summary, path, _, _ = made(name)
    rows = _table(docx.Document(path), "目标", "项目")
    assert rows[0][2:] == [f"{y}年" for y in range(2021, 2026)] + ["规划期"]
    annual = [t for t in summary["targets"] if t["years"]]
    assert annual
    for t in annual:
        mine = {r[1]: r[2:7] for r in rows[1:] if r[0] == f"{t['name']}\n{words.basis(t)}｜{t['unit']}"}
        assert mine["目标"] == [_figure(y["target"], t["unit"]) for y in t["years"]]
        assert mine["实际"] == [_figure(y["actual"], t["unit"]) for y in t["years"]]
        verdicts = ["—" if y["met"] is None else "无数据" if y["actual"] is None else "达到" if y["met"] else "未达到"
                    for y in t["years"]]  # fmt: skip
        assert mine["评定"] == verdicts


@pytest.mark.parametrize("name", STORES)
def test_the_totals_are_those_of_kepu_summary_year_by_year(made, name):
    summary, path, _, store_path = made(name)
    rows = {r[0]: r[1:] for r in _table(docx.Document(path), "年度", "活动场次")[1:]}
    assert rows["合计"] == [f"{summary['activities']:,}", f"{summary['participants']:,}", f"{summary['funding']:,.0f}"]
    for year in range(2021, 2026):
        each = _summary(store_path, "--period", str(year))
        assert rows[f"{year}年"] == [f"{each['activities']:,}", f"{each['participants']:,}", f"{each['funding']:,.0f}"]


@pytest.mark.parametrize("name", STORES)
def test_the_summary_paragraph_names_exactly_the_targets_not_met(made, name):
    summary, path, _, _ = made(name)
    paragraph = next(p.text for p in docx.Document(path).paragraphs if "规划设定的" in p.text)
    states = [t["state"] for t in summary["targets"]]
    assert f"规划设定的{len(states)}项目标" in paragraph
    assert f"完成{states.count('完成')}项，未完成{states.count('未完成')}项" in paragraph
    named = paragraph.split("未完成的是：")[1].split("。")[0] if "未完成的是：" in paragraph else ""
    for t in summary["targets"]:
        assert (words.labelled(t) in named) == (t["state"] == "未完成"), t["name"]


@pytest.mark.parametrize("name", STORES)
def test_each_task_lists_its_lead_bureaus_and_what_they_reported(made, name, plan):
    summary, path, _, store_path = made(name)
    con = store.connect(store_path, read_only=True)
    try:
        counted = db.query(
            con,
            """SELECT task, bureau, count(*) AS n, sum(participants) AS people FROM activities
               WHERE NOT retracted AND start_date BETWEEN DATE '2021-01-01' AND DATE '2025-12-31'
               GROUP BY ALL""",
        )
    finally:
        con.close()
    reported = {(r.task, r.bureau): (int(r.n), int(r.people)) for r in counted.itertuples()}
    expected = [
        (f"{task.code}　{task.title}", bureau, *reported.get((task.code, bureau), (0, 0)))
        for task in plan.tasks
        for bureau in task.lead_bureaus
    ]
    document = docx.Document(path)
    shown = _tables(document, "任务", "牵头单位", "活动场次", "参与人次", "落实情况")
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in shown] == [
        (task, bureau, f"{n:,}", f"{people:,}", "已报送" if n else "未报送") for task, bureau, n, people in expected
    ]
    groups = {g.name: g.full_name for g in plan.cohorts + plan.projects}
    texts = [p.text for p in document.paragraphs]
    for c in summary["by_cohort"]:
        if c["cohort"] in groups:
            heading = next(i for i, x in enumerate(texts) if x.startswith("（") and x.endswith(groups[c["cohort"]]))
            assert f"共开展活动{fmt.count(c['activities'])}场次" in texts[heading + 1]


def test_what_could_not_be_measured_is_said(made):
    summary, path, _, _ = made("tiny")
    text = _section(docx.Document(path), "六、未能评估的事项", "七、数据说明")
    missing = [(t, y["year"]) for t in summary["targets"] for y in t["years"] if y["actual"] is None]
    assert missing, "the fixture has 人均科普经费 for 2024 only"
    for t, year in missing:
        assert any(words.labelled(t) in line and f"{year}年" in line for line in text.splitlines())
    assert "镇街的人口为估算值" in text
    notes = _section(docx.Document(path), "七、数据说明", "牡丹区科学技术协会")
    assert "最新一条活动记录的日期为" in notes and "各人群之和可大于合计" in notes and "演示数据" not in notes


@pytest.mark.slow
def test_the_demo_report_says_it_is_demo_data(made):
    _, path, _, _ = made("demo")
    document = docx.Document(path)
    assert any("【演示数据】" in p.text for p in document.paragraphs[:5])
    assert "本数据为演示数据" in _section(document, "七、数据说明", "牡丹区科学技术协会")


@pytest.mark.parametrize("name", STORES)
def test_the_workbook_has_the_same_content_as_sheets(made, name):
    summary, _, path, _ = made(name)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["总体", "目标", "逐年", "任务落实", "责任单位", "镇街", "说明"]
    facts = {r[0]: r[1] for r in book["总体"].iter_rows(min_row=3, max_row=14, values_only=True)}
    assert (facts["活动场次"], facts["参与人次"]) == (summary["activities"], summary["participants"])
    assert facts["经费（元）"] == pytest.approx(summary["funding"])
    states = [t["state"] for t in summary["targets"]]
    assert f"完成{states.count('完成')}项，未完成{states.count('未完成')}项" in facts["目标完成情况"]

    header, *rows = book["目标"].iter_rows(values_only=True)
    targets = [dict(zip(header, r, strict=True)) for r in rows]
    assert len(targets) == len(summary["targets"])
    for row, t in zip(targets, summary["targets"], strict=True):
        assert (row["目标"], row["依据"], row["完成情况"]) == (t["name"], words.basis(t), t["state"] or NOT_JUDGED)
        assert row["目标值"] == pytest.approx(t["target"]) and row["期末实际"] == pytest.approx(t["actual"])

    header, *rows = book["逐年"].iter_rows(values_only=True)
    years = {(r[0], r[1], r[3]): r[4:9] for r in rows}
    for t in (t for t in summary["targets"] if t["years"]):
        assert list(years[(t["name"], words.basis(t), "实际")]) == pytest.approx([y["actual"] for y in t["years"]])
        assert list(years[(t["name"], words.basis(t), "目标")]) == pytest.approx([y["target"] for y in t["years"]])

    header, *rows = book["任务落实"].iter_rows(values_only=True)
    duties = [dict(zip(header, r, strict=True)) for r in rows]
    assert sum(d["活动场次"] for d in duties) <= summary["activities"]
    assert {d["落实情况"] for d in duties} <= {"已报送", "未报送"}
    assert all((d["活动场次"] > 0) == (d["落实情况"] == "已报送") for d in duties)


def test_the_export_is_in_the_audit_log(made):
    _, _, _, path = made("tiny")
    con = store.connect(path, read_only=True)
    try:
        exported = audit.entries(con).query("action == 'export'")
    finally:
        con.close()
    details = [json.loads(d) for d in exported.detail]
    assert sorted(d["format"] for d in details if d.get("report") == "终期评估报告") == ["docx", "xlsx"]
    assert all(d["period"] == "2021-2025" for d in details)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--period", "2024"], "不是完整的规划期。请把期间改为整个规划期 2021-2025"),
        (["--period", "2021-2026"], "不是完整的规划期"),
        (["--period", "2021-2025", "--as-of", "2025-06-30"], "尚未结束，终期评估须在规划期结束后生成"),
    ],
)
def test_a_period_that_is_not_a_whole_finished_plan_is_refused(empty_store, tmp_path, args, said):
    out = tmp_path / "report.docx"
    code, _, err = _cli("report", "--kind", "final", "--db", str(empty_store), "--as-of", AS_OF, "--out", str(out),
                        *args)  # fmt: skip
    assert code == 1 and said in err and "Traceback" not in err
    assert not out.exists()


def test_the_export_menu_offers_the_final_report_only_for_a_finished_plan(demo_path, monkeypatch):
    monkeypatch.setattr("kepu.ui.scaffold.today", lambda: dt.date(2026, 3, 1))
    finished = [b.proto.label for b in start(demo_path, monkeypatch, period="2021-2025").get("download_button")]
    assert "终期评估报告（Word）" in finished and "终期评估报告（Excel）" in finished
    one_year = [b.proto.label for b in start(demo_path, monkeypatch, period="2024").get("download_button")]
    assert not any("终期评估" in label for label in one_year)
    monkeypatch.setattr("kepu.ui.scaffold.today", lambda: dt.date(2025, 6, 30))
    running = [b.proto.label for b in start(demo_path, monkeypatch, period="2021-2025").get("download_button")]
    assert not any("终期评估" in label for label in running)
