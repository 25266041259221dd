"""Benchmark: import an N-row .xlsx (default 100,000) into an empty store, timing each phase.

    uv run python benchmarks/import_bench.py [--rows N] [--json]

Not a test: it measures, it does not judge. The file is generated deterministically (seeded) in a temporary folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import resource
import tempfile
import time
from pathlib import Path

import openpyxl

from kepu.core.glossary import ACTIVITY_COLUMNS, ACTIVITY_SHEET, ACTIVITY_TYPES, OBSERVATION_COLUMNS
from kepu.core.plan import load_plan
from kepu.ingest import batches, reading, validation, vocabulary
from kepu.storage import store
from kepu.storage.auth import ADMIN, User


def write_workbook(path: Path, rows: int, plan) -> None:
    """A template-shaped workbook of plausible rows, written in openpyxl's streaming mode."""
    rng = random.Random(2024)
    towns = [t.name for t in plan.towns]
    tasks = list(plan.tasks)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(ACTIVITY_SHEET)
    sheet.append(list(ACTIVITY_COLUMNS))
    start = dt.date(2021, 1, 1)
    for i in range(rows):
        task = rng.choice(tasks)
        day = start + dt.timedelta(days=rng.randrange(1826))
        is_project = task.code.startswith("P")
        sheet.append(
            [
                f"B-{i:06d}",
                f"科普活动{i}",
                day,
                day + dt.timedelta(days=rng.randrange(3)),
                rng.choice(towns),
                rng.choice(task.lead_bureaus),
                None if is_project else task.group,
                task.group if is_project else None,
                task.code,
                rng.choice(ACTIVITY_TYPES),
                rng.randrange(0, 800),
                round(rng.random() * 5000, 2),
                None,
            ]
        )
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    plan = load_plan(store.DATA_DIR / "plan-2021-2025.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = Path(tmp) / "报送.xlsx"
        t = time.perf_counter()
        write_workbook(xlsx, args.rows, plan)
        generate_s = time.perf_counter() - t
        path = store.create_store(Path(tmp) / "bench.duckdb", plans=[plan])
        con = store.connect(path)
        data = xlsx.read_bytes()

        t = time.perf_counter()
        sheet = reading.read(data, xlsx.name, {*ACTIVITY_COLUMNS, *OBSERVATION_COLUMNS}, (ACTIVITY_SHEET,))
        read_s = time.perf_counter() - t
        vocabs = vocabulary.Vocabularies(con, dt.date.today())
        t = time.perf_counter()
        checked = validation.check_activities(sheet, vocabs, dt.date.today())
        check_s = time.perf_counter() - t

        t = time.perf_counter()
        outcome = batches.import_file(con, data, xlsx.name, User("benchmark", ADMIN))
        total_s = time.perf_counter() - t
        t = time.perf_counter()
        again = batches.import_file(con, data, xlsx.name, User("benchmark", ADMIN))
        reimport_s = time.perf_counter() - t
        con.close()
    result = {
        "rows": args.rows,
        "file_mb": round(len(data) / 1e6, 1),
        "generate_s": round(generate_s, 2),
        "read_s": round(read_s, 2),
        "check_s": round(check_s, 2),
        "import_total_s": round(total_s, 2),
        "reimport_s": round(reimport_s, 2),
        "imported": outcome.imported,
        "errors": len(checked.errors),
        "reimport_duplicates": again.duplicates,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "machine": f"{platform.machine()}, {platform.python_version()}, {__import__('os').cpu_count()} cores",
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for k, v in result.items():
            print(f"{k:>22}: {v}")


if __name__ == "__main__":
    main()
