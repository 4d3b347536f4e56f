"""Set-based loading: COPY on PostgreSQL, multi-row inserts on SQLite.

One function, :func:`bulk_upsert`, serves every hot load path (imports, the demo
generator, benchmarks): rows go into the table in one statement per batch, rows
that already exist are skipped (or updated where they differ), and nothing
is ever saved row by row. It must run inside the caller's transaction, so a
file is applied entirely or not at all.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction

SQLITE_BATCH = 500  # rows per INSERT; SQLite allows 32766 parameters per statement


def copy_text(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """PostgreSQL only: COPY rows into ``table`` in text format; returns the row count."""
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(map(copy_text, row)))
                buffer.write("\n")
                count += 1
                if count % 20000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
    return count


def bulk_upsert(
    *,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    conflict: Sequence[str],
    update: Sequence[str] = (),
    touch: Sequence[str] = (),
    constants: dict[str, Any] | None = None,
) -> int:
    """Insert ``rows``; on a ``conflict`` key, skip, or update ``update`` columns that differ.

    ``constants`` are column values shared by every row (``created_at``, say);
    ``touch`` columns (``updated_at``) are set on update but never compared.
    Returns how many rows were inserted or changed.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bulk_upsert must run inside a transaction")
    constants = constants or {}
    all_columns = [*columns, *constants]
    if connection.vendor == "postgresql":
        return _pg_upsert(table, list(columns), rows, conflict, update, touch, constants)
    return _sqlite_upsert(
        table, all_columns, rows, conflict, update, touch, list(constants.values())
    )


def _on_conflict(
    table: str, conflict: Sequence[str], update: Sequence[str], touch: Sequence[str], distinct: str
) -> str:
    if not update:
        return f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    sets = ", ".join(f"{c} = excluded.{c}" for c in [*update, *touch])
    differs = " OR ".join(f"{table}.{c} {distinct} excluded.{c}" for c in update)
    return f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {sets} WHERE {differs}"


def _pg_upsert(
    table: str,
    columns: list[str],
    rows: Iterable[Sequence[object]],
    conflict: Sequence[str],
    update: Sequence[str],
    touch: Sequence[str],
    constants: dict[str, Any],
) -> int:
    stage = f"_stage_{table}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "
            f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
        )
    if copy_rows(stage, columns, rows) == 0:
        return 0
    select = ", ".join(columns) + "".join(", %s" for _ in constants)
    target = ", ".join([*columns, *constants])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({target}) SELECT {select} FROM {stage} "
            + _on_conflict(table, conflict, update, touch, "IS DISTINCT FROM"),
            list(constants.values()),
        )
        changed: int = cursor.rowcount
        cursor.execute(f"DROP TABLE {stage}")
    return changed


def _sqlite_upsert(
    table: str,
    columns: list[str],
    rows: Iterable[Sequence[object]],
    conflict: Sequence[str],
    update: Sequence[str],
    touch: Sequence[str],
    constant_values: list[Any],
) -> int:
    width = len(columns)
    per_row = "(" + ", ".join("?" * width) + ")"
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    tail = " " + _on_conflict(table, conflict, update, touch, "IS NOT")
    batch_rows = max(1, min(SQLITE_BATCH, 32000 // width))
    constants = [_sqlite_value(v) for v in constant_values]
    changed = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        params: list[object] = []
        n = 0
        for row in rows:
            params.extend(_sqlite_value(v) for v in row)
            params.extend(constants)
            n += 1
            if n == batch_rows:
                raw.execute(head + ", ".join([per_row] * n) + tail, params)
                changed += raw.rowcount
                params, n = [], 0
        if n:
            raw.execute(head + ", ".join([per_row] * n) + tail, params)
            changed += raw.rowcount
    return changed


def _sqlite_value(value: object) -> object:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
