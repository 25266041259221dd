"""Reading a .csv (or .txt) file: UTF-8 with or without BOM, else GBK/GB18030; commas, tabs or semicolons.

The file is decoded and split a line at a time, and entirely empty records are passed over (their numbers still
count), so a file of nothing but line breaks or commas never becomes millions of Python lists; a line longer, or a
file with more records, than Excel could hold is refused before it costs much.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator

from kepu.ingest.limits import MAX_COLUMNS, MAX_ROW_NUMBER, MB, FileRejected, megabytes
from kepu.ingest.sheets import Row, Source

MAX_LINE_BYTES = 1 * MB  # one line: csv builds all of a record's fields at once (50 MB of commas: 50 million)
ENCODINGS = ("utf-8-sig", "gb18030")

_LONG_LINE = re.compile(rb"[^\r\n]{%d}" % MAX_LINE_BYTES)
_LONG_LATER_LINE = re.compile(rb"[\r\n][^\r\n]{%d}" % MAX_LINE_BYTES)  # starts at a line break: one pass in all


def sources(data: bytes) -> list[Source]:
    """The file as one unnamed sheet, its rows read when asked for. Raises FileRejected for a file that is not
    text in a known encoding, or has a line longer than MAX_LINE_BYTES."""
    encoding = _encoding(data)
    if b"\x00" in data:
        raise FileRejected("这不是文本格式的 CSV 文件：请上传 .xlsx 或另存为 CSV")
    if _LONG_LINE.match(data) or _LONG_LATER_LINE.search(data):
        raise FileRejected(
            f"文件中有一行超过 {megabytes(MAX_LINE_BYTES)}，不像表格数据：请用 Excel 打开后另存为 .xlsx 再上传"
        )
    try:
        dialect = csv.Sniffer().sniff(data[:16384].decode(encoding, errors="ignore")[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [Source("", False, lambda: _rows(data, encoding, dialect))]


def _encoding(data: bytes) -> str:
    """The first of ENCODINGS that decodes all of `data`, tried a megabyte at a time."""
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for at in range(0, len(data), MB):
                decoder.decode(data[at : at + MB])
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileRejected("无法识别文件的文字编码：请另存为 UTF-8 或 GBK 编码的 CSV，或直接上传 .xlsx")


def _rows(data: bytes, encoding: str, dialect) -> Iterator[Row]:
    lines = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    try:
        for number, record in enumerate(csv.reader(lines, dialect), start=1):
            if number > MAX_ROW_NUMBER:  # blank lines included: each costs time to pass over
                raise FileRejected(
                    f"文件超过 {MAX_ROW_NUMBER:,} 行（Excel 一个表最多的行数），不像表格数据："
                    "请删除多余的空行，或拆分成几个文件分批导入"
                )
            if len(record) > MAX_COLUMNS:
                raise FileRejected(
                    f"第 {number} 行超过 {MAX_COLUMNS:,} 列，不像表格数据：请检查分隔符，或用 Excel "
                    "打开后另存为 .xlsx 再上传"
                )
            if any(c.strip() for c in record):
                yield number, record, ()
    except csv.Error as exc:
        raise FileRejected(f"CSV 文件格式有误（{exc}），请用 Excel 打开后另存为 .xlsx 再上传") from exc
