"""Writing the registry: employers' hires (参保) and separations (停保), registrations.

An employer's separation report with its reason replaces the paper proof of
terminated employment; it is the basis of "zero materials". Every change writes
an audit row and an outbox event in the same transaction.
"""

from __future__ import annotations

from datetime import date
from importlib import resources

import yaml
from django.db import IntegrityError, transaction

from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.errors import Conflict, InvalidInput
from tongban.core.hooks import publish
from tongban.core.outbox import outbox_emit
from tongban.core.transactions import entrypoint, require_transaction
from tongban.registry.hooks import (
    RESIDENCES_CHANGED,
    SPELLS_STARTED,
    ResidenceChange,
    ResidencesChanged,
    SpellsStarted,
    StartedSpell,
)
from tongban.registry.models import (
    Employer,
    InsuranceSpell,
    Person,
    Registration,
    RelationshipMove,
    SeparationReason,
)
from tongban.registry.selectors import insured_region, person_get

MINIMUM_WORKING_AGE = 16  # Labour Law art. 15: employers may not hire minors under 16

SPELL_STARTED = "registry.spell_started"
SPELL_ENDED = "registry.spell_ended"
REGISTRATION_OPENED = "registry.registration_opened"


def separation_reasons_load(*, actor: Actor) -> int:
    """Create or update the separation-reason code table from its data file; idempotent."""
    text = resources.files("tongban.registry").joinpath("data/separation_reasons.yaml")
    data = yaml.safe_load(text.read_text("utf-8"))
    changed = 0
    with transaction.atomic():
        for order, entry in enumerate(data["reasons"]):
            _, created = SeparationReason.objects.update_or_create(
                code=entry["code"],
                defaults={
                    "name_zh": entry["zh"],
                    "name_en": entry["en"],
                    "involuntary": bool(entry["involuntary"]),
                    "sort_order": order,
                },
            )
            changed += created
        if changed:
            audit_record(
                actor=actor,
                event_type="separation_reasons_loaded",
                subject_type="separation_reasons",
                subject_id="all",
                data={"created": changed},
            )
    return len(data["reasons"])


def _spell_event(spell: InsuranceSpell, previous_region_code: str | None) -> dict[str, object]:
    return {
        "spell_id": spell.pk,
        "person_id": spell.person_id,
        "employer_id": spell.employer_id,
        "region_code": spell.region.code,
        "previous_region_code": previous_region_code,
        "start_date": spell.start_date.isoformat(),
        "end_date": spell.end_date.isoformat() if spell.end_date else None,
        "reason_code": spell.reason.code if spell.reason else None,
    }


@entrypoint
def employer_hire(
    *,
    actor: Actor,
    employer: Employer,
    id_number: str,
    start_date: date,
    as_of: date | None = None,
) -> InsuranceSpell:
    """Start insurance (参保) for a person with this employer, in the employer's region.

    Published to ``registry.spells_started`` in this transaction: a recipient's benefit is
    suspended with the hire (integrity), a spell in another region moves the relationship
    (transfers). ``as_of`` is the day it was reported (default: the start date).
    """
    person = person_get(id_number=id_number)
    age_at_start = (
        start_date.year
        - person.birth_date.year
        - ((start_date.month, start_date.day) < (person.birth_date.month, person.birth_date.day))
    )
    if age_at_start < MINIMUM_WORKING_AGE:
        raise InvalidInput.of(
            "date", "under_working_age", "The person is under 16 on the start date."
        )
    Person.objects.select_for_update(of=("self",)).filter(pk=person.pk).first()
    if InsuranceSpell.objects.filter(
        person=person, employer=employer, end_date__isnull=True
    ).exists():
        raise Conflict(
            "The person is already insured with this employer; report the separation first.",
            code="already_insured",
        )
    before = insured_region(person=person, as_of=start_date)
    try:
        with transaction.atomic():
            spell = InsuranceSpell.objects.create(
                person=person,
                employer=employer,
                region=employer.region,
                start_date=start_date,
                created_at=clock.now(),
            )
    except IntegrityError:
        raise Conflict(
            "An insurance spell with this employer already starts on that date.",
            code="duplicate_spell",
        ) from None
    audit_record(
        actor=actor,
        event_type="spell_started",
        subject_type="person",
        subject_id=person.pk,
        data={
            "employer": employer.uscc,
            "region": employer.region.code,
            "start_date": str(start_date),
        },
    )
    outbox_emit(SPELL_STARTED, _spell_event(spell, before.code if before else None))
    publish(
        SPELLS_STARTED,
        SpellsStarted(
            spells=(
                StartedSpell(
                    spell_id=spell.pk,
                    person_id=person.pk,
                    region_code=employer.region.code,
                    employer_uscc=employer.uscc,
                    employer_name=employer.name,
                    start_date=start_date,
                    end_date=None,
                ),
            ),
            source="employer",
            as_of=as_of or start_date,
        ),
    )
    return spell


@entrypoint
def employer_separate(
    *, actor: Actor, employer: Employer, id_number: str, end_date: date, reason_code: str
) -> InsuranceSpell:
    """Stop insurance (停保) with the separation reason; ``end_date`` is the first day not employed."""
    person = person_get(id_number=id_number)
    reason = SeparationReason.objects.filter(code=reason_code).first()
    if reason is None:
        raise InvalidInput.of(
            "reason_code", "unknown_reason", f"Unknown separation reason {reason_code!r}."
        )
    spell = (
        InsuranceSpell.objects.select_for_update(of=("self",))
        .select_related("region")
        .filter(person=person, employer=employer, end_date__isnull=True)
        .first()
    )
    if spell is None:
        raise Conflict(
            "The person has no open insurance spell with this employer.", code="not_insured"
        )
    if end_date <= spell.start_date:
        raise InvalidInput.of(
            "date",
            "before_start",
            f"The separation date must be after the start of insurance ({spell.start_date}).",
        )
    spell.end_date = end_date
    spell.reason = reason
    spell.save(update_fields=["end_date", "reason"])
    audit_record(
        actor=actor,
        event_type="spell_ended",
        subject_type="person",
        subject_id=person.pk,
        data={"employer": employer.uscc, "end_date": str(end_date), "reason": reason.code},
    )
    outbox_emit(SPELL_ENDED, _spell_event(spell, None))
    return spell


def registration_open(
    *,
    actor: Actor,
    person: Person,
    kind: str,
    region_id: int,
    office_id: int | None,
    start_date: date,
    source: str,
) -> Registration:
    """Open an employment or unemployment registration; requires the caller's transaction.

    Opening one kind closes an open registration of the other kind on the same day.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("registration_open must run inside the caller's transaction")
    other = (
        Registration.Kind.EMPLOYMENT
        if kind == Registration.Kind.UNEMPLOYMENT
        else Registration.Kind.UNEMPLOYMENT
    )
    Registration.objects.filter(person=person, kind=other, end_date__isnull=True).update(
        end_date=start_date
    )
    if Registration.objects.filter(person=person, kind=kind, end_date__isnull=True).exists():
        raise Conflict(f"The person already has an open {kind} registration.", code="registered")
    registration = Registration.objects.create(
        person=person,
        kind=kind,
        region_id=region_id,
        office_id=office_id,
        start_date=start_date,
        source=source,
        created_at=clock.now(),
    )
    audit_record(
        actor=actor,
        event_type=f"{kind}_registration_opened",
        subject_type="person",
        subject_id=person.pk,
        data={"start_date": str(start_date), "source": source},
    )
    outbox_emit(
        REGISTRATION_OPENED,
        {"person_id": person.pk, "kind": kind, "start_date": start_date.isoformat()},
    )
    return registration


@entrypoint
def person_residence_change(*, actor: Actor, id_number: str, region_id: int, on: date) -> Person:
    """Record that a person's residence moved to another region on ``on``.

    Published to ``registry.residences_changed`` in this transaction: where the policy says
    a recipient's benefit follows them, transfers moves the remaining entitlement.
    """
    person = person_get(id_number=id_number)
    Person.objects.select_for_update(of=("self",)).filter(pk=person.pk).first()
    before = person.residence_region_id
    if before == region_id:
        return person
    person.residence_region_id = region_id
    person.updated_at = clock.now()
    person.save(update_fields=["residence_region", "updated_at"])
    audit_record(
        actor=actor,
        event_type="residence_changed",
        subject_type="person",
        subject_id=person.pk,
        data={"from_region_id": before, "to_region_id": region_id, "on": on.isoformat()},
    )
    publish(
        RESIDENCES_CHANGED,
        ResidencesChanged(
            changes=(ResidenceChange(person.pk, before, region_id),), on=on, source="service"
        ),
    )
    return Person.objects.select_related("residence_region").get(pk=person.pk)


def relationship_move_record(
    *,
    actor: Actor,
    person_id: int,
    from_region_id: int,
    to_region_id: int,
    moved_on: date,
    source: str,
) -> RelationshipMove:
    """Record a move of the UI relationship that no spell caused; in the caller's transaction.

    Used by transfers when a recipient's entitlement follows them to another region: from
    then on the routing rule places the relationship there (docs/routing.md).
    """
    require_transaction("relationship_move_record")
    move = RelationshipMove.objects.create(
        person_id=person_id,
        from_region_id=from_region_id,
        region_id=to_region_id,
        moved_on=moved_on,
        source=source,
        created_at=clock.now(),
    )
    audit_record(
        actor=actor,
        event_type="relationship_moved",
        subject_type="person",
        subject_id=person_id,
        data={
            "from_region_id": from_region_id,
            "to_region_id": to_region_id,
            "on": moved_on.isoformat(),
            "source": source,
        },
    )
    return move
