"""What the overview shows and `kepu summary` prints, on the fixture store, against figures worked out here."""

import contextlib
import datetime as dt
import json
import runpy
import shutil
from pathlib import Path

import pytest
from conftest import fixture_rows

from kepu import cli
from kepu.core import words
from kepu.core.errors import UserError
from kepu.core.filters import Filters, Period
from kepu.figures import duty, summary
from kepu.storage import catalog, db, queries, store

AS_OF = dt.date(2024, 12, 31)
Y2024 = Filters(Period(2024, 2024))


def target(result, indicator):
    return next(t for t in result["targets"] if t["indicator"] == indicator)


def test_summary_totals_and_breakdowns(tiny, plan):
    result = summary.summary(tiny, Y2024, AS_OF)
    rows = [r for r in fixture_rows() if r["start_date"].year == 2024]
    assert result["activities"] == len(rows)
    assert result["participants"] == sum(r["participants"] for r in rows)
    by_cohort = {c["cohort"]: c["participants"] for c in result["by_cohort"]}
    for cohort in (g.name for g in plan.cohorts):
        assert by_cohort[cohort] == sum(r["participants"] for r in rows if cohort in r["cohorts"])
    by_town = {t["town"]: t["participants"] for t in result["by_town"]}
    assert len(by_town) == 25 and by_town["全区"] == sum(r["participants"] for r in rows if r["town"] == "全区")
    by_bureau = {b["bureau"]: b["participants"] for b in result["by_bureau"]}
    assert sum(by_bureau.values()) == result["participants"]
    assert list(by_bureau)[:27] == [b.name for b in plan.bureaus]  # the plan's bureaus, then the towns' governments
    assert len(by_bureau) == 27 + 24 and list(by_bureau)[27] == "东城街道办事处"


def test_the_plans_targets_in_2024(tiny):
    result = summary.summary(tiny, Y2024, AS_OF)  # 2024 is over by the end of its last day: 完成 or 未完成
    assert result["finished"] and all(t["state"] in ("完成", "未完成") for t in result["targets"])
    counsellors = target(result, "counsellor_training")  # Y5 trainings in 2024: T-03 only (T-04 is a lecture)
    assert (counsellors["actual"], counsellors["target"], counsellors["state"]) == (35, 100, "未完成")
    assert counsellors["shortfall"] == 65 and counsellors["projected"] is None  # the gap, no projection
    farmers = target(result, "farmer_training")  # F2 trainings: T-05 120 + T-06 80, against 1000 / 5 a year
    assert (farmers["actual"], farmers["target"], farmers["state"]) == (200, 200, "完成")
    literacy = target(result, "literacy_rate")  # 10% in 2020, 16% due in 2025: 14.8% due by the 2024 survey
    assert (literacy["actual"], literacy["expected"], literacy["state"]) == (14.0, 14.8, "未完成")
    assert literacy["share"] == pytest.approx(round((14 - 10) / (14.8 - 10), 4))  # of the gain due, achieved
    funding = target(result, "funding_per_capita")  # (96,007 + 23,700 + 600,000) 元 / 1,098,707 residents
    assert funding["actual"] == pytest.approx((96007 + 23700 + 600000) / 1098707, abs=1e-4)
    assert funding["state"] == "未完成"
    assert {t["basis"] for t in result["targets"]} <= {"纲要目标", "示例目标", "区定目标"}


def test_a_town_filter_judges_per_capita_funding_on_that_town_only(tiny):
    shatu = summary.summary(tiny, Y2024.narrowed(town="沙土镇"), AS_OF)
    assert target(shatu, "funding_per_capita")["actual"] == pytest.approx(1.0)  # 96,007 元 for 96,007 residents
    assert target(shatu, "funding_per_capita")["status"] == "完成"
    # district-wide targets are not split between towns: the figure is shown, the status is not invented
    assert target(shatu, "counsellor_training")["status"] is None
    assert "不评定" in target(shatu, "counsellor_training")["note"]
    assert target(shatu, "literacy_rate")["actual"] == 14.0  # a district survey, whatever the town


def test_summary_json_from_the_command_line(tiny_shared, capsys):
    code = cli.main(
        [
            "summary",
            "--json",
            "--db",
            str(tiny_shared),
            "--period",
            "2024",
            "--town",
            "沙土",
            "--town",
            "吴店镇",
            "--bureau",
            "科协",
            "--as-of",
            "2024-12-31",
        ]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["towns"] == ["沙土镇", "吴店镇"] and result["bureaus"] == ["区科协"]  # aliases resolved
    expected = [
        r
        for r in fixture_rows()
        if r["start_date"].year == 2024 and r["town"] in ("沙土镇", "吴店镇") and r["bureau"] == "区科协"
    ]
    assert result["participants"] == sum(r["participants"] for r in expected) == 80
    assert {"activities", "participants", "funding", "by_cohort", "by_town", "by_bureau", "targets"} <= set(result)
    for t in result["targets"]:
        assert {"indicator", "target", "actual", "expected", "status"} <= set(t)


def test_python_dash_m_is_the_same_command(tiny_shared, capsys, monkeypatch):
    monkeypatch.setattr("sys.argv", ["kepu", "summary", "--db", str(tiny_shared), "--town", "火星镇"])
    with pytest.raises(SystemExit) as stop:
        runpy.run_module("kepu.cli", run_name="__main__")
    assert stop.value.code == 2
    assert "未知的镇街" in capsys.readouterr().err


def test_summary_refuses_unknown_names_and_periods(tiny_shared, capsys):
    assert cli.main(["summary", "--db", str(tiny_shared), "--town", "火星镇"]) == 2
    assert "未知的镇街：“火星镇”不是已知的镇街" in capsys.readouterr().err
    assert cli.main(["summary", "--db", str(tiny_shared), "--period", "去年"]) == 1
    assert "无法识别" in capsys.readouterr().err


def test_laggards(tiny, plan):
    towns = summary.lagging_towns(tiny, Y2024, n=3)
    assert towns.participants.tolist() == [0, 0, 0]
    rows = queries.assignments(tiny, Y2024, "2021-2025")
    bureaus = duty.lagging_bureaus(rows, n=27).set_index("bureau")
    assert bureaus.loc["区科协", "assigned"] == sum("区科协" in t.lead_bureaus for t in plan.tasks) == 15
    # in 2024 区科协 reported on Y5 (T-03), P3 (T-09) and F1 (T-11, T-12); T-07 and T-16 name no task
    assert bureaus.loc["区科协", "reported"] == 3
    tasks = duty.task_standing(rows, catalog.tasks(tiny, "2021-2025")).set_index("code")
    assert tasks.loc["Y5", "coverage"] == 1.0 and tasks.loc["Y5", "status"] == "达标"
    assert tasks.loc["F1", "silent_bureaus"][:2] == ["区委宣传部", "区科技局"]


def test_demo_targets_are_labelled_as_such(tiny, plan):
    result = summary.summary(tiny, Y2024, AS_OF)
    plan_targets = {t.indicator for t in plan.targets if t.basis == "纲要目标"}
    for t in result["targets"]:
        assert t["basis"] == ("纲要目标" if t["indicator"] in plan_targets else "示例目标")


@pytest.mark.slow  # builds whole stores; the session's demo and empty templates cover kepu init in the fast tier
def test_init_creates_demo_or_empty_stores_and_never_overwrites(tmp_path, capsys):
    path = tmp_path / "k.duckdb"
    assert cli.main(["init", "--empty", "--db", str(path)]) == 0
    assert "仅规划" in capsys.readouterr().out
    assert cli.main(["init", "--db", str(path)]) == 1
    assert "--force" in capsys.readouterr().err
    assert cli.main(["init", "--force", "--db", str(path)]) == 0
    assert "演示数据" in capsys.readouterr().out
    assert cli.main(["summary", "--json", "--db", str(path), "--period", "2024"]) == 0
    assert json.loads(capsys.readouterr().out)["activities"] > 3000


def test_an_edited_target_counts_and_says_it_was_set_by_the_district(empty_store, plan):
    from kepu.storage import store, target_admin

    con = store.connect(empty_store)
    target_admin.update_target(con, plan.id, "youth_participants", 2024, 480_000, "admin")
    year = target(summary.summary(con, Y2024, AS_OF), "youth_participants")
    assert (year["target"], year["basis"]) == (480_000, "区定目标")
    whole = target(summary.summary(con, Filters(Period(2021, 2025)), AS_OF), "youth_participants")
    assert whole["target"] == 4 * 500_000 + 480_000 and whole["basis"] == "示例目标/区定目标"
    with pytest.raises(UserError, match="不能为负数"):
        target_admin.update_target(con, plan.id, "youth_participants", 2024, -1, "admin")
    with pytest.raises(UserError, match="过大（最大 100）"):
        target_admin.update_target(con, plan.id, "literacy_rate", 2025, 160, "admin")
    for bad in (float("inf"), float("nan"), "Infinity", 1e308):  # nothing that is not a finite number gets in
        with pytest.raises(UserError, match="目标值"):
            target_admin.update_target(con, plan.id, "youth_participants", 2024, bad, "admin")
    assert target(summary.summary(con, Y2024, AS_OF), "youth_participants")["target"] == 480_000
    con.close()


@pytest.fixture
def demo_copy(tmp_path, demo_path):
    """The demo store, copied: an app test in the same process may hold the shared one open for writing."""
    return Path(shutil.copy(demo_path, tmp_path / "demo.duckdb"))


@contextlib.contextmanager
def catalog_of(path):
    con = store.connect(path, read_only=True)
    try:
        yield con
    finally:
        con.close()


def summary_json(path, *args, capsys):
    assert cli.main(["summary", "--json", "--db", str(path), *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_as_of_a_day_counts_what_had_begun_by_then(demo_copy, capsys):
    whole = summary_json(demo_copy, "--period", "2024", capsys=capsys)
    april = summary_json(demo_copy, "--period", "2024", "--as-of", "2024-04-30", capsys=capsys)
    year_end = summary_json(demo_copy, "--period", "2024", "--as-of", "2024-12-31", capsys=capsys)
    with catalog_of(demo_copy) as con:
        begun = db.scalar(
            con,
            "SELECT count(*) FROM activities WHERE NOT retracted AND start_date BETWEEN '2024-01-01' AND '2024-04-30'",
        )
    assert april["activities"] == begun < whole["activities"] == year_end["activities"]
    assert not april["finished"] and all(t["state"] in ("达标", "关注", "滞后", None) for t in april["targets"])
    literacy = next(t for t in april["targets"] if t["indicator"] == "literacy_rate")
    assert all(year < 2024 for year, _ in literacy["trend"])  # the 2024 survey was not known in April 2024


def test_a_finished_plan_has_only_complete_or_incomplete_targets(demo_copy, capsys):
    result = summary_json(demo_copy, "--period", "2021-2025", "--as-of", "2026-11-29", capsys=capsys)
    assert result["finished"] and result["targets"]
    assert {t["state"] for t in result["targets"]} <= {"完成", "未完成"}
    for t in result["targets"]:
        assert t["basis"] in ("纲要目标", "示例目标", "区定目标")
        if t["kind"] == "annual":  # judged year by year: complete only if every year met its target
            assert [y["year"] for y in t["years"]] == [2021, 2022, 2023, 2024, 2025]
            assert (t["state"] == "完成") == all(y["met"] for y in t["years"])
            for y in t["years"]:
                assert y["met"] == (y["actual"] is not None and y["actual"] >= y["target"])


def test_a_year_after_the_plan_has_figures_and_no_targets(demo_copy, capsys):
    result = summary_json(demo_copy, "--period", "2026", capsys=capsys)
    with catalog_of(demo_copy) as con:
        begun = db.scalar(
            con, "SELECT count(*) FROM activities WHERE NOT retracted AND NOT pending AND year(start_date) = 2026"
        )
    assert result["plan"] is None and result["targets"] == [] and result["activities"] == begun


def test_a_plan_id_names_its_period_and_a_future_day_is_refused(tiny_shared, capsys):
    by_id = summary_json(tiny_shared, "--period", "2021-2025", capsys=capsys)
    assert by_id["period"] == "2021-2025" and by_id["plan"] == "2021-2025"
    assert cli.main(["summary", "--db", str(tiny_shared), "--as-of", str(dt.date.today() + dt.timedelta(days=1))]) == 2
    assert "晚于今天" in capsys.readouterr().err


def test_within_a_year_what_is_due_follows_earlier_years_months(demo_copy, capsys):
    # The plan was issued in 2022: from 2023 on, work is reported under its tasks. Mid-2025, two whole years exist.
    mid = summary_json(demo_copy, "--period", "2025", "--as-of", "2025-06-30", capsys=capsys)
    youth = next(t for t in mid["targets"] if t["indicator"] == "youth_participants")
    assert youth["pace"] == "年内应达按2023—2024年各月分布计算"
    assert youth["pace"] in words.method(youth)
    with catalog_of(demo_copy) as con:  # the share of 2023–2024's youth participants that fell in January–June
        first_half, whole = db.rows(
            con,
            """SELECT sum(participants) FILTER (WHERE month(start_date) <= 6), sum(participants)
               FROM activities WHERE NOT retracted AND year(start_date) IN (2023, 2024)
                 AND list_contains(cohorts, '青少年')""",
        )[0]
    assert youth["expected"] == pytest.approx(500000 * first_half / whole, rel=1e-4)
    early = summary_json(demo_copy, "--period", "2024", "--as-of", "2024-06-30", capsys=capsys)
    assert all("按天数均匀" in t["pace"] for t in early["targets"] if t["pace"])  # only 2023 before it: linear
