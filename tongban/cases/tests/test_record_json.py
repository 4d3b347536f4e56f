"""The JSON a case records is encoded once: the text hashed is the text stored
(``core.canonical``), kept as it is (PostgreSQL's ``json``, ADR 0217) and compressed with lz4
on PostgreSQL (docs/decisions/0209)."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.benefits.models import Entitlement
from tongban.cases.archive import _STEPS, _sealing_reads, archive_content, archive_verify
from tongban.cases.models import Application, Archive, ArchiveHead, Transition
from tongban.cases.tests.test_send_back import decide, submit
from tongban.core.canonical import canonical_json, sha256_of
from tongban.core.migration_ops import lz4_compressed, record_json

pytestmark = pytest.mark.django_db

RECORD_COLUMNS = [
    ("cases_application", "snapshot"),
    ("cases_transition", "seen"),
    ("cases_archive", "content"),
    ("benefits_entitlement", "explanation"),
]


@pytest.fixture
def approved(staff, worker) -> Application:
    haikou, sanya = staff["hk_acceptor"], staff["sy_reviewer"]
    decide(haikou, submit(haikou, worker, "unemployment_registration"))
    claim = decide(haikou, submit(haikou, worker, "ui_benefit"))
    return decide(sanya, claim)


def _stored(table: str, column: str, row_id: int) -> str:
    """The text the database holds, as it holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT CAST({column} AS TEXT) FROM {table} WHERE id = %s", [row_id])
        (text,) = cursor.fetchone()
    return str(text)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_each_step_keeps_the_hash_of_what_it_saw_and_the_archive_verifies(approved):
    steps = list(Transition.objects.filter(application=approved).order_by("at", "id"))
    assert [t.stage for t in steps] == ["submission", "initial_review", "re_review"]
    for step in steps:
        assert step.seen["assessment"]["item"] == "ui_benefit"
        assert step.seen_sha256 == sha256_of(step.seen)  # read back from the database
    archive = Archive.objects.get(application=approved)
    assert archive.content_sha256 == sha256_of(archive.content)
    # What was hashed at sealing (in memory) is what the database gives back.
    sealed = archive_content(approved)
    assert sealed.sha256 == archive.content_sha256 and sealed == archive.content
    assert [t["seen_sha256"] for t in archive.content["transitions"]] == [
        t.seen_sha256 for t in steps
    ]
    assert archive_verify().ok


def test_the_text_stored_is_the_canonical_text_that_was_hashed(approved):
    """Sorted keys, no spaces, Chinese as it is: the exact text the hash was taken of, so the
    database alone can check a record against its hash."""
    step = Transition.objects.filter(application=approved, stage="re_review").get()
    stored = _stored("cases_transition", "seen", step.pk)
    assert stored == canonical_json(step.seen)
    assert _sha256(stored) == step.seen_sha256
    assert "\\u" not in stored and "失业" in stored
    archive = Archive.objects.get(application=approved)
    content = _stored("cases_archive", "content", archive.pk)
    assert content == canonical_json(archive.content)
    assert _sha256(content) == archive.content_sha256
    snapshot = _stored("cases_application", "snapshot", approved.pk)
    assert snapshot == canonical_json(approved.snapshot)
    entitlement = Entitlement.objects.get(application_reference=approved.reference)
    explanation = _stored("benefits_entitlement", "explanation", entitlement.pk)
    assert explanation == canonical_json(entitlement.explanation)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL storage setting")
def test_the_recorded_documents_are_compressed_with_lz4(approved):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        if not cursor.fetchone()[0]:
            pytest.skip("this PostgreSQL is built without lz4")
        for table, column in RECORD_COLUMNS:
            cursor.execute(
                "SELECT attcompression FROM pg_attribute"
                " WHERE attrelid = %s::regclass AND attname = %s",
                [table, column],
            )
            assert cursor.fetchone()[0] == "l", (table, column)
        # A re-review's "seen" is kilobytes, over the size PostgreSQL compresses from (2 kB).
        cursor.execute(
            "SELECT pg_column_compression(seen), octet_length(seen::text) FROM cases_transition"
            " WHERE application_id = %s AND stage = 're_review'",
            [approved.pk],
        )
        method, length = cursor.fetchone()
        assert length > 4000
        assert method == "lz4"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL storage setting")
def test_the_compression_migration_goes_forward_and_back():
    operation = lz4_compressed(("scratch_documents", "doc"))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE scratch_documents (id int, doc jsonb)")
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        has_lz4 = cursor.fetchone()[0]

        def compression() -> str:
            cursor.execute(
                "SELECT attcompression FROM pg_attribute"
                " WHERE attrelid = 'scratch_documents'::regclass AND attname = 'doc'"
            )
            return str(cursor.fetchone()[0])

        with connection.schema_editor(atomic=False) as editor:
            operation.code(None, editor)
            assert compression() == ("l" if has_lz4 else "")
            operation.reverse_code(None, editor)
            assert compression() == ""  # the server's default again


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL column type")
def test_the_record_columns_are_json_and_the_migration_goes_forward_and_back():
    with connection.cursor() as cursor:
        for table, column in RECORD_COLUMNS:
            cursor.execute(
                "SELECT atttypid::regtype::text FROM pg_attribute"
                " WHERE attrelid = %s::regclass AND attname = %s",
                [table, column],
            )
            assert cursor.fetchone()[0] == "json", (table, column)
        cursor.execute("CREATE TEMPORARY TABLE scratch_records (id int, doc jsonb)")
        cursor.execute("ALTER TABLE scratch_records ALTER COLUMN doc SET COMPRESSION pglz")
        cursor.execute("""INSERT INTO scratch_records VALUES (1, '{"b": 1, "a": [2]}')""")

        def described() -> tuple[str, str, str]:
            cursor.execute(
                "SELECT atttypid::regtype::text, attcompression,"
                " (SELECT doc::text FROM scratch_records) FROM pg_attribute"
                " WHERE attrelid = 'scratch_records'::regclass AND attname = 'doc'"
            )
            kind, compression, text = cursor.fetchone()
            return str(kind), str(compression), str(text)

        operation = record_json(("scratch_records", "doc"))
        with connection.schema_editor(atomic=False) as editor:
            operation.code(None, editor)
            assert described() == ("json", "p", '{"a": [2], "b": 1}')  # the compression kept
            operation.reverse_code(None, editor)
            assert described() == ("jsonb", "p", '{"a": [2], "b": 1}')


def test_sealing_reads_the_head_and_the_steps_as_the_orm_does(approved):
    """The head, locked, and the steps (without their copies of what was seen) in one statement:
    field for field what ``_STEPS`` and the ORM give, office attached, ``seen`` left deferred."""
    with CaptureQueriesContext(connection) as statements:
        head, steps = _sealing_reads(approved)
    assert len(statements.captured_queries) == 1
    expected = _STEPS.all(approved.pk)
    assert [s.get_deferred_fields() for s in steps] == [{"seen"}] * 3
    for got, want in zip(steps, expected, strict=True):
        for field in Transition._meta.concrete_fields:
            if field.attname != "seen":
                assert getattr(got, field.attname) == getattr(want, field.attname), field.attname
        assert got.office.code == want.office.code
    stored = ArchiveHead.objects.get(office_id=approved.accepting_office_id)
    assert (head.pk, head.office_id, head.sequence, head.last_hash) == (
        stored.pk, stored.office_id, stored.sequence, stored.last_hash
    )  # fmt: skip


def test_the_archive_seals_the_snapshot_as_stored_which_a_decision_does_not_read(approved):
    """A decision reads the application without its registry snapshot (kilobytes it does not
    use); sealing reads it with the chain's head, in the same one statement."""
    stored = Application.objects.get(pk=approved.pk).snapshot
    assert stored["assessment"]["item"] == "ui_benefit"
    assert Archive.objects.get(application=approved).content["snapshot"] == stored
    without = Application.objects.defer("snapshot").get(pk=approved.pk)
    with CaptureQueriesContext(connection) as statements:
        _sealing_reads(without)
    assert len(statements.captured_queries) == 1
    assert without.get_deferred_fields() == set() and without.snapshot == stored
