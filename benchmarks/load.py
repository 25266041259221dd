"""Benchmark: a meeting room at once. N real browser sessions against one running dashboard on a province-scale store.

    uv run python benchmarks/load.py --rows 1000000 [--sessions 1,10,20,40] [--patterns same-link,own-filters]
                                     [--changes 2] [--profile FILE] [--json] [--rebuild]

Patterns: `same-link`, every session opens the same forwarded link at once; `own-filters`, every session opens the
overview, then changes the period and then a town of its own, `--changes` times. For each pattern and N a fresh
server is started (its own peak RSS), warmed by one session opening 活动明细 (modules imported, the catalog cached,
no figure of the measured views), on the store benchmarks/run.py builds.

Page time: from the navigation (or the click or key that changes a filter) until Streamlit's script run has ended
and stayed ended: the app root's `data-test-script-state` (what also drives the "Running…" status widget) has been
seen `running` and then `notRunning`, with no new run within SETTLE_MS; the time is that of the last change to
`notRunning`, recorded in the page by a MutationObserver (so polling does not add to it). The run part is the time
from the run's start (as the page saw it) to that end, i.e. without loading the frontend; the server's own run
times (the script runner's wall time per run) are reported beside them. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
CHROMIUM = "/usr/bin/chromium"
SETTLE_MS = 600  # a run that ends and is followed by no other within this long has ended
LINK = "/towns?period=2024&town=沙土镇"
PERIODS = ["2023", "2024", "2022", "2025"]
RUN_PARTS: list[float] = []  # of each page time, the part from the run's start (as the page saw it) to its end

# In the page from its first script: each change of the script state, with the wall-clock time it was seen.
OBSERVER = """
window.__kpRuns = [];
const watch = () => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) { requestAnimationFrame(watch); return; }
  const note = () => {
    const s = app.getAttribute('data-test-script-state');
    const last = window.__kpRuns[window.__kpRuns.length - 1];
    if (!last || last.s !== s) window.__kpRuns.push({s, t: Date.now()});
  };
  note();
  new MutationObserver(note).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
};
document.addEventListener('DOMContentLoaded', watch);
"""

ENDED = """([since, settle]) => {
  const runs = (window.__kpRuns || []).filter(r => r.t >= since);
  if (!runs.some(r => r.s === 'running')) return false;
  const last = runs[runs.length - 1];
  const first = runs.find(r => r.s === 'running');
  return last.s === 'notRunning' && Date.now() - last.t >= settle ? [first.t, last.t] : false;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sessions", default="1,10,20,40")
    parser.add_argument("--patterns", default="same-link,own-filters")
    parser.add_argument("--changes", type=int, default=2, help="filter changes (period, then town) per session")
    parser.add_argument("--port", type=int, default=8650)
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
    results = []
    for pattern in args.patterns.split(","):
        for n in (int(s) for s in args.sessions.split(",")):
            results.append(measure(path, pattern, n, args, towns))
            _print_row(results[-1])
    out = {
        "rows": args.rows,
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

    def profiled(self, *a, **k):  # type: ignore[no-untyped-def]
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
    signal.signal(signal.SIGTERM, lambda *_: (dump(), os._exit(0)))


@contextlib.contextmanager
def server(path: Path, port: int, profile: Path | None, runs: Path):  # type: ignore[no-untyped-def]
    cmd = [sys.executable, __file__, "--serve", "--port", str(port), "--runs", str(runs)]
    if profile is not None:
        cmd += ["--profile", str(profile)]
    env = {**os.environ, "KEPU_DB": str(path)}
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
    """The peak resident memory of a process and its children, sampled every 0.1 s from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kb, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in _tree(self.pid)))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return round(self.peak_kb / 1024)


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


def measure(path: Path, pattern: str, n: int, args: argparse.Namespace, towns: list[str]) -> dict:
    profile = args.profile.with_name(f"{args.profile.stem}-{pattern}-{n}.pstats") if args.profile else None
    runs = CACHE / f"runs-{pattern}-{n}.json"
    with server(path, args.port, profile, runs) as proc:
        rss = PeakRss(proc.pid)
        url = f"http://127.0.0.1:{args.port}"
        asyncio.run(_warm_up(url))
        RUN_PARTS.clear()
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        opens, changes, errors = asyncio.run(_sessions(url, pattern, n, args, towns))
        wall = time.perf_counter() - start
        load_after = os.getloadavg()
        peak = rss.stop()
    timed = opens if pattern == "same-link" else changes
    server_runs = json.loads(runs.read_text())[1:]  # the first is the warm-up's
    return {
        "pattern": pattern,
        "sessions": n,
        "pages": len(timed),
        "p50_s": _pct(timed, 50),
        "p95_s": _pct(timed, 95),
        "max_s": round(max(timed), 2) if timed else None,
        "run_part_p50_s": _pct(RUN_PARTS, 50),
        "run_part_p95_s": _pct(RUN_PARTS, 95),
        "open_p50_s": _pct(opens, 50),
        "open_p95_s": _pct(opens, 95),
        "server_runs": len(server_runs),
        "server_run_p50_s": _pct(server_runs, 50),
        "server_run_p95_s": _pct(server_runs, 95),
        "errors": errors,
        "wall_s": round(wall, 1),
        "peak_rss_mb": peak,
        "load_before": round(load_before, 2),
        "load_after": [round(x, 2) for x in load_after],
    }


def _pct(values: list[float], p: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 2)
    return round(statistics.quantiles(values, n=100, method="inclusive")[p - 1], 2)


async def _sessions(url: str, pattern: str, n: int, args: argparse.Namespace, towns: list[str]):  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright

    opens: list[float] = []
    changes: list[float] = []
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        contexts = [
            await browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN") for _ in range(n)
        ]
        pages = []
        for ctx in contexts:
            ctx.set_default_timeout(180_000)  # a page under load finds its widgets late
            page = await ctx.new_page()
            await page.add_init_script(OBSERVER)
            pages.append(page)

        async def one(i: int, page) -> None:  # type: ignore[no-untyped-def]
            try:
                if pattern == "same-link":
                    opens.append(await _open(page, url + LINK))
                    return
                opens.append(await _open(page, url + "/"))
                for k in range(args.changes):
                    changes.append(await _pick_period(page, PERIODS[(i + k) % len(PERIODS)]))
                    changes.append(await _pick_town(page, towns[(i * 3 + k) % len(towns)]))
            except Exception as exc:  # noqa: BLE001 (a session that fails is counted, the others go on)
                errors.append(f"session {i}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")

        await asyncio.gather(*(one(i, pg) for i, pg in enumerate(pages)))
        await browser.close()
    return opens, changes, errors


async def _warm_up(url: str) -> None:
    """One session opens the 活动明细 page first, as a dashboard that has been running would have: Python's modules
    are imported and the catalog (towns, bureaus, periods) is cached; no figure of the measured views is."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = await browser.new_page()
        await page.add_init_script(OBSERVER)
        await _open(page, url + "/records")
        await browser.close()


async def _ended(page, since_ms: int) -> float:  # type: ignore[no-untyped-def]
    handle = await page.wait_for_function(ENDED, arg=[since_ms, SETTLE_MS], timeout=180_000, polling=100)
    started, ended = await handle.json_value()
    RUN_PARTS.append((ended - started) / 1000)  # from the run's start, as the page saw it, to its end
    return (ended - since_ms) / 1000


async def _open(page, url: str) -> float:  # type: ignore[no-untyped-def]
    since = int(time.time() * 1000)
    await page.goto(url, timeout=300_000)
    return await _ended(page, since)


async def _pick_period(page, period: str) -> float:  # type: ignore[no-untyped-def]
    box = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first
    if period in await box.inner_text():  # the period shown already: choosing it again would start no run
        period = PERIODS[(PERIODS.index(period) + 1) % len(PERIODS)]
    await box.click()
    option = page.get_by_role("option", name=period, exact=True)
    await option.wait_for(timeout=60_000)
    since = int(time.time() * 1000)
    await option.click()
    return await _ended(page, since)


async def _pick_town(page, town: str) -> float:  # type: ignore[no-untyped-def]
    box = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first
    await box.click()
    await page.keyboard.type(town)
    await page.get_by_role("option", name=town, exact=True).wait_for(timeout=60_000)
    since = int(time.time() * 1000)
    await page.keyboard.press("Enter")
    elapsed = await _ended(page, since)
    await page.keyboard.press("Escape")
    return elapsed


def _print_row(r: dict) -> None:
    print(
        f"{r['pattern']:12} N={r['sessions']:3} pages={r['pages']:3} p50={r['p50_s']} s p95={r['p95_s']} s "
        f"max={r['max_s']} s open p50/p95={r['open_p50_s']}/{r['open_p95_s']} s peak RSS={r['peak_rss_mb']} MB "
        f"run part p50/p95={r.get('run_part_p50_s')}/{r.get('run_part_p95_s')} s "
        f"server runs={r['server_runs']} p50/p95={r['server_run_p50_s']}/{r['server_run_p95_s']} s "
        f"wall={r['wall_s']} s load={r['load_before']}→{r['load_after']} errors={len(r['errors'])}",
        file=sys.stderr,
        flush=True,
    )
    for e in r["errors"][:3]:
        print("   ", e, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
