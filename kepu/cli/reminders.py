"""`kepu reminders` (报送情况: every unit's report for a cycle — on time, late by N days, missing) and the 催报通知
of `kepu report --kind reminder`. The rule is kepu.figures.reporting's."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

import pandas as pd

from kepu.cli.common import opened
from kepu.core.errors import UserError
from kepu.figures import reporting
from kepu.storage import audit

CYCLE_HELP = "报送周期，如 2025Q4（季度）、2025-03（月）、2025（年度）；默认最近一个已过截止日期的周期"


def add_commands(sub: argparse._SubParsersAction, with_db: argparse.ArgumentParser) -> None:
    """Add `kepu reminders`, and --cycle to `kepu report` (for --kind reminder)."""
    p = sub.add_parser(
        "reminders", parents=[with_db], help="报送情况：各镇街、各责任单位某一报送周期按时、逾期还是未报送"
    )
    p.add_argument("--cycle", help=CYCLE_HELP)
    p.add_argument("--as-of", type=_date, default=None, help="按此日期当时的情况判断（默认今天）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(run=_reminders)
    sub.choices["report"].add_argument("--cycle", help=f"--kind reminder 的{CYCLE_HELP}")


def _reminders(args: argparse.Namespace) -> None:
    as_of = _as_of(args)
    with opened(args, read_only=True) as con:
        c = reporting.cycle(con, args.cycle) if args.cycle else reporting.latest_due(con, as_of)
        frame = reporting.states(con, c, as_of)
    if args.json:
        print(json.dumps(as_json(c, frame, as_of), ensure_ascii=False, indent=2))
        return
    counts = frame.state.value_counts()
    print(f"{c.label}（{c.code}）　截止日期 {c.due}　截至 {as_of}")
    print("　".join(f"{word} {counts.get(state, 0)}" for state, word in reporting.STATES.items() if counts.get(state)))
    for kind, word in reporting.KINDS.items():
        print(f"\n{word}")
        for r in frame[frame.unit_kind == kind].to_dict("records"):
            print(f"  {r['unit']}　{_state_text(r['state'], r['days_late'], r['submitted'], r['activities'])}")


def as_json(c: reporting.Cycle, frame: pd.DataFrame, as_of: dt.date) -> dict[str, object]:
    """What `kepu reminders --json` prints: the cycle (code, label, days), the as-of day, and every unit."""
    units = [
        {
            "unit_kind": r["unit_kind"],
            "unit": r["unit"],
            "state": r["state"],
            "days_late": None if r["days_late"] is None else int(r["days_late"]),
            "submitted": None if r["submitted"] is None else r["submitted"].isoformat(),
            "activities": int(r["activities"]),
        }
        for r in frame.to_dict("records")
    ]
    return {
        "cycle": c.code,
        "label": c.label,
        "first": c.first.isoformat(),
        "last": c.last.isoformat(),
        "due": c.due.isoformat(),
        "as_of": as_of.isoformat(),
        "units": units,
    }


def report(args: argparse.Namespace) -> None:
    """`kepu report --kind reminder --cycle C --out F.docx`: the 催报通知 for the cycle."""
    from kepu.reports import reminder  # here, not at the top: Word loads slowly

    if args.out.suffix.lower() != ".docx" or (args.format and args.format != "docx"):
        raise UserError(f"催报通知是 Word 文件，输出文件名须以 .docx 结尾：{args.out}")
    if not args.out.parent.is_dir():
        raise UserError(f"目录 {args.out.parent} 不存在")
    as_of = _as_of(args)
    with opened(args) as con:  # for writing: the notice goes in the audit log like any export
        c = reporting.cycle(con, args.cycle) if args.cycle else reporting.latest_due(con, as_of)
        data = reminder.document(con, c, as_of, audit.actor_name(), str(args.out))
    args.out.write_bytes(data)
    print(f"已生成{reminder.TITLE}（{c.label}）{args.out}")


def _state_text(state: str, days_late: int | None, submitted: dt.date | None, activities: int) -> str:
    text = reporting.STATES[state] + (f" {days_late} 天" if state == "late" else "")
    return text + (f"（{submitted}，{activities} 场）" if submitted is not None else "")


def _as_of(args: argparse.Namespace) -> dt.date:
    if args.as_of and args.as_of > dt.date.today():
        print(f"kepu: 截至日期 {args.as_of} 晚于今天：只能看已经发生的情况", file=sys.stderr)
        raise SystemExit(2)
    return args.as_of or dt.date.today()


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”无法识别，应写作 2024-04-30") from None
