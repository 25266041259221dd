"""Which sheet of a file to import, and its header and rows, kept within kepu.limits.

Every reader offers a file as Sources: each sheet's name, whether it is hidden, and its non-empty rows, read on
demand. Hidden sheets are never imported (a clerk cannot see what they hold), but one holding data is mentioned.
A visible sheet with a header and at least one row below it is a data sheet; a workbook with two is refused by
name rather than one of them being dropped without a word.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from kepu.core import matching
from kepu.core.glossary import OPTIONS_SHEET
from kepu.ingest.limits import HEADER_SEARCH_ROWS, MAX_CELLS, MAX_KEPT_BYTES, MAX_ROWS, FileRejected, megabytes

# One non-empty row as a reader gives it: its number as Excel shows it, its cell values (str, float, bool,
# date/datetime/time/timedelta, or None), and the indexes of the columns whose cells hold formulas.
Row = tuple[int, list, tuple[int, ...]]


@dataclass
class Sheet:
    """A table read from a file: the header as written, and the rows below it."""

    headers: list[str]
    rows: list[list]  # cell values: str, float, bool, date/datetime, or None; a row may be shorter than the header
    row_numbers: list[int]  # each row's number as Excel shows it (the header row is usually 1)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row number, column index) of formula cells
    name: str = ""  # the sheet read; "" for a CSV file
    notes: list[str] = field(default_factory=list)  # sentences for the clerk about what was not read, and why


@dataclass
class Source:
    """One sheet of a file, not yet read: `rows()` gives its non-empty rows in order."""

    name: str
    hidden: bool
    rows: Callable[[], Iterator[Row]]


def header_key(text) -> str:
    """A header compared as names are (kepu.matching.key: full-width forms folded, invisible characters and spaces
    removed), the required-mark * removed too."""
    return matching.key(text).replace("*", "")


def filled(value) -> bool:
    """True when a cell holds something other than blanks."""
    return value is not None and (not isinstance(value, str) or (value != "" and not value.isspace()))


def choose(sources: Iterable[Source], known_headers: set[str], preferred: tuple[str, ...] = ()) -> Sheet:
    """The sheet to import from `sources`: the one visible data sheet, else a visible sheet named in `preferred`,
    else the first visible sheet with a header. The header is the first row among the first few that holds at
    least two of `known_headers`. Raises FileRejected for two data sheets, no header or no data."""
    known = {header_key(h) for h in known_headers}
    data_sheets: list[_Scan] = []
    visible: list[_Scan] = []
    notes: list[str] = []
    for source in sources:
        if source.hidden:
            scan = _scan(source, known, keep=False, count_all=True)
            if scan.data_rows and source.name != OPTIONS_SHEET:  # the template's dropdown lists are no data
                notes.append(
                    f"隐藏的工作表“{source.name}”中有 {scan.data_rows} 行数据，隐藏的表不导入；"
                    "如需导入，请取消隐藏，或把这些行复制到要导入的表中"
                )
            continue
        scan = _scan(source, known, keep=not data_sheets, count_all=False)
        visible.append(scan)
        if scan.data_rows:
            data_sheets.append(scan)
            if len(data_sheets) == 2:  # the file will be refused: let the first one's rows go now
                data_sheets[0].rows, data_sheets[0].row_numbers, data_sheets[0].formulas = [], [], set()
    if len(data_sheets) > 1:
        count = "两" if len(data_sheets) == 2 else f" {len(data_sheets)} "
        names = "".join(f"“{s.name}”" for s in data_sheets)
        raise _refusal(f"工作簿中有{count}个数据表{names}都有数据，请合并到一个表或删除多余的表后重新上传", notes)
    chosen = data_sheets[0] if data_sheets else _fallback(visible, preferred)
    if chosen is None or chosen.header_row is None:
        if not any(s.filled for s in visible):
            raise _refusal("文件中没有数据", notes)
        raise _refusal("找不到表头：请使用填报模板，第一行应为“活动名称、开始日期、镇街……”等列名", notes)
    if not chosen.rows and notes:
        raise _refusal("文件中只有表头，没有数据行", notes)
    return Sheet(chosen.headers, chosen.rows, chosen.row_numbers, chosen.formulas, chosen.name, notes)


def _fallback(visible: list[_Scan], preferred: tuple[str, ...]) -> _Scan | None:
    for name in preferred:
        for scan in visible:
            if scan.name.strip() == name:
                return scan
    return next((s for s in visible if s.header_row is not None), visible[0] if visible else None)


def _refusal(message: str, notes: list[str]) -> FileRejected:
    return FileRejected("。".join([message, *notes]))


@dataclass
class _Scan:
    """What one sheet holds: its header, and its data rows when they were kept."""

    name: str
    filled: bool = False
    header_row: int | None = None
    headers: list[str] = field(default_factory=list)
    data_rows: int = 0  # counted up to the first when neither kept nor counted
    rows: list[list] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    formulas: set[tuple[int, int]] = field(default_factory=set)


def _scan(source: Source, known: set[str], keep: bool, count_all: bool) -> _Scan:
    """Read `source` as far as needed: to its header (or past the rows a header may be in), then every data row
    when `keep` (within the limits) or `count_all`, else only to the first data row."""
    scan = _Scan(source.name)
    budget = _Budget(source.name)
    rows = source.rows()
    try:
        for number, cells, formula_columns in rows:
            scan.filled = True
            if scan.header_row is None:
                if number > HEADER_SEARCH_ROWS:
                    break
                if sum(header_key(c) in known for c in cells) >= 2:
                    scan.header_row, scan.headers = number, _header(cells)
                continue
            scan.data_rows += 1
            if keep:
                width = len(scan.headers)
                row = _fit(cells, width)
                budget.keep(row)
                scan.rows.append(row)
                scan.row_numbers.append(number)
                if formula_columns:
                    scan.formulas.update((number, c) for c in formula_columns if c < width)
            elif not count_all:
                break
    finally:
        getattr(rows, "close", lambda: None)()  # a reader stopped early lets go of its file at once
    return scan


def _header(cells: list) -> list[str]:
    headers = [str(c or "").strip() for c in cells]
    while headers and not headers[-1]:
        headers.pop()
    return headers


def _fit(cells: list, width: int) -> list:
    """The row cut to the header's width: cells right of it have no column name and are never imported. When
    they are all the row holds, the first of them is kept, so that checking still sees a row that is not empty
    (and reports what it lacks) rather than the row vanishing without a word."""
    if len(cells) <= width:
        return cells
    row = cells[:width]
    if not any(filled(c) for c in row):
        row.append(next(c for c in cells[width:] if filled(c)))
    return row


class _Budget:
    """Counts what a sheet's kept rows hold, and refuses the file as soon as they hold more than kepu.limits
    allows."""

    def __init__(self, name: str):
        self.where = f"工作表“{name}”" if name else "文件"
        self.rows = self.cells = self.bytes = 0

    def keep(self, row: list) -> None:
        self.rows += 1
        self.cells += len(row)
        self.bytes += sys.getsizeof(row) + sum(map(sys.getsizeof, row))  # shared values counted each time
        if self.rows > MAX_ROWS:
            raise FileRejected(f"{self.where}的数据超过 {MAX_ROWS:,} 行，请拆分成几个文件分批导入")
        if self.cells > MAX_CELLS:
            raise FileRejected(
                f"{self.where}的单元格超过 {MAX_CELLS:,} 个（含行中间的空单元格），"
                "请删除多余的列，或拆分成几个文件分批导入"
            )
        if self.bytes > MAX_KEPT_BYTES:
            raise FileRejected(
                f"{self.where}的内容超过 {megabytes(MAX_KEPT_BYTES)}（按读入后所占的内存计），请拆分成几个文件分批导入"
            )
