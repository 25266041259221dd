"""Who holds the store. DuckDB lets one process open a file for writing, and then no other process may open it at
all; its refusal names the holder's PID, which tells a running dashboard (that will not let go) from another kepu
command (that will, in a moment)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

_PID = re.compile(r"\(PID (\d+)\)")


@dataclass(frozen=True)
class Holder:
    """The process holding the store, as far as the system tells."""

    pid: int | None
    command: str  # its command line, "" when unknown

    @property
    def is_dashboard(self) -> bool:
        return "streamlit" in self.command

    @property
    def is_kepu_command(self) -> bool:
        return not self.is_dashboard and "kepu" in self.command

    def describe(self) -> str:
        """The holder in words: 正在运行的看板（进程 1234）, 另一个 kepu 命令（kepu import 报送.xlsx，进程 1234）…"""
        pid = f"进程 {self.pid}" if self.pid else "进程号未知"
        if self.is_dashboard:
            return f"正在运行的看板（{pid}）"
        if self.is_kepu_command:
            return f"另一个 kepu 命令（{_kepu_part(self.command)}，{pid}）"
        return f"另一个程序（{self.command[:80] or '未知'}，{pid}）"


def is_lock_error(exc: Exception) -> bool:
    """True when DuckDB refused to open a file because another process holds it."""
    return "lock" in str(exc).lower()


def holder(exc: Exception) -> Holder:
    """The process DuckDB's lock error names (its command line read from /proc where there is one)."""
    m = _PID.search(str(exc))
    pid = int(m[1]) if m else None
    return Holder(pid, _command_line(pid) if pid else "")


def _command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return " ".join(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)


def _kepu_part(command: str) -> str:
    """From a command line, the part from `kepu` on, files by their names alone: kepu import 报送.xlsx --db x.duckdb."""
    words = command.split()
    for i, word in enumerate(words):
        if word.endswith("kepu") or word == "kepu.cli":
            return " ".join(["kepu", *(posixpath.basename(w) for w in words[i + 1 :])])[:80]
    return command[:80]
