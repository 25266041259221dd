"""`kepu import`, `kepu undo`, `kepu restore` and `kepu batches`: the command-line side of reporting in.

The command line is used on the server by 区科协 staff, so it acts as an administrator unless --user names an
account, whose limits then apply. It shares its one import path (kepu.batches) with the app's 数据填报 page.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from kepu.cli.common import opened
from kepu.ingest import batches
from kepu.ingest.reading import FileRejected
from kepu.storage import audit, auth, db, review

EXIT_COMMITTED, EXIT_NOT_COMMITTED, EXIT_USAGE = 0, 1, 2


class NotCommitted(Exception):
    """The file was read but nothing was committed; the report has been printed. Exit code 1."""


def add_commands(sub, with_db) -> None:
    """Add the import, undo, restore and batches commands to the `kepu` parser."""
    imp = sub.add_parser("import", parents=[with_db], help="导入填报文件（.xlsx 或 .csv）")
    imp.add_argument("file", type=Path, help="填报文件")
    imp.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    imp.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    imp.add_argument("--valid-only", action="store_true", help="有错误行时，只导入通过检查的行（会记入日志）")
    imp.add_argument("--user", help="以此账户的名义和权限导入（默认：命令行，管理员权限）")
    imp.set_defaults(run=_import)

    for name, helptext, run in (
        ("undo", "撤销一个导入批次（记录保留，可恢复）", _undo),
        ("restore", "恢复一个已撤销的批次", _restore),
    ):
        cmd = sub.add_parser(name, parents=[with_db], help=helptext)
        cmd.add_argument("batch", type=int, help="批次编号（见 kepu batches）")
        cmd.add_argument("--user", help="以此账户的名义和权限操作（默认：命令行，管理员权限）")
        cmd.set_defaults(run=run)

    listing = sub.add_parser("batches", parents=[with_db], help="列出导入批次")
    listing.add_argument("--json", action="store_true", help="以 JSON 输出")
    listing.set_defaults(run=_list)


def _actor(con: db.Connection, name: str | None) -> auth.User:
    """Who acts: a named, enabled account (its limits apply; the audit log also names the operating-system user),
    or the command line itself, an administrator named after the operating-system user."""
    if name is None:
        return auth.User(f"{audit.CLI}:{audit.origin().os_user or '未知'}", auth.ADMIN)
    user = auth.get_user(con, name)
    if user is None:
        raise auth.AuthError(f"没有名为“{name}”的账户")
    if auth.is_disabled(con, name):
        raise auth.AuthError(f"账户“{name}”已停用")
    return user


def _import(args) -> int | None:
    if not args.file.is_file():
        print(f"kepu: 找不到文件 {args.file}", file=sys.stderr)
        return EXIT_USAGE
    data = args.file.read_bytes()
    with opened(args, read_only=args.dry_run) as con:
        actor = _actor(con, args.user)
        try:
            outcome = batches.import_file(
                con, data, args.file.name, actor, valid_only=args.valid_only, dry_run=args.dry_run
            )
        except FileRejected as exc:
            _report_rejected_file(args, str(exc))
            raise NotCommitted from exc
    _print_outcome(args, outcome)
    if not outcome.committed and outcome.errors:
        raise NotCommitted  # refused (a dry run with errors too); a file with nothing new is not an error
    return None


def _report_rejected_file(args, reason: str) -> None:
    if args.json:
        print(
            json.dumps(
                {
                    "imported": 0,
                    "rejected": 0,
                    "duplicates": 0,
                    "batch": None,
                    "committed": False,
                    "errors": [{"row": None, "column": None, "value": None, "reason": reason}],
                    "message": reason,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(f"kepu: 文件未导入：{reason}", file=sys.stderr)


def _print_outcome(args, outcome: batches.Outcome) -> None:
    if args.json:
        print(json.dumps(outcome.to_json(), ensure_ascii=False, indent=2))
        return
    print(outcome.message)
    for note in outcome.notes:
        print(f"  注意：{note}")
    for e in outcome.errors[:200]:
        print(f"  第 {e.row} 行 · {e.column} · “{e.value}”：{e.reason}")
    more = len(outcome.errors) - 200 + outcome.errors_omitted
    if more > 0:
        listed = "用 --json 查看" + ("前 10,000 处" if outcome.errors_omitted else "全部")
        print(f"  ……另有 {more} 处错误（{listed}）")


def _undo(args) -> None:
    _change(args, batches.undo)


def _restore(args) -> None:
    _change(args, batches.restore)


def _change(args, action) -> None:
    with opened(args) as con:
        print(action(con, args.batch, _actor(con, args.user)))


def _list(args) -> None:
    with opened(args, read_only=True) as con:
        frame = batches.batches(con)
    if args.json:
        print(frame.to_json(orient="records", force_ascii=False, date_format="iso"))
        return
    for b in frame.to_dict("records"):
        state = review.state(b["status"], pd.notna(b["undone_at"]))
        if pd.notna(b["review_note"]):
            state += f"（{b['review_note']}）"
        print(
            f"{b['id']:>5}  {b['created_at']:%Y-%m-%d %H:%M}  {b['user_name']}  {b['file_name']}"
            f"  导入 {b['imported']} 行  重复 {b['duplicates']}  错误 {b['rejected']}  {state}"
        )
