"""A dashboard served for a test: `streamlit run streamlit_app.py` in a process of its own, as a user runs it."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@contextlib.contextmanager
def serving(store: object, log_file: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """The app on the store `store` (a file or a postgresql:// URL; with the environment `env` besides) on a free
    loopback port, until the block ends; its output in `log_file`. Yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(log_file, "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "streamlit_app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env={**os.environ, "KEPU_DB": str(store), "KEPU_BACKUP_HOURS": "0", **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the app did not start: " + log_file.read_text())
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
