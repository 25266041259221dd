"""The 活动主题 page under AppTest: its tables show each campaign's figures year by year and by town and bureau, as
worked out here from the fixture rows; a click narrows the page to a campaign and lists its records."""

import pytest
from apps import metrics, start
from conftest import fixture_rows

SANXIAXIANG = '文化科技卫生"三下乡"'
SELECT_FIRST = {"selection": {"rows": [0], "columns": [], "cells": []}}


def table(at, first_column: str):
    """The shown table whose first column is `first_column`, as a DataFrame indexed by it."""
    frame = next(d.value for d in at.dataframe if d.value.columns[0] == first_column)
    return frame.set_index(first_column)


def expected(year: int, **where) -> int:
    """Participants of the fixture rows of `year` whose columns have the values in `where` (campaign=True: any)."""
    return sum(
        r["participants"]
        for r in fixture_rows()
        if r["start_date"].year == year and all(r[k] == v or (v is True and r[k]) for k, v in where.items())
    )


@pytest.fixture
def page(tiny_shared, monkeypatch):
    at = start(tiny_shared, monkeypatch, page="campaigns", period="2021-2025")
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_each_campaign_year_by_year(page):
    by_campaign = table(page, "活动主题")
    assert list(by_campaign.index) == [SANXIAXIANG, "全国防灾减灾日", "科技活动周", "全国科技工作者日", "全国科普日"]
    for campaign in by_campaign.index:
        for year in range(2021, 2026):
            assert by_campaign.loc[campaign, f"{year}年"] == expected(year, campaign=campaign)
    assert by_campaign.loc["全国科普日", "2024年"] == 80 + 2500 and by_campaign.loc["科技活动周", "合计"] == 300
    assert metrics(page)["主题活动场次"] == "4" and metrics(page)["参与人次"] == f"{300 + 80 + 2500 + 600:,}"


def test_the_campaigns_by_town_and_bureau(page):
    towns, bureaus = table(page, "镇街"), table(page, "责任单位")
    assert len(towns) == 25  # every town listed, those without campaign activity as zeros
    for town in ("沙土镇", "吴店镇", "东城街道", "全区"):
        for year in (2023, 2024, 2025):
            assert towns.loc[town, f"{year}年"] == expected(year, campaign=True, town=town)
    assert list(towns.index[:2]) == ["东城街道", "吴店镇"]  # largest first: 2,500; 80 + 600
    assert set(bureaus.index) == {"区科协", "区农业农村局"}  # only the units that took part
    assert bureaus.loc["区科协", "合计"] == 300 + 2500 + 600


def test_choosing_a_campaign_narrows_the_page_and_lists_its_records(page):
    page.session_state["campaigns:0:campaign-years"] = {"selection": {"rows": [4], "columns": [], "cells": []}}
    page.run()
    assert not page.exception
    assert any("活动主题 = 全国科普日" in i.value for i in page.info)
    towns = table(page, "镇街")
    assert towns.loc["东城街道", "2024年"] == 2500 and towns.loc["吴店镇", "合计"] == 80  # not 三下乡's 600
    assert any("共 2 条记录" in c.value for c in page.caption)
    records = next(d.value for d in page.dataframe if "活动编号" in d.value.columns)
    assert sorted(records["活动编号"]) == ["T-06", "T-07"] and set(records["活动主题"]) == {"全国科普日"}


def test_the_sidebar_campaign_filter_and_link(tiny_shared, monkeypatch):
    at = start(tiny_shared, monkeypatch, page="campaigns", period="2021-2025", campaign=SANXIAXIANG)
    assert not at.exception
    assert at.multiselect(key="campaign").value == [SANXIAXIANG]
    assert list(table(at, "活动主题").index) == [SANXIAXIANG]
    assert metrics(at)["参与人次"] == "600"
    assert any(s.value.startswith("按镇街逐年（“") and "三下乡" in s.value for s in at.subheader)
