"""The plan's life: two plans of different shapes side by side (data/plan-2021-2025.yaml and the fixture
tests/data/plans/plan-2026-2030.yaml, which has six cohorts, three projects and other task codes), records checked
against the plan their date falls in, and the years outside every plan."""

import dataclasses
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from apps import start, url_paths
from openpyxl import load_workbook
from test_templates import list_validation, option_lists

from kepu import cli
from kepu.core.filters import Period
from kepu.core.glossary import ACTIVITY_COLUMNS, ACTIVITY_SHEET
from kepu.core.plan import load_plan
from kepu.ingest import batches, templates
from kepu.storage import auth, catalog, db, store

LATER_PLAN = Path(__file__).parent / "data" / "plans" / "plan-2026-2030.yaml"
NEW_COHORT = "新就业形态劳动者"  # the later plan's, not the earlier's
ADMIN = auth.User("测试员", auth.ADMIN)
HEADER = "活动名称,开始日期,镇街,责任单位,人群,重点工程,任务编号,活动类型,参与人次\n"


@pytest.fixture
def plan_folder(tmp_path, monkeypatch) -> Path:
    """A plan folder holding both plans, which `kepu init` reads ($KEPU_PLAN_DIR)."""
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(store.DATA_DIR / "plan-2021-2025.yaml", folder)
    shutil.copy(LATER_PLAN, folder)
    monkeypatch.setenv("KEPU_PLAN_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def two_plans_template(tmp_path_factory) -> Path:
    """The store `kepu init --empty` makes from both plan files (the first test makes one so), built once."""
    plans = [load_plan(store.DATA_DIR / "plan-2021-2025.yaml"), load_plan(LATER_PLAN)]
    return store.create_store(tmp_path_factory.mktemp("two") / "two.duckdb", plans=plans)


@pytest.fixture
def two_plans(plan_folder, two_plans_template, tmp_path) -> Path:
    """This test's copy of the two-plan store."""
    return Path(shutil.copy(two_plans_template, tmp_path / "two.duckdb"))


def rows_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "报送.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def check(path: Path, *rows: str, today: dt.date) -> batches.Outcome:
    """A dry run of an import of `rows` into the store at `path`, as if on `today`."""
    data = (HEADER + "".join(r + "\n" for r in rows)).encode()
    con = store.connect(path)
    try:
        return batches.import_file(con, data, "报送.csv", ADMIN, today=today, dry_run=True)
    finally:
        con.close()


def test_plan_list_names_every_plan_in_the_store(two_plans, capsys):
    capsys.readouterr()
    assert cli.main(["plan", "list", "--json", "--db", str(two_plans)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(p["id"], p["start_year"], p["end_year"]) for p in listed] == [
        ("2021-2025", 2021, 2025),
        ("2026-2030", 2026, 2030),
    ]
    assert listed[0]["document"] == "荷区政发〔2022〕9号" and listed[0]["issued"] == "2022-07-07"
    assert cli.main(["plan", "list", "--db", str(two_plans)]) == 0
    text = capsys.readouterr().out
    assert "2021—2025年" in text and "十五五" in text


def test_kepu_init_loads_both_plans_with_their_own_shapes(plan_folder, tmp_path):
    two_plans = tmp_path / "made.duckdb"
    assert cli.main(["init", "--empty", "--db", str(two_plans)]) == 0  # as a user makes it
    con = store.connect(two_plans, read_only=True)
    earlier, later = (catalog.groups(con, p) for p in ("2021-2025", "2026-2030"))
    assert (sum(earlier.kind == "cohort"), sum(earlier.kind == "project")) == (5, 4)
    assert (sum(later.kind == "cohort"), sum(later.kind == "project")) == (6, 3)
    assert NEW_COHORT in set(later.name) - set(earlier.name)
    assert catalog.tasks(con, "2026-2030").code.tolist()[:3] == ["Q1", "Q2", "N1"]
    assert len(catalog.tasks(con, "2021-2025")) == 18
    # Towns and bureaus are the store's: the later plan's added, none lost, none twice, 全区 last.
    towns = catalog.towns(con).name.tolist()
    assert len(towns) == len(set(towns)) == 26 and "新城街道" in towns and towns[-1] == "全区"
    bureaus = catalog.plan_bureaus(con)
    assert len(bureaus) == len(set(bureaus)) == 28 and bureaus[:1] == ["区科协"] and "区数据局" in bureaus
    assert "区发展和改革委员会" in bureaus  # named by the earlier plan alone: kept, after the later plan's own
    assert bureaus.index("区发展和改革委员会") > bureaus.index("区数据局")
    assert catalog.resolve_bureau(con, "牡丹区科协") == "区科协"  # an alias the later plan adds
    assert catalog.resolve_bureau(con, "区发改委") == "区发展和改革委员会"  # one only the earlier plan gives
    assert catalog.resolve_town(con, "新城") == "新城街道"
    governments = catalog.town_governments(con)  # every town of either plan reports as itself too, after the bureaus
    assert len(governments) == 25 and governments["新城街道办事处"] == "新城街道"
    assert catalog.bureaus(con) == bureaus + list(governments)
    assert catalog.district(con).population == 1128707  # the later plan's figure
    assert db.scalar(con, "SELECT count(*) FROM targets WHERE plan_id = '2026-2030' AND kind = 'annual'") == 4 * 5
    con.close()


def test_a_record_of_the_new_cohort_dated_in_the_new_plan_is_accepted(two_plans, tmp_path, capsys):
    capsys.readouterr()
    csv = rows_file(tmp_path, f"外卖骑手数字技能培训,2027-03-01,新城,区数据局,{NEW_COHORT},,X1,培训,40")
    assert cli.main(["import", str(csv), "--db", str(two_plans), "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert (outcome["imported"], outcome["errors"]) == (1, [])
    con = store.connect(two_plans, read_only=True)
    assert db.rows(con, "SELECT cohorts, task, town, bureau FROM activities") == [
        ([NEW_COHORT], "X1", "新城街道", "区数据局")
    ]
    con.close()


def test_a_task_of_the_new_plan_dated_in_the_old_plan_is_refused(two_plans, tmp_path, capsys):
    capsys.readouterr()
    csv = rows_file(tmp_path, "骑手培训,2024-03-01,沙土,科协,,,X1,培训,40")
    assert cli.main(["import", str(csv), "--db", str(two_plans), "--json"]) == 1
    (error,) = json.loads(capsys.readouterr().out)["errors"]
    assert (error["row"], error["column"], error["value"]) == (2, "任务编号", "X1")
    assert error["reason"] == "任务 X1 属于 2026—2030年规划，不属于本行开始日期 2024-03-01 所在的 2021—2025年规划"


def test_each_row_is_checked_against_the_plan_its_date_falls_in(two_plans):
    outcome = check(
        two_plans,
        f"新人群旧日期,2024-03-01,沙土,科协,{NEW_COHORT},,,讲座,10",
        "新工程旧日期,2024-03-01,沙土,科协,,科普人才队伍建设工程,,讲座,10",
        "旧任务新日期,2027-03-01,沙土,科协,,,Y5,培训,10",
        "旧工程新日期,2027-03-01,沙土,科协,,科技资源科普化工程,,讲座,10",
        "未知任务新日期,2027-03-01,沙土,科协,,,Z9,讲座,10",
        "旧任务旧日期,2024-03-01,沙土,科协,,,Y5,培训,10",
        f"新人群新日期,2028-05-01,沙土,科协,{NEW_COHORT},,X2,讲座,10",
        "日期无法识别,某日,沙土,科协,,,Y5,培训,10",
        today=dt.date(2027, 6, 1),
    )
    reasons = {e.row: (e.column, e.reason) for e in outcome.errors}
    assert reasons[2] == (
        "人群",
        f"人群“{NEW_COHORT}”属于 2026—2030年规划，不属于本行开始日期 2024-03-01 所在的 2021—2025年规划；"
        "可选：青少年、农民、产业工人、老年人、领导干部和公务员",
    )
    assert reasons[3][0] == "重点工程" and "属于 2026—2030年规划，不属于本行开始日期 2024-03-01" in reasons[3][1]
    assert reasons[4] == (
        "任务编号",
        "任务 Y5 属于 2021—2025年规划，不属于本行开始日期 2027-03-01 所在的 2026—2030年规划",
    )
    assert reasons[5][0] == "重点工程" and "属于 2021—2025年规划" in reasons[5][1]
    assert reasons[6] == ("任务编号", "未知的任务编号，应为 Q1–Q2、N1、G1、L1、D1、X1–X2、K1–K3 之一")
    assert [e.column for e in outcome.errors if e.row == 9] == ["开始日期"]  # no date, no plan to check Y5 against
    assert set(reasons) == {2, 3, 4, 5, 6, 9}, "rows 7 and 8 fit the plan of their date"


def test_a_row_dated_after_every_plan_is_checked_against_the_latest_plan_begun(two_plans):
    outcome = check(
        two_plans,
        f"规划后新人群,2031-03-01,沙土,科协,{NEW_COHORT},,X1,培训,10",
        "规划后旧任务,2031-03-01,沙土,科协,,,Y5,培训,10",
        today=dt.date(2031, 6, 1),
    )
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "任务编号")]
    assert outcome.errors[0].reason == (
        "任务 Y5 属于 2021—2025年规划；本行开始日期 2031-03-01 不在任何规划期内，"
        "按 2026—2030年规划检查，该规划中没有此项"
    )


def test_with_one_plan_a_year_after_it_keeps_its_headings(empty_store):
    outcome = check(empty_store, "规划后,2026-05-01,沙土,科协,青少年,,Y5,培训,10", today=dt.date(2026, 11, 29))
    assert (outcome.errors, outcome.imported) == ([], 1)


def test_the_template_offers_the_plan_running_today(two_plans, monkeypatch):
    class Day(dt.date):
        @classmethod
        def today(cls):
            return cls(2027, 5, 1)

    monkeypatch.setattr(templates.dt, "date", Day)
    con = store.connect(two_plans, read_only=True)
    book = load_workbook(io.BytesIO(templates.activity_template(con)))
    con.close()
    lists = option_lists(book)
    assert lists["人群"][-1] == NEW_COHORT and len(lists["人群"]) == 6
    assert lists["任务编号"][0] == "Q1 强化中小学科学教育" and len(lists["任务编号"]) == 11
    assert "新城街道" in lists["镇街"] and "区发展和改革委员会" in lists["责任单位"]
    project = list_validation(book[ACTIVITY_SHEET], ACTIVITY_COLUMNS, "重点工程")
    assert project.errorStyle == "warning", "a row dated in the earlier plan may name its projects"
    text = "\n".join(str(v) for row in book["填写说明"].iter_rows(values_only=True) for v in row if v)
    assert "如 Q2" in text and "按活动开始日期所在的规划检查" in text and "2026—2030年规划" in text


def test_the_summary_of_the_new_plan_lists_its_cohorts(two_plans, capsys):
    capsys.readouterr()
    assert cli.main(["summary", "--json", "--period", "2026-2030", "--db", str(two_plans)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["plan"] == "2026-2030"
    assert NEW_COHORT in [c["cohort"] for c in result["by_cohort"]]


# --- periods outside every plan -------------------------------------------------------------------------------


def test_the_periods_offered_run_past_the_last_plan_to_this_year(empty_store):
    con = store.connect(empty_store)
    plan_years = ["2021-2025", "2021", "2022", "2023", "2024", "2025"]
    assert catalog.periods(con, dt.date(2025, 6, 1)) == plan_years
    assert catalog.periods(con, dt.date(2027, 1, 1)) == ["2026", "2027", *plan_years]
    data = (HEADER + "下一年的活动,2027-02-01,沙土,科协,青少年,,,讲座,10\n").encode()
    assert batches.import_file(con, data, "a.csv", ADMIN, today=dt.date(2026, 12, 1)).imported == 1
    assert catalog.periods(con, dt.date(2026, 12, 1)) == ["2026", "2027", *plan_years]  # the latest activity's year
    con.close()


def test_the_periods_offered_with_two_plans_and_a_gap_between(tmp_path, plan):
    later = dataclasses.replace(plan, id="2027-2031", start_year=2027, end_year=2031)
    con = store.connect(store.create_store(tmp_path / "s.duckdb", plans=[later, plan]))
    assert catalog.periods(con, dt.date(2026, 6, 1)) == [
        *("2027-2031", "2027", "2028", "2029", "2030", "2031"),
        "2026",  # between the plans
        *("2021-2025", "2021", "2022", "2023", "2024", "2025"),
    ]
    assert catalog.plan_for(con, Period(2026, 2026)).id == "2021-2025"
    con.close()


def test_plans_sharing_years_or_an_id_are_refused(tmp_path, plan):
    overlapping = dataclasses.replace(plan, id="2025-2029", start_year=2025, end_year=2029)
    with pytest.raises(store.StoreError, match="年份重叠"):
        store.create_store(tmp_path / "a.duckdb", plans=[plan, overlapping])
    again = dataclasses.replace(plan, start_year=2026, end_year=2030)
    with pytest.raises(store.StoreError, match="编号都是“2021-2025”"):
        store.create_store(tmp_path / "b.duckdb", plans=[plan, again])
    assert not (tmp_path / "a.duckdb").exists() and not (tmp_path / "b.duckdb").exists()


def test_a_plan_folder_without_plans_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("KEPU_PLAN_DIR", str(tmp_path))
    with pytest.raises(store.StoreError, match="没有找到规划文件"):
        store.create_store(tmp_path / "s.duckdb")
    assert load_plan(LATER_PLAN).id == "2026-2030"


# --- the dashboard ----------------------------------------------------------------------------------------------


def test_the_new_plans_cohort_has_its_page(two_plans, monkeypatch):
    at = start(two_plans, monkeypatch, period="2026-2030")
    assert "new-workers" in url_paths(at) and "resources" not in url_paths(at)
    at = start(two_plans, monkeypatch, page="new-workers", period="2026-2030")
    assert not at.exception, [e.message for e in at.exception]
    assert any(NEW_COHORT in t.value for t in at.title)
    earlier = start(two_plans, monkeypatch, period="2024")
    assert "new-workers" not in url_paths(earlier) and "resources" in url_paths(earlier)


def test_a_year_after_the_only_plan_can_be_chosen(empty_store, monkeypatch):
    at = start(empty_store, monkeypatch, period=str(dt.date.today().year))
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="period").value == str(dt.date.today().year)
    assert "youth" in url_paths(at)


def test_a_link_to_a_period_not_offered_falls_back_to_the_default(empty_store, monkeypatch):
    at = start(empty_store, monkeypatch, mode="present", period="2040")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "期间“2040”不在可选的期间之内" in warnings
