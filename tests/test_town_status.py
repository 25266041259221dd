"""The towns' status on the tile map and the meeting screen's 镇街分布 slide. Expected rates and states are worked
out by hand here (in the comments), from small frames shaped like queries.town_table."""

import datetime as dt
import html
import math

import pandas as pd
import pytest
from apps import start
from conftest import fixture_rows

from kepu.core.filters import Filters, Period
from kepu.figures import brief
from kepu.reports import slides, town_map
from kepu.storage import catalog

NAN = float("nan")


def town_table(rows: list[tuple[str, str, float, int, int]]) -> pd.DataFrame:
    """A frame shaped like queries.town_table from (town, kind, population, activities, participants)."""
    return pd.DataFrame(rows, columns=["town", "kind", "population", "activities", "participants"])


# Counted (a town with a population, not 全区): 甲 乙 丙 丁 戊 庚, 600 participants / 70,000 residents = 8.571 per
# 1,000; half of it 4.286.
TOWNS = town_table(
    [
        ("甲镇", "镇", 10_000, 3, 300),  # 30 per 1,000: 领先
        ("乙街道", "街道", 20_000, 2, 200),  # 10: 领先
        ("丙镇", "镇", 10_000, 4, 60),  # 6: under 8.571, over 4.286: 偏低
        ("丁镇", "镇", 10_000, 1, 40),  # 4: under half: 明显落后
        ("戊镇", "镇", 10_000, 2, 0),  # activities but nobody counted: 0, 明显落后
        ("己镇", "镇", 0, 1, 50),  # no population: 缺人口数, and left out of the district rate
        ("庚镇", "镇", 10_000, 0, 0),  # nothing reported: 无记录, but its residents count in the rate
        ("辛镇", "镇", NAN, 0, 0),  # neither: 无记录
        ("全区", "全区", NAN, 5, 1_000),  # the district's own activities: not a town, not in the rate
    ]
)
EXPECTED = {
    "甲镇": "领先",
    "乙街道": "领先",
    "丙镇": "偏低",
    "丁镇": "明显落后",
    "戊镇": "明显落后",
    "己镇": "缺人口数",
    "庚镇": "无记录",
    "辛镇": "无记录",
}


def test_the_district_rate_is_the_towns_total_per_1000():
    assert town_map.district_rate(TOWNS) == pytest.approx(600 * 1000 / 70_000)
    assert town_map.district_rate(town_table([("甲镇", "镇", 0, 1, 5)])) is None


def test_each_town_gets_its_status():
    judged = town_map.statuses(TOWNS).set_index("town")
    assert judged.status.to_dict() == EXPECTED
    assert judged.rate["丙镇"] == pytest.approx(6.0) and math.isnan(judged.rate["己镇"])
    assert judged.share["丙镇"] == pytest.approx(6.0 / (600 / 70))
    assert judged.share["甲镇"] == pytest.approx(30 / (600 / 70))


def test_the_thresholds_are_inclusive_at_the_rate_and_at_half_of_it():
    # 10, 5 and 15 per 1,000 on equal populations: the rate is exactly 10, half of it exactly 5
    towns = town_table([("甲镇", "镇", 1000, 1, 10), ("乙镇", "镇", 1000, 1, 5), ("丙镇", "镇", 1000, 1, 15)])
    assert town_map.statuses(towns).status.tolist() == ["领先", "偏低", "领先"]
    towns = town_table([("甲镇", "镇", 1000, 1, 10), ("乙镇", "镇", 1000, 1, 4), ("丙镇", "镇", 1000, 1, 16)])
    assert town_map.statuses(towns).status.tolist() == ["领先", "明显落后", "领先"]


def test_a_store_with_no_records_has_every_town_without_a_record():
    towns = town_table([("甲镇", "镇", 1000, 0, 0), ("乙镇", "镇", 2000, 0, 0)])
    assert town_map.statuses(towns).status.tolist() == ["无记录", "无记录"]


GRID = pd.DataFrame(
    [(name, i // 3, i % 3) for i, name in enumerate([*EXPECTED, "壬镇"])], columns=["town", "grid_row", "grid_col"]
)


def test_the_status_map_colours_each_tile_by_its_state_and_says_it():
    fig = town_map.tile_map(TOWNS, GRID, town_map.STATUS, selected="丙镇")
    tiles = fig.data[0]
    towns = [c[0] for c in tiles.customdata]
    assert towns == GRID.town.tolist()
    expected = {**EXPECTED, "壬镇": "不在筛选范围"}  # 壬镇 is on the map but not in the frame: outside the filters
    for town, colour, hover in zip(towns, tiles.marker.color, tiles.hovertext, strict=True):
        assert colour == town_map.STATES[expected[town]][0]
        assert f"状态：{expected[town]}" in hover
    assert "为全区平均的 70%" in tiles.hovertext[towns.index("丙镇")]  # 6 / 8.571
    assert tiles.text[towns.index("丙镇")] == "丙镇<br>6"  # a two-character name keeps its 镇
    legend = [t.name for t in fig.data[1:]]
    assert legend == [
        "领先：不低于全区平均（2个）",
        "偏低：低于全区平均（1个）",
        "明显落后：不到全区平均的一半（2个）",
        "无记录：筛选范围内没有活动记录（2个）",
        "缺人口数：缺少人口数，无法折算（1个）",
        "不在筛选范围：不在筛选范围内（1个）",
    ]
    assert not any(getattr(t.marker, "showscale", False) for t in fig.data), "a discrete legend, not a scale"
    assert fig.layout.legend.itemclick is False


def test_the_towns_slide_has_every_town_escaped_with_its_figure(tiny):
    f = Filters(Period(2024, 2024))
    gathered = brief.gather(tiny, f, dt.date(2024, 12, 31))
    grid = catalog.town_grid(tiny)
    body = slides.render("towns", gathered, grid)
    assert "镇街分布" in body and "示意图" in body
    population = {r.name: r.population for r in catalog.towns(tiny).itertuples()}
    people = dict.fromkeys(grid.town, 0)
    for r in fixture_rows():
        if r["start_date"].year == 2024 and r["town"] in people:
            people[r["town"]] += r["participants"]
    assert len(people) == 24
    rate = sum(people.values()) * 1000 / sum(population[t] for t in people)
    assert f"全区平均：每千人 {rate:,.0f} 人次" in body
    tiles = body.split('class="kp-tile"')[1:]
    assert len(tiles) == 24
    for town, tile in zip(grid.town, tiles, strict=True):
        assert tile.startswith(f' title="{town}"')
        assert f'<div class="kp-tile-name">{town_map.short_name(town)}</div>' in tile
        assert f'<div class="kp-tile-num">{people[town] * 1000 / population[town]:,.0f}</div>' in tile


def test_the_towns_slide_keeps_names_as_text():
    evil = ["<script>alert(1)</script>镇", "东&西街道", '"><img src=x>镇']
    grid = pd.DataFrame([(n, 0, i) for i, n in enumerate(evil)], columns=["town", "grid_row", "grid_col"])
    towns = town_table([(evil[0], "镇", 1000, 1, 10), (evil[1], "街道", 1000, 0, 0), (evil[2], "镇", 1000, 1, 2)])
    body = slides.render("towns", {"towns": towns}, grid)  # type: ignore[arg-type]  # only the towns are read
    assert "<script>" not in body and "<img" not in body and "东&西" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "东&amp;西" in body
    assert 'title="&quot;&gt;&lt;img src=x&gt;镇"' in body
    assert html.unescape(body).count("<script>alert(1)</script>") == 2  # the tile's name and its title


def test_the_meeting_screen_shows_the_towns_slide(demo_shared, monkeypatch):
    at = start(demo_shared, monkeypatch, mode="present", period="2024", paused="true")
    while "镇街分布" not in (text := next(e.value for e in at.get("html") if e.value.startswith('<div class="kp-s'))):
        at.button(key="present:next").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert text.count('class="kp-tile"') == 24
    for state in ("领先", "偏低", "明显落后", "无记录"):
        assert f'<div class="kp-key-word">{state} · ' in text
    assert list(slides.SLIDES).index("towns") == list(slides.SLIDES).index("laggards") - 1


def test_the_towns_page_colours_the_map_by_status(demo_shared, monkeypatch):
    at = start(demo_shared, monkeypatch, page="towns", period="2024")
    at.session_state["towns:map-measure"] = town_map.STATUS
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("不到平均的一半为明显落后" in c.value for c in at.caption)
