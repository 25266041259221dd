"""Reporting in: every tolerant and strict rule on the fixture files in tests/data/import/, batches, duplicates,
undo and restore. Expected figures are worked out here from the rows the tests write themselves."""

import datetime as dt
import json
import random
from pathlib import Path

import openpyxl
import pytest

from kepu import cli
from kepu.core.filters import Filters, Period
from kepu.figures import summary
from kepu.ingest import batches
from kepu.ingest.reading import FileRejected
from kepu.storage import audit, auth, db, store

FILES = Path(__file__).parent / "data" / "import"
TODAY = dt.date(2025, 6, 1)
ADMIN = auth.User("测试员", auth.ADMIN)


@pytest.fixture
def con(empty_store):
    path = empty_store
    connection = store.connect(path)
    yield connection
    connection.close()


def load(con, name, **kwargs):
    actor = kwargs.pop("actor", ADMIN)
    return batches.import_file(con, (FILES / name).read_bytes(), name, actor, today=TODAY, **kwargs)


def live(con):
    """The live activity records, dates as dates."""
    frame = db.query(
        con,
        """SELECT ref, title, start_date, end_date, town, bureau, cohorts, project, task,
                                    activity_type, participants, funding::DOUBLE AS funding, note
                             FROM activities WHERE NOT retracted ORDER BY ref, title""",
    )
    for column in ("start_date", "end_date"):
        frame[column] = frame[column].dt.date
    return frame


@pytest.mark.parametrize("name", ["tolerant_utf8_bom.csv", "tolerant_gb18030.csv"])
def test_a_file_written_as_people_write_is_understood(con, name):
    outcome = load(con, name)
    assert (outcome.committed, outcome.imported, outcome.rejected, outcome.errors) == (True, 7, 0, [])
    rows = live(con).set_index("title")
    assert rows.loc["青少年科技节", "town"] == "沙土镇"  # 沙土 → 沙土镇; the title's spaces trimmed
    assert rows.loc["青少年科技节", "bureau"] == "区科协"  # 科协 → 区科协
    assert rows.loc["青少年科技节", "participants"] == 120  # full-width digits
    assert rows.loc["青少年科技节", "funding"] == 1200.5  # thousands separator
    assert list(rows.loc["青少年科技节", "cohorts"]) == ["青少年", "老年人"]  # 、
    assert rows.loc["科技辅导员培训班", "bureau"] == "区教体局"  # 区教育局 is 区教体局
    assert rows.loc["科技辅导员培训班", "task"] == "Y5"  # a code followed by its title
    assert list(rows.loc["科技辅导员培训班", "cohorts"]) == ["青少年"]  # the task names its cohort
    assert rows.loc["科技辅导员培训班", "end_date"] == rows.loc["科技辅导员培训班", "start_date"]
    assert rows.loc["农民技术培训", "town"] == "东城街道"
    assert list(rows.loc["农民技术培训", "cohorts"]) == ["农民", "青少年"]
    assert rows.loc["农民技术培训", "end_date"] == dt.date(2024, 5, 14)  # 2024年5月14日
    assert rows.loc["智能手机应用讲座", "start_date"] == dt.date(2024, 6, 1)  # full-width date
    assert rows.loc["智能手机应用讲座", "town"] == "皇镇街道"
    assert rows.loc["智能手机应用讲座", "bureau"] == "区卫生健康局"
    assert list(rows.loc["智能手机应用讲座", "cohorts"]) == ["老年人", "产业工人"]  # ；
    assert rows.loc["科普短视频大赛", "start_date"] == dt.date(2024, 9, 1)  # 20240901
    assert rows.loc["科普短视频大赛", "project"] == "科普信息化提升工程"  # without 工程
    assert rows.loc["科普短视频大赛", "funding"] == 5000  # ¥5000
    assert list(rows.loc["科普短视频大赛", "cohorts"]) == ["青少年", "农民"]  # /
    assert rows.loc["青少年科技节", "start_date"] == dt.date(2024, 5, 12)  # 2024/5/12
    assert rows.loc["科技辅导员培训班", "start_date"] == dt.date(2024, 5, 12)  # 2024.5.12


def test_excel_cells_dates_serials_numbers_and_a_title_line(con):
    outcome = load(con, "tolerant.xlsx")
    assert (outcome.imported, outcome.errors) == (3, [])
    rows = live(con).set_index("ref")
    assert rows.loc["X-1", "start_date"] == dt.date(2024, 5, 20) and rows.loc["X-1", "end_date"] == dt.date(2024, 5, 26)
    assert rows.loc["X-2", "start_date"] == dt.date(2024, 6, 1)  # the serial number 45444
    assert rows.loc["1003", "town"] == "大黄集镇"  # a number typed as 活动编号 stays 1003, not 1003.0


def test_text_that_looks_like_code_is_kept_as_text(con):
    load(con, "tolerant_utf8_bom.csv")
    titles = set(live(con).title)
    assert "<script>alert(1)</script>" in titles
    assert '=HYPERLINK("http://example.com","点我")' in titles


# Row number → (column, a phrase of the reason): one fault a row, as tests/data/import/make_fixtures.py writes them.
STRICT = {
    2: ("镇街", "未知的镇街"),
    3: ("责任单位", "未知的责任单位"),
    4: ("人群", "未知的人群“儿童”"),
    5: ("重点工程", "未知的重点工程"),
    6: ("任务编号", "未知的任务编号"),
    7: ("活动类型", "未知的活动类型"),
    8: ("活动名称", "必填项为空"),
    9: ("开始日期", "必填项为空"),
    10: ("镇街", "必填项为空"),
    11: ("责任单位", "必填项为空"),
    12: ("活动类型", "必填项为空"),
    13: ("参与人次", "必填项为空"),
    14: ("参与人次", "不能为负数"),
    15: ("参与人次", "应为整数"),
    16: ("参与人次", "不是数字"),
    17: ("经费（元）", "不能为负数"),
    18: ("结束日期", "早于开始日期"),
    19: ("开始日期", "早于 2000-01-01"),
    20: ("开始日期", "晚于一年以后"),
    21: ("任务编号", "属于“青少年”"),
    22: ("任务编号", "属于“科技资源科普化工程”"),
    23: ("开始日期", "日期不存在"),
    24: ("活动名称", "内容过长"),
    25: ("备注", "内容过长"),
    26: ("开始日期", "日期不存在"),
    27: ("经费（元）", "不是数字"),
}


def test_every_strict_rule_rejects_its_row_and_nothing_is_committed(con):
    outcome = load(con, "strict.csv")
    found = {e.row: (e.column, e.reason) for e in outcome.errors}
    assert set(found) == set(STRICT), "rows 28 and 29 are valid"
    for row, (column, phrase) in STRICT.items():
        assert found[row][0] == column and phrase in found[row][1], (row, found[row])
    assert len(outcome.errors) == len(STRICT)  # one fault a row, one error a row
    assert not outcome.committed and outcome.batch is None
    assert db.scalar(con, "SELECT count(*) FROM activities") == 0
    assert db.scalar(con, "SELECT count(*) FROM batches") == 0


def test_a_gb18030_file_reports_its_errors_in_chinese(con):
    outcome = load(con, "strict_gb18030.csv")
    assert [(e.row, e.column, e.value) for e in outcome.errors] == [
        (2, "镇街", "火星镇"),
        (3, "责任单位", "区宇航局"),
        (4, "人群", "儿童"),
    ]


def test_only_the_valid_rows_when_asked_and_it_is_logged(con):
    outcome = load(con, "strict.csv", valid_only=True)
    assert outcome.committed and outcome.imported == 2 and outcome.rejected == len(STRICT)
    assert sorted(live(con).ref) == ["S-27", "S-28"]
    log = audit.entries(con)
    assert log.action.tolist()[0] == "import.valid_only"
    assert json.loads(log.detail[0])["rejected"] == len(STRICT)


def test_a_formula_where_a_value_belongs_is_refused(con):
    outcome = load(con, "formula.xlsx")
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "参与人次")]
    assert "公式" in outcome.errors[0].reason
    # the row whose title only looks like a formula (a text cell) is fine
    load(con, "formula.xlsx", valid_only=True)
    assert live(con).title.tolist() == ["=正常标题"]


@pytest.mark.parametrize(
    "name, phrase",
    [
        ("missing_column.csv", "缺少必填列“参与人次”"),
        ("duplicate_column.csv", "列“镇街”出现了两次"),
        ("header_only.csv", "没有数据行"),
        ("empty.csv", "文件是空的"),
        ("not_a_workbook.xlsx", "无法读取这个 Excel 文件"),
        ("no_header.csv", "找不到表头"),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_whole(con, name, phrase):
    with pytest.raises(FileRejected, match=phrase):
        load(con, name)
    assert db.scalar(con, "SELECT count(*) FROM batches") == 0


def test_an_unsupported_file_type_is_refused(con):
    with pytest.raises(FileRejected, match="不支持的文件类型"):
        batches.import_file(con, b"%PDF-1.4", "report.pdf", ADMIN, today=TODAY)


def test_reimporting_a_file_changes_nothing(con):
    first = load(con, "tolerant_utf8_bom.csv")
    before = live(con)
    again = load(con, "tolerant_utf8_bom.csv")
    assert (again.imported, again.duplicates) == (0, first.imported)
    assert live(con).equals(before)
    same_rows_other_encoding = load(con, "tolerant_gb18030.csv")
    assert same_rows_other_encoding.imported == 0


def test_a_file_repeating_a_row_counts_it_once(con, tmp_path):
    header = "活动编号,活动名称,开始日期,镇街,责任单位,活动类型,参与人次\n"
    body = "A-1,讲座,2024-05-01,沙土镇,区科协,讲座,10\nA-1,讲座,2024-05-01,沙土镇,区科协,讲座,10\n"
    body += ",无编号讲座,2024-05-02,沙土镇,区科协,讲座,5\n,无编号讲座,2024-05-02,沙土,科协,讲座,5\n"
    outcome = batches.import_file(con, (header + body).encode(), "repeat.csv", ADMIN, today=TODAY)
    assert (outcome.imported, outcome.duplicates, outcome.duplicate_rows) == (2, 2, [3, 5])


def test_the_same_number_from_another_bureau_is_another_activity(con):
    header = "活动编号,活动名称,开始日期,镇街,责任单位,活动类型,参与人次\n"
    rows = "A-1,讲座,2024-05-01,沙土镇,区科协,讲座,10\nA-1,讲座,2024-05-01,沙土镇,区科技局,讲座,10\n"
    assert batches.import_file(con, (header + rows).encode(), "two.csv", ADMIN, today=TODAY).imported == 2


def figures(con, year=2024):
    f = Filters(Period(year, year))
    return summary.summary(con, f, TODAY)


def test_undo_then_restore_gives_back_the_same_figures(con):
    empty = figures(con)
    outcome = load(con, "tolerant.xlsx")
    loaded = figures(con)
    assert loaded["participants"] == 1500 + 55 + 12
    message = batches.undo(con, outcome.batch, ADMIN)
    assert "已撤销" in message
    assert figures(con) == empty
    assert db.scalar(con, "SELECT count(*) FROM activities WHERE retracted") == 3  # kept for audit
    with pytest.raises(batches.BatchError, match="已于"):
        batches.undo(con, outcome.batch, ADMIN)
    batches.restore(con, outcome.batch, ADMIN)
    assert figures(con) == loaded
    with pytest.raises(batches.BatchError, match="没有被撤销"):
        batches.restore(con, outcome.batch, ADMIN)


def test_restoring_does_not_double_what_was_imported_meanwhile(con):
    first = load(con, "tolerant.xlsx")
    batches.undo(con, first.batch, ADMIN)
    second = load(con, "tolerant.xlsx")  # the same rows again, as a new batch
    assert second.imported == 3
    message = batches.restore(con, first.batch, ADMIN)
    assert "3 行此后已由其他批次导入" in message
    assert figures(con)["participants"] == 1500 + 55 + 12


def test_only_the_owner_or_an_administrator_may_undo(con):
    outcome = load(con, "tolerant.xlsx")
    with pytest.raises(batches.BatchError, match="只能撤销自己"):
        batches.undo(con, outcome.batch, auth.User("别人", auth.REPORTER, bureau="区科协"))
    with pytest.raises(batches.BatchError, match="没有编号为 999"):
        batches.undo(con, 999, ADMIN)


def test_a_clerk_may_report_only_for_their_own_bureau(con):
    outcome = load(con, "tolerant_utf8_bom.csv", actor=auth.User("kx", auth.REPORTER, bureau="区科协"))
    assert outcome.errors and all(e.reason.startswith("您的账户只能报送") for e in outcome.errors)
    assert {e.row for e in outcome.errors} == {3, 4, 6, 7}  # the rows of other bureaus (row 5 is empty)


def test_a_dry_run_writes_nothing(con):
    outcome = load(con, "tolerant_utf8_bom.csv", dry_run=True)
    assert outcome.imported == 7 and not outcome.committed
    assert db.scalar(con, "SELECT count(*) FROM activities") == 0


def test_an_import_shows_at_once_on_the_dashboard(con):
    version = store.get_meta(con, "data_version")
    load(con, "tolerant.xlsx")
    assert store.get_meta(con, "data_version") != version


def current_funding(con) -> dict:
    return dict(db.rows(con, "SELECT town, value FROM current_observations WHERE series = 'science_funding'"))


def test_observations_replace_earlier_values_and_keep_them(con):
    first = load(con, "observations.csv")
    assert (first.kind, first.imported) == ("observations", 3)
    newer = "指标,年份,镇街,数值\n科普经费（元）,2025,沙土镇,150000\n"
    second = batches.import_file(con, newer.encode(), "newer.csv", ADMIN, today=TODAY)
    assert (second.imported, second.replaced) == (1, 1)
    assert current_funding(con) == {"沙土镇": 150000, "吴店镇": 30000}
    history = db.rows(con, "SELECT value, batch FROM observations WHERE town = '沙土镇' AND NOT retracted")
    assert sorted(history) == [(120000.0, first.batch), (150000.0, second.batch)]  # the old value is kept
    batches.undo(con, second.batch, ADMIN)
    assert current_funding(con) == {"沙土镇": 120000, "吴店镇": 30000}
    batches.restore(con, second.batch, ADMIN)
    assert current_funding(con)["沙土镇"] == 150000
    assert load(con, "observations.xlsx").duplicates == 2  # unchanged values are not replaced


def test_observation_rules(con):
    outcome = load(con, "observations_strict.csv")
    assert [(e.row, e.column) for e in outcome.errors] == [
        (2, "指标"),
        (3, "年份"),
        (4, "数值"),
        (5, "数值"),
        (7, "指标"),
    ]
    assert "与第 6 行" in outcome.errors[-1].reason  # 吴店 is 吴店镇: the same key twice


def write_rows(path: Path, rows: list[dict]) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "活动记录"
    ws.append(
        ["活动编号", "活动名称*", "开始日期*", "镇街*", "责任单位*", "人群", "活动类型*", "参与人次*", "经费（元）"]
    )
    for r in rows:
        ws.append(
            [r["ref"], r["title"], r["start"], r["town"], r["bureau"], r["cohort"], r["type"], r["people"], r["money"]]
        )
    book.save(path)


def test_kepu_summary_after_an_import_equals_the_files_totals(empty_store, tmp_path, capsys):
    rng = random.Random(7)
    towns = ["沙土镇", "吴店镇", "东城街道", "全区"]
    rows = [
        {
            "ref": f"R-{i}",
            "title": f"活动{i}",
            "start": dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(700)),
            "town": rng.choice(towns),
            "bureau": rng.choice(["区科协", "区科技局"]),
            "cohort": rng.choice(["青少年", "农民", "青少年、老年人", None]),
            "type": "讲座",
            "people": rng.randrange(0, 500),
            "money": rng.randrange(0, 10000),
        }
        for i in range(300)
    ]
    path = tmp_path / "报送.xlsx"
    write_rows(path, rows)
    db_path = empty_store
    assert cli.main(["import", str(path), "--json", "--db", str(db_path)]) == 0
    reported = json.loads(capsys.readouterr().out)
    assert (reported["imported"], reported["rejected"], reported["duplicates"]) == (300, 0, 0)
    assert cli.main(["summary", "--json", "--db", str(db_path), "--period", "2024", "--town", "沙土镇"]) == 0
    result = json.loads(capsys.readouterr().out)
    mine = [r for r in rows if r["start"].year == 2024 and r["town"] == "沙土镇"]
    assert result["activities"] == len(mine)
    assert result["participants"] == sum(r["people"] for r in mine)
    assert result["funding"] == sum(r["money"] for r in mine)
    youth = next(c for c in result["by_cohort"] if c["cohort"] == "青少年")
    assert youth["participants"] == sum(r["people"] for r in mine if r["cohort"] and "青少年" in r["cohort"])


def test_the_cli_import_exit_codes(empty_store, tmp_path, capsys):
    db_path = empty_store
    assert cli.main(["import", str(FILES / "strict.csv"), "--db", str(db_path)]) == 1
    out = capsys.readouterr().out
    assert "第 2 行 · 镇街 · “火星镇”" in out and "未导入任何数据" in out
    assert cli.main(["import", str(FILES / "strict.csv"), "--json", "--db", str(db_path)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == 0 and report["batch"] is None and len(report["errors"]) == len(STRICT)
    assert set(report["errors"][0]) == {"row", "column", "value", "reason"}
    assert cli.main(["import", str(FILES / "strict.csv"), "--valid-only", "--db", str(db_path)]) == 0
    assert cli.main(["import", str(FILES / "missing_column.csv"), "--db", str(db_path)]) == 1
    assert "缺少必填列" in capsys.readouterr().err
    assert cli.main(["import", str(tmp_path / "nowhere.xlsx"), "--db", str(db_path)]) == 2
    assert cli.main(["import", str(FILES / "tolerant.xlsx"), "--dry-run", "--db", str(db_path)]) == 0
    assert cli.main(["batches", "--json", "--db", str(db_path)]) == 0
    listed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [b["imported"] for b in listed] == [2]
    assert cli.main(["undo", str(listed[0]["id"]), "--db", str(db_path)]) == 0
    assert cli.main(["undo", str(listed[0]["id"]), "--db", str(db_path)]) == 1
    assert cli.main(["restore", str(listed[0]["id"]), "--db", str(db_path)]) == 0


@pytest.mark.duckdb_only  # a process holding a DuckDB file; nobody holds a PostgreSQL database
def test_the_cli_says_clearly_when_the_dashboard_holds_the_store(empty_store, capsys):
    import subprocess
    import sys

    db_path = empty_store
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db_path)!r}); print('ready', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert cli.main(["import", str(FILES / "tolerant.xlsx"), "--db", str(db_path)]) == 1
        err = capsys.readouterr().err
        assert "正被另一个程序" in err and "数据填报" in err and "Traceback" not in err
    finally:
        holder.kill()
        holder.wait()
