"""Random and malformed rows and files: the importer never fails unhandled, every rejected row says where and
why, and a file it refuses leaves the store as it was."""

import csv
import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kepu.core.glossary import ACTIVITY_COLUMNS, OBSERVATION_COLUMNS
from kepu.ingest import batches
from kepu.ingest.reading import FileRejected
from kepu.storage import auth, db, store

pytestmark = pytest.mark.slow  # hundreds of generated files

TODAY = dt.date(2025, 6, 1)
ADMIN = auth.User("性质测试", auth.ADMIN)
HEADER = [
    "活动编号",
    "活动名称*",
    "开始日期*",
    "结束日期",
    "镇街*",
    "责任单位*",
    "人群",
    "重点工程",
    "任务编号",
    "活动类型*",
    "参与人次*",
    "经费（元）",
    "备注",
]

# For each column, values a clerk might really write (good and bad) mixed with arbitrary text.
POOLS = {
    0: ["", "A-1", "A-1", "１２３", "=1+1"],
    1: ["讲座", "", "<b>x</b>", "=SUM(A1)", "长" * 300, "科普\n活动"],
    2: ["2024-05-01", "2024/5/1", "2024年5月1日", "45444", "1999-01-01", "2030-01-01", "2024-02-30", "昨天", "", "-1"],
    3: ["", "2024-05-03", "2024-04-01", "x"],
    4: ["沙土镇", "沙土", "全区", "火星镇", "", "东城 街道"],
    5: ["区科协", "科协", "区教育局", "区宇航局", ""],
    6: ["", "青少年", "青少年、老年人", "儿童", "农民;;青少年", "、、"],
    7: ["", "科普信息化提升工程", "航天工程"],
    8: ["", "Y5", "y5 加大培训力度", "Z9", "P1", "F2"],
    9: ["讲座", "培训", "座谈", ""],
    10: ["10", "0", "-5", "1.5", "1,000", "很多", "", "1e309", "nan", "１０", "NaN", "Infinity", "-0", "1e7"],
    11: ["", "0", "-1", "12.345", "¥100", "一千", "inf", "nan", "-nan", "1e308", "Infinity", "-0", "1e10"],
    12: ["", "备注", "注" * 600],
}
cells = st.one_of(st.text(max_size=12), st.sampled_from(["", "0", "-1", "2024-05-01", "沙土镇"]))
rows = st.lists(st.tuples(*[st.one_of(st.sampled_from(POOLS[i]), cells) for i in range(13)]), min_size=0, max_size=12)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    from kepu.core.plan import load_plan

    path = store.create_store(
        tmp_path_factory.mktemp("prop") / "s.duckdb", plans=[load_plan(store.DATA_DIR / "plan-2021-2025.yaml")]
    )
    connection = store.connect(path)
    yield connection
    connection.close()


def snapshot(con) -> tuple:
    return (
        db.scalar(con, "SELECT count(*) FROM activities"),
        db.scalar(con, "SELECT count(*) FROM observations"),
        db.scalar(con, "SELECT count(*) FROM batches"),
        store.get_meta(con, "data_version"),
    )


def all_finite(con) -> bool:
    """Every stored number is a finite number (nan and infinity never get in)."""
    return (
        db.scalar(
            con,
            """SELECT (SELECT count(*) FROM observations WHERE NOT isfinite(value))
                                  + (SELECT count(*) FROM activities WHERE NOT isfinite(funding::DOUBLE))""",
        )
        == 0
    )


def check(con, data: bytes, name: str) -> None:
    before = snapshot(con)
    try:
        outcome = batches.import_file(con, data, name, ADMIN, today=TODAY)
    except FileRejected as exc:
        assert str(exc), "a refused file says why"
        assert snapshot(con) == before
        return
    for e in outcome.errors:
        assert isinstance(e.row, int) and e.row >= 2
        assert e.column in ACTIVITY_COLUMNS or e.column in OBSERVATION_COLUMNS
        assert e.reason
    if outcome.errors:
        assert not outcome.committed and snapshot(con)[:3] == before[:3]
    else:
        assert outcome.committed == (outcome.imported > 0)  # a file of nothing new makes no empty batch
        assert outcome.imported + outcome.duplicates == outcome.rows_read
    assert all_finite(con)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows, encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_random_rows_in_csv(con, rows, encoding):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    check(con, buffer.getvalue().encode(encoding, errors="replace"), "随机.csv")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows)
def test_random_rows_in_xlsx(con, rows):
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(HEADER)
    for row in rows:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) for v in row])  # openpyxl cannot write control characters
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    check(con, out.getvalue(), "随机.xlsx")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), name=st.sampled_from(["x.csv", "x.xlsx", "x.xls", "x.txt", "x.pdf", "x"]))
def test_arbitrary_bytes(con, data, name):
    check(con, data, name)


# Indicator files: the values that once took the overview down (nan, Infinity, 1e308) among plausible ones.
OBSERVATION_POOLS = [
    ["科普经费（元）", "公民具备科学素质的比例（%）", "科学素质比例", "science_funding", "GDP", ""],
    ["2024", "2023", "１９９９", "2030", "二〇二四", "", "2024.5"],
    ["全区", "沙土镇", "沙土", "火星镇", "牡丹區", "", "吕陵镇"],
    ["120000", "15.7", "101", "-1", "nan", "NaN", "inf", "Infinity", "-Infinity", "1e308", "1e309", "", "0", "-0"],
    ["", "抽样调查", "=A1"],
]
observation_rows = st.lists(
    st.tuples(*[st.one_of(st.sampled_from(pool), cells) for pool in OBSERVATION_POOLS]), min_size=0, max_size=8
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=observation_rows)
def test_random_indicator_files(con, rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([list(OBSERVATION_COLUMNS), *rows])
    check(con, buffer.getvalue().encode("utf-8"), "指标.csv")
    current = db.rows(con, "SELECT series, value FROM current_observations")
    assert all(0 <= v <= 100 for s, v in current if s == "survey_rate")
