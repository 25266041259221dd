"""数据填报 and 目标管理 under AppTest: log in, upload, read the check, confirm, undo; edit a target."""

import datetime as dt
from pathlib import Path

import apps
import pytest
from apps import log_in, metric, open_page, url_paths

from kepu.core.filters import Filters, Period
from kepu.figures import summary
from kepu.storage import auth, db, store

FILES = Path(__file__).parent / "data" / "import"


@pytest.fixture
def path(empty_store):
    p = empty_store
    con = store.connect(p)
    auth.add_user(con, "admin", "管理员")
    auth.set_password(con, "admin", "admin-pass-1")
    auth.add_user(con, "kx", "填报员", bureau="科协")
    auth.set_password(con, "kx", "clerk-pass-1")
    con.close()
    return p


def start(path, monkeypatch, page="report", **env):
    return apps.start(path, monkeypatch, page, env)


def live_count(path):
    con = store.connect(path)
    try:
        return db.scalar(con, "SELECT count(*) FROM activities WHERE NOT retracted")
    finally:
        con.close()


def test_the_report_page_asks_for_a_login(path, monkeypatch):
    at = start(path, monkeypatch)
    assert not at.exception
    assert at.text_input(key="kepu:login-password")
    assert not at.file_uploader


def test_a_wrong_password_is_refused_then_locked(path, monkeypatch):
    at = start(path, monkeypatch)
    for _ in range(auth.MAX_FAILURES):
        at = log_in(at, "kx", "wrong-password")
    assert "密码错误次数过多" in at.error[0].value
    at = log_in(at, "kx", "clerk-pass-1")
    assert "密码错误次数过多" in at.error[0].value, "the right password waits for the lock to lift"


@pytest.mark.slow  # a long flow through the app; the fast tier keeps a shorter one
def test_a_clerk_uploads_reads_the_errors_imports_the_valid_rows_and_undoes(path, monkeypatch):
    at = log_in(start(path, monkeypatch), "kx", "clerk-pass-1")
    assert any("kx（填报员 · 区科协）" in c.value for c in at.caption)
    at.file_uploader[0].upload("strict.csv", (FILES / "strict.csv").read_bytes(), "text/csv").run()
    assert not at.exception
    assert metric(at, "有错误的行") == "26" and metric(at, "通过检查") == "2"
    errors = next(d.value for d in at.dataframe if "原因" in d.value.columns)
    assert len(errors) == 26 and errors["行号"].tolist()[:2] == [2, 3]
    assert live_count(path) == 0, "checking writes nothing"
    at.checkbox(key="report:valid-only").check().run()
    at.button(key="report:confirm-valid").click().run()
    assert not at.exception
    assert "已导入 2 行" in at.success[0].value
    assert live_count(path) == 2
    at.session_state["report:batches"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    at.button(key="report:undo-restore").click().run()
    assert "已撤销批次" in at.success[0].value
    assert live_count(path) == 0


@pytest.mark.slow  # a whole upload under AppTest
def test_a_clean_file_imports_on_confirmation(path, monkeypatch):
    at = log_in(start(path, monkeypatch), "admin", "admin-pass-1")
    at.file_uploader[0].upload("tolerant.xlsx", (FILES / "tolerant.xlsx").read_bytes()).run()
    assert not at.error and metric(at, "通过检查") == "3"
    at.button(key="report:confirm").click().run()
    assert "已导入 3 行" in at.success[0].value
    con = store.connect(path)
    figures = summary.summary(con, Filters(Period(2024, 2024)), dt.date(2025, 1, 1))
    con.close()
    assert figures["participants"] == 1500 + 55 + 12
    at = open_page(at, "")  # the overview shows it at once: its caches are keyed on the data version
    at.selectbox(key="period").set_value("2024").run()
    assert metric(at, "参与人次") == "1,567"


@pytest.mark.slow  # a whole upload under AppTest
def test_a_file_that_cannot_be_read_is_refused_with_its_reason(path, monkeypatch):
    at = log_in(start(path, monkeypatch), "kx", "clerk-pass-1")
    at.file_uploader[0].upload("missing_column.csv", (FILES / "missing_column.csv").read_bytes()).run()
    assert "缺少必填列“参与人次”" in at.error[0].value


def test_viewing_can_require_a_login(path, monkeypatch):
    at = start(path, monkeypatch, page=None, KEPU_REQUIRE_LOGIN="1")
    assert not at.metric and at.text_input(key="kepu:login-password")
    at = log_in(at, "kx", "clerk-pass-1")
    assert not at.exception and at.metric


def test_an_administrator_edits_a_target_and_the_change_is_logged(path, monkeypatch):
    at = log_in(start(path, monkeypatch), "admin", "admin-pass-1")
    at = open_page(at, "targets")
    assert not at.exception
    # AppTest cannot type into a data_editor cell (tests/test_browser.py types into it): the page saves through this
    from kepu.storage import target_admin

    con = store.connect(path)
    message = target_admin.update_target(con, "2021-2025", "youth_participants", 2024, 480000, "admin")
    basis = db.scalar(con, "SELECT basis FROM targets WHERE indicator = 'youth_participants' AND year = 2024")
    con.close()
    assert "“青少年科普参与”（2024年）的目标由 500000 改为 480000" in message and basis == "区定目标"
    at.run()
    log = next(d.value for d in at.dataframe if "操作" in d.value.columns)
    assert "target.update" in set(log["操作"])


def test_a_clerk_does_not_see_target_management(path, monkeypatch):
    at = log_in(start(path, monkeypatch), "kx", "clerk-pass-1")
    assert "targets" not in url_paths(at)
