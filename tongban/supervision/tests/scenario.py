"""Helpers that walk cases through the real services on chosen days, for hand-computed figures."""

from __future__ import annotations

from datetime import date
from typing import cast

from tongban.cases.models import Application, Task
from tongban.cases.services import (
    Acceptance,
    application_submit,
    application_withdraw,
    bundle_submit,
    task_decide,
)
from tongban.cases.tallies import tallies_recomputed, tallies_stored
from tongban.core.actors import Actor
from tongban.regions.selectors import staff_for_user
from tongban.regions.services import staff_create
from tongban.registry.models import Person
from tongban.registry.tests.factories import (
    EmployerFactory,
    PersonFactory,
    SpellFactory,
    contribute,
    reason,
)
from tongban.registry.tests.factories import region as region_of

TEST = Actor.operator("test")


def caseworker(username: str, office: str, roles: list[str]):
    member = staff_create(actor=TEST, username=username, office_code=office, roles=roles,
                          password=None)  # fmt: skip
    return staff_for_user(user=member.user)


def actor_of(staff) -> Actor:
    return Actor(kind="staff", label=f"staff:{staff.username}", user_id=staff.user_id,
                 office_code=staff.office.code)  # fmt: skip


def claimant(
    *,
    insured: str,
    lives: str = "460100",
    separated: date = date(2026, 8, 31),
    elsewhere: str | None = None,
    years: int = 4,
):
    """Insured in ``insured`` until ``separated`` (dismissed), with ``years`` of contributions
    there — and, if ``elsewhere`` is given, two years in that region before."""
    person = cast(Person, PersonFactory(residence_region=region_of(lives)))
    person.bank_account = "6217" + person.id_number[-15:].replace("X", "0")  # one's own account
    person.save(update_fields=["bank_account"])
    start = date(separated.year - years, separated.month, 1)
    if elsewhere:
        before = SpellFactory(person=person, employer=EmployerFactory(region=region_of(elsewhere)),
                              start_date=date(start.year - 2, start.month, 1), end_date=start,
                              reason=reason("contract_expired"))  # fmt: skip
        contribute(before, 24)
    spell = SpellFactory(person=person, employer=EmployerFactory(region=region_of(insured)),
                         start_date=start, end_date=separated, reason=reason("dismissed"))  # fmt: skip
    contribute(spell, years * 12)
    return person


def window(staff) -> Acceptance:
    return Acceptance(actor_of(staff), "window", None, staff)


def online(person, channel: str, office: str | None) -> Acceptance:
    actor = Actor(kind="person", label=f"{channel} (test)", person_id_number=person.id_number)
    return Acceptance(actor, channel, office)


def bundle(acceptance: Acceptance, person, on: date) -> dict[str, Application]:
    result = bundle_submit(acceptance=acceptance, kind="unemployment",
                           id_number=person.id_number, as_of=on)  # fmt: skip
    return {a.item_code: a for a in result.applications}


def submit(acceptance: Acceptance, person, item: str, on: date) -> Application:
    return application_submit(acceptance=acceptance, item_code=item, id_number=person.id_number,
                              data=None, as_of=on)  # fmt: skip


def decide(
    staff,
    application: Application,
    on: date,
    outcome: str = "approve",
    reasons: list[str] | None = None,
) -> Application:
    task = Task.objects.get(application=application, is_open=True)
    return task_decide(actor=actor_of(staff), staff=staff, task_id=task.pk, outcome=outcome,
                       reasons=reasons, checklist=None, verification=None, as_of=on)  # fmt: skip


def withdraw(application: Application, on: date) -> Application:
    return application_withdraw(actor=TEST, reference=application.reference,
                                person_id_number=None, as_of=on)  # fmt: skip


def assert_tallies_match_recomputation() -> None:
    """The live summaries equal a recomputation from the base tables, row for row."""

    def key(row):
        return tuple(sorted((k, str(v)) for k, v in row.items()))

    stored, computed = tallies_stored(), tallies_recomputed()
    for model in computed:
        assert sorted(map(key, stored[model])) == sorted(map(key, computed[model])), model.__name__
