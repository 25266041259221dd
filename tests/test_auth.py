"""Users and logins: adding users, passwords as argon2 hashes, lockout, scopes, the audit trail and `kepu user`."""

import datetime as dt
import io
import json
import shutil

import pytest
from argon2 import PasswordHasher

from kepu import cli
from kepu.storage import audit, auth, db, store

PASSWORD = "correct horse"
NOON = dt.datetime(2025, 3, 1, 12, 0)


@pytest.fixture(scope="session")
def blank_path(tmp_path_factory, plan):
    """A store with the plan and no users, built once; each test gets its own copy."""
    return store.create_store(tmp_path_factory.mktemp("auth") / "blank.duckdb", plans=[plan])


@pytest.fixture
def store_path(tmp_path, blank_path):
    return shutil.copy(blank_path, tmp_path / "s.duckdb")


@pytest.fixture
def con(store_path):
    con = store.connect(store_path)
    yield con
    con.close()


@pytest.fixture
def zhang(con):
    """A 填报员 of 区科协 with a password."""
    auth.add_user(con, "zhang", "填报员", bureau="区科协")
    auth.set_password(con, "zhang", PASSWORD)
    return auth.get_user(con, "zhang")


def logged(con) -> list[str]:
    """The audit log's actions, oldest first, after the store's own creation."""
    return [a for a in audit.entries(con).action.iloc[::-1] if a != "store.init"]


def failed_logins(con, name):
    return db.scalar(con, "SELECT failed_logins FROM users WHERE name = ?", [name])


def refused(con, name, password, now=NOON) -> str:
    with pytest.raises(auth.AuthError) as caught:
        auth.authenticate(con, name, password, now=now)
    return str(caught.value)


# Adding users


def test_users_of_both_roles_are_added_with_aliases_resolved(con):
    assert auth.add_user(con, "zhang", "填报员", bureau="科协") == auth.User("zhang", "填报员", "区科协", None)
    assert auth.add_user(con, "li", "填报员", town="沙土") == auth.User("li", "填报员", None, "沙土镇")
    assert auth.add_user(con, "admin", "管理员") == auth.User("admin", "管理员", None, None)
    assert auth.get_user(con, "zhang").bureau == "区科协"
    assert auth.get_user(con, "li").town == "沙土镇"
    assert auth.get_user(con, "admin").is_admin
    assert auth.get_user(con, "nobody") is None
    assert db.scalar(con, "SELECT count(*) FROM users WHERE password_hash IS NULL") == 3


def test_scope_text_says_what_a_user_may_touch():
    assert auth.User("a", "管理员", None, None).scope_text() == "管理员（全部）"
    assert auth.User("b", "填报员", "区科协", None).scope_text() == "填报员 · 区科协"
    assert auth.User("c", "填报员", None, "沙土镇").scope_text() == "填报员 · 沙土镇"


@pytest.mark.parametrize(
    ("name", "role", "bureau", "town", "message"),
    [
        ("a", "填报员", None, None, "须指定一个责任单位"),
        ("a", "填报员", "区科协", "沙土镇", "只能指定其中一个"),
        ("a", "管理员", "区科协", None, "不能指定责任单位或镇街"),
        ("a", "管理员", None, "沙土镇", "不能指定责任单位或镇街"),
        ("a", "局长", None, None, "未知的角色“局长”"),
        ("a", "填报员", "火星局", None, "未知的责任单位“火星局”"),
        ("a", "填报员", None, "火星镇", "未知的镇街“火星镇”"),
        ("a", "填报员", None, "全区", "不是镇街"),
        ("", "管理员", None, None, "用户名须为"),
        ("zhang san", "管理员", None, None, "不含空格"),
        ("z" * 33, "管理员", None, None, "用户名须为"),
    ],
)
def test_invalid_users_are_refused_and_not_added(con, name, role, bureau, town, message):
    with pytest.raises(auth.AuthError, match=message):
        auth.add_user(con, name, role, bureau=bureau, town=town)
    assert db.scalar(con, "SELECT count(*) FROM users") == 0
    assert logged(con) == []


def test_a_name_of_32_characters_is_allowed(con):
    assert auth.add_user(con, "z" * 32, "管理员").name == "z" * 32


def test_duplicate_names_are_refused(con):
    auth.add_user(con, "zhang", "填报员", bureau="区科协")
    with pytest.raises(auth.AuthError, match="用户“zhang”已存在"):
        auth.add_user(con, "zhang", "管理员")
    assert auth.get_user(con, "zhang").role == "填报员"


# Passwords


def test_passwords_need_eight_characters(con):
    auth.add_user(con, "zhang", "填报员", bureau="区科协")
    with pytest.raises(auth.AuthError, match="至少需要 8 个字符"):
        auth.set_password(con, "zhang", "1234567")
    auth.set_password(con, "zhang", "12345678")


def test_passwords_of_unknown_users_cannot_be_set(con):
    with pytest.raises(auth.AuthError, match="没有名为“ghost”的用户"):
        auth.set_password(con, "ghost", PASSWORD)


def test_only_an_argon2_hash_is_stored_and_it_verifies(con, zhang):
    stored = db.scalar(con, "SELECT password_hash FROM users WHERE name = 'zhang'")
    assert stored != PASSWORD and PASSWORD not in stored
    assert stored.startswith("$argon2id$")
    assert PasswordHasher().verify(stored, PASSWORD)
    assert auth.authenticate(con, "zhang", PASSWORD) == zhang


def test_outside_the_tests_passwords_are_hashed_at_argon2s_full_cost(monkeypatch):
    monkeypatch.undo()  # the autouse fixture's cheap hasher is for speed only; this is what kepu itself uses
    defaults = PasswordHasher()
    assert (auth._hasher.time_cost, auth._hasher.memory_cost) == (defaults.time_cost, defaults.memory_cost)
    assert defaults.memory_cost >= 19 * 1024  # OWASP's floor for argon2id, in KiB


def test_an_outdated_hash_is_replaced_at_the_next_login(con, monkeypatch):
    auth.add_user(con, "zhang", "填报员", bureau="区科协")
    with monkeypatch.context() as m:
        m.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        auth.set_password(con, "zhang", PASSWORD)
    weak = db.scalar(con, "SELECT password_hash FROM users WHERE name = 'zhang'")
    auth.authenticate(con, "zhang", PASSWORD)
    rehashed = db.scalar(con, "SELECT password_hash FROM users WHERE name = 'zhang'")
    assert rehashed != weak and not auth._hasher.check_needs_rehash(rehashed)
    auth.authenticate(con, "zhang", PASSWORD)


# Logging in


def test_a_wrong_password_reads_the_same_as_an_unknown_user(con, zhang, monkeypatch):
    auth.add_user(con, "li", "填报员", town="沙土")  # no password yet
    checks = []
    real_verify = auth._verify
    monkeypatch.setattr(auth, "_verify", lambda h, p: checks.append(h) or real_verify(h, p))
    messages = {refused(con, "zhang", "wrong password"), refused(con, "ghost", PASSWORD), refused(con, "li", PASSWORD)}
    assert messages == {"用户名或密码错误"}
    assert len(checks) == 3  # a hash is checked every time, so timing does not tell which names exist


def test_a_disabled_user_cannot_log_in_until_enabled(con, zhang):
    auth.disable_user(con, "zhang", by="admin")
    assert refused(con, "zhang", PASSWORD) == "该账户已停用，请联系区科协"
    assert refused(con, "zhang", "wrong password") == "用户名或密码错误"  # without the password, nothing is told
    auth.enable_user(con, "zhang", by="admin")
    assert auth.authenticate(con, "zhang", PASSWORD) == auth.get_user(con, "zhang")


def test_unknown_users_cannot_be_disabled_or_enabled(con):
    with pytest.raises(auth.AuthError, match="ghost"):
        auth.disable_user(con, "ghost", by="admin")
    with pytest.raises(auth.AuthError, match="ghost"):
        auth.enable_user(con, "ghost", by="admin")


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(con, zhang):
    for attempt in range(1, auth.MAX_FAILURES):
        assert refused(con, "zhang", "wrong password") == "用户名或密码错误"
        assert failed_logins(con, "zhang") == attempt
    assert refused(con, "zhang", "wrong password") == "密码错误次数过多，请于 12:15 后再试"
    locked_until = db.scalar(con, "SELECT locked_until FROM users WHERE name = 'zhang'")
    assert locked_until == NOON + dt.timedelta(minutes=15) == NOON + auth.LOCKOUT
    # Even the right password is refused while locked.
    assert refused(con, "zhang", PASSWORD, now=NOON + dt.timedelta(minutes=14, seconds=59)) == (
        "密码错误次数过多，请于 12:15 后再试"
    )
    assert auth.authenticate(con, "zhang", PASSWORD, now=NOON + dt.timedelta(minutes=15)) == zhang
    assert db.rows(con, "SELECT failed_logins, locked_until FROM users WHERE name = 'zhang'") == [(0, None)]


def test_after_a_lockout_lifts_the_count_starts_again(con, zhang):
    for _ in range(auth.MAX_FAILURES):
        refused(con, "zhang", "wrong password")
    later = NOON + auth.LOCKOUT
    assert refused(con, "zhang", "wrong password", now=later) == "用户名或密码错误"
    assert failed_logins(con, "zhang") == 1


def test_a_successful_login_resets_the_count(con, zhang):
    for _ in range(auth.MAX_FAILURES - 1):
        refused(con, "zhang", "wrong password")
    auth.authenticate(con, "zhang", PASSWORD, now=NOON)
    assert failed_logins(con, "zhang") == 0
    for _ in range(auth.MAX_FAILURES - 1):
        assert refused(con, "zhang", "wrong password") == "用户名或密码错误"


def test_a_new_password_lifts_a_lockout(con, zhang):
    for _ in range(auth.MAX_FAILURES):
        refused(con, "zhang", "wrong password")
    auth.set_password(con, "zhang", "another password", by="admin")
    assert auth.authenticate(con, "zhang", "another password", now=NOON + dt.timedelta(minutes=1)) == auth.get_user(
        con, "zhang"
    )


def test_the_session_lasts_eight_hours():
    assert auth.SESSION_HOURS == 8


# What a user may do


def test_who_may_report_which_rows():
    admin = auth.User("admin", "管理员", None, None)
    bureau = auth.User("zhang", "填报员", "区科协", None)
    town = auth.User("li", "填报员", None, "沙土镇")
    assert admin.may_report("沙土镇", "区教体局") and admin.may_report("全区", "区科协")
    assert bureau.may_report("沙土镇", "区科协") and bureau.may_report("全区", "区科协")
    assert not bureau.may_report("沙土镇", "区教体局")
    assert town.may_report("沙土镇", "区教体局") and town.may_report("沙土镇", "区科协")
    assert not town.may_report("全区", "区科协") and not town.may_report("吕陵镇", "区科协")


def test_who_may_undo_which_batches():
    assert auth.User("admin", "管理员", None, None).may_undo("zhang")
    zhang = auth.User("zhang", "填报员", "区科协", None)
    assert zhang.may_undo("zhang")
    assert not zhang.may_undo("li") and not zhang.may_undo("admin")


# Listing and the audit log


def test_list_users_never_exposes_hashes(con, zhang):
    auth.add_user(con, "admin", "管理员")
    auth.disable_user(con, "admin", by="cli")
    users = auth.list_users(con)
    assert list(users.columns) == ["name", "role", "bureau", "town", "disabled", "has_password", "created_at"]
    assert users.name.tolist() == ["admin", "zhang"]
    assert users.has_password.tolist() == [False, True]
    assert users.disabled.tolist() == [True, False]
    stored = db.scalar(con, "SELECT password_hash FROM users WHERE name = 'zhang'")
    assert stored not in users.to_csv()


def test_every_user_change_is_in_the_audit_log_without_passwords(con, zhang):
    auth.disable_user(con, "zhang", by="admin")
    auth.enable_user(con, "zhang", by="admin")
    for _ in range(auth.MAX_FAILURES):
        refused(con, "zhang", "wrong password")
    log = audit.entries(con).iloc[::-1]
    log = log[~log.action.isin(["store.init", "login.refused"])]
    assert log.action.tolist() == ["user.add", "user.password", "user.disable", "user.enable", "user.locked"]
    assert log.user_name.tolist() == ["程序", "程序", "admin", "admin", "system"]
    assert json.loads(log.detail.iloc[0]) == {"name": "zhang", "role": "填报员", "bureau": "区科协", "town": None}
    assert not log.detail.str.contains(PASSWORD).any()
    assert not log.detail.str.contains("argon2").any()


# The command line


def run(store_path, monkeypatch, *args, stdin=None) -> int:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.main(["user", *args, "--db", str(store_path)])


def test_user_commands_end_to_end(store_path, monkeypatch, capsys):
    assert (
        run(
            store_path,
            monkeypatch,
            "add",
            "zhang",
            "--role",
            "填报员",
            "--bureau",
            "科协",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        == 0
    )
    assert capsys.readouterr().out == "已添加用户 zhang（填报员 · 区科协）\n"
    assert run(store_path, monkeypatch, "add", "li", "--role", "填报员", "--town", "沙土") == 0
    assert "已添加用户 li（填报员 · 沙土镇）" in capsys.readouterr().out
    assert run(store_path, monkeypatch, "add", "admin", "--role", "管理员") == 0
    assert "尚未设置密码" in capsys.readouterr().out
    assert run(store_path, monkeypatch, "passwd", "li", "--password-stdin", stdin="li password\n") == 0
    assert capsys.readouterr().out == "已为用户 li 设置新密码\n"
    assert run(store_path, monkeypatch, "disable", "li") == 0
    assert capsys.readouterr().out == "已停用用户 li\n"
    assert run(store_path, monkeypatch, "list") == 0
    assert "li　填报员 · 沙土镇　已停用" in capsys.readouterr().out

    assert run(store_path, monkeypatch, "list", "--json") == 0
    users = json.loads(capsys.readouterr().out)
    assert [(u["name"], u["role"], u["bureau"], u["town"], u["disabled"], u["has_password"]) for u in users] == [
        ("admin", "管理员", None, None, False, False),
        ("li", "填报员", None, "沙土镇", True, True),
        ("zhang", "填报员", "区科协", None, False, True),
    ]
    assert all(dt.datetime.fromisoformat(u["created_at"]) for u in users)
    assert not any("hash" in key for u in users for key in u)

    assert run(store_path, monkeypatch, "enable", "li") == 0
    assert capsys.readouterr().out == "已启用用户 li\n"
    con = store.connect(store_path)
    try:
        assert auth.authenticate(con, "zhang", PASSWORD).bureau == "区科协"
        assert auth.authenticate(con, "li", "li password").town == "沙土镇"
        changes = audit.entries(con)
        changes = changes[changes.action.str.startswith("user.")]
        assert changes.user_name.eq("命令行").all() and changes.via.eq("命令行").all()
        assert changes.os_user.notna().all()  # who typed it, on the server
    finally:
        con.close()


def test_user_command_errors_exit_1_in_chinese(store_path, monkeypatch, capsys):
    assert run(store_path, monkeypatch, "add", "zhang", "--role", "填报员", "--bureau", "火星局") == 1
    assert "未知的责任单位“火星局”" in capsys.readouterr().err
    assert run(store_path, monkeypatch, "disable", "ghost") == 1
    assert "没有名为“ghost”的用户" in capsys.readouterr().err
    assert run(store_path, monkeypatch, "passwd", "ghost", "--password-stdin", stdin=PASSWORD + "\n") == 1
    assert "没有名为“ghost”的用户" in capsys.readouterr().err


def test_a_bad_initial_password_leaves_no_user_behind(store_path, monkeypatch, capsys):
    assert run(store_path, monkeypatch, "add", "zhang", "--role", "管理员", "--password-stdin", stdin="short\n") == 1
    assert "至少需要 8 个字符" in capsys.readouterr().err
    assert run(store_path, monkeypatch, "list", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_passwd_prompts_twice_and_needs_both_to_match(store_path, monkeypatch, capsys):
    assert run(store_path, monkeypatch, "add", "zhang", "--role", "管理员") == 0
    answers = iter(["first password", "other password", "same password", "same password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert run(store_path, monkeypatch, "passwd", "zhang") == 1
    assert "两次输入的密码不一致" in capsys.readouterr().err
    assert run(store_path, monkeypatch, "passwd", "zhang") == 0
    con = store.connect(store_path)
    try:
        assert auth.authenticate(con, "zhang", "same password").is_admin
    finally:
        con.close()


def test_scope_options_are_exclusive_and_roles_fixed(store_path, monkeypatch, capsys):
    with pytest.raises(SystemExit):
        run(store_path, monkeypatch, "add", "zhang", "--role", "填报员", "--bureau", "科协", "--town", "沙土")
    with pytest.raises(SystemExit):
        run(store_path, monkeypatch, "add", "zhang", "--role", "局长")


def test_every_login_attempt_is_logged_with_its_outcome(con, zhang):
    refused(con, "zhang", "wrong password")
    refused(con, "nobody", "whatever")
    auth.authenticate(con, "zhang", PASSWORD, now=NOON)
    log = audit.entries(con).iloc[::-1]
    attempts = [(r.user_name, r.action, json.loads(r.detail)) for r in log.itertuples() if r.action.startswith("login")]
    assert attempts == [
        ("zhang", "login.refused", {"reason": "wrong password"}),
        ("nobody", "login.refused", {"reason": "no such user"}),
        ("zhang", "login", {}),
    ]
