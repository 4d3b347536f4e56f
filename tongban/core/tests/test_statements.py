"""``core.prepared.run``: where the prepared statements go. On PostgreSQL, outside Django's query
log and execute wrappers, to one cursor kept with the connection, with Django's checks and
errors; wherever Django must see each statement, through Django's own cursor (ADR 0213)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import psycopg
import pytest
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from psycopg.postgres import types
from psycopg.pq import Format

from tongban.core.prepared import _kept_cursor, fetch_all, fetch_one, run
from tongban.regions.models import Region

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"
JSON_OID = types["json"].oid
TIMESTAMPTZ_OID = types["timestamptz"].oid
REGION = "SELECT code, name_en FROM regions_region WHERE code = %s"


def _kept():
    """The cursor ``run`` keeps on this thread's connection: the connection itself, not Django's
    ``connection`` proxy (whose ``__dict__`` is its own)."""
    return _kept_cursor(connections[DEFAULT_DB_ALIAS])


def test_statements_go_to_one_cursor_kept_with_the_connection_on_postgresql():
    assert not connection.queries_logged
    first = _kept()
    assert fetch_one(REGION, ["460200"]) == ("460200", "Sanya")
    assert fetch_all(REGION, ["460100"]) == [("460100", "Haikou")]
    if ON_POSTGRESQL:
        assert first is not None and _kept() is first
        assert type(first).__name__ == "RawCursor"  # placeholders numbered once, sent as they are
    else:
        assert first is None  # SQLite: Django's own cursor every time


def test_django_sees_every_statement_where_it_logs_or_wraps_them():
    seen: list[str] = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        assert _kept() is None
        assert fetch_one(REGION, ["460200"]) == ("460200", "Sanya")
    with CaptureQueriesContext(connection) as logged:
        assert _kept() is None
        assert fetch_one(REGION, ["460200"]) == ("460200", "Sanya")
    assert seen == [REGION]
    assert [q["sql"] for q in logged.captured_queries] == [REGION.replace("%s", "'460200'")]


def test_a_database_error_is_djangos_own_and_the_statement_after_it_is_refused():
    Region.objects.create(code="469097", slug="test-kept", name_zh="测试", name_en="Kept")
    insert = "INSERT INTO regions_region (code, slug, name_zh, name_en, sort_order) VALUES (%s, %s, %s, %s, 0)"  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        run(connection, insert, ["469097", "test-kept-2", "测试", "Twin"])
    with pytest.raises(DatabaseError), transaction.atomic():  # Django's class, not the driver's
        fetch_one("SELECT no_such_column FROM regions_region WHERE code = %s", ["460200"])
    # An error caught inside an atomic block without its own savepoint breaks the block: Django
    # refuses every statement after it until the block ends, and so does run().
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            run(connection, insert, ["469097", "test-kept-3", "测试", "Twin"])
        with pytest.raises(TransactionManagementError):
            fetch_one(REGION, ["460200"])
        transaction.set_rollback(True)
    assert fetch_one(REGION, ["460200"]) == ("460200", "Sanya")  # the connection goes on


@pytest.mark.transactional
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRESQL, reason="the kept cursor is PostgreSQL's")
def test_a_new_connection_gets_a_new_cursor(reference_data_committed):
    first = _kept()
    connection.close()
    assert fetch_one(REGION, ["460200"]) == ("460200", "Sanya")  # connects again, as Django does
    second = _kept()
    assert second is not None and second is not first and first.connection.closed


def test_another_threads_connection_is_refused_as_django_refuses_it():
    import threading

    fetch_one(REGION, ["460200"])  # the kept cursor exists
    this_threads = connections[DEFAULT_DB_ALIAS]
    raised: list[BaseException] = []

    def elsewhere() -> None:
        try:
            run(this_threads, REGION, ["460200"])
        except BaseException as error:  # what it raised is the test's subject
            raised.append(error)

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join()
    assert len(raised) == 1 and isinstance(raised[0], DatabaseError)
    assert "same thread" in str(raised[0])


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the kept cursor is PostgreSQL's")
def test_json_aggregates_read_the_same_on_the_kept_cursor_as_through_django():
    """The kept cursor parses ``json`` with orjson (ADR 0214); Django's cursor with ``json``."""
    sql = (
        "SELECT json_build_object('code', code, 'names', json_build_array(name_zh, name_en), "
        "'big', 9223372036854775807, 'none', NULL, 'yes', true) FROM regions_region WHERE code = %s"
    )
    expected = {
        "code": "460200", "names": ["三亚市", "Sanya"], "big": 2**63 - 1, "none": None, "yes": True,
    }  # fmt: skip
    (kept,) = fetch_one(sql, ["460200"])
    with CaptureQueriesContext(connection):  # through Django's cursor
        (through_django,) = fetch_one(sql, ["460200"])
    assert kept == through_django == expected
    loader = _kept().adapters.get_loader(JSON_OID, Format.TEXT)
    assert loader.__name__ == "_JsonLoader"


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the kept cursor is PostgreSQL's")
def test_timestamps_read_the_same_on_the_kept_cursor_as_through_django():
    """Where the session's time zone is Django's (UTC with ``USE_TZ``), the kept cursor reads
    timestamps with psycopg's compiled loader, not Django's Python subclass (ADR 0214)."""
    sql = "SELECT %s::timestamptz, now(), NULL::timestamptz"
    (kept, now, null) = fetch_one(sql, ["2026-11-26 09:30:00.123456+08"])
    with CaptureQueriesContext(connection):  # through Django's cursor
        through_django = fetch_one(sql, ["2026-11-26 09:30:00.123456+08"])
    assert (kept, null) == (through_django[0], through_django[2])
    assert kept == datetime(2026, 11, 26, 1, 30, 0, 123456, tzinfo=UTC)
    assert kept.tzinfo is through_django[0].tzinfo is now.tzinfo is connection.timezone
    loader = _kept().adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    assert loader is psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the kept cursor is PostgreSQL's")
def test_the_kept_cursor_keeps_its_transformer_across_statements():
    """psycopg would make a new Transformer for each statement (ADR 0214): its dumpers, looked
    up by type, serve the next statement too, with other parameters and other results."""
    kept = _kept()
    assert fetch_one(REGION, ["460200"]) == ("460200", "Sanya")
    transformer = kept._tx
    assert fetch_one("SELECT %s::int + 1, %s::text, %s::date", [41, "失业", date(2026, 11, 26)]) == (
        42, "失业", date(2026, 11, 26)
    )  # fmt: skip
    assert fetch_all(REGION, ["460100"]) == [("460100", "Haikou")]
    assert kept._tx is transformer
