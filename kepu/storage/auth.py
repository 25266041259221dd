"""Users and logins: who may sign in, what each may report or undo, and the password checks behind it.

Passwords are kept only as argon2 hashes. Every change to a user leaves a line in the audit log.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kepu.core.errors import UserError
from kepu.core.glossary import ROLES
from kepu.core.plan import DISTRICT
from kepu.storage import audit, catalog, db

REPORTER, ADMIN = ROLES  # 填报员, 管理员
MAX_FAILURES = 5  # consecutive wrong passwords before an account is locked
LOCKOUT = dt.timedelta(minutes=15)
SESSION_HOURS = 8  # the UI asks for the password again after this long
MIN_PASSWORD = 8
MAX_NAME = 32

WRONG_LOGIN = "用户名或密码错误"
DISABLED = "该账户已停用，请联系区科协"
ENDED = {
    "disabled": "该账户已被停用，本次登录已结束。",
    "password": "该账户的密码已重设，请用新密码重新登录。",
    "gone": "该账户已不存在，本次登录已结束。",
}

_hasher = PasswordHasher()


class AuthError(UserError):
    """A user or login request that cannot be granted; the message says what to do, in Chinese."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    bureau: str | None = None
    town: str | None = None
    session: int = 0  # changes when the account is disabled or its password reset: open logins then end

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    def scope_text(self) -> str:
        """What the user may touch, for display: 管理员（全部）, 填报员 · 区科协, 填报员 · 沙土镇."""
        if self.is_admin:
            return f"{ADMIN}（全部）"
        return f"{self.role} · {self.bureau or self.town or '（未指定）'}"

    def refusal(self, town: str, bureau: str | None) -> tuple[str, str] | None:
        """Why the user may not report a record of this 镇街 and 责任单位 (bureau None: an indicator value of the
        town, such as its 科普经费), as the column at fault and the reason; None when they may. The one place a
        clerk's scope is decided, for every kind of import."""
        if self.is_admin:
            return None
        if bureau is None:
            if self.town is None:
                return "指标", (
                    "您的账户只能报送本单位的活动记录；指标数据（抽样调查比例、科普经费）由区科协管理员或镇街填报员报送"
                )
            return None if town == self.town else ("镇街", f"您的账户只能报送本镇街（{self.town}）的指标数据")
        if self.bureau is not None:
            return None if bureau == self.bureau else ("责任单位", f"您的账户只能报送本单位（{self.bureau}）的活动")
        return None if town == self.town else ("镇街", f"您的账户只能报送本镇街（{self.town}）的活动")

    def may_report(self, town: str, bureau: str | None) -> bool:
        """True when the user may report a record of this 镇街 and 责任单位 (see refusal)."""
        return self.refusal(town, bureau) is None

    def may_undo(self, batch_user_name: str) -> bool:
        """True when the user may undo an import batch made by `batch_user_name`."""
        return self.is_admin or batch_user_name == self.name

    def restore_refusal(self, batch_user_name: str, undone_by: str | None) -> str | None:
        """Why the user may not restore an undone batch (None when they may): a clerk restores only their own
        batch, and only when they undid it themselves; what an administrator undid, only an administrator
        restores."""
        if self.is_admin:
            return None
        if batch_user_name != self.name:
            return "您只能恢复自己导入的批次"
        if undone_by != self.name:
            return f"该批次由 {undone_by} 撤销，只有管理员可以恢复"
        return None


def add_user(
    con: db.Connection, name: str, role: str, bureau: str | None = None, town: str | None = None, by: str | None = None
) -> User:
    """Add a user without a password (set one with set_password); return the user with canonical scope names.
    `by` is who the audit log names (default: where the call comes from, e.g. 命令行)."""
    by = by or audit.actor_name()
    _check_name(name)
    if role not in ROLES:
        raise AuthError(f"未知的角色“{role}”，请选择：{'、'.join(ROLES)}")
    bureau, town = _blank_to_none(bureau), _blank_to_none(town)
    if role == ADMIN and (bureau or town):
        raise AuthError("管理员可查看和填报全部数据，不能指定责任单位或镇街；请去掉 --bureau / --town")
    if role == REPORTER and (bureau is None) == (town is None):
        raise AuthError("填报员须指定一个责任单位（--bureau）或一个镇街（--town），且只能指定其中一个")
    if get_user(con, name) is not None:
        raise AuthError(f"用户“{name}”已存在，请换一个用户名")
    user = User(name, role, _resolve_bureau(con, bureau), _resolve_town(con, town))
    with db.transaction(con):  # the user and its audit line together
        db.execute(
            con,
            "INSERT INTO users (name, role, bureau, town, created_at) VALUES (?, ?, ?, ?, ?)",
            [user.name, user.role, user.bureau, user.town, dt.datetime.now()],
        )
        audit.record(con, by, "user.add", name=user.name, role=user.role, bureau=user.bureau, town=user.town)
    return user


def set_password(con: db.Connection, name: str, password: str, by: str | None = None) -> None:
    """Store an argon2 hash of a new password and clear any lockout; open logins of the account end."""
    by = by or audit.actor_name()
    _require_user(con, name)
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"密码至少需要 {MIN_PASSWORD} 个字符，请换一个更长的密码")
    # A new session number ends every open login of the account (they are checked on each page run).
    with db.transaction(con):
        db.execute(
            con,
            """UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL,
                                  session_epoch = session_epoch + 1 WHERE name = ?""",
            [_hasher.hash(password), name],
        )
        audit.record(con, by, "user.password", name=name)


def disable_user(con: db.Connection, name: str, by: str) -> None:
    """Stop a user from signing in; their records and batches stay."""
    _set_disabled(con, name, True, by)


def enable_user(con: db.Connection, name: str, by: str) -> None:
    """Let a disabled user sign in again."""
    _set_disabled(con, name, False, by)


def authenticate(con: db.Connection, name: str, password: str, now: dt.datetime | None = None) -> User:
    """The user whose name and password these are; AuthError (in Chinese) otherwise. Every attempt is logged."""
    now = now or dt.datetime.now()
    row = db.rows(
        con,
        """SELECT role, bureau, town, password_hash, disabled, locked_until, session_epoch
                          FROM users WHERE name = ?""",
        [name],
    )
    if not row or row[0][3] is None:
        # Spend as long as a real check, so the answer's timing does not tell which names exist.
        _verify(_dummy_hash(), password)
        _refused(con, name, "no such user" if not row else "no password set")
        raise AuthError(WRONG_LOGIN)
    role, bureau, town, password_hash, disabled, locked_until, session = row[0]
    if locked_until is not None and now < locked_until:
        _refused(con, name, "locked")
        raise AuthError(_locked_message(locked_until))
    if not _verify(password_hash, password):
        with db.transaction(con):  # the count, any lock, and the refusal's audit line together
            message = _record_failure(con, name, now)
            _refused(con, name, "wrong password")
        raise AuthError(message)
    # Only someone who knows the password learns that the account is disabled.
    if disabled:
        _refused(con, name, "disabled")
        raise AuthError(DISABLED)
    with db.transaction(con):
        db.execute(con, "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = ?", [name])
        if _hasher.check_needs_rehash(password_hash):
            db.execute(con, "UPDATE users SET password_hash = ? WHERE name = ?", [_hasher.hash(password), name])
        audit.record(con, name, "login")
    return User(name, role, bureau, town, session)


def current_session(con: db.Connection, user: User) -> User:
    """The account behind an open login as it is now (its role and scope re-read); AuthError, saying why, when the
    login must end: the account was disabled, its password reset, or it is gone."""
    row = db.rows(
        con, "SELECT name, role, bureau, town, session_epoch, disabled FROM users WHERE name = ?", [user.name]
    )
    if not row:
        raise AuthError(ENDED["gone"])
    *fields, disabled = row[0]
    if disabled:
        raise AuthError(ENDED["disabled"])
    now = User(*fields)
    if now.session != user.session:
        raise AuthError(ENDED["password"])
    return now


def _refused(con: db.Connection, name: str, reason: str) -> None:
    # The name is what was typed: kept as text in the JSON, never shown as markup.
    audit.record(con, name[: MAX_NAME * 2], "login.refused", reason=reason)


def list_users(con: db.Connection) -> pd.DataFrame:
    """All users by name, without their password hashes. Columns: name, role, bureau, town, disabled,
    has_password, created_at."""
    return db.query(
        con,
        """SELECT name, role, bureau, town, disabled, password_hash IS NOT NULL AS has_password,
                                   created_at
                            FROM users ORDER BY name""",
    )


def get_user(con: db.Connection, name: str) -> User | None:
    """The user of this name, or None."""
    row = db.rows(con, "SELECT name, role, bureau, town, session_epoch FROM users WHERE name = ?", [name])
    return User(*row[0]) if row else None


def _check_name(name: str) -> None:
    if not name or len(name) > MAX_NAME or any(c.isspace() for c in name):
        raise AuthError(f"用户名须为 1–{MAX_NAME} 个字符且不含空格，请换一个用户名")


def _blank_to_none(value: str | None) -> str | None:
    return value if value and value.strip() else None


def _resolve_bureau(con: db.Connection, name: str | None) -> str | None:
    if name is None:
        return None
    found = catalog.resolve_bureau(con, name)
    if found is None:
        raise AuthError(f"未知的责任单位“{name}”，请使用规划中的单位名称或简称（如 科协）")
    # A town reports as itself through a town clerk, who may report its government's activities and the rest of
    # the town's: one kind of account per town, and no bureau clerk speaking for a town.
    if town := catalog.town_governments(con).get(found):
        raise AuthError(
            f"“{found}”是镇街自己：请用 --town {town} 创建镇街填报员，可报送{town}的活动（含以{found}为责任单位的）"
        )
    return found


def _resolve_town(con: db.Connection, name: str | None) -> str | None:
    if name is None:
        return None
    found = catalog.resolve_town(con, name)
    if found is None:
        raise AuthError(f"未知的镇街“{name}”，请使用镇街名称或简称（如 沙土）")
    # District-wide records belong to the bureaus that run them, so a reporter's town is a real 镇街.
    if db.scalar(con, "SELECT kind FROM towns WHERE name = ?", [found]) == DISTRICT:
        raise AuthError(f"“{found}”不是镇街；区直单位的填报员请用 --bureau 指定责任单位")
    return found


def _require_user(con: db.Connection, name: str) -> None:
    if get_user(con, name) is None:
        raise AuthError(f"没有名为“{name}”的用户，请用 kepu user list 查看已有用户")


def _set_disabled(con: db.Connection, name: str, disabled: bool, by: str) -> None:
    _require_user(con, name)
    with db.transaction(con):
        db.execute(
            con, "UPDATE users SET disabled = ?, session_epoch = session_epoch + 1 WHERE name = ?", [disabled, name]
        )
        audit.record(con, by, "user.disable" if disabled else "user.enable", name=name)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("kepu-no-such-user")


def _record_failure(con: db.Connection, name: str, now: dt.datetime) -> str:
    """Count a wrong password, locking the account at MAX_FAILURES; return the message to show."""
    # One statement, so two attempts at once cannot both read the old count.
    failures = db.scalar(
        con, "UPDATE users SET failed_logins = failed_logins + 1 WHERE name = ? RETURNING failed_logins", [name]
    )
    if failures < MAX_FAILURES:
        return WRONG_LOGIN
    # The lock carries the state from here; once it lifts, the user has MAX_FAILURES fresh attempts.
    locked_until = now + LOCKOUT
    db.execute(con, "UPDATE users SET failed_logins = 0, locked_until = ? WHERE name = ?", [locked_until, name])
    audit.record(con, "system", "user.locked", name=name, until=locked_until)
    return _locked_message(locked_until)


def _locked_message(locked_until: dt.datetime) -> str:
    return f"密码错误次数过多，请于 {locked_until:%H:%M} 后再试"


def is_disabled(con: db.Connection, name: str) -> bool:
    """True when the account exists and has been disabled."""
    return bool(db.scalar(con, "SELECT disabled FROM users WHERE name = ?", [name]))
