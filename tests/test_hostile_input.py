"""Values no figure can hold (nan, Infinity, 1e308), names that only look right (牡丹區, a zero-width space), and a
stored value that is not a number: refused with a message that says what to fix, or shown as 数据异常, and never a
traceback or a page down."""

import datetime as dt
import json

import apps
import pytest

from kepu import cli
from kepu.core.filters import Filters, Period
from kepu.figures import summary
from kepu.ingest import batches
from kepu.storage import auth, db, store

TODAY = dt.date(2025, 6, 1)
ADMIN = auth.User("区科协管理员", auth.ADMIN)
ACTIVITY = "活动编号,活动名称,开始日期,镇街,责任单位,活动类型,参与人次,经费（元）\n"
OBSERVATION = "指标,年份,镇街,数值\n"


@pytest.fixture
def path(empty_store):
    return empty_store


@pytest.fixture
def con(path):
    connection = store.connect(path)
    yield connection
    connection.close()


def send(con, text: str, name="报送.csv", **kwargs) -> batches.Outcome:
    return batches.import_file(con, text.encode("utf-8"), name, ADMIN, today=TODAY, **kwargs)


def counts(con) -> tuple:
    return (
        db.scalar(con, "SELECT count(*) FROM activities"),
        db.scalar(con, "SELECT count(*) FROM observations"),
        db.scalar(con, "SELECT count(*) FROM batches"),
    )


# Not-a-number and overflow


@pytest.mark.parametrize("funding", ["nan", "NaN", "inf", "Infinity", "-inf", "1e308"])
def test_funding_that_is_not_a_finite_number_is_a_row_error(con, funding):
    outcome = send(con, ACTIVITY + f"K-1,讲座,2024-05-12,沙土镇,区科协,讲座,10,{funding}\n")
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "经费（元）")]
    assert not outcome.committed and counts(con) == (0, 0, 0)
    kept = send(con, ACTIVITY + f"K-1,讲座,2024-05-12,沙土镇,区科协,讲座,10,{funding}\n", valid_only=True)
    assert not kept.committed and counts(con) == (0, 0, 0)


@pytest.mark.parametrize("value", ["Infinity", "inf", "nan", "1e308", "-1", "1e11"])
def test_an_indicator_value_that_is_not_a_finite_number_in_range_is_a_row_error(con, value):
    outcome = send(con, OBSERVATION + f"科普经费（元）,2024,沙土镇,{value}\n")
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "数值")]
    assert counts(con) == (0, 0, 0)


def test_a_rate_above_100_is_refused_with_the_reason(con):
    outcome = send(con, OBSERVATION + "科学素质比例,2024,全区,160\n")
    assert "0 到 100" in outcome.errors[0].reason


def test_the_command_line_refuses_nan_without_a_traceback(path, tmp_path, capsys):
    file = tmp_path / "nan.csv"
    file.write_text(ACTIVITY + "K-1,讲座,2024-05-12,沙土镇,区科协,讲座,10,nan\n", encoding="utf-8")
    assert cli.main(["import", str(file), "--db", str(path)]) == 1
    out = capsys.readouterr()
    assert "经费（元）" in out.out and "Traceback" not in out.out + out.err


def test_valid_only_with_no_valid_row_makes_no_batch_and_fails(path, tmp_path, capsys):
    file = tmp_path / "bad.csv"
    file.write_text(ACTIVITY + "K-1,讲座,2024-05-12,火星镇,区科协,讲座,10,0\n", encoding="utf-8")
    assert cli.main(["import", str(file), "--valid-only", "--db", str(path)]) == 1
    assert "没有通过检查的行" in capsys.readouterr().out
    con = store.connect(path)
    assert counts(con) == (0, 0, 0)
    con.close()


# A value that is not a number, should one ever be stored, shows as 数据异常 and takes nothing down.


def store_bad_values(path, value: float) -> None:
    con = store.connect(path)
    for series, town in (("science_funding", "沙土镇"), ("survey_rate", "全区")):
        db.execute(
            con, "INSERT INTO observations (series, year, town, value) VALUES (?, 2024, ?, ?)", [series, town, value]
        )
    con.close()


@pytest.mark.parametrize("bad", [float("inf"), float("nan")])
def test_a_stored_bad_value_is_not_judged_and_reads_as_an_anomaly(path, bad, capsys):
    store_bad_values(path, bad)
    con = store.connect(path)
    figures = summary.summary(con, Filters(Period(2021, 2025)), TODAY)
    con.close()
    hit = [t for t in figures["targets"] if t["indicator"] in ("literacy_rate", "funding_per_capita")]
    assert len(hit) == 2
    assert all(t["anomaly"] and t["status"] is None and t["actual"] is None for t in hit)
    assert all("数据异常" in t["note"] and "2024" in t["note"] for t in hit)
    assert cli.main(["summary", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "实际 数据异常" in out and "inf" not in out and "nan" not in out.lower()
    json.dumps(figures, allow_nan=False)  # the JSON of kepu summary --json stays valid JSON


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
@pytest.mark.slow  # charts drawn by Chromium
def test_exports_of_a_store_with_a_bad_value_are_made(path, tmp_path, kind, capsys):
    store_bad_values(path, float("inf"))
    out = tmp_path / f"简报.{kind}"
    assert cli.main(["report", "--out", str(out), "--db", str(path)]) == 0
    assert out.stat().st_size > 0


def test_the_overview_and_the_meeting_screen_survive_a_bad_value(path, monkeypatch):
    store_bad_values(path, float("inf"))
    at = apps.start(path, monkeypatch)
    assert not at.exception
    assert any(m.value == "数据异常" for m in at.metric)
    at = apps.start(path, monkeypatch, mode="present")
    assert not at.exception
    assert any("数据异常" in h.value for h in at.get("html"))


# Names that only look like known ones


def test_a_town_with_an_invisible_character_is_the_town_it_looks_like(con):
    outcome = send(con, ACTIVITY + "K-1,讲座,2024-05-12,沙土\u200b镇,区科协,讲座,10,0\n")
    assert outcome.imported == 1
    assert db.scalar(con, "SELECT town FROM activities") == "沙土镇"


def test_a_traditional_character_is_refused_and_named(con):
    outcome = send(con, ACTIVITY + "K-1,讲座,2024-05-12,沙土鎮,区科協,讲座,10,0\n")
    assert [(e.column, e.value) for e in outcome.errors] == [("镇街", "沙土鎮"), ("责任单位", "区科協")]
    town, bureau = (e.reason for e in outcome.errors)
    assert "“鎮”是繁体字（简体为“镇”）" in town and "是否应为“沙土镇”" in town
    assert "“協”是繁体字（简体为“协”）" in bureau and "是否应为“区科协”" in bureau
    district = send(con, ACTIVITY + "K-1,讲座,2024-05-12,牡丹區,区科协,讲座,10,0\n").errors[0].reason
    assert "“區”是繁体字（简体为“区”）" in district


def test_an_unknown_name_with_an_invisible_character_shows_it(con):
    outcome = send(con, ACTIVITY + "K-1,讲座,2024-05-12,火星\u200b镇,区科协,讲座,10,0\n")
    error = outcome.errors[0]
    assert error.value == "火星⟨U+200B⟩镇" and "U+200B" in error.reason


def test_the_command_line_names_what_differs_in_a_town(path, capsys):
    assert cli.main(["summary", "--town", "牡丹區", "--db", str(path)]) == 2
    assert "“區”是繁体字" in capsys.readouterr().err
