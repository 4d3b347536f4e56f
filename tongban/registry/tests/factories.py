"""factory_boy factories for the registry; IDs and credit codes are valid by construction."""

from __future__ import annotations

import itertools
from datetime import date
from typing import cast

import factory
from django.utils import timezone

from tongban.regions.models import Office, Region
from tongban.registry.models import (
    Contribution,
    Employer,
    InsuranceSpell,
    Person,
    Registration,
    RelationshipMove,
    SeparationReason,
)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_sequence = itertools.count(1)


def citizen_id(
    address: str = "460100",
    birth: date = date(1990, 1, 1),
    seq: int | None = None,
    male: bool = True,
) -> str:
    """A valid GB 11643 number for the given address code, birth date and sequence."""
    n = next(_sequence) if seq is None else seq
    order = (n * 2 + (1 if male else 0)) % 1000
    body = f"{address}{birth:%Y%m%d}{order:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def uscc(seq: int | None = None) -> str:
    """A valid GB 32100 code (a company registered in Hainan)."""
    n = next(_sequence) if seq is None else seq
    body = f"91460100MA{n:07d}"
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


def region(code: str) -> Region:
    return Region.objects.get(code=code)


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    uscc = factory.LazyFunction(uscc)
    name = factory.Sequence(lambda n: f"海南测试企业{n}有限公司")
    region = factory.LazyFunction(lambda: region("460100"))
    created_at = factory.LazyFunction(timezone.now)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        birth = date(1990, 1, 1)
        male = True
        address = "460100"

    id_number = factory.LazyAttribute(lambda o: citizen_id(o.address, o.birth, male=o.male))
    name = factory.Sequence(lambda n: f"测试{n}")
    birth_date = factory.LazyAttribute(lambda o: o.birth)
    sex = factory.LazyAttribute(lambda o: "M" if o.male else "F")
    residence_region = factory.LazyFunction(lambda: region("460100"))
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


class SpellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InsuranceSpell

    person = factory.SubFactory(PersonFactory)
    employer = factory.SubFactory(EmployerFactory)
    region = factory.LazyAttribute(lambda o: o.employer.region)
    start_date = date(2018, 1, 1)
    end_date = None
    reason = None
    created_at = factory.LazyFunction(timezone.now)


def reason(code: str) -> SeparationReason:
    return SeparationReason.objects.get(code=code)


def contribute(
    spell: InsuranceSpell, months: int, *, first: date | None = None, base_fen: int = 500000
) -> None:
    """Monthly contributions for ``months`` months from ``first`` (default: the spell's start)."""
    start = first or spell.start_date.replace(day=1)
    rows = []
    for i in range(months):
        year, month = divmod(start.month - 1 + i, 12)
        rows.append(
            Contribution(
                person=spell.person,
                employer=spell.employer,
                region=spell.region,
                month=date(start.year + year, month + 1, 1),
                base_fen=base_fen,
                amount_fen=base_fen // 100,
            )
        )
    Contribution.objects.bulk_create(rows)


def person_with_history() -> Person:
    """Two ended spells and one open (no reason yet), two registrations (one with no office),
    a relationship move, contributions in two regions with a month in both."""
    person = cast(Person, PersonFactory(residence_region=region("460200")))
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
    at = "2026-11-26T02:00:00+00:00"
    for kind, office, start, end in (
        ("employment", None, date(2021, 3, 1), date(2025, 6, 1)),
        ("unemployment", Office.objects.get(code="sanya-jiyang"), date(2025, 6, 2), None),
    ):
        Registration.objects.create(person=person, kind=kind, region=region("460200"),
                                    office=office, start_date=start, end_date=end,
                                    source="import", created_at=at)  # fmt: skip
    RelationshipMove.objects.create(person=person, from_region=region("460100"),
                                    region=region("460200"), moved_on=date(2025, 7, 1),
                                    source="TRF1", created_at=at)  # fmt: skip
    return person
