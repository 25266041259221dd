"""`kepu ask "…"`: a question in plain Chinese read into a view of the dashboard (问一句), as the box on every page
reads it: the page, filters, drill-down, measure and action, and the link that opens it."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from kepu.cli.common import opened
from kepu.core import ask
from kepu.core.glossary import DIMENSIONS
from kepu.figures.asking import vocabulary


def add_command(sub: argparse._SubParsersAction, with_db: argparse.ArgumentParser) -> None:
    """Add `kepu ask`."""
    p = sub.add_parser("ask", parents=[with_db], help="问一句：用中文提问，得到看板的对应页面、筛选和链接")
    p.add_argument("question", help="问题，如“区农业农村局 农民 2024”“去年哪些镇街最落后”")
    p.add_argument("--today", type=dt.date.fromisoformat, default=None, help="按此日期理解“今年”“去年”（默认今天）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(run=_ask)


def _ask(args: argparse.Namespace) -> int:
    today = args.today or dt.date.today()
    with opened(args, read_only=True) as con:
        answer = ask.parse(args.question, vocabulary(con, today), today)
    if args.json:
        print(json.dumps(answer.as_json(), ensure_ascii=False, indent=2))
        return 0
    print(answer.understood)
    print(f"链接：{answer.url}")
    if answer.unknown_words:
        print("未识别：" + "、".join(answer.unknown_words))
    for choice in answer.choices:
        options = "、".join(f"{o['value']}（{DIMENSIONS[o['dimension']]}）" for o in choice["options"])
        print(f"“{choice['word']}”有多种含义：{options}")
    return 0
