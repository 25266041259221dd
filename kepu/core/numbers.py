"""Numbers a person typed: one parser for every figure that enters the store (activity rows, indicator values,
target edits), refusing what is not a finite number within range.

`float("nan")`, `float("Infinity")` and `float("1e308")` are all valid Python; none is a count of people or an
amount of money. A stored infinity once took the overview down for every viewer, so nothing non-finite gets in.
"""

from __future__ import annotations

import math
import re
import unicodedata

from kepu.core.errors import UserError

# The largest value a figure of each unit may have: far above anything real, far below overflow.
MAX_BY_UNIT = {"%": 100.0, "元": 1e10, "人次": 1e9, "场次": 1e8, "人": 1e9}
_UNITS = re.compile(r"^[¥￥]|(元|人次|人|场次|场|%)$")


class NumberError(UserError):
    """A value that is not an acceptable number; the message (Chinese) says why, naming what was expected."""


def parse_number(value: object, what: str, *, low: float = 0.0, high: float, integer: bool = False) -> float:
    """A finite number in [low, high] from a numeric cell or from text such as "1,200", "１２００", "1200元".
    Raises NumberError naming `what` when the value is not a number, not finite, out of range or, with
    integer=True, has a fractional part."""
    if isinstance(value, bool) or value is None:
        raise NumberError(f"{what}不是数字")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace("，", "")
        text = _UNITS.sub("", text).strip()
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
            raise NumberError(f"{what}不是数字")  # refuses nan, inf, Infinity, 1_000 and the like by their text
        number = float(text)
    if not math.isfinite(number):
        raise NumberError(f"{what}不是有效的数字（{value}）")
    if number < low:
        raise NumberError(f"{what}不能为负数" if low == 0 else f"{what}不能小于 {low:g}")
    if number > high:
        raise NumberError(f"{what}过大（最大 {high:,.0f}），请检查单位和数值")
    if integer and not number.is_integer():
        raise NumberError(f"{what}应为整数")
    return number + 0.0  # -0.0 becomes 0.0, so a zero never shows as "-0"


def is_number(value: object) -> bool:
    """True for a finite int or float (a value from the store that a figure can show)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
