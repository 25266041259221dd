"""An .xlsx cell's value and position, from the text of its XML: shared or inline text, numbers and the dates their
formats make of them, booleans, ISO dates; row numbers and column letters checked as they are read."""

from __future__ import annotations

import re

from kepu.ingest import numfmt
from kepu.ingest.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROW_NUMBER, FileRejected
from kepu.ingest.zipparts import DAMAGED

_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")  # how Excel writes a control character in text (_x000D_ is \r)
_BOOLEANS = {"1": True, "true": True, "0": False, "false": False}


def cell_value(
    kind: str, style: str | None, parts: list[str], shared: list[str], styles: list[int], date1904: bool, where: str
):
    """A cell's value from its type (t="…"), format (s="…") and text."""
    if not parts:
        return None
    text = parts[0] if len(parts) == 1 else "".join(parts)[:MAX_CELL_CHARS]
    if kind == "s":
        index = to_int(text)
        if not 0 <= index < len(shared):
            raise FileRejected(DAMAGED.format(f"{where}引用了不存在的共享文字"))
        return shared[index]
    if kind == "n":
        try:
            number = float(text)
        except ValueError:
            return text  # not a number after all: kept as written, so that checking can say so
        date_kind = styles[int(style)] if style and style.isdigit() and int(style) < len(styles) else numfmt.PLAIN
        return numfmt.from_serial(number, date_kind, date1904) if date_kind else number
    if kind == "inlineStr" or kind == "str":
        return unescape(text)
    if kind == "b":
        return _BOOLEANS.get(text.strip().lower())
    if kind == "d":
        return numfmt.from_iso(text)
    return None  # e: an error such as #DIV/0!, as calamine gives it


def unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: chr(int(m[1], 16)), text) if "_x" in text else text


def row_number(text: str, where: str) -> int:
    number = to_int(text)
    if not 1 <= number <= MAX_ROW_NUMBER:
        raise FileRejected(DAMAGED.format(f"{where}中有无效的行号“{text[:20]}”"))
    return number


def column_index(letters: str) -> int:
    """The 0-based index of a column named by letters (A → 0, XFD → 16383); MAX_COLUMNS for what names none."""
    if not 1 <= len(letters) <= 3 or not letters.isascii() or not letters.isalpha():
        return MAX_COLUMNS
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return min(index - 1, MAX_COLUMNS)


def to_int(text) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return -1
