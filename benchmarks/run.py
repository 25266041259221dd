"""Benchmark: every page at province scale, beside the floor (the page's DuckDB queries alone) and a pandas baseline
written the way typical Streamlit dashboards are.

    uv run python benchmarks/run.py --rows N [--json] [--rebuild]

Each measurement runs in a process of its own, so each peak RSS is its own. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
PAGES = [
    "",
    "youth",
    "farmers",
    "workers",
    "elderly",
    "officials",
    "resources",
    "informatization",
    "infrastructure",
    "grassroots",
    "towns",
    "bureaus",
    "records",
]
FILTER_CHANGE = "2024"  # the period chosen for the filter-change measurement


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rebuild", action="store_true", help="build the province store even if it exists")
    parser.add_argument("--measure", choices=["pages", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        result = measure_pages(args.store) if args.measure == "pages" else measure_pandas(args.store)
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(json.dumps(result))
        return
    report(run(args.rows, args.rebuild), args.json)


def run(rows: int, rebuild: bool) -> dict:
    """Build (or reuse) the store, measure the app and the baseline in separate processes, and combine."""
    sys.path.insert(0, str(HERE))
    import province

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"province-{rows}.duckdb"
    build_s = None
    if rebuild or not path.exists():
        start = time.perf_counter()
        province.build(path, rows)
        build_s = round(time.perf_counter() - start, 1)
    ours = _child("pages", path)
    baseline = _child("pandas", path)
    pages = {}
    for url in PAGES:
        page = ours["pages"][url or "overview"]
        page["pandas_s"] = baseline["pages"][_template(url)]
        pages[url or "overview"] = page
    return {
        "rows": rows,
        "build_s": build_s,
        "store_mb": round(path.stat().st_size / 1e6),
        "pages": pages,
        "overhead_s": ours["overhead_s"],
        "session_overhead_s": ours["session_overhead_s"],
        "peak_rss_mb": ours["peak_rss_mb"],
        "pandas_load_s": baseline["load_s"],
        "pandas_peak_rss_mb": baseline["peak_rss_mb"],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }


def _child(kind: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", kind, "--store", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _template(url: str) -> str:
    if url in ("", "towns", "bureaus", "records"):
        return url or "overview"
    return "group"


# --- the app's pages, through AppTest: the same script, widgets and caches a browser session drives -----------


def measure_pages(path: Path) -> dict:
    """cold (empty result cache), warm (the same view again), filter_change (period set to FILTER_CHANGE) and floor
    (the same queries the filter-change run made, called directly, without Streamlit or its cache) for each page."""
    os.environ["KEPU_DB"] = str(path)
    os.environ["KEPU_BACKUP_HOURS"] = "0"  # no backup copying beside the measurement
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from kepu import ui

    calls: list = []
    real_cached = ui.cached

    def recording(fn, *args, **kwargs):
        calls.append((fn, args, kwargs))
        return real_cached(fn, *args, **kwargs)

    ui.cached = recording
    app = str(ROOT / "streamlit_app.py")
    probe = AppTest.from_file(app, default_timeout=600).run()  # opens the store; learns the pages' hashes
    hashes = {info.get("url_pathname"): h for h, info in probe._registered_pages.items()}
    pages = {}
    for url in PAGES:
        st.cache_data.clear()
        at = AppTest.from_file(app, default_timeout=600)
        if url:
            at._page_hash = hashes[url]
        cold = _timed(at.run)
        warm = _timed(at.run)
        at.selectbox(key="period").set_value(FILTER_CHANGE)
        calls.clear()
        change = _timed(at.run)
        assert not at.exception, [e.message for e in at.exception]
        replay = list(calls)
        pages[url or "overview"] = {
            "cold_s": cold,
            "warm_s": warm,
            "filter_change_s": change,
            "floor_s": _floor(replay),
            "queries": len(replay),
        }
    # What Streamlit costs with no figure to compute: the overview with every figure cached, rerun in a session
    # (overhead_s) and opened by a new session (session_overhead_s).
    at = AppTest.from_file(app, default_timeout=600)
    at.run()
    overhead = min(_timed(at.run) for _ in range(3))
    fresh = min(_timed(AppTest.from_file(app, default_timeout=600).run) for _ in range(3))
    return {"pages": pages, "overhead_s": overhead, "session_overhead_s": fresh}


def _floor(replay: list) -> float:
    from kepu import ui

    con = ui.cursor()
    start = time.perf_counter()
    for fn, args, kwargs in replay:
        fn(con, *args, **kwargs)
    return round(time.perf_counter() - start, 3)


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return round(time.perf_counter() - start, 3)


# --- the pandas baseline -------------------------------------------------------------------------------------


def measure_pandas(path: Path) -> dict:
    """The typical way: every record in one DataFrame behind st.cache_data, which hands each rerun its own copy
    (a pickle round trip), then filtered and grouped in pandas. Each page's time is one rerun after a filter change."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    start = time.perf_counter()
    frame = con.execute("SELECT * FROM activities WHERE NOT retracted").df()
    towns = con.execute("SELECT name AS town, population FROM towns").df()
    load = round(time.perf_counter() - start, 2)
    cached = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)  # what st.cache_data keeps
    del frame
    pages = {name: _timed(lambda page=page: page(pickle.loads(cached), towns)) for name, page in _PANDAS_PAGES.items()}
    return {"pages": pages, "load_s": load}


def _in_period(df):
    return df[(df.start_date >= "2024-01-01") & (df.start_date < "2025-01-01")]


def _pandas_overview(df, towns):
    df = _in_period(df)
    df.participants.sum(), df.funding.sum(), len(df)
    df.explode("cohorts").groupby("cohorts").participants.agg(["size", "sum"])
    df.groupby("town").participants.agg(["size", "sum"])
    df.groupby("bureau").participants.sum()
    df.groupby(df.start_date.dt.to_period("M")).participants.sum()
    df.groupby(["task", "bureau"]).size()


def _pandas_group(df, towns):
    df = _in_period(df)
    df = df[df.cohorts.map(lambda c: "青少年" in c)]
    for column in ("town", "bureau", "activity_type"):
        df.groupby(column).participants.sum()
    df.groupby(df.start_date.dt.to_period("M")).participants.sum()
    df.groupby("task").agg(activities=("id", "size"), participants=("participants", "sum"))
    df.sort_values("start_date", ascending=False).head(500)


def _pandas_towns(df, towns):
    df = _in_period(df)
    by_town = df.groupby("town").participants.sum().reset_index().merge(towns, on="town", how="right")
    (by_town.participants / by_town.population).sort_values()
    df.explode("cohorts").pivot_table(index="town", columns="cohorts", values="participants", aggfunc="sum")


def _pandas_bureaus(df, towns):
    df = _in_period(df)
    df.groupby(["bureau", "task"]).size().unstack(fill_value=0)
    df.groupby("bureau").task.nunique()


def _pandas_records(df, towns):
    df = _in_period(df)
    df.groupby("town").participants.sum()
    df.sort_values("start_date", ascending=False).head(500)


_PANDAS_PAGES = {
    "overview": _pandas_overview,
    "group": _pandas_group,
    "towns": _pandas_towns,
    "bureaus": _pandas_bureaus,
    "records": _pandas_records,
}


# --- the report -----------------------------------------------------------------------------------------------


def report(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"{result['rows']:,} rows · store {result['store_mb']} MB · {result['machine']}")
    print(
        f"fixed overhead (a fully cached page): rerun {result['overhead_s']} s, new session "
        f"{result['session_overhead_s']} s · peak RSS {result['peak_rss_mb']} MB · "
        f"pandas: load {result['pandas_load_s']} s, peak RSS {result['pandas_peak_rss_mb']} MB"
    )
    print("| page | cold s | warm s | filter change s | floor s | queries | pandas s | pandas ÷ ours |")
    print("|---|---|---|---|---|---|---|---|")
    for name, p in result["pages"].items():
        ratio = p["pandas_s"] / p["filter_change_s"] if p["filter_change_s"] else float("inf")
        print(
            f"| {name} | {p['cold_s']} | {p['warm_s']} | {p['filter_change_s']} | {p['floor_s']} | {p['queries']} "
            f"| {p['pandas_s']} | {ratio:.0f}× |"
        )


if __name__ == "__main__":
    main()
