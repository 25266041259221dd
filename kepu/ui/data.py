"""The store as the pages see it: one connection per process, a cursor per query, a snapshot per script run,
and results cached by the store's data version and their arguments."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

import streamlit as st

from kepu.core import sized_cache
from kepu.core.errors import UserError
from kepu.core.sized_cache import SizedCache
from kepu.storage import audit, catalog, db, demo, pg_store, readmodel, store
from kepu.ui.text import plain

P = ParamSpec("P")
R = TypeVar("R")


@st.cache_resource(show_spinner="正在准备数据库（首次启动时生成演示数据，约需数秒）…")
def _connection(path: str) -> db.Connection:
    location = store.locate(path)
    if not store.exists(location):
        store.create_store(location, fill=demo.fill, demo=True)
    return store.connect(location)


def require_store() -> None:
    """Open the store, or say in Chinese why it cannot be opened and stop the page (never a traceback)."""
    try:
        cursor().close()
    except UserError as exc:
        st.error(plain(f"无法打开数据：{exc}"), icon=":material/error:")
        st.stop()
    except db.PgConnection.Error as exc:  # a PostgreSQL server gone since the store was opened
        reason = " ".join(str(exc).split())
        st.error(plain(f"无法连接数据库：{reason}；请检查数据库服务后刷新页面"), icon=":material/error:")
        st.stop()


def cursor() -> db.Connection:
    """A fresh cursor on the app's one connection (DuckDB connections are not shared across threads)."""
    return _connection(str(store.default_path())).cursor()


@st.cache_resource(show_spinner="正在载入数据（每个看板进程首次启动时从 PostgreSQL 读取一次）…")
def _read_model(url: str) -> readmodel.ReadModel:
    return readmodel.ReadModel(url)


def read_cursor() -> db.Connection:
    """A cursor for the pages' reads: on a PostgreSQL store, on this process's read model of it, brought up to
    date first (KEPU_READ_MODEL=0 reads PostgreSQL itself); on a DuckDB store, the store's own."""
    location = store.default_path()
    if pg_store.is_url(location) and os.environ.get("KEPU_READ_MODEL", "1") != "0":
        _connection(str(location))  # the store opens, or the page says why not
        return _read_model(str(location)).cursor()
    return cursor()


def begin_run() -> None:
    """Open this script run's snapshot of the store: every figure the run shows is read from it, so a page shows
    the store either before or after a concurrent import, never a mix (and reads its data version once). What
    the run writes to the audit log is marked as coming from the dashboard, with the browser's address."""
    end_run()
    audit.set_origin(_origin())
    st.session_state["kepu:run"] = catalog.Snapshot(read_cursor())


def _origin() -> audit.Origin:
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 (outside a browser session, e.g. under AppTest, there is none)
        address = None
    return audit.Origin(audit.APP, address=address if isinstance(address, str) else None)


def end_run() -> None:
    """Close the run's snapshot (also done by the next run, should this run have stopped early)."""
    run = st.session_state.pop("kepu:run", None)
    if run is not None:
        run.close()


def cached(fn: Callable[Concatenate[db.Connection, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """fn(cursor, *args, **kwargs) through the result cache, keyed by the store, the data version and the
    arguments; an import or undo changes the data version, so no stale figure survives it. An argument may be a
    `Made` (see `made`): the function gets its value. Each call gets its own copy: the cache keeps it pickled, and
    its pickled size is what it counts against the cache's bound."""
    run = _run()
    key = _key(run, fn, args, kwargs)
    kept = _results().get(("copy", *key), lambda: pickle.dumps(_call(run.con, *key[2:]), pickle.HIGHEST_PROTOCOL), len)
    value: R = pickle.loads(kept)
    return value


def _run() -> catalog.Snapshot:
    """This script run's snapshot, opened if it is not yet."""
    if "kepu:run" not in st.session_state:
        begin_run()
    run: catalog.Snapshot = st.session_state["kepu:run"]
    return run


def _key(
    run: catalog.Snapshot, fn: Callable[..., object], args: tuple[object, ...], kwargs: dict[str, object]
) -> tuple[str, int, str, str, tuple[object, ...], tuple[tuple[str, object], ...]]:
    """What a cached call is keyed by: the store, its data version, the function and its arguments."""
    return str(store.default_path()), run.version, fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items()))


@dataclass(frozen=True)
class Made:
    """A cached result handed on to another cached call, which is keyed by how the result was made (function,
    arguments, store, data version) instead of by its content: a plan's monthly trend would otherwise be hashed
    whole on every run of every session that shows it."""

    key: tuple[object, ...]
    value: Any = field(compare=False)


def made(fn: Callable[Concatenate[db.Connection, P], Any], *args: P.args, **kwargs: P.kwargs) -> Made:
    """cached(fn, …), wrapped to be passed on to another cached call."""
    value = cached(fn, *args, **kwargs)
    return Made(_key(_run(), fn, args, kwargs), value)


@st.cache_resource(show_spinner=False)
def _results() -> SizedCache[Any]:
    """The results of `cached` and `shared` calls in this process, for every session, bounded by their size
    ($KEPU_CACHE_MB, default 256) and number (kepu.core.sized_cache)."""
    return SizedCache(sized_cache.configured_bytes())


def clear_results() -> None:
    """Forget every cached result (the benchmark's cold runs)."""
    _results().clear()


def _call(
    con: db.Connection, module: str, name: str, args: tuple[object, ...], kwargs: tuple[tuple[str, object], ...]
) -> Any:
    """The function `module`.`name` on `con` with the arguments a cache was keyed by (a Made gives its value)."""
    args = tuple(a.value if isinstance(a, Made) else a for a in args)
    kwargs = tuple((k, v.value if isinstance(v, Made) else v) for k, v in kwargs)
    return getattr(sys.modules[module], name)(con, *args, **dict(kwargs))


def shared(fn: Callable[Concatenate[db.Connection, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """fn(cursor, *args, **kwargs) made once per store, data version and arguments for every session, and handed
    out as the same object, not a copy (`cached` unpickles a copy per call): for figures, which cost more to build
    than to send and which a page only reads. What it returns must not be changed."""
    run = _run()
    key = _key(run, fn, args, kwargs)
    value: R = _results().get(("same", *key), lambda: _call(run.con, *key[2:]), _pickled_size)
    return value


def _pickled_size(value: object) -> int:
    """What a shared value counts against the cache's bound: its pickled size, as a copy's (a chart: ~4 ms once)."""
    return len(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def direct(fn: Callable[Concatenate[db.Connection, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """fn(cursor, *args, **kwargs) run now, past the cache: for changes to the store, and for lists that must be
    current to the second (import history)."""
    con = cursor()
    try:
        return fn(con, *args, **kwargs)
    finally:
        con.close()  # on PostgreSQL a cursor is a connection of its own


def today() -> dt.date:
    return dt.date.today()
