import pytest
from django.db import DatabaseError, connection, transaction

from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.dbtriggers import APPEND_ONLY_TABLES
from tongban.core.models import AppendOnlyError, AuditEvent, OutboxMessage
from tongban.core.outbox import handles, outbox_deliver, outbox_emit

pytestmark = pytest.mark.django_db

ACTOR = Actor(kind="staff", label="tester", user_id=7, office_code="haikou-agency")


def _event() -> AuditEvent:
    with transaction.atomic():
        return audit_record(
            actor=ACTOR, event_type="thing_done", subject_type="person", subject_id=1, data={"a": 1}
        )


def test_an_audit_event_records_who_where_what():
    event = _event()
    assert (event.actor_kind, event.actor_user_id, event.office_code) == (
        "staff",
        7,
        "haikou-agency",
    )
    assert (event.subject_type, event.subject_id, event.event_type) == ("person", "1", "thing_done")
    assert event.at is not None


def test_the_orm_refuses_to_change_or_delete_audit_events():
    event = _event()
    event.event_type = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(event_type="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).event_type == "thing_done"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET event_type = 'rewritten' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ],
)
def test_postgresql_refuses_raw_sql_changes_too(sql):
    event = _event()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).event_type == "thing_done"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_postgresql_refuses_to_truncate_an_append_only_table(table):
    event = _event()
    with (
        pytest.raises(DatabaseError, match=f"TRUNCATE of {table} is refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL tongban.allow_truncate = 'off'")  # as the application runs
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.transactional
@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=ACTOR, event_type="x", subject_type="y", subject_id=1)


def test_outbox_rows_roll_back_with_the_change():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        outbox_emit("test.rolled_back", {"n": 1})
        1 / 0  # noqa: B018
    assert not OutboxMessage.objects.filter(topic="test.rolled_back").exists()


def test_outbox_delivers_after_commit_and_retries_failures(django_capture_on_commit_callbacks):
    seen = []
    failing = {"left": 1}

    @handles("test.delivered")
    def handler(payload):
        if failing["left"]:
            failing["left"] -= 1
            raise RuntimeError("gateway down")
        seen.append(payload["n"])

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox_emit("test.delivered", {"n": 1})
    message.refresh_from_db()
    assert seen == []
    assert message.processed_at is None
    assert message.attempts == 1
    assert "gateway down" in message.last_error
    assert outbox_deliver(topic="test.delivered") == 1
    message.refresh_from_db()
    assert seen == [1]
    assert message.processed_at is not None
    assert outbox_deliver(topic="test.delivered") == 0  # delivered once
