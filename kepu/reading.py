"""Reading a clerk's file: .xlsx (or .xls) and .csv (UTF-8 with or without BOM, GBK/GB18030), to rows of cells.

Nothing here judges the data; it only turns a file into a header and rows, each row with its Excel row number,
and notes which cells hold formulas (a value must be pasted as a value, and we cannot see what Excel computed).
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

import python_calamine

MAX_BYTES = 50 * 1024 * 1024
HEADER_SEARCH_ROWS = 10  # a clerk may put a title line or two above the header


class FileRejected(ValueError):
    """A file that cannot be imported at all; the message names the problem, in Chinese."""


@dataclass
class Sheet:
    """A table read from a file: the header as written, and the rows below it."""

    headers: list[str]
    rows: list[list]  # cell values: str, int, float, bool, date/datetime, or None
    row_numbers: list[int]  # each row's number as Excel shows it (the header row is usually 1)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row number, column index) of formula cells


def read(data: bytes, file_name: str, sheet_name: str, known_headers: set[str]) -> Sheet:
    """The table in `data`: from the sheet called `sheet_name` (else the first) of a workbook, or from a CSV file.
    The header is the first row (of the first few) that holds at least two of `known_headers`."""
    if not data:
        raise FileRejected("文件是空的")
    if len(data) > MAX_BYTES:
        raise FileRejected(f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请拆分后分批导入")
    suffix = posixpath.splitext(file_name.lower())[1]
    if suffix in (".xlsx", ".xlsm", ".xls"):
        cells, formulas = _workbook_cells(data, sheet_name, suffix)
    elif suffix in (".csv", ".txt"):
        cells, formulas = _csv_cells(data), set()
    else:
        raise FileRejected(f"不支持的文件类型“{suffix or file_name}”：请上传 .xlsx 或 .csv 文件")
    return _split_header(cells, formulas, known_headers)


def header_key(text) -> str:
    """A header compared loosely: full-width forms folded, spaces and the required-mark * removed."""
    return re.sub(r"[\s*]", "", unicodedata.normalize("NFKC", str(text or "")))


def _split_header(cells: list[list], formulas: set, known_headers: set[str]) -> Sheet:
    known = {header_key(h) for h in known_headers}
    for i, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        if sum(header_key(c) in known for c in row) >= 2:
            rows = cells[i + 1:]
            return Sheet([str(c or "").strip() for c in row], rows, list(range(i + 2, i + 2 + len(rows))), formulas)
    if not any(any(_filled(c) for c in row) for row in cells):
        raise FileRejected("文件中没有数据")
    raise FileRejected("找不到表头：请使用填报模板，第一行应为“活动名称、开始日期、镇街……”等列名")


def _filled(value) -> bool:
    return value is not None and str(value).strip() != ""


def _workbook_cells(data: bytes, sheet_name: str, suffix: str) -> tuple[list[list], set]:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        name = sheet_name if sheet_name in book.sheet_names else book.sheet_names[0]
        cells = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several kinds for damaged or mislabelled files
        raise FileRejected(f"无法读取这个 Excel 文件（{type(exc).__name__}），"
                           "请确认文件未损坏，或另存为 .xlsx 后重试") from exc
    formulas = _formula_cells(data, name) if suffix != ".xls" else set()
    return [list(r) for r in cells], formulas


def _csv_cells(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRejected("无法识别文件的文字编码：请另存为 UTF-8 或 GBK 编码的 CSV，或直接上传 .xlsx")
    if "\x00" in text:
        raise FileRejected("这不是文本格式的 CSV 文件：请上传 .xlsx 或另存为 CSV")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise FileRejected(f"CSV 文件格式有误（{exc}），请用 Excel 打开后另存为 .xlsx 再上传") from exc


_CELL = re.compile(r"([A-Z]+)(\d+)")
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}


def _formula_cells(data: bytes, sheet_name: str) -> set[tuple[int, int]]:
    """The (row number, column index) of every cell of the sheet that holds a formula."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            path = _sheet_path(z, sheet_name)
            xml = z.read(path)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return set()
    if b"<f" not in xml and b":f" not in xml:
        return set()  # the usual case: no formulas, no need to parse
    found = set()
    for _, element in ElementTree.iterparse(io.BytesIO(xml)):
        if element.tag.endswith("}c") and any(child.tag.endswith("}f") for child in element):
            m = _CELL.fullmatch(element.get("r", ""))
            if m:
                found.add((int(m[2]), _column_index(m[1])))
        if element.tag.endswith("}row"):
            element.clear()
    return found


def _sheet_path(z: zipfile.ZipFile, sheet_name: str) -> str:
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", _NS)}
    sheets = book.findall("m:sheets/m:sheet", _NS)
    chosen = next((s for s in sheets if s.get("name") == sheet_name), sheets[0])
    target = targets[chosen.get(f"{{{_NS['r']}}}id")]
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1
