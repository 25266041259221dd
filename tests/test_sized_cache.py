"""The result cache bounded by size (issue 15): least recently used values go first, nothing it keeps passes the
bound, a value several sessions ask for at once is made once, and a nonsense setting keeps the default."""

from __future__ import annotations

import threading
import time

import pytest
from apps import open_page, start

from kepu.core import sized_cache
from kepu.core.sized_cache import SizedCache
from kepu.ui import data


def fill(cache: SizedCache[bytes], key: str, nbytes: int) -> bytes:
    return cache.get(key, lambda: b"x" * nbytes, len)


def test_the_least_recently_used_values_go_first_and_the_bound_holds():
    cache: SizedCache[bytes] = SizedCache(max_bytes=1000)
    for key in "abcd":
        fill(cache, key, 300)  # the fourth passes 1000 bytes: "a" goes
    assert len(cache) == 3 and cache.bytes == 900
    made = []
    cache.get("b", lambda: made.append("b") or b"", len)  # kept: not made again, and now the most recent
    assert made == []
    fill(cache, "e", 300)  # "c" is now the least recent
    assert cache.get("c", lambda: b"new", len) == b"new"
    assert cache.bytes <= 1000
    assert cache.get("b", lambda: b"made again", len) != b"made again"


def test_the_number_of_values_is_bounded_too():
    cache: SizedCache[bytes] = SizedCache(max_bytes=10**9, max_entries=5)
    for n in range(12):
        fill(cache, str(n), 1)
    assert len(cache) == 5 and cache.bytes == 5


def test_a_value_larger_than_the_whole_cache_is_returned_but_not_kept():
    cache: SizedCache[bytes] = SizedCache(max_bytes=100)
    fill(cache, "small", 10)
    assert fill(cache, "huge", 1000) == b"x" * 1000
    assert len(cache) == 1 and cache.bytes == 10  # and it pushed nothing out


def test_a_value_asked_for_by_several_sessions_at_once_is_made_once():
    cache: SizedCache[str] = SizedCache(max_bytes=10**6)
    made = []

    def slow() -> str:
        made.append(1)
        time.sleep(0.2)
        return "figure"

    got: list[str] = []
    sessions = [threading.Thread(target=lambda: got.append(cache.get("k", slow, len))) for _ in range(6)]
    for s in sessions:
        s.start()
    for s in sessions:
        s.join()
    assert got == ["figure"] * 6 and made == [1]


def test_a_failure_keeps_nothing_and_the_next_call_tries_again():
    cache: SizedCache[str] = SizedCache(max_bytes=10**6)

    def broken() -> str:
        raise ValueError("store unreachable")

    with pytest.raises(ValueError):
        cache.get("k", broken, len)
    assert len(cache) == 0
    assert cache.get("k", lambda: "ok", len) == "ok"


@pytest.mark.parametrize(
    "value, mb",
    [
        ("128", 128),
        (" 64 ", 64),
        ("", sized_cache.DEFAULT_MB),
        ("0", sized_cache.DEFAULT_MB),
        ("-5", sized_cache.DEFAULT_MB),
        ("1e9", sized_cache.DEFAULT_MB),
        ("128MB", sized_cache.DEFAULT_MB),
        ("１２８", sized_cache.DEFAULT_MB),  # full-width digits: isdigit() alone would take them
        ("12\u200b", sized_cache.DEFAULT_MB),
        ("99999999999999999999", sized_cache.DEFAULT_MB),
        ("nan", sized_cache.DEFAULT_MB),
    ],
)
def test_the_bound_comes_from_the_environment_and_nonsense_keeps_the_default(monkeypatch, value, mb):
    monkeypatch.setenv(sized_cache.SIZE_ENV, value)
    assert sized_cache.configured_bytes() == mb * 2**20


def test_the_app_keeps_its_results_within_the_bound(demo_shared, monkeypatch):
    """Four demo pages make about 240 KB of results: with a 100 KB cache they all render, and what it keeps stays
    within 100 KB."""
    monkeypatch.setattr(sized_cache, "configured_bytes", lambda: 100_000)
    data._results.clear()  # made again with the new bound
    try:
        at = start(demo_shared, monkeypatch, period="2024")
        for page in ("youth", "towns", "bureaus", ""):
            at = open_page(at, page)
            assert not at.exception, [e.message for e in at.exception]
        kept = data._results()
        assert kept.max_bytes == 100_000 and 0 < kept.bytes <= 100_000
    finally:
        data._results.clear()
