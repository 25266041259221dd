"""The schematic tile map of the towns: every town placed once, from the plan; values per 1,000 residents worked out
here from the fixture records and the plan's populations."""

import pytest
from apps import start
from conftest import fixture_rows

from kepu.core.filters import Filters, Period
from kepu.reports import town_map
from kepu.storage import catalog, db, queries, schema, store

Y2024 = Filters(Period(2024, 2024))


def test_the_plan_places_every_town_once(plan):
    placed = {t.name: t.grid for t in plan.towns if t.kind != "全区"}
    assert len(placed) == 24 and None not in placed.values()
    assert len(set(placed.values())) == 24, "two towns on one tile"


def test_the_map_has_a_tile_per_town_with_its_rate(tiny, plan):
    fig = town_map.tile_map(queries.town_table(tiny, Y2024), catalog.town_grid(tiny), "participants_per_1000")
    tiles = fig.data[0]
    towns = [c[0] for c in tiles.customdata]
    assert len(towns) == 24 and set(towns) == {t.name for t in plan.towns if t.kind != "全区"}
    assert len(fig.layout.shapes) == 24
    population = {t.name: t.population for t in plan.towns}
    people: dict[str, int] = {}
    for r in fixture_rows():
        if r["start_date"].year == 2024:
            people[r["town"]] = people.get(r["town"], 0) + r["participants"]
    for town, text, (col, row) in zip(towns, tiles.text, zip(tiles.x, tiles.y, strict=True), strict=True):
        name, value = text.split("<br>")
        assert name == town_map.short_name(town) and town.startswith(name)
        assert float(value.replace(",", "")) == pytest.approx(people.get(town, 0) * 1000 / population[town], abs=0.5)
        grid = next(t.grid for t in plan.towns if t.name == town)
        assert (row, col) == (-grid[0], grid[1])


def test_activities_per_1000_and_towns_outside_the_filters(tiny, plan):
    chosen = Y2024.narrowed(town="沙土镇")
    frame = town_map.tiles(queries.town_table(tiny, chosen), catalog.town_grid(tiny), "activities_per_1000")
    shatu = next(t for t in plan.towns if t.name == "沙土镇")
    count = sum(1 for r in fixture_rows() if r["start_date"].year == 2024 and r["town"] == "沙土镇")
    value = frame.set_index("town").value
    assert value["沙土镇"] == pytest.approx(count * 1000 / shatu.population)
    assert value.drop("沙土镇").isna().all()


def test_short_names_fit_a_tile():
    assert [town_map.short_name(n) for n in ("沙土镇", "佃户屯街道", "皇镇街道", "全区")] == [
        "沙土",
        "佃户屯",
        "皇镇",
        "全区",
    ]


def test_a_store_before_schema_6_gets_its_map_places(tmp_path):
    path = store.create_store(tmp_path / "old.duckdb")
    con = store.connect(path)
    db.execute(con, "ALTER TABLE towns DROP COLUMN grid_row")
    db.execute(con, "ALTER TABLE towns DROP COLUMN grid_col")
    db.execute(con, "DROP TABLE changes")  # and what came after schema 6
    db.execute(con, "DROP SEQUENCE change_ids")
    db.execute(con, "DROP TABLE cohort_sets")
    db.execute(con, "ALTER TABLE activities DROP COLUMN cohort_set")
    db.execute(con, "UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    assert schema.migrate(con) == schema.SCHEMA_VERSION
    assert len(catalog.town_grid(con)) == 24
    con.close()


def test_the_towns_page_shows_the_map(demo_shared, monkeypatch):
    # the demo store, as the other AppTests: the app's cached connection to a store is opened differently from a
    # test's, and DuckDB refuses two configurations of one file in one process
    at = start(demo_shared, monkeypatch, page="towns", period="2024")
    assert not at.exception, [e.message for e in at.exception]
    assert any("示意图" in c.value for c in at.caption)
    assert at.subheader[0].value == "分布图（示意）"
    assert len(at.get("plotly_chart")) >= 2  # the map, then the ranking
