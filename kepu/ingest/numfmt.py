"""Excel number formats: which of them show a number as a date or time, and that number as Python shows it.

An .xlsx file stores a date as a number (days since 1899-12-30, or since 1904-01-01 in the 1904 date system) and
says only through the cell's number format that it is a date. The values match what python-calamine gives, so
kepu.validation sees the same values whichever reader read the file.
"""

from __future__ import annotations

import datetime as dt

PLAIN, DATE, DURATION = 0, 1, 2  # how a number format shows a number

# Built-in formats that show dates and times: 14–22 and 45–47 everywhere, 27–36 and 50–58 in Chinese, Japanese
# and Korean Excel (yyyy"年"m"月"d"日 and the like). 46 is [h]:mm:ss, a duration.
_BUILTIN = {**dict.fromkeys([*range(14, 23), *range(27, 37), 45, 47, *range(50, 59)], DATE), 46: DURATION}
_EPOCH_1900, _EPOCH_1904 = dt.datetime(1899, 12, 30), dt.datetime(1904, 1, 1)
_MS_PER_DAY = 86_400_000


def builtin_kind(format_id: int) -> int:
    """PLAIN, DATE or DURATION for one of Excel's built-in number formats."""
    return _BUILTIN.get(format_id, PLAIN)


def format_kind(code: str) -> int:
    """PLAIN, DATE or DURATION for a custom number format such as yyyy"年"m"月"d"日", [h]:mm or #,##0.00.

    Only the first section (for positive numbers) counts. Quoted text, escaped characters (\\x, _x, *x) and
    bracketed parts ([Red], [$-804], [DBNum1]) are not date tokens, except [h], [m] or [s], which make a duration.
    """
    i = 0
    while i < len(code):
        ch = code[i]
        if ch == ";":
            break
        if ch == '"':
            end = code.find('"', i + 1)
            i = len(code) if end < 0 else end + 1
            continue
        if ch in "\\_*":
            i += 2
            continue
        if ch == "[":
            end = code.find("]", i + 1)
            inside = code[i + 1 :] if end < 0 else code[i + 1 : end]
            if inside and all(c in "hmsHMS" for c in inside):
                return DURATION
            i = len(code) if end < 0 else end + 1
            continue
        if ch in "dmyhsDMYHS" or code[i : i + 5].upper() == "AM/PM" or code[i : i + 3].upper() == "A/P":
            return DATE
        i += 1
    return PLAIN


def from_serial(serial: float, kind: int, date1904: bool):
    """A number in a cell formatted as `kind`: a date when whole, a datetime when not, a time below 1, a
    timedelta for a duration. A number no date can hold (negative, too large, not a number) stays a float."""
    try:
        if kind == DURATION:
            return dt.timedelta(days=serial)
        if serial < 0:
            return serial
        if serial < 1:
            return (dt.datetime.min + dt.timedelta(milliseconds=round(serial * _MS_PER_DAY))).time()
        if not date1904 and serial < 60:
            serial += 1  # Excel counts a 29 February 1900 that never was; days before it are one off
        epoch = _EPOCH_1904 if date1904 else _EPOCH_1900
        if serial.is_integer():
            return (epoch + dt.timedelta(days=serial)).date()
        return epoch + dt.timedelta(milliseconds=round(serial * _MS_PER_DAY))
    except (OverflowError, ValueError):
        return serial


def from_iso(text: str):
    """A date cell written as ISO 8601 text (t="d", as Strict Open XML workbooks may hold): a date, a datetime or a
    time; the text itself when it is none of these."""
    text = text.strip()
    try:
        value = dt.datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        try:
            return dt.time.fromisoformat(text.removeprefix("T")).replace(tzinfo=None)
        except ValueError:
            return text
    return value.date() if value.time() == dt.time() else value
