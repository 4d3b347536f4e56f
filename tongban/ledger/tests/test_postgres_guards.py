"""The database refuses what the services refuse, even for raw SQL (PostgreSQL triggers)."""

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from tongban.core.testing import TEST_ACTOR
from tongban.ledger.models import Account, Book, JournalEntry, JournalLine
from tongban.ledger.services import books_open, chart_load

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's"),
]
D = date(2026, 5, 31)


def _entry(book_code="UI-460100", entry_date=D):
    book = Book.objects.get(code=book_code)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_journalentry (book_id, entry_date, description, source_type, "
            "source_ref, created_at, actor_kind, actor_label) "
            "VALUES (%s, %s, 'raw', 'manual', '', now(), 'system', 'raw') RETURNING id",
            [book.pk, entry_date],
        )
        return cursor.fetchone()[0], book.pk


def _line(entry_id, book_id, code, debit, credit, entry_date=D):
    account = Account.objects.get(code=code)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_journalline (entry_id, book_id, entry_date, account_id, "
            "debit_fen, credit_fen) VALUES (%s, %s, %s, %s, %s, %s)",
            [entry_id, book_id, entry_date, account.pk, debit, credit],
        )


def _commit_check():
    """What COMMIT would do: fire the deferred constraint triggers now."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_balanced_raw_entry_passes_the_trigger():
    with transaction.atomic():
        entry_id, book_id = _entry()
        _line(entry_id, book_id, "1002", 100, 0)
        _line(entry_id, book_id, "400101", 0, 100)
        _commit_check()
    assert JournalLine.objects.filter(entry_id=entry_id).count() == 2


def test_an_unbalanced_raw_entry_is_refused_at_commit():
    before = JournalLine.objects.count()
    with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
        entry_id, book_id = _entry()
        _line(entry_id, book_id, "1002", 100, 0)
        _line(entry_id, book_id, "400101", 0, 99)
        _commit_check()
    assert JournalLine.objects.count() == before


def test_a_line_added_later_to_a_balanced_entry_is_refused():
    with transaction.atomic():
        entry_id, book_id = _entry()
        _line(entry_id, book_id, "1002", 100, 0)
        _line(entry_id, book_id, "400101", 0, 100)
        _commit_check()
    with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
        _line(entry_id, book_id, "1002", 1, 0)
        _commit_check()


def test_an_entry_without_lines_is_refused():
    with pytest.raises(DatabaseError, match="no lines"), transaction.atomic():
        _entry()
        _commit_check()


def test_a_line_in_another_book_than_its_entry_is_refused():
    other = Book.objects.get(code="UI-460200").pk
    with pytest.raises(DatabaseError, match="outside its book"), transaction.atomic():
        entry_id, book_id = _entry()
        _line(entry_id, book_id, "1002", 100, 0)
        _line(entry_id, other, "400101", 0, 100)
        _commit_check()


def test_a_line_with_another_date_than_its_entry_is_refused():
    with pytest.raises(DatabaseError, match="outside its book or date"), transaction.atomic():
        entry_id, book_id = _entry()
        _line(entry_id, book_id, "1002", 100, 0)
        _line(entry_id, book_id, "400101", 0, 100, entry_date=date(2026, 6, 1))
        _commit_check()


def test_a_line_with_both_sides_or_none_is_refused_by_the_check_constraint():
    with pytest.raises(DatabaseError, match="ledger_line_one_side_positive"), transaction.atomic():
        entry_id, book_id = _entry()
        _line(entry_id, book_id, "1002", 100, 100)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_journalline SET debit_fen = debit_fen + 1 WHERE entry_id = %s",
        "DELETE FROM ledger_journalline WHERE entry_id = %s",
        "UPDATE ledger_journalentry SET description = 'rewritten' WHERE id = %s",
        "DELETE FROM ledger_journalentry WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_or_delete_entries(post, sql):
    entry = post("460100", D, [("1002", 100, 0), ("400101", 0, 100)])
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert JournalEntry.objects.get(pk=entry.pk).description == "测试凭证"
    assert sorted(JournalLine.objects.filter(entry=entry).values_list("debit_fen", flat=True)) == [
        0,
        100,
    ]


def test_the_balance_trigger_reads_the_entry_s_lines_through_the_index():
    """The trigger's lookup is an index scan even on a table whose statistics say it is empty."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ledger_journalline")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT COALESCE(SUM(debit_fen) - SUM(credit_fen), 0) "
            "FROM ledger_journalline WHERE entry_id = 1"
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute(
            "SELECT proconfig FROM pg_proc WHERE proname = 'tongban_ledger_entry_balanced'"
        )
        config = cursor.fetchone()[0]
    assert "ledger_journalline_entry_id" in plan
    assert config == ["enable_seqscan=off"]


@pytest.mark.transactional
@pytest.mark.django_db(transaction=True)
def test_an_unbalanced_raw_entry_is_refused_by_a_real_commit(reference_data_committed):
    with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
        entry_id, book_id = _entry()
        _line(entry_id, book_id, "1002", 100, 0)
        _line(entry_id, book_id, "400101", 0, 50)
    assert not JournalEntry.objects.exists()
    assert chart_load(actor=TEST_ACTOR).changed == 0 and books_open(actor=TEST_ACTOR) == 0


def test_a_line_without_an_entry_is_refused():
    book = Book.objects.get(code="UI-460100").pk
    with pytest.raises(DatabaseError, match="refers to no entry"), transaction.atomic():
        _line(10**12, book, "1002", 100, 0)
        _line(10**12, book, "400101", 0, 100)
        _commit_check()
