"""The `kepu` command: plan show/list, init, summary, template, import/undo/restore/batches, user."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import signal
import sys
from pathlib import Path

from kepu.cli import ask as cli_ask
from kepu.cli import assess as cli_assess
from kepu.cli import backups as cli_backups
from kepu.cli import imports as cli_import
from kepu.cli import reminders as cli_reminders
from kepu.cli import review as cli_review
from kepu.cli import users as cli_users
from kepu.cli.common import opened
from kepu.core import fmt, matching, words
from kepu.core.errors import UserError
from kepu.core.filters import Filters, Period
from kepu.core.fmt import count, money
from kepu.core.glossary import EXPORT_FORMATS
from kepu.core.plan import PlanError, load_plan, plan_dir, plan_files
from kepu.figures.summary import summary
from kepu.storage import audit, catalog, db, demo, store


class UsageError(UserError):
    """A command given something it cannot use; exit code 2."""


def main(argv: list[str] | None = None) -> int:
    if argv is None and hasattr(signal, "SIGPIPE"):  # run as a command: `kepu summary | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    parser = _parser()
    args = parser.parse_args(argv)
    audit.set_origin(audit.command_line_origin())
    try:
        return args.run(args) or 0
    except UsageError as exc:
        print(f"kepu: {exc}", file=sys.stderr)
        return 2
    except cli_import.NotCommitted:
        return 1  # the report has been printed
    except UserError as exc:  # said in Chinese, with what to do; anything else is a bug and shows as one
        print(f"kepu: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kepu", description="全民科学素质行动 进展看板的命令行工具")
    with_db = argparse.ArgumentParser(add_help=False)
    with_db.add_argument(
        "--db", type=store.locate, help="数据库文件或 postgresql://…（默认 $KEPU_DB 或 data/kepu.duckdb）"
    )
    sub = parser.add_subparsers(required=True, metavar="命令")

    plan = sub.add_parser("plan", help="规划").add_subparsers(required=True, metavar="子命令")
    show = plan.add_parser("show", help="显示载入的规划")
    show.add_argument("--file", type=Path, help="规划文件（默认 $KEPU_PLAN_DIR 或 data/ 中最新的 plan-*.yaml）")
    show.add_argument("--json", action="store_true", help="以 JSON 输出")
    show.set_defaults(run=_plan_show)
    listing = plan.add_parser("list", parents=[with_db], help="列出数据库中载入的全部规划")
    listing.add_argument("--json", action="store_true", help="以 JSON 输出")
    listing.set_defaults(run=_plan_list)

    init = sub.add_parser("init", parents=[with_db], help="创建数据库（默认含演示数据）")
    init.add_argument("--empty", action="store_true", help="只载入规划，不含任何活动记录（正式使用）")
    init.add_argument("--force", action="store_true", help="覆盖已有的数据库（其中数据将全部删除）")
    init.set_defaults(run=_init)

    view = argparse.ArgumentParser(add_help=False)
    view.add_argument(
        "--period", help="期间：年份（2024）、起止年份（2021-2025）或规划的编号（kepu plan list）；默认当前规划期"
    )
    view.add_argument("--town", action="append", default=[], help="镇街，可重复")
    view.add_argument("--bureau", action="append", default=[], help="责任单位，可重复")
    view.add_argument("--campaign", action="append", default=[], help="活动主题（如 全国科普日、三下乡），可重复")
    view.add_argument(
        "--as-of",
        type=_date,
        default=None,
        help="按此日期当时的情况计算：此后开始的活动、此后才有的指标数据都不计（默认今天，全部计入）",
    )

    summ = sub.add_parser("summary", parents=[with_db, view], help="总览数字（与看板总览页一致）")
    summ.add_argument("--json", action="store_true", help="以 JSON 输出")
    summ.set_defaults(run=_summary)

    report = sub.add_parser(
        "report",
        parents=[with_db, view],
        help="导出 Word 简报或 Excel 工作簿（与看板导出一致），或终期评估报告（--kind final）",
    )
    report.add_argument(
        "--format",
        choices=list(EXPORT_FORMATS),
        help="docx（Word 简报）或 xlsx（Excel 工作簿）；默认按输出文件的扩展名",
    )
    report.add_argument("--out", type=Path, required=True, help="输出文件（.docx 或 .xlsx）")
    report.add_argument(
        "--kind",
        choices=["briefing", "final", "reminder", *cli_assess.REPORT_KINDS],
        default="briefing",
        help="briefing（简报或工作簿，默认）、final（终期评估报告：期间须为已结束的整个规划期，如 2021-2025）"
        "或 reminder（催报通知 .docx：--cycle 报送周期）；assessment（考核结果 .xlsx）、notice（考核通报 .docx）、"
        "supervision（督办单 .docx，--unit 单位）：--year 考核年度",
    )
    report.set_defaults(run=_report)

    template = sub.add_parser("template", parents=[with_db], help="生成 Excel 填报模板（默认活动记录）")
    template.add_argument("--out", type=Path, required=True, help="输出文件，须以 .xlsx 结尾")
    template.add_argument("--observations", action="store_true", help="生成指标数据模板")
    template.set_defaults(run=_template)

    cli_import.add_commands(sub, with_db)
    cli_users.add_commands(sub, with_db)
    cli_reminders.add_commands(sub, with_db)
    cli_assess.add_commands(sub, with_db)
    cli_review.add_commands(sub, with_db)
    cli_ask.add_command(sub, with_db)
    cli_backups.add_commands(sub, with_db)
    return parser


def _plan_show(args) -> None:
    files = [args.file] if args.file else plan_files(plan_dir())[-1:]
    if not files:
        raise PlanError(f"在 {plan_dir()} 中没有找到规划文件 plan-*.yaml")
    plan = load_plan(files[0])
    if args.json:
        print(json.dumps(plan.to_json(), ensure_ascii=False, indent=2))
        return
    print(f"{plan.name}（{plan.start_year}—{plan.end_year}年）")
    for group in plan.cohorts + plan.projects:
        print(f"\n{group.full_name}")
        for task in (t for t in plan.tasks if t.group == group.name):
            print(f"  {task.code}  {task.title}\n      责任单位：{'、'.join(task.lead_bureaus)}")


def _plan_list(args) -> None:
    with opened(args, read_only=True) as con:
        plans = catalog.plans(con)
    if args.json:
        print(json.dumps([dataclasses.asdict(p) for p in plans], ensure_ascii=False, indent=2))
        return
    this_year = dt.date.today().year
    for p in plans:
        issued = "，".join(x for x in (p.document, f"{p.issued} 印发" if p.issued else "") if x)
        running = "　（正在执行）" if p.start_year <= this_year <= p.end_year else ""
        print(f"{p.id}　{p.name}（{p.period.label()}{'；' + issued if issued else ''}）{running}")


def _init(args) -> None:
    path = args.db or store.default_path()
    fill = None if args.empty else demo.fill
    kept_before = store.backups(path)
    store.create_store(path, fill=fill, demo=not args.empty, force=args.force)
    print(f"已创建数据库 {store.describe(path)}（{'仅规划，无活动记录' if args.empty else '含演示数据'}）")
    kept = store.backups(path)
    if kept != kept_before:
        print(f"原数据库已备份为 {kept[-1]}；操作日志已转入新库")


def _view(con: db.Connection, args: argparse.Namespace) -> Filters:
    """The filters given by --period, --town, --bureau and --campaign (names or aliases)."""
    if args.as_of and args.as_of > dt.date.today():
        raise UsageError(f"截至日期 {args.as_of} 晚于今天：只能看已经发生的情况")
    by_id = {p.id: p.period for p in catalog.plans(con)}
    if args.period and args.period.strip() in by_id:  # a plan's id names its whole period
        period = by_id[args.period.strip()]
    else:
        period = Period.parse(args.period) if args.period else catalog.default_period(con, dt.date.today())
    towns = tuple(_resolve(con, "town", t, "镇街") for t in args.town)
    bureaus = tuple(_resolve(con, "bureau", b, "责任单位") for b in args.bureau)
    campaigns = tuple(_resolve(con, "campaign", c, "活动主题") for c in args.campaign)
    return Filters(period, town=towns, bureau=bureaus, campaign=campaigns, as_of=args.as_of)


def _summary(args) -> None:
    with opened(args, read_only=True) as con:
        result = summary(con, _view(con, args), args.as_of or dt.date.today())
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print(
        f"期间 {result['period']}　场次 {count(result['activities'])}　人次 {count(result['participants'])}"
        f"　经费 {money(result['funding'])}"
    )
    for t in result["targets"]:
        projection = words.projection(t)
        outlook = f"；{projection}" if projection else ""
        unit = t["unit"]
        print(
            f"  {words.labelled(t)}：实际 {words.actual(t)}，目标 {fmt.value(t['target'], unit)}，"
            f"应达 {fmt.value(t['expected'], unit)}，{words.status(t)}{outlook}"
        )


def _report(args) -> None:
    if args.kind == "reminder":  # the 催报通知 of a reporting cycle, not a view of the filters
        cli_reminders.report(args)
        return
    if args.kind in cli_assess.REPORT_KINDS:  # the 考核's documents: a year, not a view of the filters
        cli_assess.report(args)
        return
    kind = args.format or args.out.suffix.lower().lstrip(".")
    if kind not in EXPORT_FORMATS:
        raise UsageError(f"请用 --format docx 或 --format xlsx 指定格式（输出文件为 {args.out}）")
    if args.out.suffix.lower() != f".{kind}":
        raise UsageError(f"输出文件名须以 .{kind} 结尾：{args.out}")
    if not args.out.parent.is_dir():
        raise UsageError(f"目录 {args.out.parent} 不存在")
    from kepu.reports import exports, final  # here, not at the top: Word, Excel and chart libraries load slowly

    # Opened for writing, so the export is in the audit log like one from the dashboard.
    with opened(args) as con:
        f, as_of = _view(con, args), args.as_of or dt.date.today()
        if args.kind == "final":  # refused, saying what to do, unless f is a whole plan ended by as_of
            data, problem = exports.final_report(con, f, as_of, kind), None
        elif kind == "xlsx":
            data, problem = exports.workbook(con, f, as_of), None
        else:
            data, problem = exports.briefing_document(con, f, as_of)
        exports.log(con, audit.actor_name(), kind, f, str(args.out), final.TITLE if args.kind == "final" else "")
    args.out.write_bytes(data)
    if problem:
        print(f"kepu: 简报已生成，但未附图表。{problem}", file=sys.stderr)
    made = f"{final.TITLE}（{'Word' if kind == 'docx' else 'Excel'}）" if args.kind == "final" else EXPORT_FORMATS[kind]
    print(f"已生成{made} {args.out}（{words.filters(f)}）")


def _template(args) -> None:
    if args.out.suffix.lower() != ".xlsx":
        raise UsageError(f"模板文件名须以 .xlsx 结尾：{args.out}")
    if not args.out.parent.is_dir():
        raise UsageError(f"目录 {args.out.parent} 不存在")
    from kepu.ingest.templates import activity_template, observation_template  # Excel: loads slowly

    with opened(args, read_only=True) as con:
        data = observation_template(con) if args.observations else activity_template(con)
    args.out.write_bytes(data)
    print(f"已生成填报模板 {args.out}")


def _date(text: str) -> dt.date:
    """A date as --as-of takes it: 2024-04-30."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”无法识别，应写作 2024-04-30") from None


def _resolve(con: db.Connection, kind: str, name: str, what: str) -> str:
    """The town or bureau a name or alias means; a UsageError saying what differs from a known one otherwise."""
    known = catalog.spellings(con, kind)
    found = known.get(matching.key(name))
    if found is None:
        allowed = f"；可选：{'、'.join(dict.fromkeys(known.values()))}" if kind == "campaign" else ""  # a short list
        raise UsageError(f"未知的{what}：{matching.unknown(name, known, what)}{allowed}")
    return found
