"""The files benchmarks/workbook_bench.py uploads: legitimate ones, written as clerks' tools write them, and
hostile ones, written by hand (tests/helpers/workbooks.py) to inflate, to spread out, or to flood."""

from __future__ import annotations

import io
import random
import sys
from pathlib import Path

import xlwt
from import_bench import write_workbook

from kepu.core.glossary import ACTIVITY_COLUMNS, ACTIVITY_TYPES
from kepu.core.plan import load_plan
from kepu.storage import store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "helpers"))
from workbooks import Inflating, header_row, parts, raw_zip, sheet_xml, text_cell

PLAN = store.DATA_DIR / "plan-2021-2025.yaml"
MB = 1024 * 1024


def legitimate(folder: Path, rows: int) -> Path:
    path = folder / f"报送{rows}.xlsx"
    if not path.exists():
        write_workbook(path, rows, load_plan(PLAN))
    return path


def template_rows(count: int) -> bytes:
    """`count` identical template rows without r="…" (so that a block of them can repeat anywhere)."""
    values = ["K-1", "科普讲座", None, None, "沙土镇", "区科协", "青少年", None, "Y1", "讲座", None, None, "重复"]

    def cell(value) -> str:
        return "<c/>" if value is None else f'<c t="inlineStr"><is><t>{value}</t></is></c>'

    one = (
        "<row>"
        + "".join(cell(v) for v in values[:2])
        + "<c><v>45444</v></c><c/>"
        + "".join(cell(v) for v in values[4:10])
        + "<c><v>30</v></c><c><v>100</v></c>"
        + cell(values[12])
        + "</row>"
    )
    return one.encode() * count


def inflating(folder: Path, honest: bool) -> Path:
    """Four sheets, each 3.9 GB of template rows that deflate to 12 MB; the first one visible."""
    head, tail = sheet_xml("<!--x-->").encode().split(b"<!--x-->")
    sheet = Inflating(
        [(head + header_row(ACTIVITY_COLUMNS).encode(), 1), (template_rows(1680), 3900), (tail, 1)], with_crc=False
    )
    sheets = [(f"表{i}", "", "visible" if i == 1 else "hidden") for i in range(1, 5)]
    files = parts(sheets)
    files.update({f"xl/worksheets/sheet{i}.xml": sheet for i in range(1, 5)})
    stated = {} if honest else {f"xl/worksheets/sheet{i}.xml": 255 * MB for i in range(1, 5)}
    path = folder / f"inflating-{'honest' if honest else 'understated'}.xlsx"
    path.write_bytes(raw_zip(files, stated))
    return path


def dense_area(folder: Path) -> Path:
    rows = (
        header_row(ACTIVITY_COLUMNS)
        + '<row r="2">'
        + "".join(
            text_cell(f"{c}2", v)
            for c, v in zip("BCEFJK", ["讲座", "2024-05-01", "沙土镇", "区科协", "讲座", "30"], strict=True)
        )
        + "</row>"
        + '<row r="1048576">'
        + text_cell("XFD1048576", "角落")
        + "</row>"
    )
    path = folder / "dense-area.xlsx"
    path.write_bytes(raw_zip(parts([("活动记录", sheet_xml(rows), "visible")])))
    return path


def shared_strings_bomb(folder: Path) -> Path:
    strings = Inflating(
        [
            (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">', 1),
            ((b"<si><t>" + b"a" * 1009 + b"</t></si>") * 1024, 3900),
            (b"</sst>", 1),
        ],
        with_crc=False,
    )
    files = parts([("活动记录", sheet_xml(header_row(ACTIVITY_COLUMNS)), "visible")], shared="")
    files["xl/sharedStrings.xml"] = strings
    path = folder / "shared-strings-bomb.xlsx"
    path.write_bytes(raw_zip(files, {"xl/sharedStrings.xml": 255 * MB}))
    return path


def tag_flood(folder: Path) -> Path:
    head, tail = sheet_xml("<!--x-->").encode().split(b"<!--x-->")
    sheet = Inflating([(head, 1), ((b"<row>" + b"<c/>" * 16_000 + b"</row>") * 16, 230), (tail, 1)])
    files = parts([("活动记录", "", "visible")])
    files["xl/worksheets/sheet1.xml"] = sheet
    path = folder / "tag-flood.xlsx"
    path.write_bytes(raw_zip(files))
    return path


def csv_line_breaks(folder: Path) -> Path:
    path = folder / "line-breaks.csv"
    header = ",".join(ACTIVITY_COLUMNS).encode() + b"\n"
    path.write_bytes(header + b"\n" * (50 * MB - len(header) - 1))
    return path


def csv_commas(folder: Path) -> Path:
    path = folder / "commas.csv"
    header = ",".join(ACTIVITY_COLUMNS).encode() + b"\n"
    path.write_bytes(header + (b"," * (MB - 2) + b"\n") * 49)
    return path


def xls_corners(folder: Path) -> Path:
    book = xlwt.Workbook()
    for i in range(4):
        sheet = book.add_sheet(f"S{i}")
        sheet.write(0, 0, "a")
        sheet.write(65535, 255, "z")
    path = folder / "corners.xls"
    book.save(str(path))
    return path


def xls_legitimate(folder: Path) -> Path:
    plan = load_plan(PLAN)
    rng = random.Random(2024)
    towns = [t.name for t in plan.towns]
    book = xlwt.Workbook()
    sheet = book.add_sheet("活动记录")
    for c, name in enumerate(ACTIVITY_COLUMNS):
        sheet.write(0, c, name)
    for r in range(1, 60_001):
        task = rng.choice(list(plan.tasks))
        for c, value in enumerate(
            [
                f"X-{r}",
                f"科普活动{r}",
                f"2024-{rng.randrange(1, 13):02d}-01",
                None,
                rng.choice(towns),
                rng.choice(task.lead_bureaus),
                None,
                None,
                task.code,
                rng.choice(ACTIVITY_TYPES),
                rng.randrange(800),
                None,
                None,
            ]
        ):
            if value is not None:
                sheet.write(r, c, value)
    path = folder / "legitimate.xls"
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return path


def all_wrong(folder: Path, rows: int) -> Path:
    """A template-shaped sheet whose every cell is wrong: unknown names, dates and numbers that are not."""

    def cell(value: str) -> str:
        return f'<c t="inlineStr"><is><t>{value}</t></is></c>'

    body = "".join(
        "<row>"
        + "".join(
            cell(v)
            for v in [
                f"R{i}",
                f"名称{i}",
                f"坏日期{i}",
                "坏日期",
                f"火星{i}",
                f"宇航局{i}",
                f"外星人{i}",
                f"航天{i}",
                f"Z{i}",
                f"座谈{i}",
                f"很多{i}",
                f"一千{i}",
                "备注",
            ]
        )
        + "</row>"
        for i in range(rows)
    )
    path = folder / f"all-wrong-{rows}.xlsx"
    path.write_bytes(raw_zip(parts([("活动记录", sheet_xml(header_row(ACTIVITY_COLUMNS) + body), "visible")])))
    return path
