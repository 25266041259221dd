"""`kepu backup` and `kepu restore-backup`: a backup of the store now, and a store back from a backup."""

from __future__ import annotations

import argparse
from pathlib import Path

from kepu.cli.common import opened
from kepu.storage import audit, backup, store


def add_commands(sub: argparse._SubParsersAction, with_db: argparse.ArgumentParser) -> None:
    make = sub.add_parser(
        "backup",
        parents=[with_db],
        help="备份数据库和佐证材料（一个 .tar 文件，其中的 kepu.duckdb 可直接用 DuckDB 打开）；"
        "看板运行时请用页面上的「备份」",
    )
    make.add_argument(
        "--out-dir",
        type=Path,
        help="备份文件夹（默认 $KEPU_BACKUP_DIR，或数据库旁的 <数据库>.backups；PostgreSQL 为 data/<库名>.backups）",
    )
    make.set_defaults(run=_backup)
    back = sub.add_parser("restore-backup", parents=[with_db], help="用备份文件恢复数据库和佐证材料（原库另存一份）")
    back.add_argument("file", type=Path, help="备份文件（kepu-backup-….tar）")
    back.add_argument(
        "--force", action="store_true", help="数据库已存在（PostgreSQL：库中已有数据）时用备份替换它（原库会另存一份）"
    )
    back.set_defaults(run=_restore)


def _backup(args: argparse.Namespace) -> None:
    chosen = backup.settings(args.db or store.default_path())
    with opened(args) as con:
        if args.out_dir is None:  # the configured folder keeps its number of backups
            made, gone = backup.kept(con, chosen, audit.actor_name())
        else:
            made, gone = backup.make(con, args.out_dir, audit.actor_name()), []
    print(f"已备份到 {made}（{made.stat().st_size / 1e6:.1f} MB）")
    if gone:
        print(f"按保留份数（{chosen.keep}）删除了较早的备份 {len(gone)} 份")


def _restore(args: argparse.Namespace) -> None:
    target = args.db or store.default_path()
    kept = backup.restore(args.file, target, audit.actor_name(), force=args.force)
    print(f"已从 {args.file} 恢复数据库 {store.describe(target)} 及其佐证材料")
    if kept != target:
        print(f"原数据库已另存为 {kept}")
