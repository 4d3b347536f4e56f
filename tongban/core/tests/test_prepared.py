"""``core.prepared``: a queryset compiled once gives what the queryset gives, or refuses early.

Every prepared read of the project is compared with its queryset on real rows in
``cases/tests/test_prepared_reads.py``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models.functions import Now
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from tongban.core.models import AuditEvent, OutboxMessage
from tongban.core.prepared import Prepared, insert, update
from tongban.regions.models import Office, Region, RegionCode

pytestmark = pytest.mark.django_db

OFFICES_OF_REGION = Prepared(
    lambda code: Office.objects.select_related("region").filter(region__code=code).order_by("code"),
    str,
)


def test_it_gives_what_the_queryset_gives_with_each_new_value():
    for code in ("460100", "460200", "469001", "000000"):
        prepared = OFFICES_OF_REGION.all(code)
        expected = list(
            Office.objects.select_related("region").filter(region__code=code).order_by("code")
        )
        assert [(o.pk, o.code, o.region.code) for o in prepared] == [
            (o.pk, o.code, o.region.code) for o in expected
        ]
        assert all(o.region_id == o.region.pk for o in prepared)  # joined, not read again
    assert OFFICES_OF_REGION.all("460200")  # not vacuous: Sanya has offices


def test_get_raises_as_the_orm_does():
    by_id = Prepared(lambda pk: Region.objects.filter(pk=pk), int)
    region = Region.objects.get(code="460200")
    assert by_id.get(region.pk) == region
    with pytest.raises(Region.DoesNotExist):
        by_id.get(-1)
    with pytest.raises(Office.MultipleObjectsReturned):
        OFFICES_OF_REGION.get("460200")


def test_a_value_the_orm_would_change_on_the_way_to_sql_is_refused_at_first_use():
    contains = Prepared(lambda text: Office.objects.filter(code__contains=text), str)
    with pytest.raises(TypeError, match="as it is"):
        contains.all("haikou")
    with pytest.raises(TypeError, match="int or str"):
        Prepared(lambda day: RegionCode.objects.filter(valid_from=day), date).all(date.today())
    with pytest.raises(TypeError, match="model instances"):
        values = Prepared(lambda pk: Office.objects.filter(pk=pk).values("code"), int)  # type: ignore[type-var]  # the misuse under test
        values.all(1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_a_locking_read_outside_a_transaction_is_refused(monkeypatch):
    locked = Prepared(lambda pk: Region.objects.select_for_update().filter(pk=pk), int)
    pk = Region.objects.values_list("pk", flat=True).first()
    assert [r.pk for r in locked.all(pk)] == [pk]  # compiled inside the test's transaction
    monkeypatch.setattr(connection, "get_autocommit", lambda: True)
    with pytest.raises(TransactionManagementError):
        locked.all(pk)


def test_insert_writes_the_row_save_would_write():
    at = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    values = dict(
        at=at, actor_kind="staff", actor_label="staff:someone", actor_user_id=7,
        actor_client_id=None, office_code="haikou-longhua", subject_type="application",
        subject_id="TB1", event_type="application_submit",
        data={"from": "", "to": "initial_review", "名": [1, 2.5, None]},
    )  # fmt: skip
    saved = AuditEvent.objects.create(**values)
    inserted = AuditEvent(**values)

    insert(inserted)

    assert inserted.pk is not None and inserted.pk != saved.pk
    assert not inserted._state.adding and inserted._state.db == "default"
    columns = [f.attname for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    rows = {
        row.pop("id"): row
        for row in AuditEvent.objects.filter(pk__in=[saved.pk, inserted.pk]).values("id", *columns)
    }
    assert rows[inserted.pk] == rows[saved.pk]


def test_insert_takes_related_rows_as_save_does():
    region = Region(code="469099", slug="test-region", name_zh="测试", name_en="Test")
    code = RegionCode(code="469099", region=region)  # assigned before the region has an id
    with pytest.raises(ValueError, match="unsaved related object"):
        insert(code)
    insert(region)

    insert(code)

    assert RegionCode.objects.get(pk=code.pk).region_id == region.pk


def test_insert_keeps_the_database_errors_and_refuses_what_it_cannot_write():
    message = OutboxMessage(topic="t", payload={}, created_at=datetime.now(UTC))
    insert(message)
    with pytest.raises(TypeError, match="new rows"):
        insert(message)  # already written
    with pytest.raises(TypeError, match="expressions"):
        insert(OutboxMessage(topic="t", payload={}, created_at=Now()))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(OutboxMessage(topic="t", payload={}, created_at=None))  # NOT NULL


def test_insert_can_skip_a_row_a_unique_rule_refuses_and_go_on_without_a_savepoint():
    region = Region(code="469098", slug="test-skip", name_zh="测试", name_en="Skip")
    assert insert(region, skip_conflict=True) is True
    twin = Region(code="469098", slug="test-skip-2", name_zh="测试", name_en="Twin")  # same code

    with CaptureQueriesContext(connection) as statements:
        written = insert(twin, skip_conflict=True)

    assert written is False and twin.pk is None and twin._state.adding
    assert [q["sql"].split()[0] for q in statements.captured_queries] == ["INSERT"]
    # The transaction is still usable, and only the first row is there.
    assert list(Region.objects.filter(code="469098").values_list("name_en", flat=True)) == ["Skip"]
    with pytest.raises(IntegrityError), transaction.atomic():  # not a unique rule: still raised
        insert(OutboxMessage(topic="t", payload={}, created_at=None), skip_conflict=True)


def test_update_writes_the_columns_save_would_write_and_only_those():
    movable = Office.objects.filter(is_default_for_region=False).exclude(
        kind__in=["agency", "province"]
    )  # no rule keeps these in their region
    saved, updated = movable.exclude(region__code="460100").order_by("code")[:2]
    haikou = Region.objects.get(code="460100")
    for office in (saved, updated):
        office.name_zh = "三亚测试办"
        office.region = haikou  # a related row, by instance, as save() takes it
        office.name_en = "not written"  # changed, but not among the fields
    fields = ["name_zh", "region"]
    saved.save(update_fields=fields)

    with CaptureQueriesContext(connection) as statements:
        update(updated, fields)

    assert len(statements) == 1
    rows = {
        row.pop("id"): row
        for row in Office.objects.filter(pk__in=[saved.pk, updated.pk]).values(
            "id", "name_zh", "region_id", "name_en"
        )
    }
    assert rows[updated.pk] == {**rows[saved.pk], "name_en": rows[updated.pk]["name_en"]}
    assert rows[updated.pk]["region_id"] == haikou.pk
    assert rows[updated.pk]["name_en"] != "not written"


def test_update_refuses_what_save_refuses_and_what_it_cannot_write():
    with pytest.raises(TypeError, match="saved rows"):
        update(Region(code="469098", slug="new", name_zh="新", name_en="New"), ["name_en"])
    office = Office.objects.filter(region__code="460200").first()
    assert office is not None
    with pytest.raises(TypeError, match="own columns"):
        update(office, ["id"])
    for fields in ([], ["name_en", "name_en"], ["region", "region_id"]):
        with pytest.raises(TypeError, match="each of one or more fields once"):
            update(office, fields)
    event = AuditEvent.objects.create(
        at=datetime(2026, 11, 26, tzinfo=UTC), actor_kind="system", actor_label="test",
        subject_type="application", subject_id="TB1", event_type="application_submit", data={},
    )  # fmt: skip
    with pytest.raises(TypeError, match=r"AuditEvent\.save\(\)"):
        update(event, ["event_type"])  # append-only: its save() refuses changes
    with pytest.raises(TypeError, match="expressions"):
        office.name_en = Now()  # the misuse under test
        update(office, ["name_en"])
    office.pk = -1  # a row that is not there
    office.name_en = "gone"
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        update(office, ["name_en"])


def test_a_naive_datetime_is_made_aware_as_the_orm_makes_it():
    """An aware datetime is sent as it is; a naive one goes through the field, which makes it
    aware in the default time zone (with Django's warning), not the database's session zone."""
    from tongban.core.prepared import _plan, _values

    field = AuditEvent._meta.get_field("at")
    plan = _plan(AuditEvent, [field], connection, adding=False)
    event = AuditEvent(at=datetime(2026, 11, 26, 9, 30), actor_kind="system", event_type="t")
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        expected = field.get_db_prep_save(event.at, connection=connection)
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        assert _values(event, plan, connection) == [expected]
    event.at = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    assert _values(event, plan, connection) == [
        field.get_db_prep_save(event.at, connection=connection)
    ]
