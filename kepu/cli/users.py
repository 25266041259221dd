"""The `kepu user` commands: add, passwd, disable, enable, list."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable

import pandas as pd

from kepu.cli.common import opened
from kepu.core.glossary import ROLES
from kepu.storage import audit, auth, db

BY = audit.CLI  # who the audit log names for changes made from the command line (beside the OS user)


def add_commands(sub, with_db) -> None:
    """Add the `user` command group to the `kepu` subparsers; `with_db` is the parent parser giving --db."""
    user = sub.add_parser("user", help="用户与密码").add_subparsers(required=True, metavar="子命令")

    add = user.add_parser("add", parents=[with_db], help="添加用户（填报员须指定责任单位或镇街）")
    add.add_argument("name", metavar="NAME", help="用户名（1–32 个字符，不含空格）")
    add.add_argument("--role", required=True, choices=ROLES, help="角色")
    scope = add.add_mutually_exclusive_group()
    scope.add_argument("--bureau", help="填报员所属的责任单位（可写简称，如 科协）")
    scope.add_argument("--town", help="填报员所属的镇街（可写简称，如 沙土）")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取初始密码（一行）")
    add.set_defaults(run=_add)

    passwd = user.add_parser("passwd", parents=[with_db], help="设置或重设密码（并解除锁定）")
    passwd.add_argument("name", metavar="NAME")
    passwd.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
    passwd.set_defaults(run=_passwd)

    disable = user.add_parser("disable", parents=[with_db], help="停用用户")
    disable.add_argument("name", metavar="NAME")
    disable.set_defaults(run=_switch(auth.disable_user, "已停用用户"))

    enable = user.add_parser("enable", parents=[with_db], help="重新启用用户")
    enable.add_argument("name", metavar="NAME")
    enable.set_defaults(run=_switch(auth.enable_user, "已启用用户"))

    listing = user.add_parser("list", parents=[with_db], help="列出用户（不含密码）")
    listing.add_argument("--json", action="store_true", help="以 JSON 输出")
    listing.set_defaults(run=_list)


def _add(args) -> None:
    # Read the password before touching the store, so a bad one leaves no half-made user behind.
    password = _read_password_stdin() if args.password_stdin else None
    with opened(args) as con, db.transaction(con):
        user = auth.add_user(con, args.name, args.role, bureau=args.bureau, town=args.town, by=BY)
        if password is not None:
            auth.set_password(con, user.name, password, by=BY)
    print(f"已添加用户 {user.name}（{user.scope_text()}）")
    if password is None:
        print(f"尚未设置密码，请运行 uv run kepu user passwd {user.name}")


def _passwd(args) -> None:
    password = _read_password_stdin() if args.password_stdin else _prompt_password()
    with opened(args) as con:
        auth.set_password(con, args.name, password, by=BY)
    print(f"已为用户 {args.name} 设置新密码")


def _switch(change: Callable, done: str) -> Callable:
    def run(args) -> None:
        with opened(args) as con:
            change(con, args.name, by=BY)
        print(f"{done} {args.name}")

    return run


def _list(args) -> None:
    with opened(args) as con:
        users = auth.list_users(con)
    records = [{k: _plain(v) for k, v in r.items()} for r in users.to_dict("records")]
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if not records:
        print("还没有用户，请用 uv run kepu user add 添加")
    for r in records:
        scope = auth.User(r["name"], r["role"], r["bureau"], r["town"]).scope_text()
        flags = ("" if r["has_password"] else "　未设密码") + ("　已停用" if r["disabled"] else "")
        print(f"{r['name']}　{scope}{flags}")


def _plain(value):
    """A DataFrame cell as JSON can hold it: missing → None, timestamps as ISO text, numpy scalars as Python."""
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat(timespec="seconds")
    return value.item() if hasattr(value, "item") else value


def _read_password_stdin() -> str:
    return sys.stdin.readline().rstrip("\r\n")


def _prompt_password() -> str:
    first = getpass.getpass("新密码：")
    if getpass.getpass("再输入一次：") != first:
        raise auth.AuthError("两次输入的密码不一致，请重新运行命令")
    return first
