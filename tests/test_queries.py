"""The named queries against the sixteen fixture records; every expected figure is worked out from the CSV here."""

import datetime as dt

import pandas as pd
import pytest
from conftest import fixture_rows

from kepu.core.filters import Filters, Period
from kepu.core.glossary import UNSPECIFIED
from kepu.storage import queries

Y2024 = Filters(Period(2024, 2024))
PLAN = Filters(Period(2021, 2025))


def rows_in(period: Period, **where):
    out = [r for r in fixture_rows() if period.first <= r["start_date"].year <= period.last]
    for key, values in where.items():
        out = [r for r in out if r[key] in values]
    return out


def test_totals_count_each_activity_once(tiny):
    expected = rows_in(Period(2024, 2024))
    got = queries.totals(tiny, Y2024)
    assert got == {
        "activities": len(expected),
        "participants": sum(r["participants"] for r in expected),
        "funding": pytest.approx(sum(r["funding"] for r in expected)),
    }
    assert got["activities"] == 13  # T-03 … T-13, T-15, T-16


def test_a_period_counts_activities_by_start_date(tiny):
    # T-14 starts 2025-01-10; T-09 starts in 2024 and ends later: each belongs to its start year.
    assert queries.totals(tiny, Filters(Period(2025, 2025)))["activities"] == 1
    assert queries.totals(tiny, Filters(Period(2023, 2023)))["activities"] == 2
    assert queries.totals(tiny, PLAN)["activities"] == 16


def test_an_activity_counts_fully_under_each_of_its_cohorts(tiny):
    frame = queries.breakdown(tiny, Y2024, ("cohort",)).set_index("cohort")
    expected = {}
    for r in rows_in(Period(2024, 2024)):
        for c in r["cohorts"] or [UNSPECIFIED]:
            expected[c] = expected.get(c, 0) + r["participants"]
    assert frame.participants.to_dict() == expected
    assert frame.loc["老年人", "participants"] == 2500 + 90  # T-07 serves 青少年 and 老年人, counted in both
    assert frame.participants.sum() > queries.totals(tiny, Y2024)["participants"]


def test_town_and_bureau_filters(tiny):
    f = Y2024.narrowed(town=("沙土镇", "吴店镇"), bureau=("区科协",))
    expected = rows_in(Period(2024, 2024), town={"沙土镇", "吴店镇"}, bureau={"区科协"})
    assert [r["ref"] for r in expected] == ["T-11", "T-12"]
    assert queries.totals(tiny, f)["participants"] == 55 + 25


def test_a_breakdown_by_two_dimensions(tiny):
    frame = queries.breakdown(tiny, Y2024, ("town", "activity_type"))
    cell = frame[(frame.town == "沙土镇") & (frame.activity_type == "培训")]
    assert cell.participants.tolist() == [120] and cell.activities.tolist() == [1]
    assert frame.activities.sum() == 13


def test_month_and_unspecified_dimensions(tiny):
    months = queries.breakdown(tiny, Y2024, ("month",))
    assert months.month.tolist() == sorted(months.month)
    assert months.set_index("month").loc["2024-09", "participants"] == 80 + 2500
    tasks = queries.breakdown(tiny, Y2024, ("task",)).set_index("task")
    assert tasks.loc[UNSPECIFIED, "activities"] == 2  # T-07 and T-16 name no task
    narrowed = queries.totals(tiny, Y2024.narrowed(task=UNSPECIFIED))
    assert narrowed["participants"] == 2500 + 70
    no_cohort = queries.totals(tiny, Y2024.narrowed(cohort=UNSPECIFIED))
    assert no_cohort["activities"] == 3  # T-09, T-10, T-16


def test_values_are_bound_not_pasted(tiny):
    hostile = "沙土镇' OR '1'='1"
    assert queries.totals(tiny, Y2024.narrowed(town=hostile))["activities"] == 0
    assert queries.count_records(tiny, Y2024, search="' OR 1=1 --") == 0


def test_records_search_treats_wildcards_literally(tiny):
    assert queries.count_records(tiny, Y2024, search="100%") == 1
    assert queries.count_records(tiny, Y2024, search="%") == 1
    assert queries.count_records(tiny, Y2024, search="培训") == 4  # T-03, T-05, T-06 by title, T-04 by its note
    assert queries.count_records(tiny, Y2024, search="T-1") == 6  # by 活动编号: T-10 … T-16 but T-14 (2025)


def test_records_are_ordered_and_limited(tiny):
    top = queries.records(tiny, Y2024, order="participants", descending=True, limit=3)
    assert top.ref.tolist() == ["T-07", "T-10", "T-15"]
    assert top.cohorts.iloc[0].tolist() == ["青少年", "老年人"]
    with pytest.raises(ValueError):
        queries.records(tiny, Y2024, order="participants; DROP TABLE activities")


def test_town_table_lists_every_town_with_its_rate(tiny, plan):
    frame = queries.town_table(tiny, Y2024).set_index("town")
    assert len(frame) == 25 and frame.loc["全区", "participants_per_1000"] != frame.loc["全区", "participants_per_1000"]
    shatu = next(t for t in plan.towns if t.name == "沙土镇")
    assert frame.loc["沙土镇", "participants"] == 120 + 55 + 25
    assert frame.loc["沙土镇", "participants_per_1000"] == pytest.approx(200 * 1000 / shatu.population)
    assert frame.loc["李村镇", "activities"] == 0
    only = queries.town_table(tiny, Y2024.narrowed(town="吴店镇"))
    assert only.town.tolist() == ["吴店镇"]


def test_task_standing_counts_lead_bureaus_that_reported(tiny):
    from kepu.figures import duty
    from kepu.storage import catalog

    catalogue = catalog.tasks(tiny, "2021-2025")

    def task_standing(f, group):
        return duty.task_standing(queries.assignments(tiny, f, "2021-2025"), catalogue, group)

    tasks = task_standing(Y2024, "青少年").set_index("code")
    assert tasks.index.tolist() == ["Y1", "Y2", "Y3", "Y4", "Y5"]
    assert tasks.loc["Y5", "activities"] == 2 and tasks.loc["Y5", "participants"] == 35 + 60  # T-03, T-04
    assert list(tasks.loc["Y5", "lead_bureaus"]) == ["区教体局", "区科协"]
    assert (tasks.loc["Y5", "leads"], tasks.loc["Y5", "active_leads"]) == (2, 2)  # T-03 区科协, T-04 区教体局
    assert tasks.loc["Y1", "active_leads"] == 0
    with_bureau = task_standing(Y2024.narrowed(bureau="区科协"), "青少年").set_index("code")
    assert (with_bureau.loc["Y5", "leads"], with_bureau.loc["Y5", "active_leads"]) == (1, 1)


def test_assignments_mark_silent_leads_and_off_plan_reports(tiny, plan):
    rows = queries.assignments(tiny, Y2024, "2021-2025").set_index(["bureau", "task"])
    assert rows.loc[("区科协", "F1"), "activities"] == 2 and rows.loc[("区科协", "F1"), "assigned"]
    assert rows.loc[("区民政局", "F1"), "activities"] == 0  # leads F1, reported nothing
    assert rows.loc[("区卫生健康局", "E1"), "activities"] == 1
    assert rows.assigned.sum() == sum(len(t.lead_bureaus) for t in plan.tasks)


def test_latest_activity_date(tiny):
    assert queries.latest_activity_date(tiny) == dt.date(2025, 1, 10)


@pytest.mark.parametrize(
    "view",
    [
        Filters(Period(2021, 2025)),
        Filters(Period(2024, 2024)).narrowed(cohort="青少年"),
        Filters(Period(2023, 2024)).narrowed(town="沙土镇", bureau="区科协"),
        Filters(Period(2030, 2030)),  # no records: four empty frames
    ],
    ids=["whole-plan", "year-and-cohort", "town-and-bureau", "empty"],
)
def test_the_breakdowns_made_together_are_the_ones_made_one_by_one(tiny, view):
    together = queries.breakdowns(tiny, view)
    assert set(together) == set(queries.BUNDLED)
    for dim in queries.BUNDLED:
        alone = queries.breakdown(tiny, view, (dim,))
        pd.testing.assert_frame_equal(together[dim], alone, check_index_type=False)


def test_the_breakdowns_made_together_agree_on_the_demo_too(demo_shared):
    """The demo's 23,000 records: ties in participants, hundreds of town and bureau values, sixty months."""
    from contextlib import closing

    from kepu.storage import store

    with closing(store.connect(demo_shared)) as con:  # read only by use: an app test may hold it read-write
        for view in (Filters(Period(2021, 2025)), Filters(Period(2024, 2024)).narrowed(cohort="农民")):
            together = queries.breakdowns(con, view)
            for dim in queries.BUNDLED:
                pd.testing.assert_frame_equal(together[dim], queries.breakdown(con, view, (dim,)))
