"""Gathering a person's facts for the rules engine, and what a caseworker sees of them.

Everything comes from the registry and from earlier decisions, so the person
brings nothing but an ID card. What the applicant adds (a contested separation
reason, a certificate, a training record) comes from the application's ``data``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tongban.benefits.selectors import entitlements_of, running_ui_entitlement
from tongban.cases.external import simulated_certificate_registry
from tongban.core.identifiers import mask_id_number
from tongban.registry.selectors import (
    contributions_of,
    insured_spell,
    registrations_of,
    spells_of,
)
from tongban.rules import facts as rf
from tongban.rules.engine import assess
from tongban.rules.params import ParameterSet, default_parameters
from tongban.rules.result import Assessment


def parameters() -> ParameterSet:
    return default_parameters()


def _contest(data: dict[str, Any]) -> rf.Contest | None:
    contest = data.get("contest")
    if not isinstance(contest, dict) or not contest.get("claimed_reason_code"):
        return None
    outcome = contest.get("outcome", "pending")
    decided = contest.get("decided_on")
    return rf.Contest(
        claimed_reason_code=str(contest["claimed_reason_code"]),
        outcome=outcome if outcome in ("pending", "upheld", "rejected") else "pending",
        decided_on=date.fromisoformat(decided) if decided else None,
    )


def person_facts(*, person: Any, as_of: date, data: dict[str, Any] | None = None) -> rf.PersonFacts:
    """The rules engine's view of ``person`` on ``as_of``, plus what the application adds."""
    data = data or {}
    spells = spells_of(person=person)
    insured = insured_spell(person=person, as_of=as_of)
    contest = _contest(data)
    # A contest concerns the separation that ended the spell holding the relationship.
    contested_spell_id = insured.pk if insured is not None and insured.end_date else None
    rural = bool(data.get("rural_contract_worker"))
    fact_spells = tuple(
        rf.Spell(
            region_code=s.region.code,
            employer=s.employer.uscc,
            start=s.start_date,
            end=s.end_date,
            reason_code=s.reason.code if s.reason else None,
            involuntary=s.reason.involuntary if s.reason else None,
            contest=contest if s.pk == contested_spell_id else None,
            rural_contract_worker=rural and s.pk == contested_spell_id,
        )
        for s in spells
    )
    months = tuple(sorted({(m, r) for m, r in contributions_of(person=person, until=as_of)}))
    history = list(entitlements_of(person_id=person.pk))
    determinations = tuple(
        rf.Determination(
            determined_on=e.determined_on,
            months=e.months,
            months_paid=e.months_paid,
            contribution_months_used=e.contribution_months_used,
            paying_region=e.paying_region.code,
        )
        for e in history
        if e.item_code == "ui_benefit"
    )
    running = running_ui_entitlement(person_id=person.pk)
    entitlement = (
        rf.Entitlement(
            start_month=running.start_month,
            months=running.months,
            months_paid=running.months_paid,
            paying_region=running.paying_region.code,
            monthly_amount_fen=running.monthly_amount_fen,
            medical_premium_fen=running.medical_premium_fen,
        )
        if running is not None and running.start_month is not None
        else None
    )
    subsidy_months = sum(e.months_paid for e in history if e.item_code == "unemployment_subsidy")
    certificates: tuple[rf.Certificate, ...] = ()
    certificate = data.get("certificate")
    if isinstance(certificate, dict) and certificate.get("issued_on"):
        certificates = (
            rf.Certificate(
                occupation=str(certificate.get("occupation", "")),
                level=certificate.get("level", "junior"),
                issued_on=date.fromisoformat(certificate["issued_on"]),
                verified=simulated_certificate_registry.verify(
                    id_number=person.id_number, number=str(certificate.get("number", ""))
                ),
            ),
        )
    training: tuple[rf.TrainingRecord, ...] = ()
    course = data.get("training")
    if isinstance(course, dict) and course.get("completed_on"):
        training = (
            rf.TrainingRecord(
                course=str(course.get("course", "")),
                completed_on=date.fromisoformat(course["completed_on"]),
                passed=bool(course.get("passed", False)),
                cost_fen=int(course.get("cost_fen", 0)),
            ),
        )
    death = data.get("date_of_death")
    return rf.PersonFacts(
        birth_date=person.birth_date,
        sex=person.sex,
        insured_region_code=insured.region.code if insured else None,
        contributions=months,
        spells=fact_spells,
        determinations=determinations,
        registrations=tuple(
            rf.Registration(
                kind=r.kind, region_code=r.region.code, start=r.start_date, end=r.end_date
            )
            for r in registrations_of(person=person)
        ),
        certificates=certificates,
        training=training,
        unemployment_subsidy_months_received=subsidy_months,
        funeral_grant_elsewhere=data.get("funeral_grant_elsewhere"),
        date_of_death=date.fromisoformat(death) if death else None,
        entitlement=entitlement,
    )


def assessment_for(
    *,
    item_code: str,
    person: Any,
    as_of: date,
    data: dict[str, Any] | None = None,
    registering: bool = False,
) -> Assessment:
    """The rules engine's answer for ``item_code``; ``registering`` adds today's unemployment
    registration (the bundle registers the person as it claims)."""
    facts = person_facts(person=person, as_of=as_of, data=data)
    if registering:
        facts = rf.with_unemployment_registration(facts, on=as_of)
    return assess(item_code, facts, parameters(), as_of)


def registry_snapshot(*, person: Any, as_of: date) -> dict[str, Any]:
    """What the registry says, as pulled at acceptance: the case's "zero materials"."""
    insured = insured_spell(person=person, as_of=as_of)
    by_region: dict[str, set[date]] = {}
    for month, region in contributions_of(person=person, until=as_of):
        by_region.setdefault(region, set()).add(month)
    return {
        "pulled_on": as_of.isoformat(),
        "person": {
            "id_number_masked": mask_id_number(person.id_number),
            "name": person.name,
            "birth_date": person.birth_date.isoformat(),
            "sex": person.sex,
            "residence_region": person.residence_region.code,
        },
        "insured_region": insured.region.code if insured else None,
        "spells": [
            {
                "region": s.region.code,
                "employer": s.employer.name,
                "employer_uscc": s.employer.uscc,
                "start": s.start_date.isoformat(),
                "end": s.end_date.isoformat() if s.end_date else None,
                "reason": s.reason.code if s.reason else None,
                "reason_name": s.reason.name_zh if s.reason else None,
                "involuntary": s.reason.involuntary if s.reason else None,
            }
            for s in spells_of(person=person)
        ],
        "contribution_months": {code: len(months) for code, months in sorted(by_region.items())},
        "contribution_months_total": len({m for months in by_region.values() for m in months}),
        "registrations": [
            {
                "kind": r.kind,
                "region": r.region.code,
                "start": r.start_date.isoformat(),
                "end": r.end_date.isoformat() if r.end_date else None,
            }
            for r in registrations_of(person=person)
        ],
    }


def with_contest_outcome(data: dict[str, Any], outcome: str, *, on: date) -> dict[str, Any]:
    contest = dict(data.get("contest") or {})
    contest.update({"outcome": outcome, "decided_on": on.isoformat()})
    return {**data, "contest": contest}
