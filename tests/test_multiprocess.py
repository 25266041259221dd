"""Beyond one process (issue 14): on a PostgreSQL store, two dashboard processes serve pages while `kepu import`
runs beside them, and every figure stays the one DuckDB gives on the same rows. Each dashboard reads its own read
model (kepu.storage.readmodel), brought up to date by the import's change; the sessions are driven over Streamlit's
own protocol (benchmarks/stclient.py), as a browser tab would."""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import threading
from contextlib import ExitStack
from pathlib import Path

import pytest
from helpers.servers import ROOT, serving

from kepu.core import fmt

sys.path.insert(0, str(ROOT / "benchmarks"))
from stclient import Session

pytestmark = pytest.mark.slow  # two dashboard processes and a command, on a PostgreSQL database
FILE = Path(__file__).parent / "data" / "import" / "tolerant.xlsx"
LINK = "/?period=2024"


class Overview(Session):
    """A tab on the overview, keeping the metrics it shows (label → value as shown)."""

    def __init__(self, base: str) -> None:
        super().__init__(base)
        self.metrics: dict[str, str] = {}

    def _note(self, msg):
        element = msg.delta.new_element
        if msg.delta.WhichOneof("type") == "new_element" and element.WhichOneof("type") == "metric":
            self.metrics[element.metric.label] = element.metric.body
        return super()._note(msg)


def shown(base: str) -> dict[str, str]:
    """The overview's metrics in a new tab on the dashboard at `base` (fails on an exception or st.error)."""

    async def read() -> dict[str, str]:
        tab = Overview(base)
        try:
            await tab.open(LINK)
        finally:
            await tab.close()
        return tab.metrics

    return asyncio.run(read())


def kepu(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "kepu.cli", *args]
    return subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120)


def test_an_import_lands_while_two_dashboards_serve_and_every_figure_equals_duckdbs(pg_server, demo_path, tmp_path):
    url = pg_server.store(demo_path)
    duck = Path(shutil.copy(demo_path, tmp_path / "demo.duckdb"))  # the same rows, for DuckDB's figures
    env = {"KEPU_EVIDENCE_DIR": str(tmp_path / "evidence"), "KEPU_BACKUP_HOURS": "0"}
    try:
        with ExitStack() as servers:
            bases = [servers.enter_context(serving(url, tmp_path / f"app{n}.log", env)) for n in (1, 2)]
            before = [shown(base) for base in bases]
            assert before[0] == before[1] and before[0]["活动场次"]

            # Tabs keep opening pages on both dashboards while the command imports.
            stop, failures, served = threading.Event(), [], [0, 0]

            def keep_reading(n: int) -> None:
                while not stop.is_set():
                    try:
                        shown(bases[n])
                        served[n] += 1
                    except Exception as exc:  # noqa: BLE001 (reported by the test)
                        failures.append(repr(exc))
                        return

            readers = [threading.Thread(target=keep_reading, args=(n,)) for n in (0, 1)]
            for r in readers:
                r.start()
            try:
                done = kepu("import", str(FILE), "--json", "--db", url, env=env)
            finally:
                stop.set()
                for r in readers:
                    r.join(120)
            assert done.returncode == 0, done.stderr
            assert json.loads(done.stdout)["imported"] == 3
            assert failures == [] and min(served) >= 1, (failures, served)

            assert kepu("import", str(FILE), "--json", "--db", str(duck), env=env).returncode == 0
            figures = {}
            for where in (url, str(duck)):
                said = kepu("summary", "--json", "--period", "2024", "--db", where, env=env)
                assert said.returncode == 0, said.stderr
                figures[where] = json.loads(said.stdout)
            assert figures[url] == figures[str(duck)]  # every figure, PostgreSQL as DuckDB

            after = [shown(base) for base in bases]
            expected = fmt.count(figures[url]["activities"])
            assert after[0]["活动场次"] == after[1]["活动场次"] == expected != before[0]["活动场次"]
    finally:
        pg_server.drop(url)
