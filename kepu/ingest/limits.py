"""What an uploaded file may hold before it is refused, and the error that refuses it.

Every reader (kepu.xlsx, kepu.xls, kepu.csvfile) and the sheet choice (kepu.sheets) count against these while they
read, so nothing larger than they allow is ever built. The figures were chosen by measuring the whole import path
(reading, checking every row, de-duplicating in DuckDB) with benchmarks/workbook_bench.py: a template-shaped file
at MAX_ROWS stays well under 1 GB of memory; see benchmarks/README.md.
"""

from __future__ import annotations

from kepu.core.errors import UserError

MB = 1024 * 1024
MAX_BYTES = 50 * MB  # the upload itself
MAX_ROWS = 200_000  # data rows kept from the sheet imported (the template's 13 columns: 2.6 million cells)
MAX_CELLS = 4_000_000  # cells kept, counting the empty ones between filled cells of a row
MAX_KEPT_BYTES = 320 * MB  # the rows kept, as Python holds them (a character of text takes 1, 2 or 4 bytes)
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell; a longer text is cut here (checking then refuses it)
MAX_COLUMNS = 16_384  # Excel's last column, XFD
MAX_ROW_NUMBER = 1_048_576  # Excel's last row
HEADER_SEARCH_ROWS = 10  # a clerk may put a title line or two above the header


class FileRejected(UserError):
    """A file that cannot be imported at all; the message names the problem and what to do, in Chinese."""


def megabytes(size: int) -> str:
    """A size limit as the messages show it: 50 MB."""
    return f"{size // MB} MB"
