"""One cell of a clerk's row, read as a person would: text as shown, a date however it was written, a number
through kepu.core.numbers. A cell that cannot be read raises Bad, whose message is the reason shown to the clerk."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

from kepu.core import matching
from kepu.core.errors import UserError
from kepu.core.numbers import NumberError
from kepu.core.numbers import parse_number as _parse_number

EXCEL_EPOCH = dt.date(1899, 12, 30)


class Bad(UserError):
    """A cell that cannot be accepted; the message is the reason shown to the clerk."""


def text(value) -> str:
    """A cell's value as text, as a clerk sees it: 1023.0 typed as a number is 1023, a date cell its date."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores typed numbers such as 活动编号 1023 as 1023.0
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value).strip()


def parse_date(value) -> dt.date:
    """A date from an Excel date cell, an Excel serial number, or text like 2024-05-12, 2024/5/12, 2024.5.12,
    2024年5月12日 or 20240512."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise Bad("不是日期")
    if isinstance(value, int | float):
        if 1 <= value < 2958466 and float(value).is_integer():
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise Bad("不是日期")
    return _parse_date_text(str(value))


@lru_cache(maxsize=4096)
def _parse_date_text(text: str) -> dt.date:
    t = unicodedata.normalize("NFKC", matching.clean(text))
    m = re.fullmatch(
        r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?", t
    ) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", t)
    if not m:
        if re.fullmatch(r"\d{5}(\.0+)?", t):  # a serial number that arrived as text
            return EXCEL_EPOCH + dt.timedelta(days=int(float(t)))
        raise Bad("无法识别的日期，请写成 2024-05-12 这样的格式")
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise Bad("日期不存在（请检查月份和日期）") from None


def parse_number(value, what: str, *, low: float = 0.0, high: float, integer: bool = False) -> float:
    """kepu.numbers.parse_number, its refusal as a cell error."""
    try:
        return _parse_number(value, what, low=low, high=high, integer=integer)
    except NumberError as exc:
        raise Bad(str(exc)) from None
