"""Migration operations that change indexes by name, without Django's heavier ways.

``AlterField(db_index=False)`` on a foreign key makes Django drop the foreign key constraint,
drop every plain index on that column that is not in ``Meta.indexes`` (a partial unique
constraint's index included), and add the constraint back, which re-checks every row under
locks on both tables. Dropping the one index by its name does only what is meant
(docs/decisions/0207).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.migrations.operations.base import Operation


def index_dropped(*operations: Operation, indexes: dict[str, tuple[str, str]]) -> Operation:
    """``operations`` (``AlterField(…, db_index=False)``) in the state only; in the database,
    each index ``name: (table, column)`` dropped (on both databases; put back on reversal)."""
    return migrations.SeparateDatabaseAndState(
        state_operations=list(operations),
        database_operations=[
            migrations.RunSQL(
                f'DROP INDEX IF EXISTS "{name}"',
                reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
            )
            for name, (table, column) in indexes.items()
        ],
    )


def like_index_dropped(*names: str) -> Operation:
    """Drop the ``varchar_pattern_ops`` indexes PostgreSQL gets beside a unique or indexed text
    column (``…_like``): nothing here searches those columns with ``LIKE``. Django's state does
    not know them, and SQLite has none. Not put back on reversal."""
    return migrations.RunSQL(
        [f'DROP INDEX IF EXISTS "{name}"' for name in names], reverse_sql=migrations.RunSQL.noop
    )


def state_only(*operations: Operation) -> Operation:
    """``operations`` in Django's state, none in the database: for a change that is Python's
    business only (a JSON field's encoder), which SQLite would otherwise carry out by copying
    every row of the table into a new one."""
    return migrations.SeparateDatabaseAndState(state_operations=list(operations))


def lz4_compressed(*columns: tuple[str, str]) -> Operation:
    """On PostgreSQL built with lz4: values of each ``(table, column)`` written from now on are
    compressed with lz4 rather than pglz, several times faster to write for the kilobytes of JSON
    a case records at each step, and a little larger. Rows already written keep pglz; both read
    alike. Reversed, the columns follow the server's default again. ``SET COMPRESSION`` changes
    only the catalogue (no rewrite), under a moment's exclusive lock of each table. Nothing
    changes on SQLite, nor on a server without lz4 (docs/decisions/0209)."""

    def compress(method: str) -> Any:
        def run(apps: Any, schema_editor: Any) -> None:
            connection = schema_editor.connection
            if connection.vendor != "postgresql":
                return
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT 'lz4' = ANY(enumvals) FROM pg_settings"
                    " WHERE name = 'default_toast_compression'"
                )
                row = cursor.fetchone()
            if row is None or not row[0]:
                return  # PostgreSQL before 14, or built without lz4
            quote = connection.ops.quote_name
            for table, column in columns:
                schema_editor.execute(
                    f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)} "
                    f"SET COMPRESSION {method}"
                )

        return run

    return migrations.RunPython(compress("lz4"), compress("DEFAULT"))


def record_json(*columns: tuple[str, str]) -> Operation:
    """On PostgreSQL, each ``(table, column)`` of type ``jsonb`` changed to ``json``, which
    keeps a record's text as it was written (``core.canonical.RecordJSONField``, ADR 0217). The
    table is rewritten under an exclusive lock; the column keeps its compression. Nothing
    changes on SQLite, where JSON is text already. Reversed, back to ``jsonb``."""

    def to(kind: str) -> Any:
        def run(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor != "postgresql":
                return
            quote = schema_editor.connection.ops.quote_name
            for table, column in columns:
                # A new type forgets the column's compression (lz4_compressed): set it again.
                with schema_editor.connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT attcompression FROM pg_attribute"
                        " WHERE attrelid = %s::regclass AND attname = %s",
                        [table, column],
                    )
                    (compression,) = cursor.fetchone()
                alter = f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)}"
                schema_editor.execute(f"{alter} TYPE {kind} USING {quote(column)}::{kind}")
                if compression:
                    method = {"l": "lz4", "p": "pglz"}[compression]
                    schema_editor.execute(f"{alter} SET COMPRESSION {method}")

        return run

    return migrations.RunPython(to("json"), to("jsonb"))
