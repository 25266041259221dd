"""The progress rules, on numbers worked out by hand."""

import datetime as dt

import pytest

from kepu.core import progress


def test_status_thresholds():
    assert progress.status(1.0) == "达标"
    assert progress.status(1.3) == "达标"
    assert progress.status(0.95) == "关注"
    assert progress.status(0.9) == "关注"
    assert progress.status(0.89) == "滞后"
    assert progress.status(None) is None
    assert progress.status(0.8, "coverage") == "关注"
    assert progress.status(0.7, "coverage") == "滞后"


def test_share_of_a_year_elapsed():
    assert progress.year_elapsed(2024, dt.date(2023, 12, 31)) == 0
    assert progress.year_elapsed(2024, dt.date(2024, 1, 1)) == pytest.approx(1 / 366)
    assert progress.year_elapsed(2024, dt.date(2024, 6, 30)) == pytest.approx(182 / 366)  # 2024 is a leap year
    assert progress.year_elapsed(2024, dt.date(2024, 12, 31)) == 1
    assert progress.year_elapsed(2024, dt.date(2026, 11, 29)) == 1


def test_share_of_a_plan_elapsed():
    assert progress.span_elapsed(2021, 2025, dt.date(2023, 12, 31)) == pytest.approx(3 / 5)
    assert progress.span_elapsed(2021, 2025, dt.date(2026, 1, 1)) == 1


def test_an_annual_target_mid_year():
    # 100 a year; by 2024-06-30 (182 of 366 days) 49.73 are expected; 40 done → ratio 0.804 → 滞后.
    p = progress.additive({2024: 100}, {2024: 40}, (2024,), dt.date(2024, 6, 30))
    assert p.target == 100
    assert p.expected == pytest.approx(100 * 182 / 366)
    assert p.status == "滞后"
    assert p.projected == pytest.approx(40 * 366 / 182)  # the same pace to 31 December
    assert p.target_date == dt.date(2024, 12, 31)


def test_annual_targets_over_several_years_add_up():
    values = {2021: 100, 2022: 100, 2023: 100}
    p = progress.additive(values, {2021: 90, 2022: 110, 2023: 40}, (2021, 2022, 2023), dt.date(2023, 12, 31))
    assert (p.target, p.expected, p.actual, p.status) == (300, 300, 240, "滞后")


def test_a_plan_target_split_evenly_over_its_years():
    per_year = dict.fromkeys(range(2021, 2026), 1000 / 5)
    years = tuple(range(2021, 2026))
    p = progress.additive(per_year, {2021: 150, 2022: 190, 2023: 230}, years, dt.date(2023, 12, 31))
    assert p.expected == pytest.approx(600)  # three fifths of 1000
    assert p.actual == 570 and p.status == "关注"  # 0.95
    assert p.projected == pytest.approx(950)


def test_a_level_target_is_judged_on_the_gain_since_its_baseline():
    observed = {2020: 10.0, 2022: 12.0, 2024: 14.0}  # surveys are irregular: whichever years exist
    p = progress.level(16.0, 2025, 2020, observed, (2021, 2022, 2023, 2024, 2025), dt.date(2025, 6, 30))
    assert p.actual == 14.0  # the latest observation
    assert p.expected == pytest.approx(10 + 6 * 4 / 5)  # 14.8 due by the 2024 survey
    assert p.share == pytest.approx(4 / 4.8)  # a gain of 4 points of the 4.8 due, not 14 / 14.8 = 0.946
    assert p.status == "滞后"  # 0.833 < 0.9
    assert p.projected == pytest.approx(15.0)  # the line through the observations rises 1 a year
    assert "2024年" in p.note


def test_a_finished_level_target_is_complete_or_not_with_its_gap():
    observed = {2020: 10.0, 2022: 12.0, 2025: 15.7}
    p = progress.level(16.0, 2025, 2020, observed, (2021, 2022, 2023, 2024, 2025), dt.date(2026, 3, 1))
    assert p.expected == 16.0 and p.share == pytest.approx(5.7 / 6)  # the whole gain was due
    done = progress.settle(p, (), finished=True)
    assert (done.status, done.projected, done.reached) == ("未完成", None, None)
    assert done.shortfall == pytest.approx(0.3)
    met = progress.settle(
        progress.level(16.0, 2025, 2020, {2020: 10, 2025: 16.2}, (2025,), dt.date(2026, 1, 1)), (), True
    )
    assert met.status == "完成" and met.shortfall is None


def test_an_annual_floor_is_judged_year_by_year_not_on_the_total():
    values = dict.fromkeys(range(2021, 2026), 100.0)
    actual = {2021: 150.0, 2022: 150.0, 2023: 60.0, 2024: 120.0, 2025: 119.0}  # 599 of 500 in all
    years = tuple(range(2021, 2026))
    total = progress.additive(values, actual, years, dt.date(2026, 1, 10))
    timeline = progress.year_by_year(values, actual, years, dt.date(2026, 1, 10), counts=True)
    assert [y.met for y in timeline] == [True, True, False, True, True]
    done = progress.settle(total, timeline, finished=True)
    assert done.status == "未完成" and total.actual == 599  # 4 of 5 years: the total hides 2023
    # while the plan runs, a year already missed is 滞后 whatever the running year does
    running = progress.year_by_year(values, actual, years, dt.date(2024, 12, 1), counts=True)
    assert [y.met for y in running] == [True, True, False, None]
    now = progress.additive(values, actual, (2024,), dt.date(2024, 12, 1))
    assert progress.settle(total, running, finished=False, current=now).status == "滞后"


def test_a_monthly_profile_sets_what_is_due_within_a_year():
    # two earlier years, each with half its activity in May and half in September
    months = [0.0] * 12
    months[4] = months[8] = 50.0
    elapsed = progress.profile({2022: months, 2023: months}, before=2024)
    assert elapsed is not None
    assert elapsed(2024, dt.date(2024, 4, 30)) == 0  # nothing due before May
    assert elapsed(2024, dt.date(2024, 5, 31)) == pytest.approx(0.5)
    assert elapsed(2024, dt.date(2024, 8, 31)) == pytest.approx(0.5)
    assert elapsed(2024, dt.date(2024, 9, 15)) == pytest.approx(0.5 + 0.5 * 15 / 30)
    assert elapsed(2024, dt.date(2024, 12, 31)) == pytest.approx(1.0)
    assert progress.profile({2023: months}, before=2024) is None  # one earlier year is not a profile
    p = progress.additive({2024: 100}, {2024: 10}, (2024,), dt.date(2024, 4, 30), elapsed)
    assert p.expected == 0 and p.status is None  # nothing due yet: not 滞后 in April


def test_a_level_target_without_its_baseline_is_not_judged():
    p = progress.level(16.0, 2025, 2020, {2023: 13.0}, (2023,), dt.date(2024, 1, 1))
    assert p.actual == 13.0 and p.status is None and "基线" in p.note


def test_a_yearly_rate_is_judged_on_its_latest_year():
    p = progress.rate(
        dict.fromkeys(range(2021, 2026), 1.0),
        {2021: 0.7, 2022: 0.8, 2023: 1.05},
        (2021, 2022, 2023, 2024, 2025),
        dt.date(2026, 1, 1),
    )
    assert (p.actual, p.target, p.status) == (1.05, 1.0, "达标")
    assert "2023年" in p.note
    empty = progress.rate({2024: 1.0}, {}, (2024,), dt.date(2026, 1, 1))
    assert empty.status is None and empty.actual is None


def test_nothing_is_expected_before_the_period_starts():
    p = progress.additive({2027: 100}, {}, (2027,), dt.date(2026, 11, 29))
    assert p.expected == 0 and p.status is None and p.projected is None


def test_coverage():
    assert progress.coverage(3, 4) == 0.75
    assert progress.coverage(0, 0) is None


def test_an_annual_target_ahead_of_pace_is_reached_before_year_end():
    # 60 of 100 by 30 June (181 of 365 days): the pace 60/181 a day reaches 100 on day ceil(100·181/60) = 302,
    # 29 October.
    p = progress.additive({2025: 100}, {2025: 60}, (2025,), dt.date(2025, 6, 30))
    assert p.reached == dt.date(2025, 10, 29) and p.shortfall is None


def test_an_annual_target_behind_pace_falls_short_at_year_end():
    # 40 of 100 by 30 June: the same pace gives 40·365/181 ≈ 80.66 by 31 December, 19.34 short.
    p = progress.additive({2025: 100}, {2025: 40}, (2025,), dt.date(2025, 6, 30))
    assert p.reached is None and p.shortfall == pytest.approx(100 - 40 * 365 / 181)


def test_a_finished_period_reached_at_its_average_pace():
    # 1,200 against 1,000 over 2024–2025 (500 a year): at the average pace the path needs 1000·1000/1200 = 833⅓,
    # all of 2024's 500 and 333⅓ of 2025's 500, which takes ceil(365·2/3) = 244 days of 2025: 1 September.
    p = progress.additive({2024: 500, 2025: 500}, {2024: 500, 2025: 700}, (2024, 2025), dt.date(2026, 3, 1))
    assert p.reached == dt.date(2025, 9, 1)


def test_a_level_target_reached_or_short_by_its_trend():
    # Rising 1 point a year from 10 in 2021: 16 is crossed at the 2027 survey, after 2025: 2 points short then.
    p = progress.level(16, 2025, 2021, {2021: 10, 2022: 11, 2023: 12}, (2021, 2025), dt.date(2024, 1, 1))
    assert p.reached is None and p.shortfall == pytest.approx(2.0)
    # Rising 2 a year: 16 is reached at the 2024 survey.
    p = progress.level(16, 2025, 2021, {2021: 10, 2022: 12, 2023: 14}, (2021, 2025), dt.date(2024, 1, 1))
    assert p.reached == dt.date(2024, 12, 31) and p.shortfall is None


def test_a_yearly_rate_is_met_or_short_in_its_year():
    assert progress.rate({2025: 1.0}, {2025: 1.2}, (2025,), dt.date(2026, 1, 5)).reached == dt.date(2025, 12, 31)
    assert progress.rate({2025: 1.0}, {2025: 0.8}, (2025,), dt.date(2026, 1, 5)).shortfall == pytest.approx(0.2)
