"""Benchmark: legitimate and hostile uploads through the whole import path, each in a child process of its own.

    uv run python benchmarks/workbook_bench.py [--json] [--rows N]

A first child builds the files in a temporary folder (the legitimate ones with openpyxl and xlwt, the hostile ones
by hand with tests/helpers/workbooks.py). Then, for each case, a child creates a fresh store and runs
`kepu.batches.import_file` on the file (a dry run, or a real commit where the case says so). The table gives
whether the file was read or refused (with the message), the seconds import_file took, and the child's peak RSS
as the kernel reports it when the child is reaped (os.wait4: that child's alone). This process imports nothing
heavy, because a child's peak counts the memory of the process it was started from. An .xls file is read in a
grandchild (kepu.xls), whose peak would be folded into its parent's by maximum, not added: it is measured on its
own, started from here with the same request, and added.

Not a test: it measures; the table in benchmarks/README.md was copied from one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
LIMIT_MB, LIMIT_S = 1024, 60


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the legitimate workbook")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--build", nargs=2, metavar=("FOLDER", "ROWS"), help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, metavar=("FILE", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build(Path(args.build[0]), int(args.build[1]))
        return
    if args.child:
        child(Path(args.child[0]), args.child[1])
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        built = subprocess.run(
            [sys.executable, __file__, "--build", tmp, str(args.rows)], check=True, cwd=ROOT, stdout=subprocess.PIPE
        )
        for case in json.loads(built.stdout):
            path = Path(tmp) / case["file"]
            result = {**case, "file_mb": round(path.stat().st_size / MB, 2), **measure(path, case["mode"])}
            results.append(result)
            print(
                f"{case['label']} ({case['mode']}): {result['outcome']} in {result['seconds']} s, "
                f"peak {result['peak_rss_mb']} MB",
                file=sys.stderr,
            )
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    if args.json:
        print(
            json.dumps({"date": dt.date.today().isoformat(), "machine": machine, "cases": results}, ensure_ascii=False)
        )
        return
    print(f"Run on {dt.date.today()}, {machine}; limits {LIMIT_MB} MB peak RSS and {LIMIT_S} s.\n")
    print("| case | file | import | outcome | seconds | RSS before import, MB | peak RSS, MB | within |")
    print("|---|---:|---|---|---:|---:|---:|---|")
    for r in results:
        ok = "yes" if r["peak_rss_mb"] < LIMIT_MB and r["seconds"] < LIMIT_S else "**no**"
        peak = f"{r['peak_rss_mb']}" + (f" ({r['child_mb']} + .xls reader {r['reader_mb']})" if r["reader_mb"] else "")
        print(
            f"| {r['label']} | {r['file_mb']} MB | {r['mode']} | {r['outcome']}: {r['message']} | {r['seconds']} "
            f"| {r['base_mb']} | {peak} | {ok} |"
        )


def measure(path: Path, mode: str) -> dict:
    """Run the import of `path` in a child; its outcome, seconds and peak RSS (plus the .xls reader's)."""
    result, peak = _reaped([sys.executable, __file__, "--child", str(path), mode])
    result = json.loads(result) if result else {"outcome": "crashed", "message": "", "seconds": 0, "base_mb": 0}
    result.update(child_mb=peak, reader_mb=0, peak_rss_mb=peak)
    if path.suffix == ".xls":
        from kepu.core.glossary import ACTIVITY_COLUMNS, ACTIVITY_SHEET, OBSERVATION_COLUMNS, OBSERVATION_SHEET

        request = pickle.dumps(
            (path.read_bytes(), {*ACTIVITY_COLUMNS, *OBSERVATION_COLUMNS}, (ACTIVITY_SHEET, OBSERVATION_SHEET))
        )
        _, result["reader_mb"] = _reaped([sys.executable, "-m", "kepu.ingest.xls"], request, quiet=True)
        result["peak_rss_mb"] = peak + result["reader_mb"]  # both are alive at once
    return result


def _reaped(command: list[str], stdin: bytes = b"", quiet: bool = False) -> tuple[bytes, int]:
    """What `command` printed, and its peak RSS in MB, taken as it is reaped (`quiet`: its stderr dropped, as
    kepu.xls drops calamine's report of the allocation that failed)."""
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, stderr=subprocess.DEVNULL if quiet else None
    )
    process.stdin.write(stdin)  # the child reads all of it before it writes anything
    process.stdin.close()
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return out, usage.ru_maxrss // 1024


def child(path: Path, mode: str) -> None:
    from kepu.core.plan import load_plan
    from kepu.ingest import batches
    from kepu.ingest.reading import FileRejected
    from kepu.storage import store
    from kepu.storage.auth import ADMIN, User

    with tempfile.TemporaryDirectory() as tmp:
        con = store.connect(
            store.create_store(Path(tmp) / "bench.duckdb", plans=[load_plan(store.DATA_DIR / "plan-2021-2025.yaml")])
        )
        data = path.read_bytes()
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        t = time.perf_counter()
        try:
            outcome = batches.import_file(con, data, path.name, User("benchmark", ADMIN), dry_run=mode == "dry")
            result = {
                "outcome": "read",
                "message": f"{outcome.rows_read:,} rows read, {len(outcome.errors):,} errors"
                + ("" if mode == "dry" else f", {outcome.imported:,} imported"),
            }
        except FileRejected as exc:
            result = {"outcome": "refused", "message": str(exc)}
        result.update(seconds=round(time.perf_counter() - t, 2), base_mb=base)
        con.close()
    print(json.dumps(result, ensure_ascii=False))


def build(folder: Path, rows: int) -> None:
    """Write every case's file into `folder`; print the cases as JSON (label, file, mode)."""
    from upload_files import (
        all_wrong,
        csv_commas,
        csv_line_breaks,
        dense_area,
        inflating,
        legitimate,
        shared_strings_bomb,
        tag_flood,
        xls_corners,
        xls_legitimate,
    )

    cases = [
        (f"legitimate .xlsx, {rows:,} template rows", legitimate(folder, rows), "dry"),
        (f"legitimate .xlsx, {rows:,} template rows", legitimate(folder, rows), "commit"),
        ("legitimate .xlsx at the row limit, 200,000 rows", legitimate(folder, 200_000), "commit"),
        ("inflating .xlsx, parts state their size (4 × 3.9 GB)", inflating(folder, honest=True), "dry"),
        ("inflating .xlsx, parts understate their size (4 × 3.9 GB as 255 MB)", inflating(folder, honest=False), "dry"),
        ("dense-area trick: cells at A1 and XFD1048576", dense_area(folder), "dry"),
        ("sharedStrings bomb (3.9 GB stated as 255 MB)", shared_strings_bomb(folder), "dry"),
        ("24 million empty cells (the XML tag limit)", tag_flood(folder), "dry"),
        ("CSV of 50 million line breaks", csv_line_breaks(folder), "dry"),
        ("CSV of 50 MB of commas", csv_commas(folder), "dry"),
        (".xls worst case: 4 sheets with cells at A1 and IV65536", xls_corners(folder), "dry"),
        (".xls, 60,000 template rows", xls_legitimate(folder), "dry"),
        ("200,000 rows, every cell wrong (the row limit; checking's cost)", all_wrong(folder, 200_000), "dry"),
    ]
    print(
        json.dumps(
            [{"label": label, "file": path.name, "mode": mode} for label, path, mode in cases], ensure_ascii=False
        )
    )


if __name__ == "__main__":
    main()
