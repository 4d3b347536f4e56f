"""Database-level guards that hold even for raw SQL (PostgreSQL).

Append-only tables get a trigger that refuses UPDATE and DELETE. TRUNCATE is left
to database privileges (the application role must not have it): Django's test
runner truncates tables between transactional tests.
"""

from __future__ import annotations

from typing import Any

REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION tongban_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'tongban: % on % is refused: the table is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
"""


def append_only_sql(table: str) -> str:
    return (
        REFUSE_FUNCTION
        + f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};\n"
        + f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        + "FOR EACH ROW EXECUTE FUNCTION tongban_refuse_change();"
    )


def drop_append_only_sql(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"


def append_only_operation(table: str) -> Any:
    """A migration operation that installs the guard on PostgreSQL and does nothing elsewhere."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            # A plain cursor: the SQL contains '%' (RAISE formats) and has no parameters.
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(append_only_sql(table))

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(drop_append_only_sql(table))

    return migrations.RunPython(forwards, backwards, elidable=False)
