"""Who may change what, checked in one place for every kind of import, undo and restore; open logins that end when
the account changes; and an audit log that names the real actor of every login, refusal, export and change."""

import datetime as dt
import getpass
import json
from pathlib import Path

import pytest
from apps import log_in, open_page
from test_app_report import start

from kepu import cli, ui
from kepu.core.filters import Filters, Period
from kepu.ingest import batches
from kepu.storage import audit, auth, db, store
from kepu.ui import login

TODAY = dt.date(2025, 6, 1)
ADMIN = auth.User("admin", auth.ADMIN)
TOWN_CLERK = auth.User("st", auth.REPORTER, town="沙土镇")
BUREAU_CLERK = auth.User("kx", auth.REPORTER, bureau="区科协")
FILES = Path(__file__).parent / "data" / "import"
OBSERVATION = "指标,年份,镇街,数值\n"
KX_ROWS = (
    "活动编号,活动名称,开始日期,镇街,责任单位,活动类型,参与人次\n"
    "K-1,科普讲座,2024-05-12,沙土镇,区科协,讲座,10\nK-2,科普展览,2024-06-12,全区,区科协,展览,20\n"
)


@pytest.fixture
def path(empty_store):
    p = empty_store
    con = store.connect(p)
    for user, password in ((ADMIN, "admin-pass-1"), (TOWN_CLERK, "town-pass-1"), (BUREAU_CLERK, "clerk-pass-1")):
        auth.add_user(con, user.name, user.role, bureau=user.bureau, town=user.town)
        auth.set_password(con, user.name, password)
    con.close()
    return p


@pytest.fixture
def con(path):
    connection = store.connect(path)
    yield connection
    connection.close()


def observe(con, actor, town="沙土镇", series="科普经费（元）", value=1000):
    data = f"{OBSERVATION}{series},2024,{town},{value}\n".encode()
    return batches.import_file(con, data, "指标.csv", actor, today=TODAY)


def actions(con) -> list[tuple]:
    """The audit log, oldest first: (user, action, detail) without the store's creation."""
    log = audit.entries(con).iloc[::-1]
    return [(r.user_name, r.action, json.loads(r.detail)) for r in log.itertuples() if r.action != "store.init"]


# Scope: one rule for activities and indicator values


def test_a_town_clerk_sets_indicator_values_of_their_own_town_only(con):
    assert observe(con, TOWN_CLERK).imported == 1
    for town, series in (("全区", "科学素质比例"), ("吕陵镇", "科普经费（元）"), ("全区", "科普经费（元）")):
        refused = observe(con, TOWN_CLERK, town, series, 15)
        assert not refused.committed
        assert refused.errors[0].column == "镇街" and "只能报送本镇街（沙土镇）" in refused.errors[0].reason
    assert db.scalar(con, "SELECT count(*) FROM observations") == 1


def test_a_bureau_clerk_sets_no_indicator_values(con):
    refused = observe(con, BUREAU_CLERK)
    assert not refused.committed and "指标数据" in refused.errors[0].reason and refused.errors[0].column == "指标"


def test_an_administrator_sets_any_indicator_value(con):
    assert observe(con, ADMIN, "全区", "科学素质比例", 15.7).imported == 1


def test_a_town_clerk_reports_activities_of_their_own_town_only(con):
    outcome = batches.import_file(con, (FILES / "tolerant_utf8_bom.csv").read_bytes(), "t.csv", TOWN_CLERK, today=TODAY)
    assert {e.row for e in outcome.errors} == {3, 4, 6, 7, 8, 9}  # all but the 沙土镇 row (row 5 is empty)
    assert all("只能报送本镇街（沙土镇）" in e.reason and e.column == "镇街" for e in outcome.errors)
    assert {e.value for e in outcome.errors} == {"全区", "东城街道", "皇镇街道", "何楼街道", "吴店镇"}


def test_a_clerk_may_not_restore_what_an_administrator_undid(con):
    mine = batches.import_file(con, KX_ROWS.encode(), "kx.csv", BUREAU_CLERK, today=TODAY)
    assert mine.committed
    batches.undo(con, mine.batch, ADMIN)
    with pytest.raises(batches.BatchError, match="由 admin 撤销，只有管理员可以恢复"):
        batches.restore(con, mine.batch, BUREAU_CLERK)
    assert db.scalar(con, "SELECT count(*) FROM activities WHERE NOT retracted") == 0
    batches.restore(con, mine.batch, ADMIN)
    batches.undo(con, mine.batch, BUREAU_CLERK)
    assert "已恢复" in batches.restore(con, mine.batch, BUREAU_CLERK)  # what they undid themselves


def test_a_clerk_may_not_undo_or_restore_another_clerks_batch(con):
    theirs = batches.import_file(con, (FILES / "tolerant.xlsx").read_bytes(), "t.xlsx", ADMIN, today=TODAY)
    with pytest.raises(batches.BatchError, match="只能撤销自己"):
        batches.undo(con, theirs.batch, BUREAU_CLERK)
    batches.undo(con, theirs.batch, ADMIN)
    with pytest.raises(batches.BatchError, match="只能恢复自己"):
        batches.restore(con, theirs.batch, BUREAU_CLERK)
    refusals = [(who, what) for who, what, _ in actions(con) if what.endswith(".refused")]
    assert refusals == [("kx", "undo.refused"), ("kx", "restore.refused")]


# Open logins follow the account


def test_disabling_an_account_ends_its_open_login(path, monkeypatch):
    at = log_in(start(path, monkeypatch), "kx", "clerk-pass-1")
    assert at.file_uploader
    con = store.connect(path)
    auth.disable_user(con, "kx", by="admin")
    con.close()
    at.run()
    assert not at.file_uploader and at.text_input(key="kepu:login-password")
    assert any("该账户已被停用" in i.value for i in at.info)


@pytest.mark.slow  # a login flow under AppTest
def test_resetting_a_password_ends_open_logins_with_the_old_one(path, monkeypatch):
    at = log_in(start(path, monkeypatch), "kx", "clerk-pass-1")
    con = store.connect(path)
    auth.set_password(con, "kx", "a new password", by="admin")
    con.close()
    at.run()
    assert not at.file_uploader and any("密码已重设" in i.value for i in at.info)
    at = log_in(at, "kx", "a new password")
    assert at.file_uploader


def test_a_login_lasts_eight_hours_and_not_a_minute_more(path, monkeypatch):
    clock = [dt.datetime(2025, 3, 1, 9, 0)]
    monkeypatch.setattr(login, "now", lambda: clock[0])
    at = log_in(start(path, monkeypatch), "kx", "clerk-pass-1")
    clock[0] += dt.timedelta(hours=auth.SESSION_HOURS, minutes=-1)
    at.run()
    assert at.file_uploader, "still logged in just before the eight hours are up"
    clock[0] += dt.timedelta(minutes=2)
    at.run()
    assert not at.file_uploader and any("登录已超过 8 小时" in i.value for i in at.info)


@pytest.mark.slow  # a login flow under AppTest
def test_a_role_change_applies_at_the_next_run(path, monkeypatch):
    at = log_in(start(path, monkeypatch), "kx", "clerk-pass-1")
    con = store.connect(path)
    db.execute(con, "UPDATE users SET bureau = '区教体局' WHERE name = 'kx'")
    con.close()
    at.run()
    assert any("kx（填报员 · 区教体局）" in c.value for c in at.caption)


# The audit log: every login, refusal, export and change, with the real actor


@pytest.mark.slow  # a login flow under AppTest
def test_logins_are_logged_whether_they_succeed_or_not(path, monkeypatch):
    at = start(path, monkeypatch)
    at = log_in(at, "kx", "wrong-password")
    at = log_in(at, "nobody", "whatever-1")
    at = log_in(at, "kx", "clerk-pass-1")
    next(b for b in at.button if b.key == "kepu:logout").click().run()
    con = store.connect(path)
    logins = [(who, what, detail) for who, what, detail in actions(con) if what.startswith(("login", "logout"))]
    entries = audit.entries(con)
    con.close()
    assert logins == [
        ("kx", "login.refused", {"reason": "wrong password"}),
        ("nobody", "login.refused", {"reason": "no such user"}),
        ("kx", "login", {}),
        ("kx", "logout", {"reason": "asked"}),
    ]
    assert set(entries[entries.action.str.startswith("log")].via) == {"看板"}


def test_a_refused_import_is_logged(path, capsys):
    assert cli.main(["import", str(FILES / "strict.csv"), "--db", str(path)]) == 1
    assert cli.main(["import", str(FILES / "missing_column.csv"), "--db", str(path)]) == 1
    con = store.connect(path)
    refused = [(what, detail["file"]) for _, what, detail in actions(con) if what == "import.refused"]
    con.close()
    assert refused == [("import.refused", "strict.csv"), ("import.refused", "missing_column.csv")]


def test_an_import_as_another_account_names_both_the_account_and_who_ran_it(path, tmp_path, capsys):
    file = tmp_path / "kx.csv"
    file.write_text(KX_ROWS, encoding="utf-8")
    assert cli.main(["import", str(file), "--user", "kx", "--db", str(path)]) == 0
    con = store.connect(path)
    entries = audit.entries(con)
    con.close()
    row = entries[entries.action == "import"].iloc[0]
    assert (row.user_name, row.via, row.os_user) == ("kx", "命令行", getpass.getuser())


def test_exports_from_the_command_line_are_logged(path, tmp_path, capsys):
    out = tmp_path / "简报.xlsx"
    assert cli.main(["report", "--out", str(out), "--period", "2024", "--town", "沙土", "--db", str(path)]) == 0
    con = store.connect(path)
    entries = audit.entries(con)
    con.close()
    row = entries[entries.action == "export"].iloc[0]
    detail = json.loads(row.detail)
    assert (detail["format"], detail["period"], detail["town"], detail["file"]) == (
        "xlsx",
        "2024",
        ["沙土镇"],
        str(out),
    )
    assert (row.via, row.os_user) == ("命令行", getpass.getuser())


def test_target_edits_and_refusals_are_logged(con):
    from kepu.storage import target_admin

    results = target_admin.save(
        con, "2021-2025", [("youth_participants", 2024, "480000"), ("youth_participants", 2025, "Infinity")], "admin"
    )
    assert [ok for ok, _ in results] == [True, False]
    assert [what for _, what, _ in actions(con)][-2:] == ["target.update", "target.refused"]


@pytest.mark.slow  # a login flow under AppTest
def test_an_export_from_the_dashboard_is_logged_with_its_viewer(path, monkeypatch):
    at = log_in(start(path, monkeypatch), "kx", "clerk-pass-1")
    at = open_page(at, "")
    con = store.connect(path)
    before = len(audit.entries(con))
    con.close()
    # AppTest does not press download buttons: the page's button calls this, on Streamlit's download thread.
    requester = ("kx", audit.Origin(audit.APP, address="10.0.0.7"))
    ui.export_file("csv", Filters(Period(2024, 2024)), TODAY, None, requester)
    con = store.connect(path)
    entries = audit.entries(con)
    con.close()
    assert len(entries) == before + 1
    row = entries.iloc[0]
    assert (row.user_name, row.action, row.via, row.address) == ("kx", "export", "看板", "10.0.0.7")
