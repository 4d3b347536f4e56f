"""A person view is one statement: the registry record and the entitlements (and, found by ID
number, the person), the same rows as the selectors that read each alone."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.benefits.selectors import entitlements_of
from tongban.benefits.tests.factories import entitlement
from tongban.cases.facts import person_view, person_view_get
from tongban.core.errors import InvalidInput, NotFound
from tongban.regions.selectors import agency_for_region
from tongban.registry.selectors import person_get, person_record
from tongban.registry.tests.factories import PersonFactory, person_with_history

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.fixture
def person():
    """The registry's person with a history (spells, contributions, registrations, a move), and
    two entitlements decided on different days (the later one written first), one with an
    explanation that nests objects, lists and Chinese text."""
    person = person_with_history()
    later = entitlement(person, region="460100", start=date(2026, 11, 1), status="active")
    later.explanation = {"zh": "失业保险金", "steps": [{"figures": {"months": 18}}], "n": None}
    later.save(update_fields=["explanation"])
    entitlement(person, region="460200", item="unemployment_subsidy", start=date(2024, 3, 1),
                status="ended")  # fmt: skip
    return person


def _same_view(view, person) -> None:
    assert _fields(view.person) == _fields(person_get(id_number=person.id_number))
    assert view.person.residence_region.code == "460200"
    orm = entitlements_of(person_id=person.pk)
    assert [_fields(e) for e in view.entitlements] == [_fields(e) for e in orm]
    assert [e.paying_region.code for e in view.entitlements] == ["460200", "460100"]
    record = person_record(person=person)
    for mine, theirs in (
        (view.record.spells, record.spells),
        (view.record.registrations, record.registrations),
        (view.record.moves, record.moves),
    ):
        assert mine and [_fields(r) for r in mine] == [_fields(r) for r in theirs]
    assert len(view.record.contributions) == 52
    assert view.record.contributions == record.contributions
    assert [r.office.code if r.office else None for r in view.record.registrations] == [
        None, "sanya-jiyang"
    ]  # fmt: skip
    assert view.record.moves[0].from_region.code == "460100"


def test_a_view_is_one_statement_with_what_the_selectors_read(person):
    with CaptureQueriesContext(connection) as statements:
        view = person_view(person)
        found = person_view_get(id_number=person.id_number)
    assert len(statements.captured_queries) == 2
    # Outside the query log, as in production (numbered placeholders on PostgreSQL).
    assert not connection.queries_logged
    unlogged = [person_view(person), person_view_get(id_number=person.id_number)]

    for each in (view, found, *unlogged):
        _same_view(each, person)
    assert view.entitlements[1].explanation["zh"] == "失业保险金"
    assert view.running_ui_entitlement().paying_region.code == "460100"


def test_a_person_with_nothing_has_empty_lists():
    person = PersonFactory()
    view = person_view_get(id_number=person.id_number)
    assert view.person.pk == person.pk
    assert (view.entitlements, view.record.spells, view.record.contributions) == ([], [], [])


def test_a_malformed_number_is_invalid_input_and_an_unknown_one_not_found(person):
    wrong_check_digit = person.id_number[:-1] + ("0" if person.id_number[-1] != "0" else "1")
    with pytest.raises(InvalidInput) as malformed:
        person_view_get(id_number=wrong_check_digit)
    assert [(e.field, e.code) for e in malformed.value.errors] == [("id_number", "check_digit")]
    unknown = PersonFactory.build().id_number
    with pytest.raises(NotFound) as missing:
        person_view_get(id_number=unknown)
    assert missing.value.code == "unknown_person"


def test_found_by_number_a_view_has_the_agencies_where_the_person_may_be_insured(person):
    """Routing a new application reads no agency of its own: the view has those of the regions
    of the person's spells and moves, as ``agency_for_region`` reads them."""
    record = person_record(person=person)
    regions = {s.region for s in record.spells} | {m.region for m in record.moves}
    found = person_view_get(id_number=person.id_number)
    assert set(found.agencies) == {region.pk for region in regions}
    with CaptureQueriesContext(connection) as statements:
        for region in regions:
            agency = found.agency(region)
            assert _fields(agency) == _fields(agency_for_region(region_id=region.pk))
            assert agency.region is region
    assert len(statements.captured_queries) == len(regions)  # the comparison's reads only
    by_id = person_view(person)  # not found by number: it reads the agency when asked
    insured = by_id.insured_region(date(2026, 11, 26))
    with CaptureQueriesContext(connection) as statements:
        assert by_id.agency(insured).pk == agency_for_region(region_id=insured.pk).pk
    assert len(statements.captured_queries) == 2
