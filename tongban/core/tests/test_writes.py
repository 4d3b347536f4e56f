"""``core.prepared.Writes``: a step's writes sent together (one statement on PostgreSQL) land
as the same writes sent one by one would, fail together, and are never half sent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.postgres.fields import ArrayField
from django.db import DatabaseError, DataError, IntegrityError, connection, models, transaction
from django.test.utils import CaptureQueriesContext

from tongban.core import prepared
from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.models import AuditEvent, OutboxMessage
from tongban.core.outbox import handles, outbox_emit
from tongban.core.prepared import Writes, _numbered, fetch_one, insert, joined
from tongban.regions.models import Office, Region

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
ACTOR = Actor(kind="system", label="writes test")


def _event(subject: str, **data: object) -> AuditEvent:
    return AuditEvent(
        at=AT, actor_kind="system", actor_label="writes test", subject_type="test",
        subject_id=subject, event_type="test.written", data=data,
    )  # fmt: skip


def _batch(region: Region) -> Writes:
    writes = Writes()
    writes.insert(_event("a", text="海口 100%"))
    writes.insert(OutboxMessage(topic="test.writes", payload={"n": 1}, created_at=AT))
    writes.insert(_event("b"))
    region.name_en = "Renamed in a batch"
    writes.update(region, ["name_en"])
    writes.add("UPDATE regions_office SET name_en = %s WHERE code = %s", ["Office 50%", "haikou-longhua"])  # fmt: skip
    return writes


def _landed(region: Region) -> None:
    assert list(
        AuditEvent.objects.filter(event_type="test.written")
        .order_by("subject_id")
        .values_list("subject_id", "data")
    ) == [("a", {"text": "海口 100%"}), ("b", {})]
    assert OutboxMessage.objects.get(topic="test.writes").payload == {"n": 1}
    region.refresh_from_db()
    assert region.name_en == "Renamed in a batch"
    assert Office.objects.get(code="haikou-longhua").name_en == "Office 50%"


def test_a_batch_lands_as_its_writes_would_in_one_statement_on_postgresql():
    region = Region.objects.get(code="460200")
    writes = _batch(region)
    with transaction.atomic(), CaptureQueriesContext(connection) as sent:
        writes.send()
    statements = [q["sql"] for q in sent.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == (1 if connection.vendor == "postgresql" else 5)
    _landed(region)


def test_outside_the_query_log_it_is_sent_with_numbered_placeholders():
    # What production does: Django logs no queries, and the batch goes as PostgreSQL's own
    # ``$1 … $n`` (SQLite runs the statements one by one either way).
    region = Region.objects.get(code="460200")
    assert not connection.queries_logged
    with transaction.atomic():
        _batch(region).send()
    _landed(region)


def test_numbering_the_placeholders_keeps_literal_percent_signs():
    sql = "INSERT INTO t (a, b) VALUES (%s, '100%%') ON CONFLICT DO UPDATE SET c = %s"
    assert (
        _numbered(sql)
        == "INSERT INTO t (a, b) VALUES ($1, '100%') ON CONFLICT DO UPDATE SET c = $2"
    )
    assert _numbered(sql) is _numbered(sql)  # worked out once per text


def test_a_long_read_gives_the_same_row_in_and_outside_the_query_log():
    # Outside the log (production) a read goes with numbered placeholders on PostgreSQL, its
    # text parsed once; a literal %% and values of several kinds arrive as they were sent.
    sql = "SELECT %s, %s, '100%%', (SELECT code FROM regions_region WHERE code = %s)" + " " * 5000
    values = [7, "水", "460200"]
    assert not connection.queries_logged
    plain = fetch_one(sql, values)
    # Numbered (and kept) on PostgreSQL only: SQLite takes ``%s`` through Django either way.
    assert (sql in prepared._NUMBERED) == (connection.vendor == "postgresql")
    with CaptureQueriesContext(connection) as logged:
        again = fetch_one(sql, values)
    assert tuple(plain) == tuple(again) == (7, "水", "100%", "460200")
    assert len(logged.captured_queries) == 1


@pytest.mark.parametrize("logged", [True, False])
def test_a_failing_write_fails_the_whole_batch_and_the_transaction_keeps_none_of_it(logged):
    writes = Writes()
    writes.insert(_event("kept?"))
    writes.insert(OutboxMessage(topic="test.writes", payload=None, created_at=AT))  # NOT NULL
    with pytest.raises(IntegrityError), transaction.atomic():
        if logged:
            with CaptureQueriesContext(connection):
                writes.send()
        else:
            writes.send()
    assert not AuditEvent.objects.filter(subject_id="kept?").exists()
    assert not OutboxMessage.objects.filter(topic="test.writes").exists()


def test_a_block_that_raises_sends_nothing_and_one_that_ends_sends_once():
    with pytest.raises(ZeroDivisionError), transaction.atomic(), Writes() as writes:
        writes.insert(_event("dropped"))
        1 / 0  # noqa: B018
    assert not AuditEvent.objects.filter(subject_id="dropped").exists()

    with transaction.atomic():
        with Writes() as writes:
            writes.insert(_event("sent"))
        writes.send()  # nothing left to send
    assert AuditEvent.objects.filter(subject_id="sent").count() == 1


def test_joined_uses_the_callers_batch_or_sends_its_own():
    with transaction.atomic():
        with Writes() as outer:
            with joined(outer) as batch:
                batch.insert(_event("joined"))
            assert not AuditEvent.objects.filter(subject_id="joined").exists()  # the caller's
        assert AuditEvent.objects.filter(subject_id="joined").exists()
        with joined(None) as own:
            own.insert(_event("own"))
        assert AuditEvent.objects.filter(subject_id="own").exists()


def test_a_batch_writes_new_rows_only():
    event = _event("saved")
    with transaction.atomic():
        insert(event)
        with pytest.raises(TypeError, match="new rows"):
            Writes().insert(event)
        with pytest.raises(TypeError, match="saved rows"):
            Writes().update(_event("new"), ["data"])


@pytest.mark.parametrize("alone", [True, False])
def test_one_row_of_a_batch_can_be_given_its_id(alone):
    region = Region.objects.get(code="460200")
    writes = Writes() if alone else _batch(region)
    wanted = _event("with id", n=3)
    wanted.event_type = "test.with_id"  # beside the batch's own rows, which _landed checks
    writes.insert(wanted, with_id=True)
    with pytest.raises(TypeError, match="not two"):
        writes.insert(_event("second"), with_id=True)
    with transaction.atomic(), CaptureQueriesContext(connection) as sent:
        writes.send()
    statements = [q["sql"] for q in sent.captured_queries if "SAVEPOINT" not in q["sql"]]
    on_postgresql = connection.vendor == "postgresql"
    assert len(statements) == (1 if on_postgresql or alone else 6)
    assert wanted.pk is not None and not wanted._state.adding and wanted._state.db == "default"
    assert AuditEvent.objects.get(pk=wanted.pk).subject_id == "with id"
    assert not AuditEvent.objects.filter(subject_id="second").exists()  # refused, not written
    if not alone:
        _landed(region)


def test_a_batch_that_raises_gives_no_id_and_the_next_batch_starts_empty():
    dropped = _event("dropped with id")
    with pytest.raises(ZeroDivisionError), transaction.atomic(), Writes() as writes:
        writes.insert(dropped, with_id=True)
        1 / 0  # noqa: B018
    assert dropped.pk is None
    writes.insert(_event("next"), with_id=True)  # the batch's one row with an id is free again
    with transaction.atomic():
        writes.send()
    assert not AuditEvent.objects.filter(subject_id="dropped with id").exists()
    assert AuditEvent.objects.filter(subject_id="next").count() == 1


def test_audit_and_outbox_rows_in_a_batch_are_written_with_it():
    with transaction.atomic(), Writes() as writes:
        event = audit_record(actor=ACTOR, event_type="test.batched", subject_type="test",
                             subject_id=1, writes=writes)  # fmt: skip
        message = outbox_emit("test.batched", {"n": 2}, writes=writes)
        assert event.pk is None and message.pk is None  # not sent yet, and never given ids
        assert not AuditEvent.objects.filter(event_type="test.batched").exists()
    assert AuditEvent.objects.filter(event_type="test.batched").count() == 1
    assert OutboxMessage.objects.filter(topic="test.batched").count() == 1


def test_an_event_with_handlers_here_is_written_at_once_for_delivery_by_its_id(
    django_capture_on_commit_callbacks,
):
    seen = []

    @handles("test.batched_handled")
    def handler(payload):
        seen.append(payload["n"])

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic(), Writes() as writes:
        message = outbox_emit("test.batched_handled", {"n": 3}, writes=writes)
        assert message.pk is not None  # written at once, not with the batch
    assert seen == [3]


def _successor(of: Region) -> Region:
    """A region row that takes ``of``'s code, which is unique: only one row may hold it."""
    return Region(code=of.code, slug="successor", name_zh="继任", name_en="Successor")


@pytest.mark.parametrize("alone", [True, False])
def test_a_row_that_takes_another_ones_place_is_written_after_the_other_is_changed(alone):
    old = Region.objects.get(code="469030")
    writes = Writes() if alone else _batch(Region.objects.get(code="460200"))
    successor = _successor(old)
    old.code = "469999"
    writes.replace(old, ["code"], successor)
    with pytest.raises(TypeError, match="not two"):
        writes.insert(_event("second"), with_id=True)
    with transaction.atomic(), CaptureQueriesContext(connection) as sent:
        writes.send()
    statements = [q["sql"] for q in sent.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == (1 if connection.vendor == "postgresql" else 2 if alone else 7)
    assert successor.pk is not None and not successor._state.adding
    assert Region.objects.get(code="469030").pk == successor.pk
    assert Region.objects.get(pk=old.pk).code == "469999"
    if not alone:
        _landed(Region.objects.get(code="460200"))  # each clause's values where they belong


@pytest.mark.parametrize("alone", [True, False])
def test_nothing_of_a_batch_is_kept_when_the_row_to_be_replaced_is_not_there(alone):
    gone = Region.objects.get(code="469030")
    successor = _successor(gone)
    gone.pk = 10**6  # no such row: the update changes nothing
    writes = Writes() if alone else _batch(Region.objects.get(code="460200"))
    writes.replace(gone, ["code"], successor)
    # The error is caught inside the block, which ends without one, and still keeps nothing.
    with transaction.atomic(), pytest.raises(DatabaseError, match="nothing took its place"):
        writes.send()
    assert successor.pk is None
    assert not Region.objects.filter(slug="successor").exists()
    assert not AuditEvent.objects.filter(event_type="test.written").exists()
    assert Region.objects.get(code="460200").name_en != "Renamed in a batch"


def test_a_refused_replacement_leaves_the_batch_as_it_was():
    old = Region.objects.get(code="469030")
    unsaved = Region(code="469998", slug="unsaved", name_zh="未存", name_en="Unsaved")
    successor = Office(code="successor-office", name_zh="继任", name_en="Successor", region=unsaved)
    writes = Writes()
    with pytest.raises(ValueError, match="unsaved related object"):
        writes.replace(old, ["name_en"], successor)
    with transaction.atomic(), CaptureQueriesContext(connection) as sent:
        writes.send()
    assert sent.captured_queries == []  # neither the update nor the insert was kept


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's types")
def test_a_value_in_a_place_taking_row_is_cast_without_a_length_or_a_precision():
    casts = {
        models.CharField(max_length=5): "varchar",
        models.DecimalField(max_digits=12, decimal_places=2): "numeric",
        ArrayField(models.CharField(max_length=2)): "varchar[]",
        models.BigIntegerField(): "bigint",
        models.DateTimeField(): "timestamp with time zone",
        models.JSONField(): "jsonb",
    }
    for field, cast in casts.items():
        assert prepared._cast_type(field, connection) == cast, field


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps any length")
def test_a_text_too_long_for_its_column_is_refused_not_cut_short_in_a_place_taking_row():
    old = Region.objects.get(code="469030")
    successor = _successor(old)
    successor.code = "4690301"  # seven characters in a six-character column
    old.code = "469999"
    writes = Writes()
    writes.replace(old, ["code"], successor)
    with pytest.raises(DataError), transaction.atomic():
        writes.send()
    assert Region.objects.filter(code="469030").count() == 1
