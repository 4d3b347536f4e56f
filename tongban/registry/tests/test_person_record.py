"""``person_record`` reads a person's four lists in one statement (JSON aggregates): the same
rows, in the same order, as the ORM's selectors, with the rows they refer to attached."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.regions.selectors import office_get
from tongban.registry.models import Registration, RelationshipMove
from tongban.registry.selectors import (
    contributions_of,
    moves_of,
    person_record,
    registrations_of,
    spells_of,
)
from tongban.registry.tests.factories import (
    EmployerFactory,
    PersonFactory,
    SpellFactory,
    contribute,
    reason,
    region,
)

pytestmark = pytest.mark.django_db

AT = "2026-11-26T02:00:00+00:00"


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.fixture
def person():
    """Two ended spells and one open (no reason yet), two registrations (one with no office),
    a relationship move, contributions in two regions with a month in both."""
    person = PersonFactory(residence_region=region("460200"))
    haikou = SpellFactory(person=person, employer=EmployerFactory(region=region("460100")),
                          start_date=date(2021, 3, 1), end_date=date(2023, 1, 1),
                          reason=reason("contract_expired"))  # fmt: skip
    sanya = SpellFactory(person=person, employer=EmployerFactory(region=region("460200")),
                         start_date=date(2022, 12, 1), end_date=date(2025, 6, 1),
                         reason=reason("dismissed"))  # fmt: skip
    SpellFactory(person=person, employer=EmployerFactory(region=region("460400")),
                 start_date=date(2026, 2, 1), end_date=None, reason=None)  # fmt: skip
    contribute(haikou, 22)
    contribute(sanya, 30)
    for kind, office, start, end in (
        ("employment", None, date(2021, 3, 1), date(2025, 6, 1)),
        ("unemployment", office_get(code="sanya-jiyang"), date(2025, 6, 2), None),
    ):
        Registration.objects.create(person=person, kind=kind, region=region("460200"),
                                    office=office, start_date=start, end_date=end,
                                    source="import", created_at=AT)  # fmt: skip
    RelationshipMove.objects.create(person=person, from_region=region("460100"),
                                    region=region("460200"), moved_on=date(2025, 7, 1),
                                    source="TRF1", created_at=AT)  # fmt: skip
    return person


def test_the_record_is_what_the_orm_reads(person):
    # when
    with CaptureQueriesContext(connection) as statements:
        record = person_record(person=person)

    # then: one statement, and row for row what the ORM's selectors give
    assert len(statements.captured_queries) == 1
    for mine, orm in (
        (record.spells, spells_of(person=person)),
        (record.registrations, registrations_of(person=person)),
        (record.moves, moves_of(person=person)),
    ):
        assert [_fields(r) for r in mine] == [_fields(r) for r in orm]
    assert record.contributions == sorted(contributions_of(person=person))
    assert len(record.contributions) == 52


def test_the_rows_referred_to_come_attached(person):
    record = person_record(person=person)

    with CaptureQueriesContext(connection) as statements:
        spell = record.spells[1]
        assert (spell.region.code, spell.employer.uscc, spell.reason.code) == (
            "460200", spell.employer.uscc, "dismissed"
        )  # fmt: skip
        assert record.spells[2].reason is None
        assert [r.office.code if r.office else None for r in record.registrations] == [
            None, "sanya-jiyang"
        ]  # fmt: skip
        assert (record.moves[0].from_region.code, record.moves[0].region.code) == (
            "460100", "460200"
        )  # fmt: skip
        assert record.spells[0].person is person
        assert record.registrations[0].created_at == record.moves[0].created_at
        assert record.moves[0].created_at.utcoffset() is not None
    assert len(statements.captured_queries) == 0
    orm = spells_of(person=person)[1]
    for mine, theirs in ((spell.employer, orm.employer), (spell.region, orm.region),
                         (spell.reason, orm.reason)):  # fmt: skip
        assert _fields(mine) == _fields(theirs)
    assert record.insured_region(date(2026, 11, 26)).code == "460400"


def test_a_person_with_no_history_has_empty_lists():
    record = person_record(person=PersonFactory())
    assert (record.spells, record.contributions, record.registrations, record.moves) == (
        [], [], [], []
    )  # fmt: skip
