"""Reading a clerk's file: .xlsx/.xlsm (kepu.xlsx), old .xls (kepu.xls) or .csv (kepu.csvfile), to the header and
rows of the one sheet to import (kepu.sheets), each row with its Excel row number, noting which cells hold
formulas (a value must be pasted as a value: we cannot see what Excel computed).

Nothing here judges the data. Every file is read within kepu.limits, so a file that would take more memory or
time than the server can give is refused with a message saying what to do, never read part-way.
"""

from __future__ import annotations

import posixpath

from kepu.ingest import csvfile, xls, xlsx
from kepu.ingest.limits import MAX_BYTES, FileRejected, megabytes
from kepu.ingest.sheets import Sheet, choose, header_key

__all__ = ["MAX_BYTES", "FileRejected", "Sheet", "header_key", "read"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
TEXT_SUFFIXES = (".csv", ".txt")
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # how an .xlsx and an .xls file begin


def read(data: bytes, file_name: str, known_headers: set[str], preferred: tuple[str, ...] = ()) -> Sheet:
    """The table to import from `data`: from the one sheet of a workbook that holds data (hidden sheets are never
    read; a note on the Sheet says when one holds data), else the sheet named first in `preferred`; or from a CSV
    file. The header is the first row among the first few that holds at least two of `known_headers`.
    Raises FileRejected, saying why and what to do, for a file that cannot be imported."""
    if not data:
        raise FileRejected("文件是空的")
    if len(data) > MAX_BYTES:
        raise FileRejected(f"文件超过 {megabytes(MAX_BYTES)}，请拆分后分批导入")
    suffix = posixpath.splitext(file_name.lower())[1]
    if suffix in WORKBOOK_SUFFIXES:
        if data.startswith(_ZIP):  # by content, not by name: an .xlsx renamed .xls still reads
            return choose(xlsx.sources(data), known_headers, preferred)
        if data.startswith(_OLE):
            return xls.read(data, known_headers, preferred)
        raise FileRejected("无法读取这个 Excel 文件（不是 Excel 工作簿），请确认文件未损坏，或另存为 .xlsx 后重试")
    if suffix in TEXT_SUFFIXES:
        return choose(csvfile.sources(data), known_headers)
    raise FileRejected(f"不支持的文件类型“{suffix or file_name}”：请上传 .xlsx 或 .csv 文件")
