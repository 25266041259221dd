"""Demo data: deterministic, complete, with the calendar's rhythm and something true to show."""

import numpy as np
import pandas as pd
import pytest

from kepu.storage import db, demo, store


@pytest.fixture(scope="module")
def frame(plan):
    return demo.activities(plan, np.random.default_rng(demo.SEED))


def test_the_same_seed_gives_the_same_data(plan, frame):
    again = demo.activities(plan, np.random.default_rng(demo.SEED))
    pd.testing.assert_frame_equal(frame, again)


def test_about_twenty_thousand_records_over_the_plan(frame):
    years = pd.to_datetime(frame.start_date).dt.year
    assert 18_000 <= len(frame) <= 22_000
    assert years.min() == 2021 and years.max() == 2025
    per_year = years.value_counts().sort_index()
    assert per_year.is_monotonic_increasing  # growth over the years


def test_every_task_bureau_town_cohort_and_project_appears(plan, frame):
    assert set(frame.task.dropna()) == {t.code for t in plan.tasks}
    assert set(frame.bureau) == {b.name for b in plan.bureaus}
    assert set(frame.town) == {t.name for t in plan.towns}
    assert {c for cs in frame.cohorts for c in cs} == {g.name for g in plan.cohorts}
    assert set(frame.project.dropna()) == {g.name for g in plan.projects}


def test_participants_have_a_long_tail(frame):
    assert frame.participants.quantile(0.99) > 10 * frame.participants.median()
    assert (frame.participants >= 0).all()


def test_the_calendar_has_its_theme_months(frame):
    months = pd.to_datetime(frame.start_date).dt.month.value_counts()
    assert months[9] > 2 * months[8]  # 全国科普日 in September, summer in August
    assert months[5] > months[4]  # 科技活动周 and 防灾减灾日 in May
    assert months[2] < months[3]  # the Spring Festival


def test_some_towns_and_bureaus_lag_and_some_leads_are_silent(plan, frame):
    population = {t.name: t.population for t in plan.towns}
    per_1000 = frame[frame.town != "全区"].groupby("town").participants.sum() / pd.Series(population) * 1000
    lowest = set(per_1000.dropna().nsmallest(3).index)
    assert lowest == set(demo.LAGGING_TOWNS)
    reported = set(zip(frame.task, frame.bureau, strict=True))
    for task, bureau in demo.SILENT:
        assert bureau in next(t.lead_bureaus for t in plan.tasks if t.code == task)
        assert (task, bureau) not in reported


def test_the_counted_trainings_add_up_to_their_designed_totals(frame):
    years = pd.to_datetime(frame.start_date).dt.year
    for code, totals in (("Y5", demo.COUNSELLOR_TRAINING), ("F2", demo.FARMER_TRAINING)):
        trainings = frame[(frame.task == code) & (frame.activity_type == "培训")]
        assert trainings.groupby(years).participants.sum().to_dict() == totals


def test_a_demo_store_says_it_is_demo_data(demo_path):
    con = store.connect(demo_path)
    assert store.get_meta(con, "demo") == "1"
    rates = dict(db.rows(con, "SELECT year, value FROM observations WHERE series = 'survey_rate' ORDER BY year"))
    assert 9.5 <= rates[2020] <= 10.5 and 15 <= rates[2025] < 16
    assert db.scalar(con, "SELECT count(DISTINCT town) FROM observations WHERE series = 'science_funding'") == 25
