"""活动主题 (campaigns) on records: the template's column, the import (aliases, unknown names, old files without the
column, dates outside a campaign's days), the campaign dimension and filter, `kepu summary --campaign`, the campaign
tables; and the demo's campaigns as its titles name them. Expected figures are worked out here from the fixture rows
(tests/data/activities.csv) and from the rows the tests write."""

import datetime as dt
import json

import pytest
from conftest import fixture_rows

from kepu import cli
from kepu.core.filters import Filters, Period
from kepu.core.glossary import UNSPECIFIED
from kepu.figures import campaigns
from kepu.ingest import batches
from kepu.storage import auth, catalog, db, queries, store

TODAY = dt.date(2025, 6, 1)
ADMIN = auth.User("admin", auth.ADMIN)
Y2024, PLAN = Period(2024, 2024), Period(2021, 2025)
SANXIAXIANG = '文化科技卫生"三下乡"'
HEADER = "活动编号,活动名称,开始日期,镇街,责任单位,活动类型,参与人次,活动主题\n"


@pytest.fixture
def con(empty_store):
    connection = store.connect(empty_store)
    yield connection
    connection.close()


def send(con, text: str, actor: auth.User = ADMIN, **kwargs) -> batches.Outcome:
    return batches.import_file(con, text.encode(), "主题.csv", actor, today=TODAY, **kwargs)


def stored(con) -> dict[str, str | None]:
    return dict(db.rows(con, "SELECT ref, campaign FROM activities WHERE NOT retracted"))


def fixture_sum(rows, **where) -> tuple[int, int]:
    """(activities, participants) of the fixture rows matching `where` (a column → value; "" is empty)."""
    kept = [r for r in rows if all(r[k] == v for k, v in where.items())]
    return len(kept), sum(r["participants"] for r in kept)


# --- the import ------------------------------------------------------------------------------------------------


def test_campaigns_are_read_by_name_alias_and_quotes_and_blank_means_none(con):
    outcome = send(
        con,
        HEADER + "C-1,科普日主场,2024-09-20,沙土镇,区科协,主题活动,500,全国科普日\n"
        "C-2,科普日进社区,2024-09-21,东城,科协,科普宣传,80,科普日\n"
        "C-3,科技下乡,2024-01-20,吴店,科协,科普宣传,60,文化科技卫生“三下乡”\n"
        "C-4,下乡义诊,2024-02-02,吴店,科协,志愿服务,40, 三 下 乡 \n"
        "C-5,科技周开放日,2024-05-20,全区,区科技局,场馆开放,300,全国科技活动周\n"
        "C-6,平常的讲座,2024-07-01,沙土,科协,讲座,30,\n",
    )
    assert (outcome.committed, outcome.imported, outcome.errors, outcome.notes) == (True, 6, [], [])
    assert stored(con) == {
        "C-1": "全国科普日",
        "C-2": "全国科普日",
        "C-3": SANXIAXIANG,
        "C-4": SANXIAXIANG,
        "C-5": "科技活动周",
        "C-6": None,
    }


def test_an_unknown_campaign_is_refused_naming_the_allowed_ones(con, plan):
    outcome = send(con, HEADER + "C-1,科普周活动,2024-09-20,沙土镇,区科协,主题活动,500,科普周\n")
    assert not outcome.committed and stored(con) == {}
    (error,) = outcome.errors
    assert (error.row, error.column, error.value) == (2, "活动主题", "科普周")
    assert all(c.name in error.reason for c in plan.campaigns) and "留空" in error.reason


def test_a_file_without_the_column_imports_as_before(con):
    outcome = send(
        con, "活动名称,开始日期,镇街,责任单位,活动类型,参与人次\n老文件的讲座,2024-09-20,沙土镇,区科协,讲座,30\n"
    )
    assert outcome.committed and outcome.imported == 1
    assert db.rows(con, "SELECT campaign FROM activities") == [(None,)]


def test_a_date_outside_the_campaigns_days_is_imported_as_written_and_said(con):
    outcome = send(
        con,
        HEADER + "C-1,科普日预热,2024-08-25,沙土镇,区科协,科普宣传,50,全国科普日\n"
        "C-2,科普日主场,2024-09-20,沙土镇,区科协,主题活动,500,全国科普日\n"
        "C-3,三下乡回访,2024-03-05,吴店镇,区科协,讲座,20,三下乡\n",
    )
    assert outcome.committed and outcome.errors == []
    assert stored(con) == {"C-1": "全国科普日", "C-2": "全国科普日", "C-3": SANXIAXIANG}
    assert len(outcome.notes) == 2
    science_day, countryside = sorted(outcome.notes, key=lambda n: "全国科普日" not in n)
    assert "第 2 行" in science_day and "2024 年" in science_day and "9月1日至9月30日" in science_day
    assert "第 4 行" in countryside and "1月1日至2月28日" in countryside and "已按所填主题导入" in countryside


def test_the_notes_about_dates_reach_the_command_line(empty_store, tmp_path, capsys):
    data = tmp_path / "主题.csv"
    data.write_text(HEADER + "C-1,科普日预热,2024-08-25,沙土镇,区科协,科普宣传,50,全国科普日\n", encoding="utf-8")
    assert cli.main(["import", str(data), "--db", str(empty_store), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["imported"] == 1 and any("9月1日至9月30日" in n for n in result["notes"])


# --- the dimension, the filter and the command ----------------------------------------------------------------


def test_the_campaign_breakdown_matches_the_fixture(tiny):
    rows = [r for r in fixture_rows() if r["start_date"].year == 2024]
    found = queries.breakdown(tiny, Filters(Y2024), ("campaign",)).set_index("campaign")
    expected = {c: fixture_sum(rows, campaign=c) for c in {r["campaign"] for r in rows}}
    assert {k or UNSPECIFIED for k in expected} == set(found.index)
    for campaign, (activities, participants) in expected.items():
        row = found.loc[campaign or UNSPECIFIED]
        assert (row.activities, row.participants) == (activities, participants)
    assert expected["全国科普日"] == (2, 80 + 2500)  # worked by hand: T-06 and T-07


def test_the_campaign_filter_narrows_totals_and_records(tiny):
    f = Filters(PLAN, campaign=("全国科普日", SANXIAXIANG))
    rows = [r for r in fixture_rows() if r["campaign"] in f.campaign]
    totals = queries.totals(tiny, f)
    assert (totals["activities"], totals["participants"]) == (len(rows), sum(r["participants"] for r in rows))
    records = queries.records(tiny, f)
    assert sorted(records.ref) == ["T-06", "T-07", "T-14"] and set(records.campaign) == set(f.campaign)
    nothing = queries.totals(tiny, Filters(PLAN, campaign=(UNSPECIFIED,)))
    assert nothing["activities"] == sum(1 for r in fixture_rows() if not r["campaign"])


def test_campaign_tables_by_year_town_and_bureau_match_the_fixture(tiny):
    rows = [r for r in fixture_rows() if r["campaign"]]
    names = catalog.campaign_names(tiny)
    table = campaigns.year_table(
        campaigns.by_campaign(tiny, Filters(PLAN)), "campaign", "participants", names, PLAN.years
    )
    for r in table.to_dict("records"):
        for year in PLAN.years:
            want = sum(
                x["participants"] for x in rows if x["campaign"] == r["活动主题"] and x["start_date"].year == year
            )
            assert r[f"{year}年"] == want, (r["活动主题"], year)
        assert r["合计"] == sum(r[f"{y}年"] for y in PLAN.years)
    assert table.set_index("活动主题").loc["全国科技工作者日", "合计"] == 0  # listed though nobody reported one
    towns = campaigns.by_town(tiny, Filters(PLAN))
    for town in {r["town"] for r in rows}:
        assert towns[towns.town == town].participants.sum() == sum(r["participants"] for r in rows if r["town"] == town)
    bureaus = campaigns.by_bureau(tiny, Filters(PLAN, campaign=("全国科普日",)))  # one campaign: only its rows
    assert dict(zip(bureaus.bureau, bureaus.activities, strict=True)) == {"区农业农村局": 1, "区科协": 1}
    figures = campaigns.headline(
        campaigns.totals(tiny, Filters(PLAN)), towns, bureaus, ["沙土镇", "吴店镇", "东城街道"]
    )
    assert figures["主题活动场次"] == str(len(rows)) and figures["有主题活动的镇街"] == "3 / 3"


def test_summary_takes_a_campaign_by_name_or_alias(tiny_path, capsys):
    assert cli.main(["summary", "--db", str(tiny_path), "--period", "2021-2025", "--campaign", "三下乡", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["campaigns"] == [SANXIAXIANG]
    assert (result["activities"], result["participants"]) == fixture_sum(fixture_rows(), campaign=SANXIAXIANG)
    assert cli.main(["summary", "--db", str(tiny_path), "--period", "2024", "--campaign", "科普日", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["participants"] == 2580


def test_summary_refuses_an_unknown_campaign_in_chinese(tiny_path, capsys):
    assert cli.main(["summary", "--db", str(tiny_path), "--campaign", "科普周"]) == 2
    err = capsys.readouterr().err
    assert "未知的活动主题" in err and "全国科普日" in err and "可选" in err


# --- the demo -----------------------------------------------------------------------------------------------


def test_the_demo_campaigns_are_the_ones_its_titles_name(demo_path, plan):
    con = store.connect(demo_path)
    spelled = {n: c.name for c in plan.campaigns for n in (c.name, *c.aliases)}
    rows = db.rows(
        con,
        """SELECT regexp_extract(title, '^【(.*?)】', 1) AS theme, campaign, count(*) FROM activities
           GROUP BY ALL""",
    )
    windows = db.scalar(
        con,
        """SELECT count(*) FROM activities a JOIN campaign_windows w
               ON w.campaign = a.campaign AND w.year = year(a.start_date) AND w.plan_id = '2021-2025'
           WHERE a.start_date NOT BETWEEN w.first_day AND w.last_day""",
    )
    con.close()
    assert rows and all(campaign == spelled.get(theme) for theme, campaign, _ in rows), rows
    assert {c for _, c, _ in rows if c} == {"全国科普日", "科技活动周", "全国防灾减灾日", SANXIAXIANG}
    assert windows == 0  # the demo's theme days fall inside the plan's windows
