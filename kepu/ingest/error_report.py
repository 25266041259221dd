"""An import's errors as a workbook a clerk can download, fix from and keep."""

from __future__ import annotations

import io

from kepu.ingest.validation import RowError


def error_workbook(errors: list[RowError]) -> bytes:
    """The errors as an .xlsx report (行号, 列, 值, 原因). Every cell is written as text, so a value that looks
    like a formula stays inert when the report is opened."""
    import openpyxl  # only needed for this download

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "错误清单"
    sheet.append(["行号", "列", "值", "原因"])
    for e in errors:
        sheet.append([e.row, e.column, e.value, e.reason])
        for cell in sheet[sheet.max_row][1:]:
            cell.data_type = "s"
    for column, width in zip("ABCD", (8, 12, 30, 60), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
