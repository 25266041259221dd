"""kepu.storage.db's PostgreSQL engine (issue 14; docs/postgresql.md): a connection with the few methods kepu uses of a
DuckDB one, taking the same SQL text with DuckDB's `?` and `$name` parameters, and giving results of the same Python
types as DuckDB's (frames with DuckDB's dtypes). Only kepu.storage.db calls it; SQL runs through db's functions."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

Params = dict[str, Any] | Sequence[Any] | None


class _NotYet(Exception):
    """Nothing: no PostgreSQL connection was made in this process, so no PostgreSQL error can have happened."""


class PgConnection:
    """A PostgreSQL connection with the few methods kepu uses of a DuckDB one: execute (DuckDB's `?` and `$name`
    parameters, translated), cursor (a connection of its own, as a DuckDB cursor is), close; and a DataFrame made
    readable as a temporary table (DuckDB registers a frame as a view). Autocommit: transactions are the explicit
    BEGIN and COMMIT of `transaction` and `open_snapshot`, as on DuckDB."""

    Error: type[Exception] = _NotYet  # psycopg.Error once psycopg is imported (the first connection); till then none

    def __init__(self, url: str) -> None:
        self.url = url
        self.raw = _take(url)

    def execute(self, sql: str, params: Params = None) -> PgResult:
        cur = self.raw.cursor()
        if params is None:  # psycopg reads % as a placeholder only when there are parameters
            cur.execute(sql)
        else:
            cur.execute(pg_sql(sql), _pg_params(params))
        return PgResult(cur)

    def executemany(self, sql: str, param_rows: Sequence[Sequence[Any]]) -> None:
        with self.raw.cursor() as cur:
            cur.executemany(pg_sql(sql), param_rows)

    def cursor(self) -> PgConnection:
        return PgConnection(self.url)

    def close(self) -> None:
        """Hand the connection back to the pool (a cursor is cheap to ask for again, as on DuckDB)."""
        if not getattr(self, "_closed", False):
            self._closed = True
            _give(self.url, self.raw)

    def __del__(self) -> None:  # a cursor dropped without close, as DuckDB's may be
        with contextlib.suppress(Exception):
            self.close()

    @contextlib.contextmanager
    def frame(self, name: str, data: pd.DataFrame) -> Iterator[None]:
        """`data` as the temporary table `name` (columns typed from the frame's dtypes), for the block."""
        columns = ", ".join(f'"{c}" {_pg_type(data[c])}' for c in data.columns)
        quoted = ", ".join(f'"{c}"' for c in data.columns)
        with self.raw.cursor() as cur:
            cur.execute(f'CREATE TEMPORARY TABLE "{name}" ({columns})')
            with cur.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
                for row in data.itertuples(index=False, name=None):
                    copy.write_row([None if _missing(v) else v for v in row])
            cur.execute(f'ANALYZE "{name}"')  # a temporary table has no statistics: the planner would guess
        try:
            yield
        finally:
            with self.raw.cursor() as cur:
                cur.execute(f'DROP TABLE IF EXISTS "{name}"')


# Idle connections by URL: a page run, a cached call or a write asks for a cursor as on DuckDB, where it costs
# nothing; here each would otherwise be a new login to the server.
_IDLE: dict[str, list[Any]] = {}
_POOL_LOCK = threading.Lock()
KEEP_IDLE = 8


def _take(url: str) -> Any:  # a psycopg connection, autocommit, with kepu's adapters
    with _POOL_LOCK:
        idle = _IDLE.get(url, [])
        while idle:
            raw = idle.pop()
            if not raw.closed:
                return raw
    import psycopg

    PgConnection.Error = psycopg.Error
    raw = psycopg.connect(url, autocommit=True)
    raw.adapters.register_dumper(_Texts, _texts_dumper())
    raw.adapters.register_loader("numeric", _numeric_loader())
    return raw


def _give(url: str, raw: Any) -> None:
    """Keep a connection for the next cursor if it is clean (no transaction left open), else close it."""
    from psycopg.pq import TransactionStatus

    if raw.closed:
        return
    if raw.info.transaction_status != TransactionStatus.IDLE:
        raw.close()
        return
    with _POOL_LOCK:
        idle = _IDLE.setdefault(url, [])
        if len(idle) < KEEP_IDLE:
            idle.append(raw)
            return
    raw.close()


def disconnect(url: str) -> None:
    """Close the idle connections kept for `url` (before its database is dropped or copied as a template)."""
    with _POOL_LOCK:
        idle = _IDLE.pop(url, [])
    for raw in idle:
        raw.close()


class PgResult:
    """A PostgreSQL statement's result, read as kepu reads DuckDB's: fetchall, fetchone, df."""

    def __init__(self, cur: Any) -> None:
        self.cur = cur

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self.cur.fetchall()) if self.cur.description else []

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.cur.fetchone() if self.cur.description else None

    def df(self) -> pd.DataFrame:
        """The rows as a frame with the dtypes DuckDB's .df() gives the same columns (dates as datetime64[us],
        integers with a NULL as nullable, decimals as float64, text as str, lists as arrays), so a figure cannot
        depend on the backend."""
        description = self.cur.description or []
        found = self.fetchall()
        columns = [_column([r[n] for r in found], d.type_code) for n, d in enumerate(description)]
        frame = pd.concat(columns, axis=1) if columns else pd.DataFrame()
        frame.columns = [d.name for d in description]
        return frame


_DATES, _FLOATS, _TEXTS = {1082, 1114}, {700, 701, 1700}, {25, 1043, 1042, 19}
_INTS = {20: ("int64", "Int64"), 23: ("int32", "Int32"), 21: ("int16", "Int16")}
_BOOL = 16
_ARRAYS = {1009, 1015, 1007, 1016, 1005, 1000, 1022}  # text[], varchar[], int4[], int8[], int2[], bool[], float8[]


def _column(values: list[Any], oid: int) -> pd.Series:
    """One result column as DuckDB's .df() types it."""
    missing = any(v is None for v in values)
    if oid in _DATES:
        return pd.Series(pd.to_datetime(values), dtype="datetime64[us]")
    if oid in _INTS:
        plain, nullable = _INTS[oid]
        return pd.Series(values, dtype=nullable if missing else plain)
    if oid in _FLOATS:
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    if oid in _TEXTS:
        return pd.Series(values, dtype="str")
    if oid == _BOOL:
        return pd.Series(values, dtype="boolean" if missing else "bool")
    if oid in _ARRAYS:
        return pd.Series([None if v is None else np.array(v, dtype=object) for v in values], dtype=object)
    return pd.Series(values, dtype=object)


def _numeric_loader() -> type:
    """PostgreSQL's numeric as DuckDB gives what kepu computes: a whole number as int (sum of integers), any other
    as float (averages, rates, sums of amounts)."""
    from psycopg.adapt import Loader

    class NumericLoader(Loader):
        def load(self, data: Any) -> int | float:
            text = bytes(data).decode()
            return int(text) if text.lstrip("-").isdigit() else float(text)

    return NumericLoader


_PG_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\$[A-Za-z_]\w*|\?|%")


def pg_sql(sql: str) -> str:
    """DuckDB's parameters in PostgreSQL's (psycopg's) form: ? → %s, $name → %(name)s, and a literal % doubled.
    Quoted strings and identifiers are left as they are."""

    def swap(m: re.Match[str]) -> str:
        token = m[0]
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        if token.startswith("$"):
            return f"%({token[1:]})s"
        return token.replace("%", "%%") if token.startswith("'") else token

    return _PG_TOKEN.sub(swap, sql)


def _pg_params(params: Params) -> Any:
    if params is None:
        return None
    if isinstance(params, dict):
        return {k: _pg_value(v) for k, v in params.items()}
    return [_pg_value(v) for v in params]


class _Texts(list):  # type: ignore[type-arg]
    """A list of text, to be sent as text[] (psycopg sends a list of str, or an empty list, untyped, and then
    `unnest($towns)` or `x = ANY($towns)` cannot be resolved)."""


def _pg_value(value: Any) -> Any:
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return _Texts(value)
    return value


def _texts_dumper() -> type:
    from psycopg.adapt import Dumper

    class TextsDumper(Dumper):
        oid = 1009  # text[]

        def dump(self, obj: list[str]) -> bytes:
            quoted = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in obj)
            return ("{" + ",".join(quoted) + "}").encode()

    return TextsDumper


def _pg_type(column: pd.Series) -> str:
    kind = column.dtype.kind
    if kind == "b":
        return "boolean"
    if kind in "iu":
        return "bigint"
    if kind == "f":
        return "double precision"
    if kind == "M":
        return "timestamp"
    sample = next((v for v in column if not _missing(v)), None)
    if isinstance(sample, (list, tuple)):
        return "text[]"
    if isinstance(sample, dt.datetime):
        return "timestamp"
    if isinstance(sample, dt.date):
        return "date"
    return "text"


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)
