"""One number parser (kepu/numbers.py) for every figure that enters the store, and figures written so that no value
can take a page down (kepu/fmt.py)."""

import math

import pytest

from kepu.core import fmt
from kepu.core.numbers import NumberError, parse_number


@pytest.mark.parametrize(
    "written",
    [
        "nan",
        "NaN",
        "-nan",
        "inf",
        "-inf",
        "Infinity",
        "+Infinity",
        "1e308",
        "1e309",
        float("nan"),
        float("inf"),
        float("-inf"),
        1e308,
        "1_000",
        "0x10",
        "十",
        "",
        None,
        True,
        "1,2,3e",
        "--1",
    ],
)
def test_what_is_not_a_finite_number_in_range_is_refused(written):
    with pytest.raises(NumberError):
        parse_number(written, "经费", high=1e10)


@pytest.mark.parametrize(
    "written, value",
    [
        ("1,200", 1200.0),
        ("１２００", 1200.0),
        ("1200元", 1200.0),
        ("¥1200", 1200.0),
        ("12.5", 12.5),
        (" 7 ", 7.0),
        (45, 45.0),
        (0.5, 0.5),
        ("1e3", 1000.0),
        ("-0", 0.0),
        (-0.0, 0.0),
        ("80%", 80.0),
        ("30人次", 30.0),
    ],
)
def test_numbers_as_people_write_them(written, value):
    parsed = parse_number(written, "数值", high=1e10)
    assert parsed == value and math.copysign(1, parsed) == 1  # a zero is never -0


def test_the_range_and_the_integer_rule():
    with pytest.raises(NumberError, match="不能为负数"):
        parse_number("-5", "参与人次", high=100)
    with pytest.raises(NumberError, match="过大"):
        parse_number("101", "比例", high=100)
    with pytest.raises(NumberError, match="应为整数"):
        parse_number("1.5", "参与人次", high=100, integer=True)
    assert parse_number("100", "比例", high=100) == 100


@pytest.mark.parametrize(
    "value, shown",
    [
        (0, "0元"),
        (-0.0, "0元"),
        (0.0, "0元"),
        (1e-9, "0元"),
        (0.4, "0.400元"),
        (1.116, "1.116元"),
        (35.5, "35.50元"),
        (123456, "12.3万元"),
    ],
)
def test_money_never_reads_zero_as_a_fraction_or_negative(value, shown):
    assert fmt.money(value) == shown


@pytest.mark.parametrize("bad", [float("inf"), float("-inf"), float("nan")])
def test_a_value_that_is_not_a_number_is_written_as_an_anomaly_not_raised(bad):
    assert fmt.money(bad) == fmt.count(bad) == fmt.value(bad, "人次") == fmt.value(bad, "%") == "数据异常"
    assert fmt.percent(bad) == fmt.people(bad) == "数据异常"
    assert fmt.count(-0.0) == "0"
