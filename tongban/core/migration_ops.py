"""Migration operations that change indexes by name, without Django's heavier ways.

``AlterField(db_index=False)`` on a foreign key makes Django drop the foreign key constraint,
drop every plain index on that column that is not in ``Meta.indexes`` (a partial unique
constraint's index included), and add the constraint back, which re-checks every row under
locks on both tables. Dropping the one index by its name does only what is meant
(docs/decisions/0207).
"""

from __future__ import annotations

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
