"""`kepu assess` (the year's 考核: every town's and lead bureau's score, rank, change and items), `kepu assess score`
and `kepu assess clear` (the items an administrator scores by hand, with a reason), and the 考核 documents of
`kepu report --kind assessment|notice|supervision`."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from kepu.cli.common import opened
from kepu.cli.imports import _actor as actor_for
from kepu.core.assessment_scheme import SIDES
from kepu.core.errors import UserError
from kepu.figures import assessment
from kepu.storage import assessment_admin, audit

REPORT_KINDS = ("assessment", "notice", "supervision")
YEAR_HELP = "考核年度（默认上一年）"


def add_commands(sub: argparse._SubParsersAction, with_db: argparse.ArgumentParser) -> None:
    """Add `kepu assess` (with its score and clear subcommands), and --year and --unit to `kepu report`."""
    p = sub.add_parser(
        "assess", parents=[with_db], help="年度考核：各镇街、各责任单位的得分、排名和各评分项（score/clear：人工评分）"
    )
    p.add_argument("--year", type=int, help=YEAR_HELP)
    p.add_argument("--as-of", type=_date, default=None, help="按此日期当时的情况计算（默认今天）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(run=_show)
    actions = p.add_subparsers(metavar="子命令", required=False)

    score = actions.add_parser(
        "score", parents=[with_db], help="人工评分：为某单位某评分项评定分数并写明理由（管理员）"
    )
    _target_arguments(score)
    score.add_argument("--points", required=True, help="分数（0 到该项分值；扣分项填扣去的分数）")
    score.add_argument("--reason", required=True, help="评分理由，如“成立领导小组，召开专题会议2次”")
    score.set_defaults(run=_score)

    clear = actions.add_parser("clear", parents=[with_db], help="清除人工评分（该项回到尚未评分）")
    _target_arguments(clear)
    clear.add_argument("--reason", default="", help="清除的理由（记入操作日志）")
    clear.set_defaults(run=_clear)

    report = sub.choices["report"]
    report.add_argument("--year", type=int, help=f"--kind assessment|notice|supervision 的{YEAR_HELP}")
    report.add_argument("--unit", help="--kind supervision：督办的镇街或责任单位")


def _target_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, required=True, help="考核年度")
    p.add_argument("--unit", required=True, help="镇街或责任单位（可写简称，如 沙土、科协）")
    p.add_argument("--item", required=True, help="评分项的编号或名称（如 T6 或 组织领导）")
    p.add_argument("--user", help="以此账户的权限执行（默认：命令行，管理员）")


def _show(args: argparse.Namespace) -> None:
    as_of = _as_of(args)
    year = args.year or as_of.year - 1
    with opened(args, read_only=True) as con:
        result = assessment.assess(con, year, as_of)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    label = "（示例评分办法）" if result["scheme_label"] == "示例" else ""
    print(f"{year}年度{result['title']}{label}　截至 {result['as_of']}")
    for key, word in SIDES.items():
        print(f"\n{word}（满分{result['totals'][key]:g}分，另有加分、扣分）")
        for u in assessment.units_of(result, key):
            change = "" if u["change"] is None else f"　较上年 {u['change']:+g}"
            items = " · ".join(
                f"{i['name']} {i['points']:g}" for i in u["items"] if i["points"] or i["kind"] != "deduction"
            )
            print(f"  {u['rank']:>2}  {u['unit']}　{u['score']:g}分{change}\n      {items}")


def _score(args: argparse.Namespace) -> None:
    with opened(args) as con:
        target = assessment_admin.resolve(con, args.year, args.unit, args.item)
        print(assessment_admin.set_points(con, target, args.points, args.reason, actor_for(con, args.user)))


def _clear(args: argparse.Namespace) -> None:
    with opened(args) as con:
        target = assessment_admin.resolve(con, args.year, args.unit, args.item)
        print(assessment_admin.clear_points(con, target, actor_for(con, args.user), args.reason))


def report(args: argparse.Namespace) -> None:
    """`kepu report --kind assessment|notice|supervision --year Y [--unit U] --out F`: the 考核结果 workbook, the 通报
    or a unit's 督办单."""
    from kepu.reports import assessment_notice, assessment_report, assessment_sheet, assessment_supervision

    kind = args.kind
    suffix = assessment_report.FORMAT_OF[kind]
    what = assessment_report.KINDS_OF_REPORT[kind]
    if args.out.suffix.lower() != f".{suffix}" or (args.format and args.format != suffix):
        raise UserError(
            f"{what}是 {'Excel' if suffix == 'xlsx' else 'Word'} 文件，输出文件名须以 .{suffix} 结尾：{args.out}"
        )
    if not args.out.parent.is_dir():
        raise UserError(f"目录 {args.out.parent} 不存在")
    if kind == "supervision" and not args.unit:
        raise UserError("督办单须用 --unit 指明督办的镇街或责任单位")
    as_of = _as_of(args)
    year = args.year or as_of.year - 1
    with opened(args) as con:  # for writing: the export goes in the audit log
        r = assessment_report.gather(con, year, as_of)
        unit = None
        if kind == "assessment":
            data = assessment_sheet.build(r)
        elif kind == "notice":
            data = assessment_notice.build(r)
        else:
            unit = assessment_admin.resolve_unit(con, args.unit)
            data = assessment_supervision.build(r, unit)
        assessment_report.log(con, audit.actor_name(), kind, year, unit, str(args.out))
    args.out.write_bytes(data)
    print(f"已生成{year}年度{what}{'（' + unit + '）' if unit else ''} {args.out}")


def _as_of(args: argparse.Namespace) -> dt.date:
    as_of: dt.date = args.as_of or dt.date.today()
    if as_of > dt.date.today():
        raise UserError(f"截至日期 {as_of} 晚于今天：只能看已经发生的情况")
    return as_of


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”无法识别，应写作 2025-12-31") from None
