"""考核: every automatic item against points worked out by hand from the fixture (tests/helpers/assessment_store.py)
and the scheme of tests/data/assessment/plan-2024-2025.yaml; scores are the sums of their items, ranks follow scores;
manual points are set and cleared by administrators only, with their audit lines; `kepu assess` prints the same."""

import datetime as dt
import json
import shutil

import pytest
from helpers import assessment_store as fx

from kepu.cli import commands as cli
from kepu.core.assessment_scheme import Item, Side
from kepu.core.errors import UserError
from kepu.figures import assessment
from kepu.figures.assessment_rules import Scored
from kepu.storage import assessment_admin, audit, auth, db, queries, store

TOWN_POPULATION = {"甲镇": 10_000, "乙街道": 20_000, "丙镇": 5_000}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return fx.build(tmp_path_factory.mktemp("assess") / "a.duckdb")


@pytest.fixture
def store_path(built, tmp_path):
    return shutil.copy(built, tmp_path / "a.duckdb")


@pytest.fixture
def con(store_path):
    c = store.connect(store_path)
    yield c
    c.close()


def points(result, unit):
    _, u = assessment.unit_result(result, unit)
    return {i["item"]: i["points"] for i in u["items"]}


def expected_towns():
    """Each town's points, worked out by hand from the fixture. Counted records exclude the retracted record 8
    (returned batch), the pending record 9 and record 7 (全区, no town)."""
    participants = {"甲镇": 300 + 200 + 100, "乙街道": 500 + 400 + 50, "丙镇": 100}
    last_year = {"甲镇": 400, "乙街道": 900, "丙镇": 140}
    per_1000 = {t: participants[t] * 1000 / TOWN_POPULATION[t] for t in participants}  # 60, 47.5, 20
    best = max(per_1000.values())
    # (on time, late) of the four due quarters: 甲镇 Q1 on time, Q2 and Q4 late, Q3 none; 乙街道 Q1, Q3 on time,
    # Q2 late (record 10 in batch 2), Q4 none; 丙镇 Q3 on time, Q4 on time (the pending batch 9 is a report).
    reports = {"甲镇": (1, 2), "乙街道": (2, 1), "丙镇": (2, 0)}
    campaigns = {"甲镇": 2, "乙街道": 1, "丙镇": 1}  # of 三下乡, 科技活动周, 全国科普日 (all begun in 2025)
    evidence = {"甲镇": (1, 3), "乙街道": (1, 3), "丙镇": (1, 1)}  # records 1, 5 (batch 3), 4 (batch 3)
    out = {}
    for t in participants:
        rise = (participants[t] - last_year[t]) / last_year[t]
        out[t] = {
            "T1": 30 * per_1000[t] / best,
            "T2": 20 * (reports[t][0] + 0.5 * reports[t][1]) / 4,
            "T3": 15 * campaigns[t] / 3,
            "T4": 10 * min(1, max(0, rise) / 0.2),
            "T5": 10 * evidence[t][0] / evidence[t][1],
            "T6": 0,
            "T7": 0,
            "T8": 0,
            "T9": 0,
        }
    out["甲镇"]["T6"] = 12  # manual
    out["乙街道"]["T7"] = 3  # bonus
    out["甲镇"]["T8"] = -2 * 2  # two batches of 甲镇's clerk returned in 2025 (batch 7 was returned after AS_OF)
    out["丙镇"]["T9"] = -4  # manual deduction
    return out


def expected_bureaus():
    """Each lead bureau's points, by hand (区财政局 leads no task and is not assessed)."""
    leads = {"区科协": ["Y1", "Y2", "P1"], "区教体局": ["Y1", "Y2", "P2"], "区科技局": ["P1", "P2"]}
    reported = {"区科协": 3, "区教体局": 2, "区科技局": 1}  # P2 has no records
    reports = {"区科协": (2, 2), "区教体局": (1, 1), "区科技局": (2, 1)}
    campaigns = {"区科协": 3, "区教体局": 1, "区科技局": 1}
    evidence = {"区科协": (2, 4), "区教体局": (0, 2), "区科技局": (1, 2)}
    participants = {"区科协": 300 + 400 + 100 + 1000, "区教体局": 500 + 200, "区科技局": 100 + 50}
    last_year = {"区科协": 400, "区教体局": 900, "区科技局": 140}
    out = {}
    for b in leads:
        rise = (participants[b] - last_year[b]) / last_year[b]
        out[b] = {
            "B1": 40 * reported[b] / len(leads[b]),
            "B2": 20 * (reports[b][0] + 0.5 * reports[b][1]) / 4,
            "B3": 10 * campaigns[b] / 3,
            "B4": 10 * evidence[b][0] / evidence[b][1],
            "B5": 10 * min(1, max(0, rise) / 0.1),
            "B6": 0,
            "B7": 0,
            "B8": 0,
        }
    out["区科技局"]["B6"] = 8
    return out


def test_every_item_matches_the_figures_worked_out_by_hand(con):
    result = assessment.assess(con, 2025, fx.AS_OF)
    assert result["scheme_label"] == "示例"
    for side, expected in (("towns", expected_towns()), ("bureaus", expected_bureaus())):
        assert [u["unit"] for u in assessment.units_of(result, side)] != []
        assert {u["unit"] for u in assessment.units_of(result, side)} == set(expected)
        for unit, items in expected.items():
            got = points(result, unit)
            assert got == pytest.approx({k: round(v, 2) for k, v in items.items()}, abs=1e-9), unit


def test_scores_are_sums_and_ranks_follow_scores(con):
    result = assessment.assess(con, 2025, fx.AS_OF)
    for side in ("towns", "bureaus"):
        units = assessment.units_of(result, side)
        for u in units:
            assert u["score"] == pytest.approx(sum(i["points"] for i in u["items"]), abs=1e-9)
            assert u["rank"] == 1 + sum(1 for other in units if other["score"] > u["score"])
        assert [u["score"] for u in units] == sorted((u["score"] for u in units), reverse=True)
    assert [u["unit"] for u in result["towns"]] == ["甲镇", "乙街道", "丙镇"]
    assert [u["unit"] for u in result["bureaus"]] == ["区科协", "区科技局", "区教体局"]


def test_change_is_on_last_years_score(con):
    result = assessment.assess(con, 2025, fx.AS_OF)
    earlier = assessment.assess(con, 2024, fx.AS_OF)
    assert all(u["change"] is None for u in earlier["towns"] + earlier["bureaus"])  # 2023: before the plan
    before = {u["unit"]: u["score"] for u in earlier["towns"] + earlier["bureaus"]}
    for u in result["towns"] + result["bureaus"]:
        assert u["previous"] == before[u["unit"]]
        assert u["change"] == pytest.approx(u["score"] - before[u["unit"]], abs=1e-9)


def test_mid_year_counts_only_what_was_due_and_begun(con):
    """On 2025-07-15: Q1 and Q2 are due; 全国科普日 (September) has not begun; batch 2 (07-20) is not yet in."""
    result = assessment.assess(con, 2025, dt.date(2025, 7, 15))
    jia = points(result, "甲镇")
    assert jia["T2"] == 20 * 1 / 2  # Q1 on time, Q2 not reported by 07-15
    assert jia["T3"] == 15 * 2 / 2  # 三下乡 and 科技活动周, of the two begun
    assert points(result, "乙街道")["T3"] == 0
    assert jia["T8"] == -2  # batch 5 had been returned; batch 6 was sent on 08-01


def test_the_records_behind_an_item_are_those_it_counted(con):
    result = assessment.assess(con, 2025, fx.AS_OF)
    _, jia = assessment.unit_result(result, "甲镇")
    evidence = next(i for i in jia["items"] if i["item"] == "T5")
    assert queries.count_records(con, assessment.filters_of(evidence)) == 3
    _, kjj = assessment.unit_result(result, "区科技局")
    tasks = next(i for i in kjj["items"] if i["item"] == "B1")
    f = assessment.filters_of(tasks)
    assert f.task == ("P1", "P2") and queries.count_records(con, f) == 2
    campaigns = next(i for i in jia["items"] if i["item"] == "T3")
    assert queries.count_records(con, assessment.filters_of(campaigns)) == 2  # records 1 and 3
    assert next(i for i in jia["items"] if i["item"] == "T6")["records"] is None  # scored by hand


def test_ties_share_a_rank_and_deductions_stop_at_zero():
    units = [{"unit": u, "score": s, "rank": 0, "previous": None, "change": None, "items": []}
             for u, s in (("甲", 80.0), ("乙", 90.0), ("丙", 80.0), ("丁", 70.0))]  # fmt: skip
    assert [(u["unit"], u["rank"]) for u in assessment._ranked(units)] == [("乙", 1), ("甲", 2), ("丙", 2), ("丁", 4)]
    side = Side("towns", 10, (Item("A", "甲项", 10, "auto", "growth"), Item("D", "扣分", 5, "deduction")))
    items = assessment._items(side, [Scored(1.5, "…"), Scored(4.0, "扣4分")])
    assert [i["points"] for i in items] == [1.5, -1.5]
    assert "扣至总分为0" in items[1]["basis"]


def test_manual_points_are_set_and_cleared_by_administrators_with_audit(con):
    admin, clerk = auth.User("管理员甲", auth.ADMIN), auth.User("填报员甲", auth.REPORTER, town="甲镇")
    target = assessment_admin.resolve(con, 2025, "乙街道", "组织领导")
    message = assessment_admin.set_points(con, target, "9.5", "成立领导小组", admin)
    assert "9.5" in message
    assert points(assessment.assess(con, 2025, fx.AS_OF), "乙街道")["T6"] == 9.5
    log = audit.entries(con, 5)
    assert log.action.iloc[0] == "assessment.score"
    assert json.loads(log.detail.iloc[0])["new"] == 9.5
    with pytest.raises(UserError, match="管理员"):
        assessment_admin.set_points(con, target, 5, "理由", clerk)
    assert audit.entries(con, 1).action.iloc[0] == "assessment.refused"
    with pytest.raises(UserError, match="0 到 15"):
        assessment_admin.set_points(con, target, 16, "理由", admin)
    with pytest.raises(UserError, match="理由"):
        assessment_admin.set_points(con, target, 5, "  ", admin)
    with pytest.raises(UserError, match="自动计分"):
        assessment_admin.resolve(con, 2025, "乙街道", "T1")
    with pytest.raises(UserError, match="考核范围"):
        assessment_admin.resolve(con, 2025, "区财政局", "B6")
    assessment_admin.clear_points(con, target, admin, "误评")
    assert points(assessment.assess(con, 2025, fx.AS_OF), "乙街道")["T6"] == 0
    assert audit.entries(con, 1).action.iloc[0] == "assessment.clear"
    assert db.scalar(con, "SELECT count(*) FROM assessment_manual WHERE unit = '乙街道' AND item = 'T6'") == 0


def run(capsys, *args):
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_kepu_assess_json(store_path, capsys):
    code, out, _ = run(capsys, "assess", "--db", str(store_path), "--year", "2025", "--as-of", str(fx.AS_OF), "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) >= {"year", "scheme_label", "towns", "bureaus"}
    for unit in result["towns"] + result["bureaus"]:
        assert {"unit", "score", "rank", "change", "items"} <= set(unit)
        for item in unit["items"]:
            assert {"item", "points", "max", "basis"} <= set(item)
        assert unit["score"] == pytest.approx(sum(i["points"] for i in unit["items"]), abs=1e-9)
    for town, items in expected_towns().items():
        assert points(result, town) == pytest.approx({k: round(v, 2) for k, v in items.items()}, abs=1e-9)


def test_kepu_assess_score_and_clear(store_path, capsys):
    base = ["--db", str(store_path), "--year", "2025", "--unit", "乙街道", "--item", "T6"]
    code, out, _ = run(capsys, "assess", "score", *base, "--points", "7", "--reason", "专题会议1次")
    assert code == 0 and "7分" in out
    code, out, _ = run(capsys, "assess", "--db", str(store_path), "--year", "2025", "--as-of", str(fx.AS_OF), "--json")
    assert points(json.loads(out), "乙街道")["T6"] == 7
    code, out, err = run(capsys, "assess", "score", *base[:-1], "T1", "--points", "7", "--reason", "x")
    assert code == 1 and "自动计分" in err
    code, out, _ = run(capsys, "assess", "clear", *base)
    assert code == 0 and "已清除" in out
    code, _, err = run(capsys, "assess", "score", *base, "--points", "7", "--reason", "x", "--user", "填报员甲")
    assert code == 1 and "管理员" in err


def test_a_year_without_a_scheme_or_in_the_future_is_refused(con):
    with pytest.raises(UserError, match="晚于"):
        assessment.assess(con, 2026, fx.AS_OF.replace(year=2025))


@pytest.mark.slow  # the whole demo store, three years, and every document
def test_the_demo_assessment_holds_together(demo_copy, plan):
    from kepu.reports import assessment_notice, assessment_report, assessment_sheet, assessment_supervision

    con = store.connect(demo_copy, read_only=True)
    try:
        leads = {b for t in plan.tasks for b in t.lead_bureaus}
        for year in (2023, 2024, 2025):
            result = assessment.assess(con, year, dt.date(2026, 3, 1))
            assert len(result["towns"]) == 24 and {u["unit"] for u in result["bureaus"]} == leads
            for u in result["towns"] + result["bureaus"]:
                assert u["score"] == pytest.approx(sum(i["points"] for i in u["items"]), abs=1e-9)
                assert all(i["points"] <= i["max"] for i in u["items"])
                assert u["score"] >= 0
        report = assessment_report.gather(con, 2025, dt.date(2026, 3, 1))
        assert assessment_sheet.build(report) and assessment_notice.build(report)
        assert assessment_supervision.build(report, report.result["towns"][-1]["unit"])
    finally:
        con.close()
