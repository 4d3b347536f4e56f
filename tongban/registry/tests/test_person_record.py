"""``person_record`` reads a person's four lists in one statement (JSON aggregates): the same
rows, in the same order, as the ORM's selectors, with the rows they refer to attached."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.registry.selectors import (
    contributions_of,
    moves_of,
    person_record,
    registrations_of,
    spells_of,
)
from tongban.registry.tests.factories import PersonFactory, person_with_history

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.fixture
def person():
    return person_with_history()


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
