"""Reading an old binary .xls workbook: with calamine, in a child process held to a memory and time limit.

calamine reads every sheet of an .xls as soon as it opens the file, each as a full rectangle of cells: a 6 KB file
with a cell at A1 and one at IV65536 takes 530 MB a sheet, so four such sheets take 2 GB. Nothing outside calamine
can bound that, so it runs in a child process whose address space is limited; a file it cannot read within the
limit is refused. The child chooses the sheet itself (kepu.sheets) and sends back only that sheet's rows, which
kepu.limits bounds as for any other file.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from kepu.ingest.limits import MB, FileRejected, megabytes
from kepu.ingest.sheets import Row, Sheet, Source, choose, filled

MEMORY_LIMIT = 640 * MB  # the child's address space: Python, calamine, the file and every sheet's cells
TIME_LIMIT = 45  # seconds the child may take, by the clock and in CPU time

_TOO_BIG = (
    f"这个 .xls 文件的表格范围太大，在 {megabytes(MEMORY_LIMIT)} 内存内无法读取（旧的 .xls 格式会把每个工作表按"
    "整个矩形读入）：请用 Excel 打开后删除多余的工作表和远处的单元格，另存为 .xlsx 再上传"
)
_UNREADABLE = "无法读取这个 Excel 文件（{}），请确认文件未损坏、没有设置密码，或用 Excel 另存为 .xlsx 后重试"


def read(data: bytes, known_headers: set[str], preferred: tuple[str, ...]) -> Sheet:
    """The sheet to import from the .xls file `data`, chosen as kepu.sheets.choose does. Raises FileRejected."""
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    request = pickle.dumps((data, set(known_headers), tuple(preferred)))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kepu.ingest.xls"], input=request, capture_output=True, env=env, timeout=TIME_LIMIT
        )
    except subprocess.TimeoutExpired:
        raise FileRejected(f"读取这个 .xls 文件超过了 {TIME_LIMIT} 秒：请用 Excel 打开后另存为 .xlsx 再上传") from None
    except OSError as exc:  # the child could not be started at all
        raise FileRejected(_UNREADABLE.format(f"无法启动读取进程：{exc.strerror}")) from None
    if done.returncode == -signal.SIGABRT:
        raise FileRejected(_TOO_BIG)  # calamine aborts when an allocation fails at the memory limit
    if done.returncode == -signal.SIGXCPU:
        raise FileRejected(f"读取这个 .xls 文件超过了 {TIME_LIMIT} 秒：请用 Excel 打开后另存为 .xlsx 再上传")
    try:
        status, value = _Unpickler(io.BytesIO(done.stdout)).load()
    except Exception:  # noqa: BLE001 (the child died some other way, leaving nothing or half an answer)
        raise FileRejected(_UNREADABLE.format(f"读取进程退出码 {done.returncode}")) from None
    if status == "refused":
        raise FileRejected(value)
    headers, rows, row_numbers, name, notes = value
    return Sheet(headers, rows, row_numbers, set(), name, notes)


class _Unpickler(pickle.Unpickler):
    """Loads only what the child sends: plain values, dates and times."""

    def find_class(self, module: str, name: str):
        if module == "datetime" and name in ("date", "datetime", "time", "timedelta"):
            return getattr(dt, name)
        raise pickle.UnpicklingError(f"{module}.{name}")


def _child() -> None:
    """In the child: read the request from stdin, write ("sheet", its parts) or ("refused", message) to stdout."""
    import resource

    import python_calamine

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (TIME_LIMIT, TIME_LIMIT))
    data, known_headers, preferred = pickle.load(sys.stdin.buffer)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = choose(_sources(book, python_calamine), known_headers, preferred)
        result: tuple[str, object] = ("sheet", (sheet.headers, sheet.rows, sheet.row_numbers, sheet.name, sheet.notes))
    except FileRejected as exc:
        result = ("refused", str(exc))
    except MemoryError:
        result = ("refused", _TOO_BIG)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 (calamine raises several kinds; pyo3's PanicException is no Exception)
        result = ("refused", _UNREADABLE.format(type(exc).__name__))
    sys.stdout.buffer.write(pickle.dumps(result))


def _sources(book, calamine) -> list[Source]:
    return [
        Source(m.name, m.visible != calamine.SheetVisibleEnum.Visible, functools.partial(_rows, book, m.name))
        for m in book.sheets_metadata
        if m.typ == calamine.SheetTypeEnum.WorkSheet
    ]


def _rows(book, name: str) -> Iterator[Row]:
    sheet = book.get_sheet_by_name(name)
    left = [None] * (sheet.start or (0, 0))[1]
    for index, cells in enumerate(sheet.iter_rows()):  # rows from the first; columns from the first used one
        if any(filled(c) for c in cells):
            yield index + 1, left + [None if c == "" else c for c in cells], ()


if __name__ == "__main__":
    _child()
