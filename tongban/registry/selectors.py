"""Reading the registry: what the platform knows about a person, pulled instead of papers."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Model, Q, QuerySet, Sum

from tongban.core.errors import InvalidInput, NotFound
from tongban.core.identifiers import InvalidIdentifier, parse_citizen_id
from tongban.core.instances import attach
from tongban.core.jsonrows import (
    from_json_row,
    json_functions,
    json_list,
    json_nested,
    json_row,
)
from tongban.core.prepared import Prepared, fetch_one
from tongban.regions.selectors import office_from_json, region_from_json, row_sql
from tongban.registry.models import (
    Contribution,
    Employer,
    InsuranceSpell,
    Person,
    Registration,
    RelationshipMove,
    SeparationReason,
)

if TYPE_CHECKING:
    from tongban.regions.models import Region

LOOKUP_CHUNK = 5000


_PERSON_BY_ID_NUMBER = Prepared(  # every application starts here (core.prepared)
    lambda number: Person.objects.select_related("residence_region").filter(id_number=number),
    str,
)


def person_get(*, id_number: str, as_of: date | None = None) -> Person:
    """The person with this ID number; a malformed number is a 422, an unknown one a 404."""
    try:
        return _PERSON_BY_ID_NUMBER.get(citizen_number(id_number, as_of=as_of))
    except Person.DoesNotExist:
        raise unknown_person() from None


def citizen_number(id_number: str, *, as_of: date | None = None) -> str:
    """The ID number as the registry keeps it; a malformed one is a 422 on ``id_number``."""
    try:
        return parse_citizen_id(id_number, as_of=as_of).number
    except InvalidIdentifier as error:
        raise InvalidInput.of("id_number", error.code, error.message) from None


def unknown_person() -> NotFound:
    return NotFound(
        "No person with this ID number is known to the registry.", code="unknown_person"
    )


@functools.cache
def person_row_sql(vendor: str) -> tuple[str, str]:
    """(JSON of the person ``p`` with their residence region, ``FROM`` clause of ``p``) for a
    statement that selects a person by ID number with more about them (``cases.facts``);
    ``vendor`` only keys the cache."""
    build = json_functions()[0]
    region, region_row = row_sql("region", "r")
    return (
        f"{build}('person', {json_row(Person, 'p')}, 'region', {region_row})",
        f"{Person._meta.db_table} p JOIN {region} r ON r.id = p.residence_region_id",
    )


def person_from_json(values: dict[str, Any]) -> Person:
    person = from_json_row(Person, values["person"])
    attach(person, "residence_region", region_from_json(values["region"]))
    return person


def person_by_pk(*, pk: int) -> Person:
    return Person.objects.select_related("residence_region").get(pk=pk)


def employer_get(*, uscc: str) -> Employer:
    employer = Employer.objects.select_related("region").filter(uscc=uscc).first()
    if employer is None:
        raise NotFound("No employer with this credit code is known.", code="unknown_employer")
    return employer


def separation_reasons_list() -> QuerySet[SeparationReason]:
    return SeparationReason.objects.order_by("sort_order", "code")


def separation_reason_ids_by_code() -> dict[str, int]:
    return dict(SeparationReason.objects.values_list("code", "id"))


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield values[start : start + LOOKUP_CHUNK]


def person_ids_for(id_numbers: Iterable[str]) -> dict[str, int]:
    """ID number → person id for those known; one query per few thousand numbers."""
    wanted = sorted(set(id_numbers))
    found: dict[str, int] = {}
    for chunk in _chunks(wanted):
        found.update(Person.objects.filter(id_number__in=chunk).values_list("id_number", "id"))
    return found


def employer_ids_for(usccs: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(usccs))
    found: dict[str, int] = {}
    for chunk in _chunks(wanted):
        found.update(Employer.objects.filter(uscc__in=chunk).values_list("uscc", "id"))
    return found


def spells_of(*, person: Person) -> list[InsuranceSpell]:
    """All insurance spells of a person, oldest first, with employer, region and reason."""
    return list(
        InsuranceSpell.objects.filter(person=person)
        .select_related("employer", "region", "reason")
        .order_by("start_date", "id")
    )


def open_spells_of(*, person: Person, as_of: date) -> list[InsuranceSpell]:
    return [
        s
        for s in spells_of(person=person)
        if s.start_date <= as_of and (s.end_date is None or s.end_date > as_of)
    ]


def insured_spell(*, person: Person, as_of: date) -> InsuranceSpell | None:
    """The spell that holds the person's UI relationship on ``as_of`` (docs/routing.md)."""
    return insured_spell_among(spells_of(person=person), as_of)


def insured_spell_among(spells: list[InsuranceSpell], as_of: date) -> InsuranceSpell | None:
    """The routing rule on already-loaded spells.

    The relationship follows the person: it sits in the region of the spell that
    started last among those started by ``as_of`` (an open one wins over ended
    ones; among several open, the latest start, then the highest id). If every
    spell has ended, it stays with the one that ended last. No spell: None.
    """
    started = [s for s in spells if s.start_date <= as_of]
    if not started:
        return None
    open_now = [s for s in started if s.end_date is None or s.end_date > as_of]
    if open_now:
        return max(open_now, key=lambda s: (s.start_date, s.pk))
    return max(started, key=lambda s: (s.end_date or date.max, s.start_date, s.pk))


def moves_of(*, person: Person) -> list[RelationshipMove]:
    """Relationship moves not caused by a spell (a recipient's residence move), oldest first."""
    return list(
        RelationshipMove.objects.filter(person=person)
        .select_related("region", "from_region")
        .order_by("moved_on", "id")
    )


def insured_region_among(
    spells: list[InsuranceSpell], moves: list[RelationshipMove], as_of: date
) -> Region | None:
    """Where the UI relationship is on ``as_of``: the region of the newest relationship event.

    An event is a spell's start (the spell chosen by :func:`insured_spell_among`) or a
    recorded move (``RelationshipMove``: a recipient's residence moved and the benefit
    followed them). On the same day the spell wins. No event at all: None.
    """
    spell = insured_spell_among(spells, as_of)
    started = [m for m in moves if m.moved_on <= as_of]
    if not started:
        return spell.region if spell is not None else None
    move = max(started, key=lambda m: (m.moved_on, m.pk))
    if spell is not None and spell.start_date >= move.moved_on:
        return spell.region
    return move.region


def insured_region(*, person: Person, as_of: date) -> Region | None:
    """The region whose fund holds the person's UI relationship on ``as_of`` (docs/routing.md)."""
    return insured_region_among(spells_of(person=person), moves_of(person=person), as_of)


@dataclass(frozen=True)
class PersonRecord:
    """What the registry holds about one person, read in one statement (``person_record``)."""

    person: Person
    spells: list[InsuranceSpell]
    contributions: list[tuple[date, str]]  # (month, region code), oldest first
    registrations: list[Registration]
    moves: list[RelationshipMove]

    def insured_spell(self, as_of: date) -> InsuranceSpell | None:
        return insured_spell_among(self.spells, as_of)

    def insured_region(self, as_of: date) -> Region | None:
        return insured_region_among(self.spells, self.moves, as_of)

    def contributions_until(self, until: date) -> list[tuple[date, str]]:
        return [(m, r) for m, r in self.contributions if m <= until]


def person_record(*, person: Person) -> PersonRecord:
    """Everything the registry holds about ``person``, in one statement: each of the four
    lists is a JSON aggregate, with the rows it refers to nested (``core.jsonrows``).
    ``cases.facts.person_view`` reads the same lists in its own statement."""
    row = fetch_one(_record_sql(connection.vendor), [person.pk] * len(RECORD_LISTS))
    return record_from_lists(person, row)


# The lists of a person's record, in the order record_lists_sql gives them.
RECORD_LISTS = ("spells", "contributions", "registrations", "moves")


def record_from_lists(person: Person, values: Sequence[object]) -> PersonRecord:
    """The record made of the values of :func:`record_lists_sql`'s subqueries."""
    spells_json, months_json, registrations_json, moves_json = map(json_list, values)
    spells = []
    for item in spells_json:
        spell = from_json_row(InsuranceSpell, item["spell"])
        attach(spell, "person", person)
        attach(spell, "employer", from_json_row(Employer, item["employer"]))
        attach(spell, "region", region_from_json(item["region"]))
        reason = from_json_row(SeparationReason, item["reason"]) if spell.reason_id else None
        attach(spell, "reason", reason)
        spells.append(spell)
    registrations = []
    for item in registrations_json:
        registration = from_json_row(Registration, item["registration"])
        attach(registration, "person", person)
        attach(registration, "region", region_from_json(item["region"]))
        office = office_from_json(item["office"]) if registration.office_id else None
        attach(registration, "office", office)
        registrations.append(registration)
    moves = []
    for item in moves_json:
        move = from_json_row(RelationshipMove, item["move"])
        attach(move, "person", person)
        attach(move, "region", region_from_json(item["region"]))
        attach(move, "from_region", region_from_json(item["from_region"]))
        moves.append(move)
    return PersonRecord(
        person=person,
        spells=sorted(spells, key=lambda s: (s.start_date, s.pk)),
        contributions=sorted(
            (date.fromisoformat(month), code) for code, months in months_json for month in months
        ),
        registrations=sorted(registrations, key=lambda r: (r.start_date, r.pk)),
        moves=sorted(moves, key=lambda m: (m.moved_on, m.pk)),
    )


@functools.cache
def _record_sql(vendor: str) -> str:
    """The statement of :func:`person_record`, built once per kind of database (``vendor``
    is the current connection's: it only keys the cache)."""
    return "SELECT " + ", ".join(record_lists_sql(vendor, "%s"))


@functools.cache
def record_lists_sql(vendor: str, person_id_sql: str) -> tuple[str, ...]:
    """The scalar subqueries of a person's record (:data:`RECORD_LISTS`), each a JSON aggregate
    of rows whose ``person_id`` is ``person_id_sql`` (``%s``, or a column of the statement
    that selects them); built once per kind of database (``vendor`` only keys the cache)."""
    build, array, agg = json_functions()
    region, region_row = row_sql("region", "r")
    office, office_row = row_sql("office", "o")
    from_region_row = row_sql("region", "f")[1]

    def listed(select: str, model: type[Model], joins: str) -> str:
        table = model._meta.db_table
        return (
            f"(SELECT {agg}({select}) FROM {table} t {joins} WHERE t.person_id = {person_id_sql})"
        )

    return (
        listed(
            f"{build}('spell', {json_row(InsuranceSpell, 't')}, "
            f"'employer', {json_row(Employer, 'e')}, 'region', {region_row}, "
            f"'reason', {json_row(SeparationReason, 'x')})",
            InsuranceSpell,
            f"JOIN {Employer._meta.db_table} e ON e.id = t.employer_id "
            f"JOIN {region} r ON r.id = t.region_id "
            f"LEFT JOIN {SeparationReason._meta.db_table} x ON x.id = t.reason_id",
        ),
        # Region by region, [code, [month, …]]: a career's hundreds of months are hundreds of
        # dates, but not as many arrays and joins (half the database's time of one per month).
        (
            f"(SELECT {agg}({array}(r.code, {json_nested('c.months')})) FROM (SELECT region_id, "
            f"{agg}(month) AS months FROM {Contribution._meta.db_table} "
            f"WHERE person_id = {person_id_sql} GROUP BY region_id) c "
            f"JOIN {region} r ON r.id = c.region_id)"
        ),
        listed(
            f"{build}('registration', {json_row(Registration, 't')}, 'region', {region_row}, "
            f"'office', {office_row})",
            Registration,
            f"JOIN {region} r ON r.id = t.region_id LEFT JOIN {office} o ON o.id = t.office_id",
        ),
        listed(
            f"{build}('move', {json_row(RelationshipMove, 't')}, 'region', {region_row}, "
            f"'from_region', {from_region_row})",
            RelationshipMove,
            f"JOIN {region} r ON r.id = t.region_id JOIN {region} f ON f.id = t.from_region_id",
        ),
    )  # fmt: skip


@functools.cache
def insurance_region_ids_sql(vendor: str, person_id_sql: str) -> str:
    """A subquery of the ids of the regions where the person whose id is ``person_id_sql`` may
    be insured: those of their spells and of their recorded moves (:func:`insured_region_among`
    picks among them); ``vendor`` only keys the cache."""
    return (
        f"SELECT region_id FROM {InsuranceSpell._meta.db_table} WHERE person_id = {person_id_sql} "
        f"UNION SELECT region_id FROM {RelationshipMove._meta.db_table} "
        f"WHERE person_id = {person_id_sql}"
    )


def contributions_of(*, person: Person, until: date | None = None) -> list[tuple[date, str]]:
    """(month, region code) for each contribution month of the person, oldest first."""
    rows = Contribution.objects.filter(person=person)
    if until is not None:
        rows = rows.filter(month__lte=until)
    return list(rows.order_by("month").values_list("month", "region__code"))


def contribution_months_by_region(*, person: Person, until: date | None = None) -> dict[str, int]:
    """Distinct contribution months per region code (two employers in a month count once)."""
    seen = {(m, r) for m, r in contributions_of(person=person, until=until)}
    return dict(Counter(r for _, r in seen))


def contribution_months_total(*, person: Person, until: date | None = None) -> int:
    """Distinct months with contributions anywhere in the province."""
    return len({m for m, _ in contributions_of(person=person, until=until)})


def contribution_totals_by_region_month(*, since: date) -> list[tuple[str, date, int]]:
    """(region code, month, total fen) of the contributions from ``since`` on: one GROUP BY."""
    rows = (
        Contribution.objects.filter(month__gte=since)
        .order_by()
        .values("region__code", "month")
        .annotate(total=Sum("amount_fen"))
        .values_list("region__code", "month", "total")
    )
    return sorted((code, month, int(total)) for code, month, total in rows)


def registrations_of(*, person: Person) -> list[Registration]:
    return list(
        Registration.objects.filter(person=person)
        .select_related("region", "office")
        .order_by("start_date", "id")
    )


def open_registration(*, person: Person, kind: str, as_of: date) -> Registration | None:
    return (
        Registration.objects.filter(person=person, kind=kind, start_date__lte=as_of)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=as_of))
        .select_related("region", "office")
        .first()
    )


@dataclass(frozen=True)
class RegistryCounts:
    persons: int
    employers: int
    spells: int
    contributions: int


def registry_counts() -> RegistryCounts:
    """Row counts for the demo and the operator (approximate on PostgreSQL's big tables)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, reltuples::bigint FROM pg_class WHERE relname = "
                "'registry_contribution'"
            )
            row = cursor.fetchone()
        contributions = int(row[1]) if row and row[1] > 0 else Contribution.objects.count()
    else:
        contributions = Contribution.objects.count()
    return RegistryCounts(
        persons=Person.objects.count(),
        employers=Employer.objects.count(),
        spells=InsuranceSpell.objects.count(),
        contributions=contributions,
    )


def persons_by_ids(*, ids: Iterable[int]) -> dict[int, Person]:
    """Person id → person, one query per few thousand ids (notices, findings)."""
    wanted = sorted(set(ids))
    found: dict[int, Person] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        found.update(
            (p.pk, p) for p in Person.objects.filter(pk__in=wanted[start : start + LOOKUP_CHUNK])
        )
    return found


def contribution_months_for(
    *, person_ids: Iterable[int], since: date
) -> dict[int, list[tuple[date, str, str]]]:
    """(month, region code, employer name) of each person's contributions from ``since`` on,
    oldest first; set-based. Real-time checks read only the few people who receive benefit."""
    wanted = sorted(set(person_ids))
    found: dict[int, list[tuple[date, str, str]]] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        for person_id, month, region, employer in (
            Contribution.objects.filter(
                person_id__in=wanted[start : start + LOOKUP_CHUNK], month__gte=since
            )
            .order_by("person_id", "month")
            .values_list("person_id", "month", "region__code", "employer__name")
        ):
            found.setdefault(person_id, []).append((month, region, employer))
    return found


def person_table() -> str:
    """The persons table, for set-based matching that joins a staging table in SQL."""
    return Person._meta.db_table


def spells_by_person(*, person_ids: Iterable[int]) -> dict[int, list[InsuranceSpell]]:
    """Every spell of these people (with region), oldest first; one query per few thousand."""
    wanted = sorted(set(person_ids))
    found: dict[int, list[InsuranceSpell]] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        for spell in (
            InsuranceSpell.objects.filter(person_id__in=wanted[start : start + LOOKUP_CHUNK])
            .select_related("region")
            .order_by("person_id", "start_date", "id")
        ):
            found.setdefault(spell.person_id, []).append(spell)
    return found


def moves_by_person(*, person_ids: Iterable[int]) -> dict[int, list[RelationshipMove]]:
    wanted = sorted(set(person_ids))
    found: dict[int, list[RelationshipMove]] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        for move in (
            RelationshipMove.objects.filter(person_id__in=wanted[start : start + LOOKUP_CHUNK])
            .select_related("region")
            .order_by("person_id", "moved_on", "id")
        ):
            found.setdefault(move.person_id, []).append(move)
    return found
