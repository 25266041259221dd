"""A cache bounded by the bytes its values take, not only by how many there are (issue 15): a server's memory is what
runs out, and one result can be a thousand times another (a province's town table beside a single total). The least
recently used values go first. Shared by every session of a process, so it is thread-safe, and a value several
sessions ask for at once is made once."""

from __future__ import annotations

import collections
import logging
import os
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
V = TypeVar("V")

SIZE_ENV = "KEPU_CACHE_MB"
DEFAULT_MB = 256  # of a modest 4 GB server: DuckDB's own buffers take 1 GB (KEPU_DUCKDB_MEMORY), the app ~0.4 GB
MAX_ENTRIES = 2000


def configured_bytes() -> int:
    """$KEPU_CACHE_MB (whole megabytes, 1–65536) in bytes; anything else keeps the default, with a warning."""
    value = os.environ.get(SIZE_ENV, "").strip()
    if value.isascii() and value.isdigit() and 1 <= int(value) <= 65536:
        return int(value) * 2**20
    if value:
        log.warning("%s=%r is not a number of megabytes (1–65536): %d kept", SIZE_ENV, value, DEFAULT_MB)
    return DEFAULT_MB * 2**20


class SizedCache(Generic[V]):
    """Values by key, together at most `max_bytes` (as `size` measures each) and `max_entries` of them."""

    def __init__(self, max_bytes: int, max_entries: int = MAX_ENTRIES) -> None:
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self._values: collections.OrderedDict[Hashable, tuple[V, int]] = collections.OrderedDict()
        self._making: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self.bytes = 0

    def get(self, key: Hashable, make: Callable[[], V], size: Callable[[V], int]) -> V:
        """The value kept for `key`, or make() kept (unless it alone is larger than the whole cache)."""
        found = self._kept(key)
        if found is not None:
            return found[0]
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        with making:  # a second session asking meanwhile waits for this one's value instead of making its own
            found = self._kept(key)
            if found is not None:
                return found[0]
            try:
                value = make()
                self._keep(key, value, size(value))
            finally:
                with self._lock:
                    self._making.pop(key, None)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._values)

    def _kept(self, key: Hashable) -> tuple[V] | None:
        with self._lock:
            if key not in self._values:
                return None
            self._values.move_to_end(key)
            return (self._values[key][0],)

    def _keep(self, key: Hashable, value: V, nbytes: int) -> None:
        if nbytes > self.max_bytes:
            log.warning("a result of %d bytes is larger than the whole cache (%d): not kept", nbytes, self.max_bytes)
            return
        with self._lock:
            if key in self._values:
                self.bytes -= self._values.pop(key)[1]
            self._values[key] = (value, nbytes)
            self.bytes += nbytes
            while self.bytes > self.max_bytes or len(self._values) > self.max_entries:
                self.bytes -= self._values.popitem(last=False)[1][1]
