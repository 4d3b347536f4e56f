"""Database-level guards that hold even for raw SQL (PostgreSQL).

Append-only tables get a row trigger that refuses UPDATE and DELETE, and a statement
trigger that refuses TRUNCATE. The TRUNCATE guard stands aside only in a session that
says ``SET tongban.allow_truncate = 'on'``: the test suite does (Django empties the
tables after each transactional test), the application never does. It stops mistakes
and scripts, not a superuser (who can drop triggers); in production the application's
role also lacks the TRUNCATE privilege (docs/operations.md).
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


REFUSE_TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION tongban_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('tongban.allow_truncate', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'tongban: TRUNCATE of % is refused: the table is append-only', TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
"""


def append_only_sql(table: str) -> str:
    return (
        REFUSE_FUNCTION
        + REFUSE_TRUNCATE_FUNCTION
        + drop_append_only_sql(table)
        + f"\nCREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        + "FOR EACH ROW EXECUTE FUNCTION tongban_refuse_change();"
        + f"\nCREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        + "FOR EACH STATEMENT EXECUTE FUNCTION tongban_refuse_truncate();"
    )


def drop_append_only_sql(table: str) -> str:
    return (
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
        f"\nDROP TRIGGER IF EXISTS {table}_no_truncate ON {table};"
    )


APPEND_ONLY_TABLES = (
    "core_auditevent",
    "cases_transition",
    "cases_archive",
    "cases_parametersetrecord",
    "ledger_journalentry",
    "ledger_journalline",
)


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
