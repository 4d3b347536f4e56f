"""Shaping domain objects into the contract's JSON (masked where the contract says so)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tongban.core.actors import Actor
from tongban.core.identifiers import mask_id_number, mask_name
from tongban.registry.selectors import (
    contribution_months_by_region,
    contribution_months_total,
    insured_spell,
    person_get,
    registrations_of,
    spells_of,
)


def spell_out(spell: Any) -> dict[str, Any]:
    reason = spell.reason
    return {
        "region_code": spell.region.code,
        "employer_uscc": spell.employer.uscc,
        "employer_name": spell.employer.name,
        "start_date": spell.start_date,
        "end_date": spell.end_date,
        "separation_reason": (
            {
                "code": reason.code,
                "name": reason.name,
                "name_zh": reason.name_zh,
                "name_en": reason.name_en,
                "involuntary": reason.involuntary,
            }
            if reason
            else None
        ),
    }


def overview_out(*, id_number: str, as_of: date, actor: Actor) -> dict[str, Any]:
    """The registry's view of a person; eligibility per item arrives with the rules engine."""
    person = person_get(id_number=id_number, as_of=as_of)
    current = insured_spell(person=person, as_of=as_of)
    by_region = contribution_months_by_region(person=person, until=as_of)
    return {
        "id_number": mask_id_number(person.id_number),
        "name": mask_name(person.name),
        "sex": person.sex,
        "birth_date": person.birth_date,
        "residence_region_code": person.residence_region.code,
        "insured_region_code": current.region.code if current else None,
        "contribution_months_total": contribution_months_total(person=person, until=as_of),
        "contribution_months_by_region": [
            {"region_code": code, "months": months} for code, months in sorted(by_region.items())
        ],
        "spells": [spell_out(s) for s in spells_of(person=person)],
        "registrations": [
            {
                "kind": r.kind,
                "region_code": r.region.code,
                "start_date": r.start_date,
                "end_date": r.end_date,
            }
            for r in registrations_of(person=person)
        ],
        "items": None,
        "items_note": (
            "Eligibility per item is not available yet: it arrives with the rules engine. "
            "Nothing here is an assessment."
        ),
    }
