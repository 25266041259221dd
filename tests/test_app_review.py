"""Review and 佐证材料 on the 数据填报 page under AppTest: an administrator approves or returns a pending batch; a
clerk attaches a file, opens it and removes it; a file whose content is not what its name says is refused in
Chinese. Expected figures come from the fixture file's rows (tests/data/review/clerk-batch.csv)."""

import datetime as dt
from pathlib import Path

import apps
import pytest
from apps import log_in

from kepu.ingest import batches
from kepu.storage import auth, db, evidence, review, store

REVIEW = Path(__file__).parent / "data" / "review"
EVIDENCE = Path(__file__).parent / "data" / "evidence"
PARTICIPANTS = 40 + 120 + 300  # clerk-batch.csv's 参与人次
SELECT_FIRST = {"selection": {"rows": [0], "columns": [], "cells": []}}


@pytest.fixture
def path(empty_store, monkeypatch):
    monkeypatch.setenv(review.ENV, "1")
    con = store.connect(empty_store)
    auth.add_user(con, "admin", "管理员")
    auth.set_password(con, "admin", "admin-pass-1")
    clerk = auth.add_user(con, "kx", "填报员", bureau="科协")
    auth.set_password(con, "kx", "clerk-pass-1")
    data = (REVIEW / "clerk-batch.csv").read_bytes()
    batches.import_file(con, data, "十月报送.csv", clerk, today=dt.date(2025, 6, 1))
    con.close()
    return empty_store


def counted(path) -> int:
    con = store.connect(path)
    try:
        return int(
            db.scalar(con, "SELECT coalesce(sum(participants), 0) FROM activities WHERE NOT retracted AND NOT pending")
        )
    finally:
        con.close()


def start(path, monkeypatch, name, password):
    return log_in(apps.start(path, monkeypatch, "report"), name, password)


@pytest.mark.slow  # an app flow; tests/test_review.py approves through kepu in the fast tier
def test_an_administrator_reads_a_pending_batch_and_approves_it(path, monkeypatch):
    at = start(path, monkeypatch, "admin", "admin-pass-1")
    assert not at.exception
    assert any(h.value == "待审核（1 批）" for h in at.subheader)
    at.session_state["review:pending"] = SELECT_FIRST
    at.run()
    rows = next(d.value for d in at.dataframe if "活动名称" in d.value.columns)
    assert rows["参与人次"].sum() == PARTICIPANTS
    assert counted(path) == 0
    at.button(key="review:approve").click().run()
    assert not at.exception and "已审核通过" in at.success[0].value
    assert counted(path) == PARTICIPANTS
    assert not any(h.value.startswith("待审核（") for h in at.subheader)


@pytest.mark.slow  # a long flow through the app; the fast tier keeps a shorter one
def test_returning_needs_a_reason_and_the_clerk_sees_it(path, monkeypatch):
    at = start(path, monkeypatch, "admin", "admin-pass-1")
    at.session_state["review:pending"] = SELECT_FIRST
    at.run()
    at.button(key="review:return").click().run()
    assert "请写明退回的原因" in at.error[0].value and not at.exception
    at.text_input(key="review:reason:1").input("缺少签到表").run()
    at.button(key="review:return").click().run()
    assert "已退回批次 1" in at.success[0].value
    assert counted(path) == 0
    at = start(path, monkeypatch, "kx", "clerk-pass-1")
    assert any("已被 admin 退回：缺少签到表" in w.value for w in at.warning)
    history = next(d.value for d in at.dataframe if "状态" in d.value.columns)
    assert history["状态"].tolist() == ["已退回"] and history["审核"].tolist() == ["退回：缺少签到表"]


@pytest.mark.slow  # a long flow through the app; the fast tier keeps a shorter one
def test_a_clerk_attaches_opens_and_removes_a_file(path, monkeypatch):
    at = start(path, monkeypatch, "kx", "clerk-pass-1")
    history = next(d.value for d in at.dataframe if "状态" in d.value.columns)
    assert history["状态"].tolist() == ["待审核"], "the clerk sees their pending batch"
    at.session_state["report:batches"] = SELECT_FIRST
    at.run()
    at.file_uploader(key="evidence:upload:1:0").upload("签到表.png", (EVIDENCE / "photo.png").read_bytes())
    at.button(key="FormSubmitter:evidence:form:1:0-保存佐证材料").click().run()
    assert not at.exception
    assert "已保存佐证材料“签到表.png”（PNG 图片" in at.success[0].value
    assert any(m.value == "签到表.png" for m in at.markdown)
    con = store.connect(path)
    (shown,) = evidence.listing(con, auth.User("admin", auth.ADMIN)).id.tolist()
    con.close()
    at.button(key=f"evidence:view:{shown}").click().run()
    assert len(at.image) == 1, "the picture is shown"
    assert "evidence:download" in {b.key for b in at.get("download_button")}, "and offered for download"
    at.button(key=f"evidence:remove:{shown}").click().run()
    assert "已删除佐证材料“签到表.png”" in at.success[0].value
    assert not any(m.value == "签到表.png" for m in at.markdown)


@pytest.mark.slow  # a long flow through the app; the fast tier keeps a shorter one
def test_a_file_whose_content_is_not_what_its_name_says_is_refused_in_chinese(path, monkeypatch):
    at = start(path, monkeypatch, "kx", "clerk-pass-1")
    at.session_state["report:batches"] = SELECT_FIRST
    at.run()
    at.file_uploader(key="evidence:upload:1:0").upload("照片.png", (EVIDENCE / "text-named.png").read_bytes())
    at.button(key="FormSubmitter:evidence:form:1:0-保存佐证材料").click().run()
    assert not at.exception
    assert "“照片.png”未保存：文件内容不是可接受的类型" in at.error[0].value
