"""Each record's cohort list as a number (activity_rows.py): every way records arrive numbers them, and the figures
counted through the numbers are the ones counted record by record, here in Python, on awkward lists too."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest

from kepu.core.filters import Filters, Period
from kepu.core.glossary import UNSPECIFIED
from kepu.storage import activity_rows, db, queries, store

# Lists the numbering must keep apart or together: the same names in another order, a name twice, names holding the
# separators a joined string would use, an empty list, markup, invisible and full-width characters, a long name.
LISTS = [
    [],
    ["青少年"],
    ["老年人", "青少年"],
    ["青少年", "老年人"],
    ["农民", "农民"],
    ["a|b"],
    ["a", "b"],
    ["a,b", "<b>x</b>"],
    ["青少年", "", "**粗**"],
    ["青少年\u200b"],  # a zero-width space: another name than 青少年
    ["ＡＢ", "AB"],  # full-width beside ASCII
    ["x" * 5000],
]


def _rows(lists: list[list[str]], first_day: dt.date, n: int) -> pd.DataFrame:
    """n records cycling through `lists`, towns and months, each with its own participants and funding."""
    cycle = itertools.cycle(lists)
    out = []
    for i in range(n):
        day = first_day + dt.timedelta(days=7 * i)
        out.append(
            {
                "title": f"活动{i}",
                "start_date": day,
                "end_date": day,
                "town": ("沙土镇", "吕陵镇", "全区")[i % 3],
                "bureau": "区科协",
                "cohorts": next(cycle),
                "activity_type": ("讲座", "培训")[i % 2],
                "participants": 10 + i,
                "funding": 1.25 * i,  # quarters of a yuan: every sum exact, in DECIMAL and in binary
            }
        )
    return pd.DataFrame(out)


@pytest.fixture
def con(empty_store):
    con = store.connect(empty_store)
    with db.transaction(con):
        activity_rows.append(con, _rows(LISTS, dt.date(2024, 1, 3), 40))
    yield con
    con.close()


def _expected(rows: pd.DataFrame, by_town: bool = False) -> dict[tuple[str, ...], tuple[int, int, float]]:
    out: dict[tuple[str, ...], tuple[int, int, float]] = {}
    for r in rows.itertuples():
        for cohort in r.cohorts or [UNSPECIFIED]:  # fully under each, as often as it is named
            key = (cohort, r.town) if by_town else (cohort,)
            n, p, f = out.get(key, (0, 0, 0.0))
            out[key] = (n + 1, p + r.participants, f + r.funding)
    return out


def _found(frame: pd.DataFrame, dims: list[str]) -> dict[tuple[str, ...], tuple[int, int, float]]:
    return {tuple(r[d] for d in dims): (r["activities"], r["participants"], r["funding"]) for _, r in frame.iterrows()}


def _numbered_exactly(con: db.Connection) -> None:
    """Every record has the number of its own list, and each distinct list has one number."""
    assert db.scalar(con, "SELECT count(*) FROM activities WHERE cohort_set IS NULL") == 0
    sets = {r[0]: list(r[1]) for r in db.rows(con, "SELECT id, cohorts FROM cohort_sets")}
    assert sorted(map(tuple, sets.values())) == sorted(map(tuple, LISTS))
    for cohorts, number in db.rows(con, "SELECT cohorts, cohort_set FROM activities"):
        assert sets[number] == list(cohorts)


def test_every_record_gets_the_number_of_its_exact_list(con):
    _numbered_exactly(con)


def test_later_records_reuse_the_numbers_and_number_new_lists_after_them(con):
    before = dict(db.rows(con, "SELECT id, cohorts FROM cohort_sets"))
    with db.transaction(con):
        activity_rows.append(con, _rows([["青少年"], ["新人群"], []], dt.date(2025, 2, 1), 6))
    after = dict(db.rows(con, "SELECT id, cohorts FROM cohort_sets"))
    assert {k: after[k] for k in before} == before
    assert [list(v) for k, v in after.items() if k not in before] == [["新人群"]]
    assert min(set(after) - set(before)) > max(before)
    assert db.scalar(con, "SELECT count(*) FROM activities WHERE cohort_set IS NULL") == 0


def test_a_breakdown_by_cohort_counts_each_record_under_each_of_its_cohorts(con):
    rows = _rows(LISTS, dt.date(2024, 1, 3), 40)
    f = Filters(Period(2024, 2024))
    in_2024 = rows[[d.year == 2024 for d in rows.start_date]]
    assert _found(queries.breakdown(con, f, ("cohort",)), ["cohort"]) == _expected(in_2024)
    by_two = queries.breakdown(con, f, ("cohort", "town"))
    assert _found(by_two, ["cohort", "town"]) == _expected(in_2024, by_town=True)


@pytest.mark.parametrize(
    "chosen", [("青少年",), (UNSPECIFIED,), ("a|b",), ("农民", UNSPECIFIED), ("b",), ("无此人群",)]
)
def test_a_cohort_filter_keeps_the_records_naming_it(con, chosen):
    rows = _rows(LISTS, dt.date(2024, 1, 3), 40)
    kept = [r for r in rows.itertuples() if any((c == UNSPECIFIED and not r.cohorts) or c in r.cohorts for c in chosen)]
    totals = queries.totals(con, Filters(Period(2024, 2025), cohort=chosen))
    assert (totals["activities"], totals["participants"]) == (len(kept), sum(r.participants for r in kept))
    assert totals["funding"] == sum(r.funding for r in kept)  # quarters: exact in binary


def test_indicators_by_month_count_through_the_cohort_lists(con):
    rows = _rows(LISTS, dt.date(2024, 1, 3), 40)
    indicators: list[queries.IndicatorCount] = [
        {
            "code": "y",
            "measure": "participants",
            "task": None,
            "activity_type": None,
            "cohort": "青少年",
            "project": None,
        },
        {
            "code": "t",
            "measure": "activities",
            "task": None,
            "activity_type": "培训",
            "cohort": "农民",
            "project": None,
        },
        {"code": "f", "measure": "funding", "task": None, "activity_type": None, "cohort": None, "project": None},
        {
            "code": "n",
            "measure": "activities",
            "task": None,
            "activity_type": None,
            "cohort": "无此人群",
            "project": None,
        },
    ]
    found = queries.indicator_months(con, Filters(Period(2024, 2025)), indicators).set_index(["year", "month"])
    expected: dict[tuple[int, int], list[float]] = {}
    for r in rows.itertuples():
        sums = expected.setdefault((r.start_date.year, r.start_date.month), [0.0] * 4)
        sums[0] += r.participants if "青少年" in r.cohorts else 0
        sums[1] += 1 if r.activity_type == "培训" and "农民" in r.cohorts else 0
        sums[2] += r.funding
    assert set(found.index) == set(expected)
    for (year, month), sums in expected.items():
        assert list(found.loc[(year, month), ["y", "t", "f", "n"]]) == pytest.approx(sums)


def test_records_from_before_cohort_sets_are_numbered_on_upgrade(empty_store):
    con = store.connect(empty_store)
    with db.transaction(con):
        activity_rows.append(con, _rows(LISTS, dt.date(2024, 1, 3), 20))
    db.execute(con, "UPDATE activities SET cohort_set = NULL")
    db.execute(con, "DELETE FROM cohort_sets")
    activity_rows.number_cohort_sets(con)  # the schema 8 upgrade's step
    _numbered_exactly(con)
    con.close()


def test_on_the_demo_the_figures_by_cohort_are_the_ones_counted_record_by_record(demo_shared):
    """The demo's 23,000 records, imports and returned batches included, against the query that unnests every
    record's own list (what breakdown ran before cohort sets)."""
    from contextlib import closing

    by_record = """
        SELECT cohort, count(*)::BIGINT AS activities, coalesce(sum(participants), 0)::BIGINT AS participants
        FROM (SELECT a.participants, unnest(CASE WHEN len(a.cohorts) = 0 THEN ARRAY[$none] ELSE a.cohorts END)
                     AS cohort
              FROM activities a WHERE NOT a.retracted AND NOT a.pending AND year(a.start_date) = 2024) r
        GROUP BY 1 ORDER BY 1"""
    with closing(store.connect(demo_shared)) as con:  # read only by use: an app test may hold it read-write
        assert db.scalar(con, "SELECT count(*) FROM activities WHERE cohort_set IS NULL") == 0
        expected = db.query(con, by_record, {"none": UNSPECIFIED})
        found = queries.breakdown(con, Filters(Period(2024, 2024)), ("cohort",))
        found = found.sort_values("cohort").reset_index(drop=True)[["cohort", "activities", "participants"]]
        pd.testing.assert_frame_equal(found, expected, check_dtype=False)
        for cohort in expected.cohort:
            totals = queries.totals(con, Filters(Period(2024, 2024), cohort=(cohort,)))
            mine = expected[expected.cohort == cohort].iloc[0]
            assert (totals["activities"], totals["participants"]) == (mine.activities, mine.participants)
