"""A whole store copied between the two engines (issue 14): a DuckDB store into PostgreSQL (kepu init and
restore-backup on PostgreSQL, a district's file moved to a server), and a PostgreSQL store into DuckDB (the read
model each dashboard process keeps, and backups). Rows travel as CSV through PostgreSQL's COPY, an Arrow batch at a
time, so a table of ten million rows never sits in memory whole. Every value travels as text and is cast to its
column's type on arrival; list columns travel as PostgreSQL array literals one way and as JSON the other, so any
text (commas, quotes, braces, backslashes, line breaks) survives."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from typing import IO, NamedTuple

import pyarrow as pa
import pyarrow.csv as pacsv

from kepu.storage import db, schema

BATCH_ROWS = 100_000
_COPY_VIEW = "_kepu_copy"


class Column(NamedTuple):
    name: str
    type: str  # DuckDB's name of the type: VARCHAR, DATE, DECIMAL(14,2), VARCHAR[], …

    @property
    def is_list(self) -> bool:
        return self.type.endswith("[]")


def tables(con: db.Connection) -> list[tuple[str, list[Column]]]:
    """A DuckDB store's tables (not its views), in the order they were made, with their columns in order."""
    found = db.rows(
        con,
        """SELECT t.table_name, c.column_name, c.data_type
           FROM duckdb_tables() t JOIN duckdb_columns() c USING (table_oid)
           WHERE t.database_name = current_database() AND t.schema_name = current_schema() AND NOT t.temporary
           ORDER BY t.table_oid, c.column_index""",
    )
    out: dict[str, list[Column]] = {}
    for table, column, kind in found:
        out.setdefault(table, []).append(Column(column, kind))
    return list(out.items())


def to_postgres(source: db.Connection, target: db.Connection) -> None:
    """Every row of the DuckDB store `source` into the PostgreSQL store `target`, which has the same schema and no
    rows yet (pg_schema.create), and its sequences where the source's are. Run it in the target's transaction."""
    assert isinstance(target, db.PgConnection)
    for table, columns in tables(source):
        select = ", ".join(_as_postgres_text(c) for c in columns)
        batches = db.arrow_batches(source, f'SELECT {select} FROM "{table}"', BATCH_ROWS)  # names from the catalogue
        db.copy_in(target, table, [c.name for c in columns], (_csv(b) for b in batches))
    sequences = "SELECT sequence_name, start_value, last_value FROM duckdb_sequences() WHERE NOT temporary"
    for name, start, last in db.rows(source, sequences):
        if last is None:  # never used: the next value is its start
            db.scalar(target, "SELECT setval(?, ?, false)", [name, start])
        else:
            db.scalar(target, "SELECT setval(?, ?)", [name, last])


def to_duckdb(source: db.Connection, target: db.Connection, where: dict[str, str] | None = None) -> int:
    """The rows of the PostgreSQL store `source` appended to the DuckDB store `target`, which has the same schema
    (schema.migrate); `where` limits a table's rows by a condition of our own (no user text: COPY binds nothing).
    Returns how many rows were copied."""
    assert isinstance(source, db.PgConnection)
    copied = 0
    for table, columns in tables(target):
        if where is not None and table not in where:
            continue
        select = ", ".join(f'array_to_json("{c.name}")::text' if c.is_list else f'"{c.name}"' for c in columns)
        condition = f" WHERE {where[table]}" if where is not None and where[table] else ""
        casts = ", ".join(_from_text(c) for c in columns)
        listed = ", ".join(f'"{c.name}"' for c in columns)
        with tempfile.TemporaryFile() as fh:
            db.copy_out(source, f'SELECT {select} FROM "{table}"{condition}', fh)
            if not fh.tell():
                continue
            fh.seek(0)
            for batch in _read_csv(fh, [c.name for c in columns]):
                with db.frame(target, _COPY_VIEW, pa.Table.from_batches([batch])):
                    db.execute(target, f'INSERT INTO "{table}" ({listed}) SELECT {casts} FROM {_COPY_VIEW}')
                copied += batch.num_rows
    return copied


def fill_duckdb(source: db.Connection, target: db.Connection) -> None:
    """The empty DuckDB database `target` given the store's schema and every row of the PostgreSQL store `source`
    is reading (in its snapshot): a backup's copy, a read model."""
    schema.migrate(target)
    for table, _ in tables(target):
        db.execute(target, f'DELETE FROM "{table}"')  # rows a migration seeds come from the store instead
    to_duckdb(source, target)


def _as_postgres_text(column: Column) -> str:
    """A DuckDB column as the text PostgreSQL's COPY reads into the same type; a list as an array literal with each
    element quoted and its backslashes and quotes escaped."""
    name = f'"{column.name}"'
    if column.is_list:
        quoted = f"""list_transform({name}, lambda x: '"' || replace(replace(x, '\\', '\\\\'), '"', '\\"') || '"')"""
        return f"'{{' || array_to_string({quoted}, ',') || '}}'"
    return f"CAST({name} AS VARCHAR)"


def _from_text(column: Column) -> str:
    name = f'"{column.name}"'
    if column.is_list:
        return f"CAST(CAST({name} AS JSON) AS {column.type})"
    return f"CAST({name} AS {column.type})"


def _csv(batch: pa.RecordBatch) -> bytes:
    """Rows as CSV: NULL as an unquoted empty field, an empty string quoted (as PostgreSQL's COPY reads them)."""
    out = io.BytesIO()
    pacsv.write_csv(batch, out, pacsv.WriteOptions(include_header=False))
    return out.getvalue()


def _read_csv(fh: IO[bytes], names: list[str]) -> Iterator[pa.RecordBatch]:
    """CSV from PostgreSQL's COPY, every column as text (an unquoted empty field is NULL, a quoted one is '')."""
    reader = pacsv.open_csv(
        fh,
        read_options=pacsv.ReadOptions(column_names=names, block_size=16 << 20),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            # Only an unquoted empty field is NULL: Arrow's default list would also read a title "NULL" or "N/A",
            # and an observation's NaN, as NULL.
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    yield from reader
