"""Benchmark: the exports (Excel workbook, Word briefing, records CSV) on the province store of run.py.

    uv run python benchmarks/export_bench.py --rows N [--json]

Uses benchmarks/.cache/province-N.duckdb (built by run.py, or here if missing). Each file is made for the whole
province over one year and for a single town, the way the 导出 button makes it; peak RSS is this process's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from kepu.core.filters import Filters, Period  # noqa: E402
from kepu.reports import exports  # noqa: E402
from kepu.storage import catalog, queries, store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    path = HERE / ".cache" / f"province-{args.rows}.duckdb"
    if not path.exists():
        sys.path.insert(0, str(HERE))
        import province

        province.build(path, args.rows)
    con = store.connect(path, read_only=True)
    as_of = dt.date(2026, 11, 29)
    town = catalog.towns(con).name.iloc[0]
    views = {
        "全省 2024年": Filters(Period(2024, 2024)),
        f"{town} 2021—2025年": Filters(Period(2021, 2025), town=(town,)),
    }
    results = []
    for label, f in views.items():
        records = queries.count_records(con, f)
        for kind, make in (
            ("xlsx", lambda f=f: exports.workbook(con, f, as_of)),
            ("docx", lambda f=f: exports.briefing_document(con, f, as_of)[0]),
            ("csv", lambda f=f: exports.records_csv(con, f)),
        ):
            start = time.perf_counter()
            data = make()
            results.append(
                {
                    "view": label,
                    "records": records,
                    "file": kind,
                    "seconds": round(time.perf_counter() - start, 2),
                    "megabytes": round(len(data) / 1e6, 1),
                }
            )
    con.close()
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if args.json:
        print(json.dumps({"rows": args.rows, "peak_rss_mb": peak, "results": results}, ensure_ascii=False))
        return
    print(f"{args.rows:,} records; peak RSS {peak} MB")
    print("| view | records in view | file | seconds | MB |\n|---|---:|---|---:|---:|")
    for r in results:
        print(f"| {r['view']} | {r['records']:,} | {r['file']} | {r['seconds']} | {r['megabytes']} |")


if __name__ == "__main__":
    main()
