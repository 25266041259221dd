"""Benchmark: every page at province scale, beside the floor (the page's DuckDB queries alone) and a pandas baseline
written the way typical Streamlit dashboards are.

    uv run python benchmarks/run.py --rows N [--json] [--rebuild] [--no-pandas]
                                    [--backend duckdb|postgresql] [--read-model on|off] [--pages overview,towns,…]

Each measurement runs in a process of its own, so each peak RSS is its own. See benchmarks/README.md.

`--backend postgresql` (issue 14): the store is loaded into the database `kepu_bench_<rows>` on the local
PostgreSQL (pgbench.py; reused while it holds the same records, reloaded with --rebuild) and the same pages are
measured the same way with KEPU_DB set to its URL: through the process's DuckDB read model (`--read-model on`, the
default), or reading PostgreSQL itself (`off`, KEPU_READ_MODEL=0). With the read model, the process's first page
run (the overview) loads the model: it is timed apart (`first_run_s`, with the model's own load time from the
kepu.readmodel log), so the pages' cold runs do not include it. Then one small import (`kepu import` of
tests/data/import/tolerant.xlsx, 3 records) and its undo, each followed by a new session's overview: the time the
model took to catch up (the log) and that page run's. The pandas baseline is DuckDB's and is not run.
"""

from __future__ import annotations

import argparse
import json
import logging
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
SMALL_IMPORT = ROOT / "tests" / "data" / "import" / "tolerant.xlsx"  # 3 records, for the read model's catch-up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rebuild", action="store_true", help="build the province store even if it exists")
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas baseline (minutes at 1e7)")
    parser.add_argument("--backend", choices=["duckdb", "postgresql"], default="duckdb")
    parser.add_argument("--read-model", choices=["on", "off"], default="on", help="postgresql: through the read model")
    parser.add_argument("--pages", help="only these pages (comma-separated, overview for the first); default all")
    parser.add_argument("--measure", choices=["pages", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        if args.measure == "pages":
            result = measure_pages(args.store, _chosen(args.pages))
        else:
            result = measure_pandas(Path(args.store))
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(json.dumps(result))
        return
    pandas = not args.no_pandas and args.backend == "duckdb"
    result = run(args.rows, args.rebuild, args.backend, args.read_model, args.pages, pandas)
    report(result, args.json)


def _chosen(pages: str | None) -> list[str]:
    if not pages:
        return PAGES
    chosen = ["" if p == "overview" else p for p in pages.split(",")]
    unknown = [p for p in chosen if p not in PAGES]
    if unknown:
        raise SystemExit(f"unknown pages: {unknown}")
    return chosen


def run(
    rows: int,
    rebuild: bool,
    backend: str = "duckdb",
    read_model: str = "on",
    only: str | None = None,
    pandas: bool = True,
) -> dict:
    """Build (or reuse) the store (and its PostgreSQL copy), measure the app and the baseline in separate
    processes, and combine."""
    sys.path.insert(0, str(HERE))
    import province

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"province-{rows}.duckdb"
    build_s = None
    if rebuild or not path.exists():
        start = time.perf_counter()
        province.build(path, rows)
        build_s = round(time.perf_counter() - start, 1)
    loaded = None
    location = str(path)
    env = {}
    if backend == "postgresql":
        import pgbench

        loaded = pgbench.ensure(path, rows, rebuild)
        location = loaded["url"]
        env["KEPU_READ_MODEL"] = "1" if read_model == "on" else "0"
    load_before = os.getloadavg()
    ours = _child("pages", location, env, only)
    baseline = _child("pandas", str(path)) if pandas else None
    load_after = os.getloadavg()
    pages = {}
    for url in _chosen(only):
        page = ours["pages"][url or "overview"]
        page["pandas_s"] = baseline["pages"][_template(url)] if baseline else None
        pages[url or "overview"] = page
    return {
        "rows": rows,
        "backend": backend if backend == "duckdb" else f"postgresql, read model {read_model}",
        "build_s": build_s,
        "store_mb": round(path.stat().st_size / 1e6),
        "postgresql": loaded,
        "pages": pages,
        "skipped": [p or "overview" for p in PAGES if p not in _chosen(only)],
        "first_run_s": ours.get("first_run_s"),
        "model": ours.get("model"),
        "catch_up": ours.get("catch_up"),
        "overhead_s": ours["overhead_s"],
        "session_overhead_s": ours["session_overhead_s"],
        "peak_rss_mb": ours["peak_rss_mb"],
        "pandas_load_s": baseline["load_s"] if baseline else None,
        "pandas_peak_rss_mb": baseline["peak_rss_mb"] if baseline else None,
        "load_average": [round(x, 2) for x in (*load_before, *load_after)],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }


def _child(kind: str, location: str, env: dict[str, str] | None = None, only: str | None = None) -> dict:
    cmd = [sys.executable, __file__, "--measure", kind, "--store", location]
    if only:
        cmd += ["--pages", only]
    out = subprocess.run(
        cmd,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    if out.returncode:
        raise SystemExit(f"the {kind} measurement failed:\n{out.stderr[-6000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _template(url: str) -> str:
    if url in ("", "towns", "bureaus", "records"):
        return url or "overview"
    return "group"


# --- the app's pages, through AppTest: the same script, widgets and caches a browser session drives -----------


def measure_pages(location: str, chosen: list[str]) -> dict:
    """cold (empty result cache), warm (the same view again), filter_change (period set to FILTER_CHANGE) and floor
    (the same queries the filter-change run made, called directly, without Streamlit or its cache) for each page.
    On a PostgreSQL store with the read model, also the first run (which loads the model) and the catch-up."""
    os.environ["KEPU_DB"] = location
    os.environ["KEPU_BACKUP_HOURS"] = "0"  # no backup copying beside the measurement
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from kepu.storage import pg_store
    from kepu.ui import data

    model = _ModelLog()
    read_model = pg_store.is_url(location) and os.environ.get("KEPU_READ_MODEL", "1") != "0"

    # Every call through the result caches (ui.cached, ui.made, ui.shared: each builds its key with data._key), hits
    # included; ui.made keys the same call twice in a row (its cached call, then its own key), recorded once.
    calls: list = []
    real_key = data._key

    def recording(run, fn, args, kwargs):
        call = (fn, args, kwargs)
        if not (calls and _same(calls[-1], call)):
            calls.append(call)
        return real_key(run, fn, args, kwargs)

    data._key = recording
    app = str(ROOT / "streamlit_app.py")
    probe = AppTest.from_file(app, default_timeout=600)
    first = _timed(probe.run)  # opens the store (and loads the read model); learns the pages' hashes
    assert not probe.exception, [e.message for e in probe.exception]
    hashes = {info.get("url_pathname"): h for h, info in probe._registered_pages.items()}
    loaded = model.take()
    pages = {}
    for url in chosen:
        st.cache_data.clear()
        data.clear_results()  # the results and figures kept for every session, not the store
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
    result = {"pages": pages, "overhead_s": overhead, "session_overhead_s": fresh, "first_run_s": first}
    if read_model:
        result["model"] = loaded
        result["catch_up"] = _catch_up(location, app, model)
    return result


class _ModelLog(logging.Handler):
    """The read model's own account of its loads and updates (logger kepu.readmodel, INFO)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        logger = logging.getLogger("kepu.readmodel")
        logger.setLevel(logging.INFO)
        logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def take(self) -> list[str]:
        lines, self.lines = self.lines, []
        return lines


def _catch_up(location: str, app: str, model: _ModelLog) -> dict:
    """One small import, then a new session's overview; its undo, then another: each page run's time and what the
    read model said it did before it."""
    from streamlit.testing.v1 import AppTest

    def kepu(*args: str) -> str:
        cmd = [str(Path(sys.executable).with_name("kepu")), *args, "--db", location]
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout

    result = {}
    start = time.perf_counter()
    imported = json.loads(kepu("import", str(SMALL_IMPORT), "--json"))
    result["import_s"] = round(time.perf_counter() - start, 2)
    result["import_records"] = imported.get("imported")
    model.take()
    at = AppTest.from_file(app, default_timeout=600)
    result["page_after_import_s"] = _timed(at.run)
    assert not at.exception, [e.message for e in at.exception]
    result["after_import"] = model.take()
    kepu("undo", str(imported["batch"]))
    at = AppTest.from_file(app, default_timeout=600)
    result["page_after_undo_s"] = _timed(at.run)
    result["after_undo"] = model.take()
    return result


def _floor(replay: list) -> float:
    from kepu.ui import data

    con = data.read_cursor()  # the connection the pages read: the store, its read model, or PostgreSQL itself
    # A cached result handed on to another cached call (ui.made) is passed as its value, as ui.cached does.
    replay = [(fn, [_value(a) for a in args], {k: _value(v) for k, v in kwargs.items()}) for fn, args, kwargs in replay]
    start = time.perf_counter()
    for fn, args, kwargs in replay:
        fn(con, *args, **kwargs)
    return round(time.perf_counter() - start, 3)


def _same(a: tuple, b: tuple) -> bool:
    return (
        a[0] is b[0]
        and len(a[1]) == len(b[1])
        and all(x is y for x, y in zip(a[1], b[1], strict=True))
        and (a[2].keys() == b[2].keys() and all(a[2][k] is b[2][k] for k in a[2]))
    )


def _value(argument: object) -> object:
    from kepu.ui.data import Made

    return argument.value if isinstance(argument, Made) else argument


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
    print(
        f"{result['rows']:,} rows · {result['backend']} · store {result['store_mb']} MB · {result['machine']} · "
        f"load average before {result['load_average'][:3]}, after {result['load_average'][3:]}"
    )
    pg = result["postgresql"]
    if pg:
        loaded = f"loaded in {pg['load_s']} s, VACUUM ANALYZE {pg['analyze_s']} s" if pg["load_s"] else "reused"
        print(f"PostgreSQL database {pg['url'].rsplit('/', 1)[-1]}: {pg['size_mb']} MB, {loaded}")
    print(
        f"fixed overhead (a fully cached page): rerun {result['overhead_s']} s, new session "
        f"{result['session_overhead_s']} s · peak RSS {result['peak_rss_mb']} MB · "
        f"the process's first run (overview) {result['first_run_s']} s"
        + (
            f" · pandas: load {result['pandas_load_s']} s, peak RSS {result['pandas_peak_rss_mb']} MB"
            if result["pandas_load_s"] is not None
            else ""
        )
    )
    if result["model"] is not None:
        up = result["catch_up"]
        print(f"read model, first load (in the first run): {'; '.join(result['model'])}")
        print(
            f"after an import of {up['import_records']} records ({up['import_s']} s): "
            f"{'; '.join(up['after_import'])}; the next overview {up['page_after_import_s']} s · after its undo: "
            f"{'; '.join(up['after_undo'])}; the next overview {up['page_after_undo_s']} s"
        )
    pandas = any(p["pandas_s"] is not None for p in result["pages"].values())
    extra = " pandas s | pandas ÷ ours |" if pandas else ""
    print("| page | cold s | warm s | filter change s | floor s | queries |" + extra)
    print("|---|---|---|---|---|---|" + ("---|---|" if pandas else ""))
    for name, p in result["pages"].items():
        row = f"| {name} | {p['cold_s']} | {p['warm_s']} | {p['filter_change_s']} | {p['floor_s']} | {p['queries']} |"
        if pandas:
            ratio = p["pandas_s"] / p["filter_change_s"] if p["filter_change_s"] else float("inf")
            row += f" {p['pandas_s']} | {ratio:.0f}× |"
        print(row)
    if result["skipped"]:
        print(f"not measured (--pages): {', '.join(result['skipped'])}")


if __name__ == "__main__":
    main()
