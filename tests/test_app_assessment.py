"""The 考核 page under AppTest: its ranking tables show what `assessment.assess` gives, the year picker changes them,
and an administrator scores a manual item there (logged); visitors get no scoring form."""

import datetime as dt
import json
import shutil

import apps
import pytest
from apps import log_in, open_page

from kepu.figures import assessment
from kepu.storage import audit, auth, store


@pytest.fixture
def path(tiny_path, tmp_path):
    p = shutil.copy(tiny_path, tmp_path / "t.duckdb")
    con = store.connect(p)
    auth.add_user(con, "admin", "管理员")
    auth.set_password(con, "admin", "admin-pass-1")
    con.close()
    return p


def assessed(path, year):
    con = store.connect(path)
    try:
        return assessment.assess(con, year, dt.date.today())
    finally:
        con.close()


def test_the_page_shows_the_ranking_of_each_side(path, monkeypatch):
    at = apps.start(path, monkeypatch, "assessment")
    assert not at.exception and not at.error
    at.selectbox(key="assessment:year").select(2024).run()
    assert not at.exception
    result = assessed(path, 2024)
    towns, bureaus = at.dataframe[0].value, at.dataframe[1].value
    assert towns["镇街"].tolist() == [u["unit"] for u in result["towns"]]
    assert towns["得分"].tolist() == [u["score"] for u in result["towns"]]
    assert towns["排名"].tolist() == [u["rank"] for u in result["towns"]]
    assert bureaus["责任单位"].tolist() == [u["unit"] for u in result["bureaus"]]
    assert any("示例评分办法" in w.value for w in at.warning)
    assert not any(b.label == "保存评分" for b in at.button)  # a visitor scores nothing


@pytest.mark.slow  # a long flow through the app; the fast tier keeps a shorter one
def test_an_administrator_scores_a_manual_item(path, monkeypatch):
    at = log_in(apps.start(path, monkeypatch, "report"), "admin", "admin-pass-1")
    at = open_page(at, "assessment")
    at.selectbox(key="assessment:year").select(2024).run()
    at.selectbox(key="assessment:manual-side").select("towns").run()
    at.selectbox(key="assessment:manual-unit-towns").select("沙土镇").run()
    at.selectbox(key="assessment:manual-item-towns").select("T6").run()
    at.number_input(key="assessment:points:沙土镇:T6").set_value(12.5)
    at.text_input(key="assessment:reason").input("成立领导小组，召开专题会议2次")
    next(b for b in at.button if b.label == "保存评分").click()
    at = at.run()
    assert not at.exception
    assert any("评定12.5分" in s.value for s in at.success)
    _, unit = assessment.unit_result(assessed(path, 2024), "沙土镇")
    assert next(i for i in unit["items"] if i["item"] == "T6")["points"] == 12.5
    con = store.connect(path)
    try:
        line = audit.entries(con, 1)
    finally:
        con.close()
    assert line.action.iloc[0] == "assessment.score" and line.user_name.iloc[0] == "admin"
    assert json.loads(line.detail.iloc[0])["reason"] == "成立领导小组，召开专题会议2次"
