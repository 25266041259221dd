"""Review of a clerk's batch: pending counts in no figure, approving counts it once, a returned batch never counts;
a re-send of a pending row is a duplicate. Expected totals are worked out here from the fixture file's rows
(tests/data/review/clerk-batch.csv: three activities of 区科协; resent.csv: the first again, and one new row)."""

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from kepu import cli
from kepu.ingest import batches
from kepu.storage import audit, auth, db, review, store

FILES = Path(__file__).parent / "data" / "review"
TODAY = dt.date(2025, 6, 1)
ADMIN = auth.User("区科协管理员", auth.ADMIN)
CLERK = auth.User("kx", auth.REPORTER, bureau="区科协")


def file_totals(name: str) -> dict:
    """Activities, 人次 and 经费 of a fixture file, read with csv (not kepu)."""
    with open(FILES / name, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {
        "activities": len(rows),
        "participants": sum(int(r["参与人次*"]) for r in rows),
        "funding": sum(float(r["经费（元）"] or 0) for r in rows),
    }


@pytest.fixture
def path(empty_store, monkeypatch):
    monkeypatch.setenv(review.ENV, "1")
    con = store.connect(empty_store)
    auth.add_user(con, "kx", "填报员", bureau="科协")
    auth.add_user(con, "kx2", "填报员", bureau="科协")
    con.close()
    return empty_store


@pytest.fixture
def con(path):
    connection = store.connect(path)
    yield connection
    connection.close()


def totals(path, capsys) -> dict:
    """kepu summary --json for 2024: activities, participants and funding."""
    capsys.readouterr()
    assert cli.main(["summary", "--json", "--db", str(path), "--period", "2024"]) == 0
    result = json.loads(capsys.readouterr().out)
    return {k: result[k] for k in ("activities", "participants", "funding")}


def send(con, name: str, actor=CLERK) -> batches.Outcome:
    return batches.import_file(con, (FILES / name).read_bytes(), name, actor, today=TODAY)


def status(con, batch: int) -> str:
    return db.scalar(con, "SELECT status FROM batches WHERE id = ?", [batch])


def test_a_pending_batch_changes_no_figure_and_approving_counts_it_once(path, capsys):
    before = totals(path, capsys)
    assert cli.main(["import", str(FILES / "clerk-batch.csv"), "--user", "kx", "--json", "--db", str(path)]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["committed"] and outcome["imported"] == 3 and "待审核" in outcome["message"]
    assert totals(path, capsys) == before, "pending: no figure moves"

    capsys.readouterr()
    assert cli.main(["review", "list", "--json", "--db", str(path)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [b["id"] for b in listed["batches"]] == [outcome["batch"]] and listed["enabled"] is True

    assert cli.main(["review", "approve", str(outcome["batch"]), "--db", str(path)]) == 0
    assert "已审核通过" in capsys.readouterr().out
    grown = file_totals("clerk-batch.csv")
    after = totals(path, capsys)
    assert after["activities"] == before["activities"] + grown["activities"]
    assert after["participants"] == before["participants"] + grown["participants"]
    assert after["funding"] == pytest.approx(before["funding"] + grown["funding"])

    assert cli.main(["review", "approve", str(outcome["batch"]), "--db", str(path)]) == 1, "approved once"
    assert "已" in capsys.readouterr().err
    assert totals(path, capsys) == after, "a second approval counts nothing again"


def test_a_returned_batch_never_counts_and_cannot_be_approved_or_restored(path, capsys):
    before = totals(path, capsys)
    con = store.connect(path)
    batch = send(con, "clerk-batch.csv").batch
    con.close()
    with pytest.raises(SystemExit) as usage:
        cli.main(["review", "return", str(batch), "--db", str(path)])
    assert usage.value.code == 2 and "--reason" in capsys.readouterr().err, "a reason is required"
    capsys.readouterr()
    assert cli.main(["review", "return", str(batch), "--reason", "  ", "--db", str(path)]) == 1
    assert "请写明退回的原因" in capsys.readouterr().err
    assert cli.main(["review", "return", str(batch), "--reason", "缺少签到表", "--db", str(path)]) == 0
    assert totals(path, capsys) == before
    assert cli.main(["review", "approve", str(batch), "--db", str(path)]) == 1
    assert "被退回，不能再审核" in capsys.readouterr().err
    assert totals(path, capsys) == before, "a refused approval of a returned batch counts nothing"

    con = store.connect(path)
    try:
        with pytest.raises(batches.BatchError, match="已被退回"):
            batches.undo(con, batch, CLERK)
        shown = batches.batches(con, "kx").iloc[0]
        assert (shown.status, shown.review_note) == ("returned", "缺少签到表"), "the clerk sees the reason"
        # the corrected file sent again is not a duplicate of the returned rows: they are absent
        again = send(con, "clerk-batch.csv")
        assert (again.imported, again.duplicates) == (3, 0)
        actions = audit.entries(con).action.tolist()
        assert {"review.return", "review.refused"} <= set(actions)
    finally:
        con.close()


def test_a_resent_pending_row_is_a_duplicate(con):
    first = send(con, "clerk-batch.csv")
    again = send(con, "resent.csv", actor=auth.User("kx2", auth.REPORTER, bureau="区科协"))
    assert (again.imported, again.duplicates, again.duplicate_rows) == (1, 1, [2])
    review.approve(con, first.batch, ADMIN)
    review.approve(con, again.batch, ADMIN)
    live = db.scalar(con, "SELECT count(*) FROM activities WHERE NOT retracted AND NOT pending")
    assert live == 4, "R-01 counted once"


def test_the_clerk_undoes_and_restores_a_pending_batch(con):
    batch = send(con, "clerk-batch.csv").batch
    batches.undo(con, batch, CLERK)
    assert review.pending_batches(con).empty, "an undone batch is not awaiting review"
    with pytest.raises(review.ReviewError, match="撤销"):
        review.approve(con, batch, ADMIN)
    batches.restore(con, batch, CLERK)
    assert status(con, batch) == "pending"
    assert db.scalar(con, "SELECT count(*) FROM activities WHERE batch = ? AND pending", [batch]) == 3
    assert review.pending_batches(con, "kx").id.tolist() == [batch]


def test_only_an_administrator_reviews_and_every_decision_is_logged(con):
    batch = send(con, "clerk-batch.csv").batch
    with pytest.raises(review.ReviewError, match="只有管理员"):
        review.approve(con, batch, CLERK)
    assert status(con, batch) == "pending"
    review.approve(con, batch, ADMIN)
    log = audit.entries(con)
    assert log.action.tolist()[:2] == ["review.approve", "review.refused"]
    detail = json.loads(log.detail.iloc[0])
    assert (detail["batch"], detail["counted"]) == (batch, 3)
    reviewed = db.rows(con, "SELECT reviewed_by, reviewed_at IS NOT NULL FROM batches WHERE id = ?", [batch])
    assert reviewed == [(ADMIN.name, True)]


def test_an_administrators_import_counts_at_once(con):
    outcome = send(con, "clerk-batch.csv", actor=ADMIN)
    assert status(con, outcome.batch) == "approved" and "已导入 3 行" in outcome.message
    assert db.scalar(con, "SELECT count(*) FROM activities WHERE pending") == 0


def test_a_pending_observation_counts_once_approved(con):
    clerk = auth.User("沙土填报员", auth.REPORTER, town="沙土镇")
    data = "指标,年份,镇街,数值\n科普经费（元）,2024,沙土镇,5000\n".encode()
    first = batches.import_file(con, data, "经费.csv", clerk, today=TODAY)
    current = "SELECT value FROM current_observations WHERE series = 'science_funding' AND town = '沙土镇'"
    assert first.committed and db.scalar(con, current) is None
    assert batches.import_file(con, data, "经费.csv", clerk, today=TODAY).duplicates == 1, "a re-sent pending value"
    review.approve(con, first.batch, ADMIN)
    assert db.scalar(con, current) == 5000


def test_the_setting_environment_wins_over_the_store(con, monkeypatch):
    monkeypatch.delenv(review.ENV)
    assert not review.enabled(con), "off unless asked for"
    review.set_enabled(con, True, by="测试")
    assert review.enabled(con) and "数据库设置" in review.setting_text(con)
    monkeypatch.setenv(review.ENV, "0")
    assert not review.enabled(con) and "KEPU_REVIEW=0" in review.setting_text(con)
    assert send(con, "clerk-batch.csv").message.startswith("已导入 3 行"), "review off: a clerk's batch counts"
    assert "review.on" in audit.entries(con).action.tolist()


def test_the_demo_store_has_review_on(demo_path, monkeypatch):
    monkeypatch.delenv(review.ENV, raising=False)
    con = store.connect(demo_path)
    try:
        assert review.enabled(con)
    finally:
        con.close()


def test_cli_review_on_and_off(path, capsys, monkeypatch):
    monkeypatch.delenv(review.ENV)
    assert cli.main(["review", "off", "--db", str(path)]) == 0
    assert cli.main(["review", "list", "--db", str(path)]) == 0
    assert "审核：关闭（数据库设置）" in capsys.readouterr().out
    assert cli.main(["review", "on", "--db", str(path)]) == 0
    assert cli.main(["review", "list", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "审核：开启（数据库设置）" in out and "没有待审核的批次" in out


def test_every_change_to_the_figures_is_logged_with_its_data_version_and_batch(con):
    """The change log a read model refreshes from (issue 14): one row per data version, saying what changed and,
    for a batch's rows, which batch; in the same transaction as the change."""
    from kepu.storage import target_admin

    def changes() -> list[tuple]:
        return db.rows(con, "SELECT data_version, kind, batch FROM changes ORDER BY id")

    def version() -> int:
        return int(store.get_meta(con, "data_version", "0"))

    assert changes() == []
    first = send(con, "clerk-batch.csv").batch  # a clerk's batch: pending
    review.return_batch(con, first, ADMIN, "缺少佐证材料")
    second = send(con, "clerk-batch.csv", auth.User("kx2", auth.REPORTER, bureau="区科协")).batch  # sent again
    review.approve(con, second, ADMIN)
    third = send(con, "resent.csv", ADMIN).batch
    batches.undo(con, third, ADMIN)
    batches.restore(con, third, ADMIN)
    plan_id = db.scalar(con, "SELECT id FROM plans ORDER BY start_year LIMIT 1")
    target_admin.update_target(con, plan_id, "counsellor_training", 2024, 120, "admin")
    kinds = [(kind, batch) for _, kind, batch in changes()]
    assert None not in (first, second, third)
    assert kinds == [
        ("import", first),
        ("return", first),
        ("import", second),
        ("approve", second),
        ("import", third),
        ("undo", third),
        ("restore", third),
        ("targets", None),
    ]
    versions = [v for v, _, _ in changes()]
    assert versions == list(range(versions[0], versions[0] + len(versions))) and versions[-1] == version()
    with pytest.raises(review.ReviewError):  # a refused change logs nothing
        review.approve(con, first, ADMIN)
    assert len(changes()) == len(kinds) and version() == versions[-1]
