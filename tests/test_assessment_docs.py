"""The 考核 documents made by `kepu report --kind assessment|notice|supervision`, opened with openpyxl and
python-docx and checked against `kepu assess --json` on the same store and day."""

import datetime as dt
import json
import shutil

import openpyxl
import pytest
from docx import Document
from helpers import assessment_store as fx

from kepu.cli import commands as cli
from kepu.figures import assessment
from kepu.storage import audit, store

AS_OF = str(fx.AS_OF)
LOW = 0.6  # the scheme's weak share, written here again: an item under 60% of its points is named


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return fx.build(tmp_path_factory.mktemp("assess-docs") / "a.duckdb")


@pytest.fixture
def path(built, tmp_path):
    return shutil.copy(built, tmp_path / "a.duckdb")


def assessed(path, capsys):
    assert cli.main(["assess", "--db", str(path), "--year", "2025", "--as-of", AS_OF, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def report(path, out, kind, *extra):
    args = ["report", "--db", str(path), "--kind", kind, "--year", "2025", "--as-of", AS_OF, "--out", str(out)]
    return cli.main([*args, *extra])


def texts(doc):
    return [p.text for p in doc.paragraphs]


def test_the_workbook_matches_the_assessment(path, tmp_path, capsys):
    result = assessed(path, capsys)
    out = tmp_path / "考核.xlsx"
    assert report(path, out, "assessment") == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["镇街", "责任单位", "得分依据", "评分办法"]
    for side, name in (("towns", "镇街"), ("bureaus", "责任单位")):
        rows = list(book[name].iter_rows(min_row=4, values_only=True))
        header, body = rows[0], rows[1:]
        assert header[:4] == ("排名", name, "得分", "较上年")
        units = result[side]
        assert len(body) == len(units)
        for row, unit in zip(body, units, strict=True):
            assert row[:4] == (unit["rank"], unit["unit"], unit["score"], unit["change"])
            assert list(row[4:]) == [i["points"] for i in unit["items"]]
        assert "示例" in book[name]["A2"].value
    basis = list(book["得分依据"].iter_rows(min_row=5, values_only=True))
    expected = [(u["unit"], i["item"], i["points"], i["basis"]) for s in ("towns", "bureaus") for u in result[s]
                for i in u["items"]]  # fmt: skip
    assert [(r[1], r[4], r[7], r[9]) for r in basis] == expected


def test_the_notice_names_the_best_and_the_weakest_with_their_facts(path, tmp_path, capsys):
    result = assessed(path, capsys)
    out = tmp_path / "通报.docx"
    assert report(path, out, "notice") == 0
    doc = Document(out)
    paragraphs = texts(doc)
    assert "关于2025年度全民科学素质工作考核情况的通报" in paragraphs
    assert any(p.startswith("【示例】") for p in paragraphs)
    body = "\n".join(paragraphs)
    for side in ("towns", "bureaus"):
        units = result[side]
        top, bottom = units[0], units[-1]  # three units a side: one named at each end
        praise = next(p for p in paragraphs if p.startswith("得分居前的是") and top["unit"] in p)
        assert f"{top['unit']}（{top['score']:g}分）" in praise
        blame = next(p for p in paragraphs if p.startswith("得分靠后的是") and bottom["unit"] in p)
        assert f"{bottom['unit']}（{bottom['score']:g}分）" in blame
        fact = next(p for p in paragraphs if p.startswith(f"{bottom['unit']}："))
        assert f"得分{bottom['score']:g}分，排名第{bottom['rank']}（共{len(units)}个）" in fact
        for item in bottom["items"]:
            weak = item["kind"] in ("auto", "manual") and item["points"] < LOW * item["max"]
            named = f"“{item['name']}”" in fact
            assert named == (weak or (item["kind"] == "deduction" and item["points"] < 0)), item["name"]
            assert not named or item["basis"] in fact
        mean = sum(u["score"] for u in units) / len(units)
        assert f"平均得分{mean:.2f}分" in body
    tables = doc.tables
    assert len(tables) == 2
    for table, side in zip(tables, ("towns", "bureaus"), strict=True):
        rows = [[c.text for c in r.cells] for r in table.rows][1:]
        assert [(r[0], r[1], r[2]) for r in rows] == [
            (str(u["rank"]), u["unit"], f"{u['score']:.2f}") for u in result[side]
        ]
        assert [r[4:] for r in rows] == [[f"{i['points']:g}" for i in u["items"]] for u in result[side]]


def test_the_supervision_form_lists_the_units_weak_items_and_a_date(path, tmp_path, capsys):
    result = assessed(path, capsys)
    out = tmp_path / "督办单.docx"
    assert report(path, out, "supervision", "--unit", "丙镇") == 0
    doc = Document(out)
    form = {r.cells[0].text: r.cells[1].text for r in doc.tables[0].rows}
    unit = next(u for u in result["towns"] if u["unit"] == "丙镇")
    assert form["承办单位"] == "丙镇"
    assert f"得分{unit['score']:g}分，排名第{unit['rank']}（共3个）" in form["考核结果"]
    weak = [i for i in unit["items"] if (i["kind"] in ("auto", "manual") and i["points"] < LOW * i["max"])
            or (i["kind"] == "deduction" and i["points"] < 0)]  # fmt: skip
    assert {i["item"] for i in weak} == {"T1", "T2", "T3", "T4", "T6", "T9"}
    problems = form["存在问题"].split("\n")
    assert len(problems) == len(weak)
    for item in weak:
        assert any(item["name"] in p and item["basis"] in p for p in problems), item["name"]
        assert item["name"] in form["整改要求"]
    assert all(f"“{i['name']}”" not in form["存在问题"] for i in unit["items"] if i not in weak)
    due = fx.AS_OF + dt.timedelta(days=30)
    assert f"{due.year}年{due.month}月{due.day}日前" in form["办理时限"]
    assert "测试区科学技术协会" in form["督办单位"]


def test_documents_are_logged_and_wrong_requests_refused(path, tmp_path, capsys):
    assert report(path, tmp_path / "s.docx", "supervision", "--unit", "科协") == 0  # an alias is enough
    con = store.connect(path)
    try:
        last = json.loads(audit.entries(con, 1).detail.iloc[0])
    finally:
        con.close()
    assert last["report"] == "督办单" and last["unit"] == "区科协" and last["year"] == 2025
    capsys.readouterr()
    assert report(path, tmp_path / "n.xlsx", "notice") == 1
    assert ".docx" in capsys.readouterr().err
    assert report(path, tmp_path / "s.docx", "supervision") == 1
    assert "--unit" in capsys.readouterr().err
    assert report(path, tmp_path / "s.docx", "supervision", "--unit", "区财政局") == 1
    assert "考核范围" in capsys.readouterr().err


def test_a_unit_with_nothing_weak_gets_no_supervision():
    strong = {"unit": "甲", "score": 100.0, "rank": 1, "previous": None, "change": None,
              "items": [{"item": "A", "name": "甲项", "kind": "auto", "points": 9.0, "max": 10.0, "basis": "",
                         "records": None, "rule": "growth", "note": ""}]}  # fmt: skip
    assert assessment.weak_items(strong) == []
