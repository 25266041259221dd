"""Reading uploaded files safely and honestly: hostile workbooks are refused before they cost memory or time,
hidden sheets are never imported (and said so), a second data sheet is refused by name, Strict Open XML reads,
and cell values are the ones calamine gave before. Hostile files are written here by hand (tests/helpers)."""

import datetime as dt
import io
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine
import xlwt

from kepu.core.glossary import ACTIVITY_COLUMNS, ACTIVITY_SHEET, OBSERVATION_COLUMNS, OBSERVATION_SHEET
from kepu.ingest import reading, templates
from kepu.ingest.reading import FileRejected
from kepu.storage import store

sys.path.insert(0, str(Path(__file__).parent / "helpers"))
from workbooks import (
    STRICT,
    TRANSITIONAL,
    Inflating,
    header_row,
    number_cell,
    parts,
    raw_zip,
    row,
    sheet_xml,
    text_cell,
    workbook,
    zipped,
)

FILES = Path(__file__).parent / "data" / "import"
KNOWN = {*ACTIVITY_COLUMNS, *OBSERVATION_COLUMNS}
PREFERRED = (ACTIVITY_SHEET, OBSERVATION_SHEET)
HEADER = list(ACTIVITY_COLUMNS)
EPOCH = dt.date(1899, 12, 30)
MB = 1024 * 1024


def read(data: bytes, name: str = "报送.xlsx") -> reading.Sheet:
    return reading.read(data, name, KNOWN, PREFERRED)


def refusal(data: bytes, name: str = "报送.xlsx") -> str:
    with pytest.raises(FileRejected) as caught:
        read(data, name)
    return str(caught.value)


def book(sheets: dict[str, list[list]], states: dict[str, str] | None = None, **formats) -> bytes:
    """A workbook written by openpyxl, as Excel users' files are: sheets by name, some hidden."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        ws.sheet_state = (states or {}).get(name, "visible")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def activity(title: str, day: str = "2024-05-01") -> list:
    return ["", title, day, "", "沙土镇", "区科协", "", "", "", "讲座", 10, "", ""]


def quickly(seconds: float):
    """A context that fails when its body takes longer than `seconds`."""

    class Clock:
        def __enter__(self):
            self.start = time.perf_counter()

        def __exit__(self, *exc):
            assert time.perf_counter() - self.start < seconds, "took too long"

    return Clock()


def peak_allocation(action) -> int:
    """The most memory Python held at once while `action()` ran, in bytes."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def bomb_sheet(megabytes: int) -> Inflating:
    """A sheet whose XML is `megabytes` MB of nothing (blanks and comments), from a few KB."""
    head, tail = sheet_xml("<!--x-->").encode().split(b"<!--x-->")
    return Inflating([(head, 1), ((b" " * 1016 + b"<!--x-->") * 1024, megabytes), (tail, 1)])


# --- zip bombs: limits on inflated bytes, checked before and while inflating ----------------------------------


@pytest.mark.slow  # hundreds of megabytes inflated or read
def test_a_sheet_that_inflates_beyond_the_limit_is_refused_before_it_is_read():
    files = parts([("活动记录", "", "visible")])
    files["xl/worksheets/sheet1.xml"] = bomb_sheet(300)
    data = raw_zip(files)
    assert len(data) < 1 * MB
    with quickly(2):
        message = refusal(data)
    assert "文件解压后工作表“活动记录”超过 256 MB" in message and "拆分" in message


@pytest.mark.slow  # hundreds of megabytes inflated or read
def test_a_part_that_inflates_beyond_what_it_states_is_refused_at_that_point():
    files = parts([("活动记录", "", "visible")])
    files["xl/worksheets/sheet1.xml"] = bomb_sheet(300)
    data = raw_zip(files, stated_sizes={"xl/worksheets/sheet1.xml": 1 * MB})
    with quickly(2):
        message = refusal(data)
    assert "解压后比压缩包中登记的大小更大" in message


@pytest.mark.slow  # hundreds of megabytes inflated or read
def test_all_parts_together_may_not_inflate_beyond_the_limit():
    sheets = [(f"表{i}", "", "visible") for i in range(3)]
    files = parts(sheets)
    for i in range(1, 4):
        files[f"xl/worksheets/sheet{i}.xml"] = bomb_sheet(200)  # each within the limit for one part
    with quickly(8):
        message = refusal(raw_zip(files))
    assert "文件解压后超过 512 MB" in message


@pytest.mark.slow  # hundreds of megabytes inflated or read
def test_a_shared_strings_bomb_is_refused():
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    huge = Inflating([(head, 1), ((b"<si><t>" + b"a" * 1009 + b"</t></si>") * 1024, 300), (b"</sst>", 1)])
    files = parts([("活动记录", sheet_xml(header_row(HEADER)), "visible")], shared="")
    files["xl/sharedStrings.xml"] = huge
    with quickly(2):
        assert "共享文字表超过 256 MB" in refusal(raw_zip(files))
    files["xl/sharedStrings.xml"] = huge
    message = refusal(raw_zip(files, stated_sizes={"xl/sharedStrings.xml": 64 * 1024}))
    assert "共享文字表解压后比压缩包中登记的大小更大" in message


def test_shared_strings_that_would_take_too_much_memory_are_refused():
    # 30,000 letters and one emoji: Python holds each character in 4 bytes, 4 times the XML's 30 KB.
    strings = Inflating(
        [(b'<sst xmlns="x">', 1), (("<si><t>" + "a" * 30_000 + "😀</t></si>").encode(), 1200), (b"</sst>", 1)]
    )
    files = parts([("活动记录", sheet_xml(header_row(HEADER)), "visible")], shared="")
    files["xl/sharedStrings.xml"] = strings
    assert "共享文字表超过 128 MB" in refusal(raw_zip(files))


def test_a_zip_of_thousands_of_files_is_refused():
    files = parts([("活动记录", sheet_xml(header_row(HEADER)), "visible")])
    files.update({f"junk/{i}.xml": b"" for i in range(1001)})
    assert "压缩包中的文件超过 1,000 个" in refusal(zipped(files))


def test_a_tag_longer_than_a_megabyte_is_refused():
    rows = header_row(HEADER) + f'<row r="2"><c r="A2" junk="{"x" * 2 * MB}"/></row>'
    assert "超过 1 MB 的一段标记或文字" in refusal(workbook([("活动记录", sheet_xml(rows), "visible")]))


def test_a_doctype_is_refused():
    xml = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + sheet_xml(header_row(HEADER)).split("?>", 1)[1]
    assert "DTD" in refusal(workbook([("活动记录", xml, "visible")]))


# --- cells: where they are, and how many ------------------------------------------------------------------------


def test_a_cell_at_the_far_corner_costs_nothing():
    rows = (
        header_row(HEADER),
        row(2, text_cell("B2", "讲座"), text_cell("C2", "2024-05-01")),
        row(1048576, text_cell("XFD1048576", "角落")),
    )
    data = workbook([("活动记录", sheet_xml("".join(rows)), "visible")])
    sheet = None

    def go():
        nonlocal sheet
        sheet = read(data)

    assert peak_allocation(go) < 5 * MB  # calamine built 17 billion cells for this file
    assert sheet.row_numbers == [2, 1048576]
    assert len(sheet.rows[1]) <= len(HEADER) + 1  # not 16,384 long
    assert sheet.rows[0][1] == "讲座"


def test_a_column_far_to_the_right_does_not_widen_every_row():
    rows = [header_row(HEADER)]
    rows += [row(n, text_cell(f"B{n}", f"活动{n}"), text_cell(f"XFD{n}", "远处的备注")) for n in range(2, 1002)]
    sheet = read(workbook([("活动记录", sheet_xml("".join(rows)), "visible")]))
    assert len(sheet.rows) == 1000
    assert all(len(r) <= len(HEADER) for r in sheet.rows)
    assert sheet.rows[-1][1] == "活动1001"


@pytest.mark.slow  # hundreds of megabytes inflated or read
def test_too_many_rows_are_refused():
    rows = [header_row(HEADER)] + [f'<row r="{n}"><c r="K{n}"><v>1</v></c></row>' for n in range(2, 200_003)]
    data = workbook([("活动记录", sheet_xml("".join(rows)), "visible")])
    with quickly(6):
        assert "工作表“活动记录”的数据超过 200,000 行" in refusal(data)


@pytest.mark.slow  # hundreds of megabytes inflated or read
def test_too_many_cells_are_refused():
    header = header_row(HEADER)[: -len("</row>")] + text_cell("XFD1", "说明") + "</row>"  # as wide as Excel goes
    rows = [header] + [row(n, text_cell(f"A{n}", "x"), text_cell(f"XFC{n}", "y")) for n in range(2, 300)]
    assert "单元格超过 4,000,000 个" in refusal(workbook([("活动记录", sheet_xml("".join(rows)), "visible")]))


def test_rows_whose_text_would_take_too_much_memory_are_refused():
    shared = '<sst xmlns="x"><si><t>' + "😀" * 16_000 + "</t></si></sst>"  # 64 KB in Python, every time it is used
    rows = [header_row(HEADER)] + [f'<row r="{n}"><c r="M{n}" t="s"><v>0</v></c></row>' for n in range(2, 5300)]
    message = refusal(workbook([("活动记录", sheet_xml("".join(rows)), "visible")], shared=shared))
    assert "工作表“活动记录”的内容超过 320 MB" in message


def test_entirely_empty_rows_are_not_kept_and_numbers_stay_right():
    rows = [
        header_row(HEADER),
        row(2),
        row(3, '<c r="A3" s="0"/>'),
        row(4, text_cell("B4", "讲座")),
        row(5, text_cell("C5", "   ")),
    ]
    sheet = read(workbook([("活动记录", sheet_xml("".join(rows)), "visible")]))
    assert sheet.row_numbers == [4]


# --- sheets: hidden ones never imported, a second data sheet refused by name ------------------------------------


def test_a_hidden_first_sheet_is_not_imported_and_the_clerk_is_told():
    data = book(
        {"活动记录": [HEADER, activity("旧的一"), activity("旧的二")], "Sheet2": [HEADER, activity("新的")]},
        {"活动记录": "hidden"},
    )
    sheet = read(data)
    assert sheet.name == "Sheet2" and [r[1] for r in sheet.rows] == ["新的"]
    assert len(sheet.notes) == 1
    assert "隐藏的工作表“活动记录”中有 2 行数据，隐藏的表不导入" in sheet.notes[0]


def test_a_very_hidden_sheet_is_not_imported_either():
    data = book(
        {"Sheet1": [HEADER, activity("看得见的")], "藏起来": [HEADER, activity("看不见的")]}, {"藏起来": "veryHidden"}
    )
    sheet = read(data)
    assert [r[1] for r in sheet.rows] == ["看得见的"]
    assert "隐藏的工作表“藏起来”中有 1 行数据" in sheet.notes[0]


def test_a_hidden_sheet_without_data_is_not_mentioned():
    data = book(
        {"活动记录": [HEADER, activity("讲座")], "备用": [HEADER], "草稿": [["随便写的"]]},
        {"备用": "hidden", "草稿": "hidden"},
    )
    assert read(data).notes == []


def test_only_hidden_data_is_refused_with_the_reason():
    data = book({"活动记录": [HEADER], "Sheet2": [HEADER, activity("讲座")]}, {"Sheet2": "hidden"})
    message = refusal(data)
    assert "只有表头" in message and "隐藏的工作表“Sheet2”中有 1 行数据" in message


def test_two_visible_data_sheets_are_refused_by_name():
    data = book({"活动记录": [HEADER, activity("讲座")], "Sheet2": [HEADER, activity("培训")]})
    message = refusal(data)
    assert "工作簿中有两个数据表“活动记录”“Sheet2”都有数据，请合并到一个表或删除多余的表后重新上传" in message
    three = book({"A": [HEADER, activity("一")], "B": [HEADER, activity("二")], "C": [HEADER, activity("三")]})
    assert "3 个数据表“A”“B”“C”" in refusal(three)


def test_a_sheet_with_a_header_only_does_not_compete_with_the_data_sheet():
    data = book({"活动记录": [HEADER], "Sheet2": [HEADER, activity("讲座")], "说明": [["请填写"]]})
    assert read(data).name == "Sheet2"
    data = book({"Sheet1": [HEADER], "活动记录": [HEADER]})
    sheet = read(data)
    assert sheet.name == "活动记录" and sheet.rows == []  # the preferred sheet: 只有表头 is said by batches


@pytest.fixture(scope="module")
def template_con(tmp_path_factory, plan):
    path = store.create_store(tmp_path_factory.mktemp("reading") / "s.duckdb", plans=[plan])
    con = store.connect(path, read_only=True)
    yield con
    con.close()


def filled_template(blank: bytes, sheet_name: str, rows: list[list]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(blank))
    for i, values in enumerate(rows, start=2):
        for j, value in enumerate(values, start=1):
            wb[sheet_name].cell(row=i, column=j, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_templates_still_read(template_con):
    rows = [
        ["K-1", "讲座", dt.date(2024, 5, 1), None, "沙土镇", "区科协", "青少年", None, "Y1", "讲座", 30, 12.5],
        ["001", "培训", dt.date(2024, 5, 2), dt.date(2024, 5, 3), "全区", "区科协", None, None, None, "培训", 5, 0],
    ]
    data = filled_template(templates.activity_template(template_con), ACTIVITY_SHEET, rows)
    sheet = read(data)
    assert (sheet.name, sheet.notes, sheet.row_numbers) == (ACTIVITY_SHEET, [], [2, 3])  # 填写说明 and 选项: silent
    assert sheet.rows[0][2] == dt.date(2024, 5, 1) and sheet.rows[1][0] == "001"
    assert_same_as_calamine(data, sheet)
    blank = read(templates.activity_template(template_con))
    assert blank.name == ACTIVITY_SHEET and blank.rows == []
    observations = filled_template(
        templates.observation_template(template_con),
        OBSERVATION_SHEET,
        [["科普经费（元）", 2025, "沙土镇", 1200, "统计"]],
    )
    sheet = read(observations)
    assert (sheet.name, sheet.notes, sheet.rows[0][3]) == (OBSERVATION_SHEET, [], 1200)


# --- Strict Open XML ----------------------------------------------------------------------------------------------


def strict(data: bytes) -> bytes:
    """The workbook saved as Excel's "Strict Open XML Spreadsheet": the same parts, other namespaces."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            text = z.read(name)
            for old, new in zip(TRANSITIONAL, STRICT, strict=True):
                text = text.replace(old.encode(), new.encode())
            out[name] = text
    return zipped(out)


def test_a_strict_open_xml_workbook_reads_as_the_transitional_one():
    data = book(
        {
            "活动记录": [
                HEADER,
                activity("讲座"),
                ["K-2", "培训", dt.date(2024, 6, 1), None, "全区", "区科协", None, None, None, "培训", 3, 1.5, "备注"],
            ]
        }
    )
    expected = read(data)
    sheet = read(strict(data))
    assert (sheet.headers, sheet.rows, sheet.row_numbers) == (expected.headers, expected.rows, expected.row_numbers)
    assert sheet.rows[1][2] == dt.date(2024, 6, 1)


def test_strict_iso_date_cells_read_as_dates():
    rows = header_row(HEADER) + row(
        2,
        text_cell("B2", "讲座"),
        '<c r="C2" t="d"><v>2024-05-01T00:00:00</v></c>',
        '<c r="D2" t="d"><v>2024-05-02T09:30:00Z</v></c>',
    )
    sheet = read(workbook([("活动记录", sheet_xml(rows, STRICT), "visible")], namespaces=STRICT))
    assert sheet.rows[0][2:4] == [dt.date(2024, 5, 1), dt.datetime(2024, 5, 2, 9, 30)]


# --- cell values --------------------------------------------------------------------------------------------------


def test_formulas_are_found_where_positions_are_implied():
    def text(value):
        return f'<c t="inlineStr"><is><t>{value}</t></is></c>'

    rows = (
        "<row>" + "".join(text(h) for h in HEADER[:3]) + "</row>"
        f"<row>{text('A-1')}{text('讲座')}<c><v>45444</v></c></row>"
        f"<row>{text('A-2')}<c><f>B2</f><v>0</v></c><c><v>45445</v></c></row>"
        '<row r="7"><c><v>1</v></c><c/><c><f t="shared" si="0"/><v>2</v></c></row>'
        '<row><c r="B12"><f>1+1</f><v>2</v></c></row>'
    )  # a <row> without r="…": its cell's says 12
    sheet = read(workbook([("活动记录", sheet_xml(rows), "visible")]))
    assert sheet.row_numbers == [2, 3, 7, 12]
    assert sheet.formulas == {(3, 1), (7, 2), (12, 1)}
    assert sheet.rows[0] == ["A-1", "讲座", 45444.0]


def test_shared_strings_rich_text_without_the_phonetic_guide():
    shared = (
        '<sst xmlns="x"><si><t>活动名称</t></si><si><t>开始日期</t></si>'
        '<si><r><t>科普</t></r><r><rPr><b/></rPr><t xml:space="preserve"> 讲座</t></r>'
        '<rPh sb="0" eb="2"><t>かがく</t></rPh><phoneticPr fontId="1"/></si><si><t>换_x000D_行</t></si></sst>'
    )
    rows = row(1, '<c r="A1" t="s"><v>0</v></c>', '<c r="B1" t="s"><v>1</v></c>') + row(
        2, '<c r="A2" t="s"><v>2</v></c>', '<c r="B2" t="s"><v>3</v></c>'
    )
    sheet = read(workbook([("活动记录", sheet_xml(rows), "visible")], shared=shared))
    assert sheet.rows == [["科普 讲座", "换\r行"]]


def test_booleans_errors_and_text_results():
    rows = header_row(HEADER) + row(
        2,
        '<c r="A2" t="b"><v>1</v></c>',
        '<c r="B2" t="b"><v>0</v></c>',
        '<c r="C2" t="e"><v>#DIV/0!</v></c>',
        '<c r="D2" t="str"><v>公式文字</v></c>',
    )
    sheet = read(workbook([("活动记录", sheet_xml(rows), "visible")]))
    assert sheet.rows == [[True, False, None, "公式文字"]]


STYLES = (
    '<styleSheet xmlns="x"><numFmts>'
    '<numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
    '<numFmt numFmtId="165" formatCode="&quot;d&quot;0"/><numFmt numFmtId="166" formatCode="[Red]0.00"/>'
    '<numFmt numFmtId="167" formatCode="[h]:mm"/><numFmt numFmtId="168" formatCode="[$-804]yyyy/m/d;@"/>'
    "</numFmts><cellXfs>"
    + "".join(f'<xf numFmtId="{i}"/>' for i in (0, 14, 22, 31, 58, 164, 165, 166, 20, 167, 168, 2, 49))
    + "</cellXfs></styleSheet>"
)


def test_numbers_in_date_formats_are_dates():
    cells = [
        (1, 45444),
        (2, 45444.5),
        (3, 45444),
        (4, 45444),
        (5, 45444),
        (6, 45444),
        (7, 45444),
        (8, 0.75),
        (9, 1.5),
        (10, 45444),
        (11, 45444),
        (0, 45444),
    ]
    rows = header_row(HEADER) + row(2, *(number_cell(f"{chr(65 + i)}2", v, s) for i, (s, v) in enumerate(cells)))
    sheet = read(workbook([("活动记录", sheet_xml(rows), "visible")], styles=STYLES))
    day = EPOCH + dt.timedelta(days=45444)
    assert sheet.rows[0] == [
        day,  # 14 mm-dd-yy
        dt.datetime.combine(day, dt.time(12)),  # 22 m/d/yy h:mm
        day,  # 31 yyyy"年"m"月"d"日" (Chinese Excel's built-in)
        day,  # 58 m"月"d"日"
        day,  # yyyy"年"m"月"d"日"
        45444.0,  # "d"0: the d is quoted text
        45444.0,  # [Red]0.00
        dt.time(18),  # 20 h:mm
        dt.timedelta(days=1.5),  # [h]:mm, a duration
        day,  # [$-804]yyyy/m/d;@
        45444.0,  # 2 0.00
        45444.0,  # 0 General
    ]


def test_dates_in_a_1904_workbook():
    rows = header_row(HEADER[:2]) + row(2, number_cell("A2", 43000, 1), number_cell("B2", 43000.25, 2))
    sheet = read(workbook([("活动记录", sheet_xml(rows), "visible")], styles=STYLES, date1904=True))
    day = dt.date(1904, 1, 1) + dt.timedelta(days=43000)
    assert sheet.rows[0] == [day, dt.datetime.combine(day, dt.time(6))]


def test_a_number_typed_as_text_stays_text():
    data = book({"活动记录": [HEADER, ["1003", "讲座", "2024-05-01"]]})
    assert read(data).rows[0][:3] == ["1003", "讲座", "2024-05-01"]
    rows = header_row(HEADER[:2]) + row(2, '<c r="A2"><v>十二</v></c>')
    assert read(workbook([("活动记录", sheet_xml(rows), "visible")])).rows == [["十二"]]


def calamine_rows(data: bytes, sheet_name: str) -> list[list]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)


def assert_same_as_calamine(data: bytes, sheet: reading.Sheet) -> None:
    """Every cell under the header holds what calamine gave ('' for an empty cell is None here)."""
    theirs = calamine_rows(data, sheet.name)
    for number, ours in zip(sheet.row_numbers, sheet.rows, strict=True):
        expected = [None if v == "" else v for v in theirs[number - 1][: len(sheet.headers)]]
        assert ours + [None] * (len(expected) - len(ours)) == expected, number


@pytest.mark.parametrize("name", ["tolerant.xlsx", "formula.xlsx", "observations.xlsx"])
def test_the_fixtures_give_the_values_calamine_gave(name):
    data = (FILES / name).read_bytes()
    sheet = read(data, name)
    assert_same_as_calamine(data, sheet)
    assert len(sheet.rows) == sum(any(v != "" for v in r) for r in calamine_rows(data, sheet.name)) - 1 - (
        name == "tolerant.xlsx"
    )  # every non-empty row below the header (tolerant.xlsx has a title line)


# --- CSV -----------------------------------------------------------------------------------------------------------


@pytest.mark.slow  # hundreds of megabytes inflated or read
def test_a_csv_of_line_breaks_costs_nothing():
    data = ",".join(HEADER).encode() + b"\n" * 200_000 + "A-1,讲座,2024-05-01\n".encode()
    sheet = None

    def go():
        nonlocal sheet
        sheet = read(data, "报送.csv")

    assert peak_allocation(go) < 4 * MB  # one list per line was 11 MB here
    assert sheet.row_numbers == [200_001] and sheet.rows[0][:2] == ["A-1", "讲座"]


@pytest.mark.slow  # hundreds of megabytes inflated or read
def test_a_csv_with_more_lines_than_excel_is_refused():
    data = ",".join(HEADER).encode() + b"\r\n" * 1_100_000
    with quickly(4):
        assert "文件超过 1,048,576 行" in refusal(data, "报送.csv")


@pytest.mark.slow  # hundreds of megabytes inflated or read
def test_wide_csv_lines_are_refused():
    header = ",".join(HEADER).encode() + b"\n"
    assert "一行超过 1 MB" in refusal(header + b"," * (2 * MB) + b"\n", "报送.csv")
    assert "第 2 行超过 16,384 列" in refusal(header + b"x," * 20_000 + b"\n", "报送.csv")


# --- old .xls: calamine in a child process with a memory limit -------------------------------------------------


def xls(sheets: dict[str, list[tuple[int, int, object]]], hidden: tuple[str, ...] = ()) -> bytes:
    wb = xlwt.Workbook()
    for name, cells in sheets.items():
        ws = wb.add_sheet(name)
        for r, c, value in cells:
            ws.write(r, c, value)
        ws.visibility = 1 if name in hidden else 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def header_cells(r: int = 0, c: int = 0) -> list[tuple[int, int, object]]:
    return [(r, c + i, h) for i, h in enumerate(HEADER)]


def test_an_xls_file_reads_from_where_its_cells_start():
    data = xls(
        {"Sheet1": [*header_cells(2, 1), (3, 2, "讲座"), (3, 11, 12)], "藏": [*header_cells(), (1, 1, "x")]},
        hidden=("藏",),
    )
    sheet = read(data, "报送.xls")
    assert sheet.row_numbers == [4] and sheet.rows[0][1:3] == [None, "讲座"] and sheet.rows[0][11] == 12
    assert sheet.headers[1] == HEADER[0]
    assert "隐藏的工作表“藏”中有 1 行数据" in sheet.notes[0]


@pytest.mark.slow  # hundreds of megabytes inflated or read
def test_an_xls_file_too_big_to_read_within_the_memory_limit_is_refused():
    corners = {f"S{i}": [(0, 0, "a"), (65535, 255, "z")] for i in range(4)}  # 2 GB in calamine, from 6 KB
    with quickly(20):
        message = refusal(xls(corners), "报送.xls")
    assert "这个 .xls 文件的表格范围太大" in message and "另存为 .xlsx" in message


def test_a_damaged_xls_file_is_refused():
    assert "无法读取这个 Excel 文件" in refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "报送.xls")
