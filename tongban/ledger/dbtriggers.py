"""PostgreSQL guards of the ledger that hold even for raw SQL.

- Balanced: a DEFERRABLE INITIALLY DEFERRED constraint trigger on lines checks, at
  commit, that the entry of each inserted line exists and balances (debits = credits)
  and that every line carries the entry's book and date (one fund per entry). It reads
  only that entry's row and lines, through the primary key and the ``entry_id`` index.
  It stands in for a foreign key from lines to entries, whose check would cache a plan
  of its own (see below).
- Not empty: a deferred constraint trigger on entries refuses an entry without lines.
- Immutable: the append-only trigger of :mod:`tongban.core.dbtriggers` on both tables.

The lookups run with ``enable_seqscan = off``: PL/pgSQL caches a generic plan per
session, and one chosen while the table was small (a sequential scan) would stay in
use as the table grows, slowing every posting (STYLE.md #13). With sequential scans
priced out, the cached plan is an index scan whatever the statistics say.
"""

from __future__ import annotations

from typing import Any

BALANCE_FUNCTION = """
CREATE OR REPLACE FUNCTION tongban_ledger_entry_balanced() RETURNS trigger
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  e_book bigint;
  e_date date;
  net bigint;
  strays bigint;
BEGIN
  SELECT book_id, entry_date INTO e_book, e_date
    FROM ledger_journalentry WHERE id = NEW.entry_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'tongban: journal line % refers to no entry (%)', NEW.id, NEW.entry_id
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT COALESCE(SUM(debit_fen) - SUM(credit_fen), 0),
         COUNT(*) FILTER (WHERE book_id <> e_book OR entry_date <> e_date)
    INTO net, strays
    FROM ledger_journalline WHERE entry_id = NEW.entry_id;
  IF net <> 0 THEN
    RAISE EXCEPTION 'tongban: journal entry % does not balance (debits - credits = % fen)',
      NEW.entry_id, net USING ERRCODE = 'check_violation';
  END IF;
  IF strays > 0 THEN
    RAISE EXCEPTION 'tongban: journal entry % has lines outside its book or date', NEW.entry_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
"""

NOT_EMPTY_FUNCTION = """
CREATE OR REPLACE FUNCTION tongban_ledger_entry_has_lines() RETURNS trigger
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ledger_journalline WHERE entry_id = NEW.id) THEN
    RAISE EXCEPTION 'tongban: journal entry % has no lines', NEW.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
"""

INSTALL = (
    BALANCE_FUNCTION
    + NOT_EMPTY_FUNCTION
    + """
DROP TRIGGER IF EXISTS ledger_line_balanced ON ledger_journalline;
CREATE CONSTRAINT TRIGGER ledger_line_balanced AFTER INSERT ON ledger_journalline
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tongban_ledger_entry_balanced();
DROP TRIGGER IF EXISTS ledger_entry_has_lines ON ledger_journalentry;
CREATE CONSTRAINT TRIGGER ledger_entry_has_lines AFTER INSERT ON ledger_journalentry
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tongban_ledger_entry_has_lines();
"""
)

UNINSTALL = """
DROP TRIGGER IF EXISTS ledger_line_balanced ON ledger_journalline;
DROP TRIGGER IF EXISTS ledger_entry_has_lines ON ledger_journalentry;
DROP FUNCTION IF EXISTS tongban_ledger_entry_balanced();
DROP FUNCTION IF EXISTS tongban_ledger_entry_has_lines();
"""


def balance_triggers_operation() -> Any:
    """A migration operation that installs the balance guards on PostgreSQL, nothing elsewhere."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(INSTALL)

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(UNINSTALL)

    return migrations.RunPython(forwards, backwards, elidable=False)
