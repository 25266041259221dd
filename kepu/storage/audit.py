"""The audit log: who did what, when, through what and from where. Every change to the store leaves a line here,
and so do logins, refusals and exports.

Each line names the account that acted and, beside it, where the action came from: the dashboard (with the
browser's address) or the command line (with the operating-system user who typed it, so `kepu import --user 张三`
run by root is logged as 张三 via root, not as 张三 alone). The origin is set once where a request enters
(`kepu.cli.main`, each dashboard run) and read here, so no function in between has to pass it along.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import getpass
import json
from dataclasses import dataclass

import pandas as pd

from kepu.storage import db

CLI, APP = "命令行", "看板"


@dataclass(frozen=True)
class Origin:
    """Where the actions of this thread come from."""

    via: str  # 命令行, 看板, or 程序 (a script calling kepu directly)
    os_user: str | None = None
    address: str | None = None


_SCRIPT = Origin("程序")
_origin: contextvars.ContextVar[Origin | None] = contextvars.ContextVar("kepu_origin", default=None)


def set_origin(origin: Origin | None) -> None:
    """Say where the actions that follow (in this thread) come from (None: a script calling kepu directly)."""
    _origin.set(origin)


def origin() -> Origin:
    """Where this thread's actions come from (程序 until an entry point says otherwise)."""
    return _origin.get() or _SCRIPT


def command_line_origin() -> Origin:
    """The command line, with the operating-system user running it."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = None
    return Origin(CLI, os_user=user)


def actor_name() -> str:
    """The name to log for an action taken without an account: 命令行 (or 程序 from a script)."""
    return origin().via


def record(con: db.Connection, user_name: str, action: str, **detail: object) -> None:
    """Log one action (login, import, refusal, undo, restore, export, target change, user change…) with its details
    as JSON, and this thread's origin."""
    write(con, line(user_name, action, **detail))


Line = tuple[dt.datetime, str, str, str, str, str | None, str | None]


def line(user_name: str, action: str, **detail: object) -> Line:
    """One audit line, as written: when, who, what, the details as JSON, and this thread's origin."""
    where = origin()
    return (
        dt.datetime.now(),
        user_name,
        action,
        json.dumps(detail, ensure_ascii=False, default=str),
        where.via,
        where.os_user,
        where.address,
    )


def write(con: db.Connection, entry: Line, table: str = "audit_log") -> None:
    """Write an audit line into `table` (the store's log, or a fixed attached copy's, for a backup's own line)."""
    db.execute(
        con,
        f"""INSERT INTO {table} (logged_at, user_name, action, detail, via, os_user, address)
                       VALUES (?, ?, ?, ?, ?, ?, ?)""",
        list(entry),
    )


def entries(con: db.Connection, limit: int = 200) -> pd.DataFrame:
    """The latest entries, newest first. Columns: logged_at, user_name, action, detail, via, os_user, address."""
    return db.query(
        con,
        """SELECT logged_at, user_name, action, detail, via, os_user, address FROM audit_log
                            ORDER BY logged_at DESC LIMIT ?""",
        [limit],
    )
