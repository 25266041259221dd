"""The app under AppTest: every page opens; filters, links and drill-downs change the figures to the right values."""

import datetime as dt

import pytest
from apps import PAGES, metrics, open_page, start, sweep, url_paths

from kepu.core import fmt
from kepu.core.filters import Filters, Period
from kepu.figures import summary
from kepu.storage import queries, store


def figures(path: store.Location, f: Filters) -> dict:
    con = store.connect(path)
    try:
        return summary.summary(con, f, dt.date.today())
    finally:
        con.close()


@pytest.mark.parametrize("url_path", sweep(PAGES))
def test_every_page_opens_on_an_empty_store(empty_shared, monkeypatch, url_path):
    at = open_page(start(empty_shared, monkeypatch, period="2024"), url_path)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title and not any("演示数据" in w.value for w in at.warning)


@pytest.mark.parametrize("url_path", sweep(PAGES))
def test_every_page_opens(demo_shared, monkeypatch, url_path):
    at = open_page(start(demo_shared, monkeypatch), url_path)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, "every page has a title"
    assert any("演示数据" in w.value for w in at.warning), "every page says it shows demo data"


def test_every_page_is_registered(demo_shared, monkeypatch):
    at = start(demo_shared, monkeypatch)
    assert url_paths(at) >= set(PAGES)


def test_a_locked_or_missing_store_gets_a_chinese_message(tmp_path, monkeypatch):
    broken = tmp_path / "not-a-store.duckdb"
    broken.write_text("this is not a database", encoding="utf-8")
    at = start(broken, monkeypatch)
    assert not at.exception
    assert at.error and "无法打开数据" in at.error[0].value


def test_a_postgres_server_that_cannot_be_reached_gets_a_chinese_message(monkeypatch):
    at = start("postgresql://kepu:secret@127.0.0.1:1/kepu", monkeypatch)  # nothing listens on port 1
    assert not at.exception
    said = at.error[0].value
    assert "无法连接 PostgreSQL 数据库" in said and "secret" not in said  # the password is not shown


def test_the_overview_agrees_with_kepu_summary(demo_shared, monkeypatch):
    at = start(demo_shared, monkeypatch)
    shown = metrics(at)
    expected = figures(demo_shared, Filters(Period(2021, 2025)))
    assert shown["活动场次"] == fmt.count(expected["activities"])
    assert shown["参与人次"] == fmt.count(expected["participants"])
    assert shown["经费"] == fmt.money(expected["funding"])
    for t in expected["targets"]:
        if t["basis"] == "纲要目标":
            assert shown[t["name"]] == fmt.value(t["actual"], t["unit"])


def test_choosing_a_year_changes_the_figures(demo_shared, monkeypatch):
    at = start(demo_shared, monkeypatch)
    before = metrics(at)["参与人次"]
    at.selectbox(key="period").set_value("2024").run()
    expected = figures(demo_shared, Filters(Period(2024, 2024)))
    assert metrics(at)["参与人次"] == fmt.count(expected["participants"]) != before


def test_a_forwarded_link_reopens_the_same_view(demo_shared, monkeypatch):
    at = start(demo_shared, monkeypatch, period="2024", town=["沙土镇", "吴店镇"], bureau="区科协")
    assert at.selectbox(key="period").value == "2024"
    assert at.multiselect(key="town").value == ["沙土镇", "吴店镇"]
    expected = figures(demo_shared, Filters(Period(2024, 2024), town=("沙土镇", "吴店镇"), bureau=("区科协",)))
    assert metrics(at)["参与人次"] == fmt.count(expected["participants"])
    at = open_page(at, "towns")
    assert at.multiselect(key="town").value == ["沙土镇", "吴店镇"], "filters persist across pages"


def test_a_link_with_asof_shows_the_view_as_it_stood_that_day(demo_shared, monkeypatch):
    at = start(demo_shared, monkeypatch, period="2024", asof="2024-04-30")
    assert not at.exception
    assert at.date_input(key="asof").value == dt.date(2024, 4, 30)
    expected = figures(demo_shared, Filters(Period(2024, 2024), as_of=dt.date(2024, 4, 30)))
    whole = figures(demo_shared, Filters(Period(2024, 2024)))
    assert metrics(at)["参与人次"] == fmt.count(expected["participants"]) != fmt.count(whole["participants"])


@pytest.mark.parametrize("written", ["2024-13-45", "明天", "9999-01-01", "1900-01-01", "<b>x</b>"])
def test_a_link_with_a_bad_asof_still_opens(demo_shared, monkeypatch, written):
    at = start(demo_shared, monkeypatch, period="2024", asof=written)
    assert not at.exception
    whole = figures(demo_shared, Filters(Period(2024, 2024)))
    assert metrics(at)["参与人次"] == fmt.count(whole["participants"])  # judged as of today


@pytest.mark.parametrize("url_path", ["", "youth"])
def test_a_year_after_the_plan_shows_figures_and_says_why_nothing_is_judged(demo_shared, monkeypatch, url_path):
    at = start(demo_shared, monkeypatch, url_path, period="2026")
    assert not at.exception
    assert any("不在任何已载入规划的年份之内" in i.value for i in at.info)
    if url_path == "":
        expected = figures(demo_shared, Filters(Period(2026, 2026)))
        assert expected["activities"] > 0 and expected["targets"] == []
        assert metrics(at)["活动场次"] == fmt.count(expected["activities"])


def test_reset_returns_to_the_whole_plan(demo_shared, monkeypatch):
    at = start(demo_shared, monkeypatch, period="2023", town="沙土镇")
    at.button(key="reset-filters").click().run()
    assert at.selectbox(key="period").value == "2021-2025"
    assert at.multiselect(key="town").value == []
    expected = figures(demo_shared, Filters(Period(2021, 2025)))
    assert metrics(at)["参与人次"] == fmt.count(expected["participants"])


def test_one_click_picks_the_towns_of_an_administering_body(demo_shared, monkeypatch):
    at = start(demo_shared, monkeypatch)
    choice = next(o for o in at.pills(key="town-pick").options if o.startswith("经开区"))
    at.pills(key="town-pick").set_value(choice).run()
    assert at.multiselect(key="town").value == ["丹阳街道", "岳程街道", "佃户屯街道"]
    choice = next(o for o in at.pills(key="town-pick").options if o.startswith("区直管"))
    at.pills(key="town-pick").set_value(choice).run()
    assert len(at.multiselect(key="town").value) == 18


def test_clicking_a_bar_narrows_the_page_to_its_records(demo_shared, monkeypatch):
    at = open_page(start(demo_shared, monkeypatch, period="2024"), "youth")
    at.session_state["group:youth:0:town"] = {
        "selection": {"points": [{"customdata": ["沙土镇"]}], "point_indices": [0], "box": [], "lasso": []}
    }
    at.run()
    assert not at.exception
    con = store.connect(demo_shared)
    f = Filters(Period(2024, 2024)).narrowed(cohort="青少年", town="沙土镇")
    expected = queries.count_records(con, f)
    totals = queries.totals(con, f)
    con.close()
    assert any(f"共 {expected:,} 条记录" in c.value for c in at.caption)
    assert metrics(at)["参与人次"] == fmt.count(totals["participants"])
    assert any("已下钻：镇街 = 沙土镇" in i.value for i in at.info)


def test_selecting_a_laggard_row_lists_its_records(demo_shared, monkeypatch):
    at = start(demo_shared, monkeypatch)
    at.session_state["overview:0:lagging-towns"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    con = store.connect(demo_shared)
    worst = summary.lagging_towns(con, Filters(Period(2021, 2025)), n=1).town[0]
    expected = queries.count_records(con, Filters(Period(2021, 2025), town=(worst,)))
    con.close()
    assert any(f"共 {expected:,} 条记录" in c.value for c in at.caption)


def test_a_matrix_cell_drills_to_bureau_and_task(demo_shared, monkeypatch):
    at = open_page(start(demo_shared, monkeypatch, period="2023"), "bureaus")
    at.session_state["bureaus:0:assignments"] = {"selection": {"rows": [], "columns": [], "cells": [[0, "Y2"]]}}
    at.run()
    con = store.connect(demo_shared)
    expected = queries.count_records(con, Filters(Period(2023, 2023), bureau=("区科协",), task=("Y2",)))
    con.close()
    assert expected > 0
    assert any(f"共 {expected:,} 条记录" in c.value for c in at.caption)


def test_a_row_of_the_coverage_table_drills_to_the_bureau_shown_in_it(demo_shared, monkeypatch):
    """The table lists the lowest 落实率 first; a click on its first row narrows the page to that row's bureau."""
    at = open_page(start(demo_shared, monkeypatch, period="2025"), "bureaus")
    first = next(d for d in at.dataframe if "落实率" in d.value.columns).value["责任单位"].iloc[0]
    at.session_state["bureaus:0:coverage"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(f"责任单位 = {first}" in i.value for i in at.info), [i.value for i in at.info]


def test_the_records_page_searches(demo_shared, monkeypatch):
    at = open_page(start(demo_shared, monkeypatch, period="2025"), "records")
    at.text_input(key="records:search").input("全国科普日").run()
    con = store.connect(demo_shared)
    expected = queries.count_records(con, Filters(Period(2025, 2025)), search="全国科普日")
    con.close()
    assert expected > 0 and any(f"共 {expected:,} 条记录" in c.value for c in at.caption)


def test_an_adhoc_breakdown_by_two_dimensions(demo_shared, monkeypatch):
    at = open_page(start(demo_shared, monkeypatch, period="2024"), "records")
    at.selectbox(key="records:dim1").set_value("activity_type")
    at.selectbox(key="records:dim2").set_value("cohort").run()
    assert not at.exception
    key = "records:0:adhoc-matrix-activity_type-cohort"
    at.session_state[key] = {"selection": {"rows": [], "columns": [], "cells": [[0, "老年人"]]}}
    at.run()
    info = " ".join(i.value for i in at.info)
    assert "人群 = 老年人" in info and "活动类型 = " in info
