"""Reading .xlsx and .xlsm workbooks as a stream, never holding more than the limits below and kepu.limits allow.

calamine builds each sheet's whole rectangle of cells (a cell at A1 and one at XFD1048576 make billions), and a
file of a few hundred KB can inflate to gigabytes. Here each part of the zip is inflated in bounded chunks
(kepu.zipparts) and parsed with expat as it comes, so a file is refused as soon as it passes a limit, before
anything big is built. Elements are matched by their local name, so Transitional and Strict Open XML workbooks
both read.

Cell values are those python-calamine gives: text as str, numbers as float, numbers in a date format as date,
datetime, time or timedelta (kepu.numfmt), booleans as bool; errors and empty cells as None.
"""

from __future__ import annotations

import functools
import posixpath
import re
import sys
from collections.abc import Callable, Iterator
from xml.parsers import expat

from kepu.ingest import numfmt
from kepu.ingest.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROW_NUMBER, MB, FileRejected, megabytes
from kepu.ingest.sheets import Row, Source, filled
from kepu.ingest.xlsx_cells import cell_value, column_index, row_number, to_int, unescape
from kepu.ingest.zipparts import DAMAGED, MAX_PARTS, TOO_BIG, Parts

MAX_TAGS = 24_000_000  # XML tags parsed in all: parsing time goes by tags (1 to 3 million a second); a sheet of
#                         MAX_ROWS template rows as openpyxl writes it has 12.6 million
MAX_TOKEN_BYTES = 1 * MB  # one tag or run of text: expat holds a whole tag before it reports it (a cell of
#                           32,767 characters written as &#NNNNN; takes 0.3 MB)
MAX_SHARED_TEXT_BYTES = 128 * MB  # the shared-strings table, as Python holds it
MAX_STYLES = 65_536  # cell formats; Excel allows about 64,000

_LONG_RUN = re.compile(rb"<[^<]{%d}" % MAX_TOKEN_BYTES)


def sources(data: bytes) -> list[Source]:
    """The worksheets of the .xlsx or .xlsm file `data`, in the workbook's order (chart and macro sheets left
    out); each is read only when its rows are asked for. Raises FileRejected for what cannot be read."""
    return _Workbook(data).sources


class _Workbook:
    """An opened workbook: its parts, date system, shared strings and the date kind of each cell format."""

    def __init__(self, data: bytes):
        self.parts = Parts(data)
        self.tags = 0
        book = next(
            (target for _, kind, target in self._relationships("") if kind == "officeDocument"), "xl/workbook.xml"
        )
        links: dict[str, dict[str, str]] = {}
        for link, kind, target in self._relationships(book):
            links.setdefault(kind, {})[link] = target
        sheets, self.date1904 = self._sheets(book)
        self.shared = self._shared_strings(next(iter(links.get("sharedStrings", {}).values()), None))
        self.styles = self._styles(next(iter(links.get("styles", {}).values()), None))
        worksheets = links.get("worksheet", {})
        self.sources = []
        for name, hidden, link in sheets:
            if not any(link in targets for targets in links.values()):
                raise FileRejected(DAMAGED.format(f"找不到工作表“{name}”的内容"))
            if link in worksheets:  # a chart or macro sheet has no cells to import
                self.sources.append(Source(name, hidden, functools.partial(self._rows, worksheets[link], name)))

    def _parse(
        self, path: str, label: str, start: Callable, end: Callable | None = None, text: Callable | None = None
    ) -> Iterator[None]:
        """Parse a part with expat, calling the handlers with tag names as written (prefix and all); yields after
        each chunk, so that a caller can take what the handlers made of it."""
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = _no_doctype
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text
        run = 0
        try:
            for chunk in self.parts.inflate(path, label):
                run = _check_runs(chunk, run)
                self.tags += chunk.count(b"<")
                if self.tags > MAX_TAGS:
                    raise FileRejected(
                        f"工作簿的内容过多（超过 {MAX_TAGS:,} 个 XML 标记），超出了能导入的范围："
                        "请删除多余的工作表或格式后另存，或拆分成几个文件分批导入"
                    )
                parser.Parse(chunk, False)
                parser.intern.clear()  # names seen: a part of ever new names would grow it without end
                yield
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise FileRejected(DAMAGED.format(f"{label}的内容有误：{expat.ErrorString(exc.code)}")) from None
        yield

    def _run(
        self, path: str, label: str, start: Callable, end: Callable | None = None, text: Callable | None = None
    ) -> None:
        for _ in self._parse(path, label, start, end, text):
            pass

    def _relationships(self, path: str) -> list[tuple[str, str, str]]:
        """(id, kind, target path) of each relationship of the part at `path` ("" for the package); kind is the
        last word of its type (worksheet, sharedStrings, styles…), the same in Transitional and Strict files."""
        folder, name = posixpath.split(path)
        rels = posixpath.join(folder, "_rels", name + ".rels")
        found = []

        def start(tag, attrs):
            if _local(tag) == "Relationship" and attrs.get("TargetMode") != "External" and "Target" in attrs:
                target = attrs["Target"].replace("\\", "/")
                target = target[1:] if target.startswith("/") else posixpath.join(folder, target)
                found.append(
                    (attrs.get("Id", ""), attrs.get("Type", "").rpartition("/")[2], posixpath.normpath(target))
                )
                if len(found) > MAX_PARTS:  # each should lead to a part of its own
                    raise FileRejected(DAMAGED.format(f"关系超过 {MAX_PARTS:,} 个"))

        if rels in self.parts:
            self._run(rels, "关系表", start)
        return found

    def _sheets(self, book: str) -> tuple[list[tuple[str, bool, str]], bool]:
        """Each sheet's name, whether it is hidden (hidden or veryHidden), and its relationship id; and whether the
        workbook counts dates from 1904."""
        sheets, date1904 = [], [False]

        def start(tag, attrs):
            local = _local(tag)
            if local == "sheet":
                link = next((v for k, v in attrs.items() if ":" in k and _local(k) == "id"), "")
                sheets.append((attrs.get("name", ""), attrs.get("state", "visible") != "visible", link))
                if len(sheets) > MAX_PARTS:
                    raise FileRejected(DAMAGED.format(f"工作表超过 {MAX_PARTS:,} 个"))
            elif local == "workbookPr":
                date1904[0] = attrs.get("date1904", "").lower() in ("1", "true")

        self._run(book, "工作簿目录", start)
        return sheets, date1904[0]

    def _shared_strings(self, path: str | None) -> list[str]:
        """The shared-strings table: each entry's plain or rich text, without its phonetic guide (<rPh>)."""
        table: list[str] = []
        if path is None:
            return table
        text = _Text()
        inside = {"si": False, "rPh": False}
        size = [0]

        def start(tag, attrs):
            local = _local(tag)
            if local in inside:
                inside[local] = True
                if local == "si":
                    text.clear()
            elif local == "t" and inside["si"] and not inside["rPh"]:
                text.capture = True

        def end(tag):
            local = _local(tag)
            if local == "t":
                text.capture = False
            elif local == "rPh":
                inside[local] = False
            elif local == "si":
                inside[local] = False
                table.append(text.value())
                size[0] += sys.getsizeof(table[-1]) + 8  # the string and its place in the list
                if size[0] > MAX_SHARED_TEXT_BYTES:
                    raise FileRejected(TOO_BIG.format("共享文字表", megabytes(MAX_SHARED_TEXT_BYTES)))

        self._run(path, "共享文字表", start, end, text.add)
        return table

    def _styles(self, path: str | None) -> list[int]:
        """For each cell format (a cell's s="…"), how it shows a number: kepu.numfmt's PLAIN, DATE or DURATION."""
        if path is None:
            return []
        codes: dict[int, str] = {}
        formats: list[int] = []
        inside = [False]

        def start(tag, attrs):
            local = _local(tag)
            if local == "numFmt" and len(codes) < MAX_STYLES:
                codes[to_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
            elif local == "cellXfs":
                inside[0] = True
            elif local == "xf" and inside[0]:
                formats.append(to_int(attrs.get("numFmtId")))
                if len(formats) > MAX_STYLES:
                    raise FileRejected(DAMAGED.format(f"单元格格式超过 {MAX_STYLES:,} 种"))

        def end(tag):
            if _local(tag) == "cellXfs":
                inside[0] = False

        self._run(path, "样式表", start, end)
        return [numfmt.format_kind(codes[f]) if f in codes else numfmt.builtin_kind(f) for f in formats]

    def _rows(self, path: str, name: str) -> Iterator[Row]:
        """The non-empty rows of the sheet at `path`, as they are parsed."""
        ready: list[Row] = []
        where = f"工作表“{name}”"
        start, end, text = _cell_handlers(self, where, ready)
        for _ in self._parse(path, where, start, end, text):
            yield from ready
            ready.clear()


class _Text:
    """The text of the element being read, cut at MAX_CELL_CHARS."""

    def __init__(self):
        self.parts: list[str] = []
        self.size = 0
        self.capture = False

    def add(self, data: str) -> None:
        if self.capture and self.size < MAX_CELL_CHARS:
            self.parts.append(data)
            self.size += len(data)

    def clear(self) -> None:
        self.parts.clear()
        self.size = 0

    def value(self) -> str:
        return unescape("".join(self.parts)[:MAX_CELL_CHARS])


# The elements of a sheet that matter, by local name; any other is 0.
_C, _V, _F, _T, _ROW, _IS, _RPH = range(1, 8)
_CODES = {"c": _C, "v": _V, "f": _F, "t": _T, "row": _ROW, "is": _IS, "rPh": _RPH}


def _cell_handlers(book: _Workbook, where: str, ready: list[Row]) -> tuple[Callable, Callable, Callable]:
    """Expat handlers that put each non-empty row of a sheet into `ready`. Positions come from r="…" where a row
    or cell has one, else follow on from the one before (Excel may leave r out). Written as closures over local
    state: they run millions of times."""
    codes: dict[str, int] = {}
    columns: dict[str, int] = {}
    shared, styles, date1904 = book.shared, book.styles, book.date1904
    number, implied, column = 0, False, -1  # the row being read; whether its <row> lacked r="…"; the cell's column
    values: list = []
    formulas: list[int] = []
    row_filled = False
    kind, style, formula, inline, phonetic = "n", None, False, False, False
    parts: list[str] = []
    capture, size = False, 0

    def code_of(tag: str) -> int:
        code = _CODES.get(_local(tag), 0)
        if len(codes) < 256:  # made-up names must not grow the table without end
            codes[tag] = code
        return code

    def start(tag, attrs):
        nonlocal number, implied, column, values, formulas, row_filled, kind, style, formula, inline, phonetic
        nonlocal capture, size
        code = codes.get(tag)
        if code is None:
            code = code_of(tag)
        if code == _C:
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                found = columns.get(letters)
                if found is None:
                    found = column_index(letters)
                    if found < MAX_COLUMNS:
                        columns[letters] = found
                column = found
                if implied and not values:  # a <row> without r="…": its first cell says which row it is
                    number, implied = row_number(ref[len(letters) :], where), False
            else:
                column += 1
            if column >= MAX_COLUMNS:
                raise FileRejected(
                    f"{where}有单元格超出了 Excel 的最后一列（XFD），文件可能已损坏：请用 Excel "
                    "打开后另存为 .xlsx 再上传"
                )
            kind, style, formula = attrs.get("t", "n"), attrs.get("s"), False
            parts.clear()
            size = 0
        elif code == _V or (code == _T and inline and not phonetic):
            capture = True
        elif code == _F:
            formula = True
        elif code == _ROW:
            ref = attrs.get("r")
            implied = not ref
            number = row_number(ref, where) if ref else number + 1
            if number > MAX_ROW_NUMBER:
                raise FileRejected(DAMAGED.format(f"{where}的行数超出了 Excel 的上限"))
            column, values, formulas, row_filled = -1, [], [], False
        elif code == _IS:
            inline = True
        elif code == _RPH:
            phonetic = True

    def end(tag):
        nonlocal capture, inline, phonetic, row_filled, implied
        code = codes.get(tag)
        if code is None:
            code = code_of(tag)
        if code == _C:
            if formula:
                formulas.append(column)
            value = cell_value(kind, style, parts, shared, styles, date1904, where)
            if value is None or value == "":
                return
            if column == len(values):
                values.append(value)
            elif column > len(values):
                values.extend([None] * (column - len(values)))
                values.append(value)
            else:
                values[column] = value
            if not row_filled and filled(value):
                row_filled = True
        elif code in (_V, _T):
            capture = False
        elif code == _ROW:
            if row_filled:
                ready.append((number, values, tuple(formulas)))
            implied = False
        elif code == _IS:
            inline = False
        elif code == _RPH:
            phonetic = False

    def text(data):
        nonlocal size
        if capture and size < MAX_CELL_CHARS:
            parts.append(data)
            size += len(data)

    return start, end, text


def _check_runs(chunk: bytes, run: int) -> int:
    """Refuse a tag or a run of text longer than MAX_TOKEN_BYTES (a cell's text is far shorter); `run` is how far
    the last one of the chunk before reached. Returns how far the last one of this chunk reaches."""
    first = chunk.find(b"<")
    if first < 0:
        run += len(chunk)
    elif run + first > MAX_TOKEN_BYTES or _LONG_RUN.search(chunk):
        run = MAX_TOKEN_BYTES + 1
    else:
        run = len(chunk) - chunk.rfind(b"<") - 1
    if run > MAX_TOKEN_BYTES:
        raise FileRejected(
            f"文件中有超过 {megabytes(MAX_TOKEN_BYTES)} 的一段标记或文字，不像 Excel 保存的工作簿："
            "请用 Excel 打开后另存为 .xlsx 再上传"
        )
    return run


def _no_doctype(*_) -> None:
    raise FileRejected("文件中含有 DTD 声明，不是 Excel 保存的工作簿：请用 Excel 打开后另存为 .xlsx 再上传")


@functools.lru_cache(maxsize=1024)
def _local(name: str) -> str:
    return name.rpartition(":")[2]
