"""A stand-in for another program holding a store: a second process with the store open and the command line of
the program it stands for (kepu names the holder from its command line: the dashboard, or a kepu command)."""

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

HOLD = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)"


@contextlib.contextmanager
def holding(path: Path, *command: str) -> Iterator[subprocess.Popen]:
    """The block runs while another process holds the store at `path`, its command line ending in `command`
    (default: the running dashboard's, streamlit run streamlit_app.py); the process is stopped after it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), *(command or ("streamlit", "run", "streamlit_app.py"))],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        yield holder
    finally:
        holder.kill()
        holder.wait()
