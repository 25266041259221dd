"""Benchmark: a meeting room at once. N sessions at once against one running dashboard on a province-scale store.

    uv run python benchmarks/load.py --rows 1000000 [--sessions 1,10,20,40] [--patterns same-link,own-filters]
                                     [--changes 2] [--driver protocol|browser] [--profile FILE] [--json] [--rebuild]
                                     [--processes K] [--nginx]

Patterns: `same-link`, every session opens the same forwarded link at once; `own-filters`, every session opens the
overview, then changes the period and then adds a town of its own, `--changes` times. For each pattern and N a fresh
server is started (its own peak RSS), warmed by one session opening 活动明细 (modules imported, the catalog cached,
no figure of the measured views), on the store benchmarks/run.py builds.

Drivers. `protocol` (the default): each session is a Streamlit session over its websocket, speaking the protobuf
messages the frontend speaks (stclient.py), all from this one asyncio process: what the server does for N
sessions, without N browsers rendering beside it on the same cores. A filter change sets the sidebar widget's value
in the rerun's widget states, as the frontend does, and is checked: the sidebar's 会议大屏 link, which the app
builds from the run's own filters, must carry the new period or town, else the session fails. A run that ends in an
exception or st.error, or in a status other than success, fails too. `browser`: N headless Chromium tabs through
Playwright (browser_driver.py); its page times include the frontend's loading and rendering.

Page time (protocol): from sending the rerun (for a first load, from opening the websocket) to that run's
`script_finished`. The run part: from the server's `new_session` (the run has started) to the same end. Beside them:
the server's own run times (the script runner's wall time per run), the elements per page (deltas) and the bytes
received per page, and the server's peak RSS. See benchmarks/README.md.

Several processes (issue 14): `--processes K` starts K servers on --port, --port + 1, …, each on its own copy of the
store (DuckDB lets one process write a file; the benchmark only reads, so K copies serve as one shared database
would), with nginx in front (front.py: deploy/nginx-kepu.conf, sticky by its route cookie); `--nginx` puts nginx in
front of a single process too. Each server is warmed directly; the sessions go through nginx. Reported beside the
times: the peak RSS of the servers together and of each, nginx's, how many sessions each process served (by the
X-Kepu-Upstream nginx answers the handshake with) and how many runs each ran, and how many route cookies nginx's
log shows reaching more than one process (0 when every session stuck).

`--backend postgresql` (issue 14): every process reads one shared PostgreSQL database instead of a copy each (the
database benchmarks/run.py --backend postgresql loads, pgbench.py; `--rebuild` reloads it), through its own DuckDB
read model (KEPU_READ_MODEL=0 in the environment reads PostgreSQL itself). Each process's warm-up is its first
page run, so it loads that process's model (`warm_up_s`, each) before the sessions start.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import front
import stclient

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
LINK = "/towns?period=2024&town=沙土镇"
PERIODS = ["2023", "2024", "2022", "2025"]
PERIOD, TOWN = "期间", "镇街"  # the sidebar's labels (kepu/ui/filters.py)
SHOWN = "会议大屏"  # the sidebar's link button: its link carries the filters the run used (filters.link)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sessions", default="1,10,20,40")
    parser.add_argument("--patterns", default="same-link,own-filters")
    parser.add_argument("--changes", type=int, default=2, help="filter changes (period, then town) per session")
    parser.add_argument("--driver", choices=["protocol", "browser"], default="protocol")
    parser.add_argument("--port", type=int, default=8650, help="the first server's port (the next K-1 follow)")
    parser.add_argument("--processes", type=int, default=1, help="dashboard processes, behind nginx when more than 1")
    parser.add_argument("--nginx", action="store_true", help="put nginx in front of a single process too")
    parser.add_argument("--backend", choices=["duckdb", "postgresql"], default="duckdb")
    parser.add_argument("--profile", type=Path, help="write the server's cProfile statistics (pstats) here")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.port, args.profile, args.runs)
        return
    path = _store(args.rows, args.rebuild)
    towns = _towns(path)
    database = None
    if args.backend == "postgresql":
        import pgbench

        database = pgbench.ensure(path, args.rows, args.rebuild)
        print(f"PostgreSQL: {database}", file=sys.stderr, flush=True)
    results = []
    for pattern in args.patterns.split(","):
        for n in (int(s) for s in args.sessions.split(",")):
            results.append(measure(database["url"] if database else path, pattern, n, args, towns))
            _print_row(results[-1])
    out = {
        "rows": args.rows,
        "backend": args.backend,
        "postgresql": database,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "results": results,
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False))


def _store(rows: int, rebuild: bool) -> Path:
    sys.path.insert(0, str(HERE))
    import province

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"province-{rows}.duckdb"
    if rebuild or not path.exists():
        province.build(path, rows)
    return path


def _towns(path: Path) -> list[str]:
    """The district's own towns (the store keeps them beside the province's), in plan order."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("SELECT name FROM towns WHERE kind <> '全区' ORDER BY sort LIMIT 24").fetchall()
    return [r[0] for r in rows]


# --- the server ---------------------------------------------------------------------------------------------


def serve(port: int, profile: Path | None, runs: Path | None) -> None:
    """Run `streamlit run streamlit_app.py` in this process. Each script run's wall time is written to `runs` (a
    JSON list) when the server stops; with `profile`, every run is also profiled with cProfile (runs are threads,
    so each gets its own profiler) and the sum written there (pstats)."""
    if runs is not None:
        _time_runs(runs, profile)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.headless", "true"]
    sys.argv += ["--server.port", str(port), "--browser.gatherUsageStats", "false"]
    cli.main()


def _time_runs(runs: Path, out: Path | None) -> None:
    import atexit
    import cProfile
    import pstats
    import signal

    from streamlit.runtime.scriptrunner import script_runner

    lock = threading.Lock()
    profiles: list[cProfile.Profile] = []
    durations: list[float] = []
    real = script_runner.ScriptRunner._run_script

    def profiled(self, *a, **k):
        prof = cProfile.Profile() if out is not None else None
        start = time.perf_counter()
        if prof is not None:
            prof.enable()
        try:
            return real(self, *a, **k)
        finally:
            if prof is not None:
                prof.disable()
            with lock:
                durations.append(time.perf_counter() - start)
                if prof is not None:
                    profiles.append(prof)

    def dump() -> None:
        with lock:
            runs.write_text(json.dumps(durations))
            if out is not None and profiles:
                stats = pstats.Stats(profiles[0])
                for p in profiles[1:]:
                    stats.add(p)
                stats.dump_stats(str(out))

    script_runner.ScriptRunner._run_script = profiled  # type: ignore[method-assign]
    atexit.register(dump)

    def stop(*_: object) -> None:
        dump()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)


@contextlib.contextmanager
def server(path: Path | str, port: int, profile: Path | None, runs: Path):
    cmd = [sys.executable, __file__, "--serve", "--port", str(port), "--runs", str(runs)]
    if profile is not None:
        cmd += ["--profile", str(profile)]
    env = {**os.environ, "KEPU_DB": str(path), "KEPU_BACKUP_HOURS": "0"}  # no backup copying beside the measurement
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(240):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.25)
        else:
            raise RuntimeError("the dashboard did not start")
        yield proc
    finally:
        proc.terminate()
        proc.wait(30)


class PeakRss:
    """The peak resident memory of processes and their children, sampled every 0.1 s from /proc: of all of them
    together (`stop()`, in MB) and of each (`each_mb`, after stop)."""

    def __init__(self, *pids: int) -> None:
        self.pids, self.peak_kb, self._stop = pids, 0, threading.Event()
        self.each_kb = [0] * len(pids)
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            now = [sum(_rss_kb(p) for p in _tree(pid)) for pid in self.pids]
            self.peak_kb = max(self.peak_kb, sum(now))
            self.each_kb = [max(peak, kb) for peak, kb in zip(self.each_kb, now, strict=True)]

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return round(self.peak_kb / 1024)

    @property
    def each_mb(self) -> list[int]:
        return [round(kb / 1024) for kb in self.each_kb]


def _tree(pid: int) -> list[int]:
    pids, i = [pid], 0
    while i < len(pids):
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{pids[i]}/task"):
                with open(f"/proc/{pids[i]}/task/{task}/children") as f:
                    pids += [int(c) for c in f.read().split()]
        i += 1
    return pids


def _rss_kb(pid: int) -> int:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# --- the sessions -------------------------------------------------------------------------------------------


def measure(path: Path | str, pattern: str, n: int, args: argparse.Namespace, towns: list[str]) -> dict:
    k, behind = args.processes, args.nginx or args.processes > 1
    ports = [args.port + i for i in range(k)]
    each = [f"-{port}" if k > 1 else "" for port in ports]
    profiles = (
        [args.profile.with_name(f"{args.profile.stem}-{pattern}-{n}{e}.pstats") for e in each]
        if args.profile
        else [None] * k
    )
    runs = [CACHE / f"runs-{pattern}-{n}{e}.json" for e in each]
    warm_up, sessions = _driver(args.driver, behind)
    with contextlib.ExitStack() as stack:
        stores = _copies(path, k, stack)
        procs = [stack.enter_context(server(*a)) for a in zip(stores, ports, profiles, runs, strict=True)]
        nginx = stack.enter_context(front.nginx(ports)) if behind else None
        rss = PeakRss(*(proc.pid for proc in procs))
        nginx_rss = PeakRss(nginx.pid) if nginx else None
        warm_up_s = []
        for port in ports:
            started = time.perf_counter()
            asyncio.run(warm_up(f"http://127.0.0.1:{port}"))
            warm_up_s.append(round(time.perf_counter() - started, 1))
        url = nginx.url if nginx else f"http://127.0.0.1:{args.port}"
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        pages = asyncio.run(sessions(url, pattern, n, args.changes, towns))
        wall = time.perf_counter() - start
        load_after = os.getloadavg()
        peak = rss.stop()
        nginx_peak = nginx_rss.stop() if nginx_rss else None
        routes = nginx.routes() if nginx else {}
    key = "opens" if pattern == "same-link" else "changes"
    timed, opens = pages[key], pages["opens"]
    runs_each = [json.loads(r.read_text())[1:] for r in runs]  # the first of each is the warm-up's
    server_runs = [t for r in runs_each for t in r]
    served = Counter(pages.get("upstreams", []))
    return {
        "pattern": pattern,
        "driver": args.driver,
        "sessions": n,
        "pages": len(timed),
        "p50_s": _pct(timed, 50),
        "p95_s": _pct(timed, 95),
        "max_s": round(max(timed), 2) if timed else None,
        "run_part_p50_s": _pct(pages["run_parts"], 50),
        "run_part_p95_s": _pct(pages["run_parts"], 95),
        "period_change_p95_s": _pct(pages.get("period_changes", []), 95),  # shared by every fourth session
        "town_change_p95_s": _pct(pages.get("town_changes", []), 95),  # each session's own
        "open_p50_s": _pct(opens, 50),
        "open_p95_s": _pct(opens, 95),
        "deltas_p50": _pct(pages.get(f"{key}_deltas", []), 50),
        "kb_p50": _pct(pages.get(f"{key}_kb", []), 50),
        "server_runs": len(server_runs),
        "server_run_p50_s": _pct(server_runs, 50),
        "server_run_p95_s": _pct(server_runs, 95),
        "errors": pages["errors"],
        "wall_s": round(wall, 1),
        "peak_rss_mb": peak,
        "load_before": round(load_before, 2),
        "load_after": [round(x, 2) for x in load_after],
        "processes": k,
        "backend": args.backend,
        "warm_up_s": warm_up_s,
        "nginx": behind,
        "peak_rss_each_mb": rss.each_mb,
        "nginx_peak_rss_mb": nginx_peak,
        "sessions_each": [served[f"127.0.0.1:{port}"] for port in ports] if behind else [n],
        "server_runs_each": [len(r) for r in runs_each],
        "routes": len(routes),
        "routes_on_two_processes": sum(len(reached) > 1 for reached in routes.values()),
    }


def _copies(path: Path | str, k: int, stack: contextlib.ExitStack) -> list[Path | str]:
    """The store for each of `k` servers: itself for one or for a PostgreSQL database (shared), else a copy each
    in a temporary folder (removed on exit)."""
    if k == 1 or isinstance(path, str):
        return [path] * k
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kepu-load-")))
    copies = [folder / str(i) / path.name for i in range(k)]
    for copy in copies:
        copy.parent.mkdir()
        shutil.copyfile(path, copy)
    return copies


def _driver(name: str, behind: bool):
    """The driver's warm-up and sessions (the browser's is imported only when asked for: it needs Playwright; its
    tabs keep nginx's cookie themselves)."""
    if name == "browser":
        import browser_driver

        return browser_driver.warm_up, browser_driver.sessions
    return _warm_up, functools.partial(_sessions, behind=behind)


def _pct(values: list[float], p: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 2)
    return round(statistics.quantiles(values, n=100, method="inclusive")[p - 1], 2)


# --- the protocol driver -----------------------------------------------------------------------------------


async def _sessions(
    url: str, pattern: str, n: int, changes: int, towns: list[str], behind: bool = False
) -> dict[str, list]:
    """N Streamlit sessions at once from this process; the times and sizes of their pages, and their failures.
    `behind` nginx, each session keeps its route cookie and notes the process it reached (`upstreams`)."""
    pages: dict[str, list] = {"opens": [], "changes": [], "run_parts": [], "errors": [], "upstreams": []}

    async def one(i: int, session: stclient.Session) -> None:
        try:
            if pattern == "same-link":
                _note(pages, "opens", await session.open(LINK))
                return
            _note(pages, "opens", await session.open("/"))
            for k in range(changes):
                period = await _change_period(session, PERIODS[(i + k) % len(PERIODS)])
                _note(pages, "changes", period)
                pages.setdefault("period_changes", []).append(period.seconds)
                town = await _add_town(session, towns[(i * 3 + k) % len(towns)])
                _note(pages, "changes", town)
                pages.setdefault("town_changes", []).append(town.seconds)
        except Exception as exc:  # noqa: BLE001 (a session that fails is counted, the others go on)
            pages["errors"].append(f"session {i}: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}")
        finally:
            if session.upstream:
                pages["upstreams"].append(session.upstream)
            await session.close()

    tabs = [stclient.Session(url, front=behind) for _ in range(n)]
    if behind:  # each tab's page first, for its route cookie; then all the websockets at once, as without nginx
        await asyncio.gather(*(tab.load_page(LINK if pattern == "same-link" else "/") for tab in tabs))
    await asyncio.gather(*(one(i, tab) for i, tab in enumerate(tabs)))
    return pages


async def _warm_up(url: str) -> None:
    """One session opens the 活动明细 page first, as a dashboard that has been running would have: Python's modules
    are imported and the catalog (towns, bureaus, periods) is cached; no figure of the measured views is."""
    session = stclient.Session(url)
    try:
        await session.open("/records")
    finally:
        await session.close()


def _note(pages: dict[str, list], key: str, run: stclient.Run) -> None:
    pages[key].append(run.seconds)
    pages["run_parts"].append(run.run_seconds)
    pages.setdefault(f"{key}_deltas", []).append(run.deltas)
    pages.setdefault(f"{key}_kb", []).append(run.bytes / 1024)


async def _change_period(session: stclient.Session, period: str) -> stclient.Run:
    if session.current(PERIOD) == period:  # the period shown already: choosing it again would start no run
        period = PERIODS[(PERIODS.index(period) + 1) % len(PERIODS)]
    run = await session.pick(PERIOD, period)
    _check(session, "period", period)
    return run


async def _add_town(session: stclient.Session, town: str) -> stclient.Run:
    run = await session.add(TOWN, town)
    _check(session, "town", town)
    return run


def _check(session: stclient.Session, key: str, value: str) -> None:
    """A change the server ignored would make a fast page of the old filters: the run must have used the new one."""
    used = session.link(SHOWN).get(key, [])
    if value not in used:
        raise stclient.RunFailed(f"the change of {key} to {value} did not take: the run's filters have {used}")


def _print_row(r: dict) -> None:
    print(
        f"{r['pattern']:12} {r['driver']} N={r['sessions']:3} pages={r['pages']:3} "
        f"p50={r['p50_s']} s p95={r['p95_s']} s "
        f"(period/town p95={r.get('period_change_p95_s')}/{r.get('town_change_p95_s')} s) "
        f"max={r['max_s']} s open p50/p95={r['open_p50_s']}/{r['open_p95_s']} s peak RSS={r['peak_rss_mb']} MB "
        f"run part p50/p95={r.get('run_part_p50_s')}/{r.get('run_part_p95_s')} s "
        f"server runs={r['server_runs']} p50/p95={r['server_run_p50_s']}/{r['server_run_p95_s']} s "
        f"deltas={r['deltas_p50']} kB={r['kb_p50']} wall={r['wall_s']} s "
        f"load={r['load_before']}→{r['load_after']} errors={len(r['errors'])} "
        f"backend={r['backend']} warm-up each={r['warm_up_s']} s",
        file=sys.stderr,
        flush=True,
    )
    if r["nginx"]:
        print(
            f"    {r['processes']} process(es) behind nginx: RSS each={r['peak_rss_each_mb']} MB "
            f"nginx={r['nginx_peak_rss_mb']} MB sessions each={r['sessions_each']} runs each={r['server_runs_each']} "
            f"routes={r['routes']} on two processes={r['routes_on_two_processes']}",
            file=sys.stderr,
            flush=True,
        )
    for e in r["errors"][:3]:
        print("   ", e, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
