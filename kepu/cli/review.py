"""`kepu review`: the batches awaiting review, approving or returning one, and turning review on or off.

Like `kepu import`, it acts as an administrator unless --user names an account (a clerk is refused: only an
administrator reviews).
"""

from __future__ import annotations

import json

from kepu.cli.common import opened
from kepu.cli.imports import _actor as actor
from kepu.storage import audit, review


def add_commands(sub, with_db) -> None:
    """Add `kepu review list|approve|return|on|off` to the `kepu` parser."""
    cmd = sub.add_parser("review", help="审核填报员的导入批次（待审核的批次不计入任何数字）")
    actions = cmd.add_subparsers(required=True, metavar="子命令")
    listing = actions.add_parser("list", parents=[with_db], help="列出待审核的批次")
    listing.add_argument("--json", action="store_true", help="以 JSON 输出")
    listing.set_defaults(run=_list)
    approve = actions.add_parser("approve", parents=[with_db], help="审核通过一个批次：此后计入各项数字")
    approve.add_argument("batch", type=int, help="批次编号（见 kepu review list）")
    approve.add_argument("--user", help="以此管理员账户的名义操作（默认：命令行，管理员权限）")
    approve.set_defaults(run=_approve)
    back = actions.add_parser("return", parents=[with_db], help="退回一个批次并说明原因：该批次不计入任何数字")
    back.add_argument("batch", type=int, help="批次编号（见 kepu review list）")
    back.add_argument("--reason", required=True, help="退回的原因（填报员会看到）")
    back.add_argument("--user", help="以此管理员账户的名义操作（默认：命令行，管理员权限）")
    back.set_defaults(run=_return)
    for name, on in (("on", True), ("off", False)):
        switch = actions.add_parser(
            name, parents=[with_db], help=f"在数据库中{'开启' if on else '关闭'}审核（环境变量 KEPU_REVIEW 优先）"
        )
        switch.set_defaults(run=_switch, on=on)


def _list(args) -> None:
    with opened(args, read_only=True) as con:
        setting, on, frame = review.setting_text(con), review.enabled(con), review.pending_batches(con)
    if args.json:
        rows = json.loads(frame.to_json(orient="records", force_ascii=False, date_format="iso"))
        print(json.dumps({"enabled": on, "setting": setting, "batches": rows}, ensure_ascii=False, indent=2))
        return
    print(setting)
    if frame.empty:
        print("没有待审核的批次。")
    for b in frame.to_dict("records"):
        print(
            f"{b['id']:>5}  {b['created_at']:%Y-%m-%d %H:%M}  {b['user_name']}  {b['file_name']}"
            f"  {b['imported']} 行  待审核"
        )


def _approve(args) -> None:
    with opened(args) as con:
        print(review.approve(con, args.batch, actor(con, args.user)))


def _return(args) -> None:
    with opened(args) as con:
        print(review.return_batch(con, args.batch, actor(con, args.user), args.reason))


def _switch(args) -> None:
    with opened(args) as con:
        review.set_enabled(con, args.on, audit.actor_name())
        print(f"已在数据库中{'开启' if args.on else '关闭'}审核。{review.setting_text(con)}")
