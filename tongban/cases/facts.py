"""Gathering a person's facts for the rules engine, and what a caseworker sees of them.

Everything comes from the registry and from earlier decisions, so the person
brings nothing but an ID card. What the applicant adds (a contested separation
reason, a certificate, a training record) comes from the application's ``data``.

A :class:`PersonView` is read once per service call (one statement: the registry
record and the entitlements, and the person when found by ID number) and serves the
assessment, the registry snapshot and the routing of that call.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from django.db import connection

from tongban.benefits.selectors import (
    entitlements_from_list,
    entitlements_list_sql,
    rules_entitlement,
)
from tongban.cases.external import simulated_certificate_registry
from tongban.core.identifiers import mask_id_number
from tongban.core.instances import attach
from tongban.core.jsonrows import json_dict
from tongban.core.prepared import fetch_one
from tongban.regions.selectors import agencies_from_list, agencies_list_sql, agency_for_region
from tongban.registry.selectors import (
    RECORD_LISTS,
    PersonRecord,
    citizen_number,
    insurance_region_ids_sql,
    person_from_json,
    person_row_sql,
    record_from_lists,
    record_lists_sql,
    unknown_person,
)
from tongban.rules import facts as rf
from tongban.rules.engine import assess, assess_all
from tongban.rules.params import ParameterSet, default_parameters
from tongban.rules.record import facts_to_record
from tongban.rules.result import Assessment

RUNNING = ("active", "suspended")


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


def _receipt(entitlement: Any) -> rf.Entitlement | None:
    """The rules engine's view of a monthly entitlement being received."""
    if entitlement is None or entitlement.start_month is None:
        return None
    return rules_entitlement(entitlement)


@dataclass(frozen=True)
class OneOffsPaid:
    """The one-off items already granted to a person, as the rules engine asks after them."""

    skills: tuple[rf.SkillSubsidyPaid, ...]
    courses: frozenset[str]
    others: tuple[rf.OtherPayment, ...]


def _one_offs_paid(entitlements: list[Any]) -> OneOffsPaid:
    """Read from the granted entitlements' stored assessments: a one-off counts as paid from
    its decision, so a second application for the same certificate level, course, job or
    death is refused even before the payment run has sent the first."""
    skills: list[rf.SkillSubsidyPaid] = []
    courses: set[str] = set()
    others: list[rf.OtherPayment] = []
    for e in entitlements:
        components = (e.explanation or {}).get("components") or {}
        details = (e.explanation or {}).get("details") or {}
        if e.item_code == "skill_subsidy":
            for key in components:
                occupation, _, level = key.rpartition(":")
                skills.append(
                    rf.SkillSubsidyPaid(occupation, cast(rf.Level, level), e.determined_on)
                )
        elif e.item_code == "training_subsidy":
            courses.update(components)
        elif e.item_code == "rural_worker_allowance" and details.get("spell"):
            others.append(rf.OtherPayment(e.item_code, str(details["spell"]), e.determined_on))
        elif e.item_code == "funeral_survivor":
            others.append(rf.OtherPayment(e.item_code, "death", e.determined_on))
    return OneOffsPaid(tuple(skills), frozenset(courses), tuple(others))


@dataclass(frozen=True)
class PersonView:
    """A person's registry record and entitlements, as read at the start of a service call;
    read by ID number (:func:`person_view_get`), also the agencies of the regions where they
    may be insured."""

    record: PersonRecord
    entitlements: list[Any]
    agencies: dict[int, Any] = field(default_factory=dict)  # region id → its agency

    def agency(self, region: Any) -> Any:
        """The insurance agency of ``region`` (one of the person's), its region attached."""
        agency = self.agencies.get(region.pk)
        if agency is None:
            return agency_for_region(region_id=region.pk)
        attach(agency, "region", region)
        return agency

    @property
    def person(self) -> Any:
        return self.record.person

    def insured_spell(self, as_of: date) -> Any:
        return self.record.insured_spell(as_of)

    def insured_region(self, as_of: date) -> Any:
        """Where the UI relationship is (the newest spell start or recorded move)."""
        return self.record.insured_region(as_of)

    def running_ui_entitlement(self) -> Any:
        return next(
            (e for e in self.entitlements if e.item_code == "ui_benefit" and e.status in RUNNING),
            None,
        )

    def facts(self, *, as_of: date, data: dict[str, Any] | None = None) -> rf.PersonFacts:
        """The rules engine's view of the person on ``as_of``, plus what the application adds."""
        data = data or {}
        person = self.person
        insured = self.insured_spell(as_of)
        region = self.insured_region(as_of)
        contest = _contest(data)
        # A contest concerns the separation that ended the spell holding the relationship.
        contested_spell_id = insured.pk if insured is not None and insured.end_date else None
        rural = bool(data.get("rural_contract_worker"))
        spells = tuple(
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
            for s in self.record.spells
        )
        months = tuple(sorted(set(self.record.contributions_until(as_of))))
        determinations = tuple(
            rf.Determination(
                determined_on=e.determined_on,
                months=e.months,
                months_paid=e.months_paid,
                contribution_months_used=e.contribution_months_used,
                paying_region=e.paying_region.code,
            )
            for e in self.entitlements
            if e.item_code == "ui_benefit"
        )
        death = data.get("date_of_death")
        paid = _one_offs_paid(self.entitlements)
        return rf.PersonFacts(
            birth_date=person.birth_date,
            sex=person.sex,
            insured_region_code=region.code if region else None,
            contributions=months,
            spells=spells,
            determinations=determinations,
            registrations=tuple(
                rf.Registration(
                    kind="employment" if r.kind == "employment" else "unemployment",
                    region_code=r.region.code,
                    start=r.start_date,
                    end=r.end_date,
                )
                for r in self.record.registrations
            ),
            certificates=self._certificates(data),
            skill_subsidies_paid=paid.skills,
            training=self._training(data, paid.courses),
            other_payments=paid.others,
            unemployment_subsidy_months_received=sum(
                e.months_paid for e in self.entitlements if e.item_code == "unemployment_subsidy"
            ),
            funeral_grant_elsewhere=data.get("funeral_grant_elsewhere"),
            date_of_death=date.fromisoformat(death) if death else None,
            pension_start=min(
                (e.ended_on for e in self.entitlements if e.end_reason == "pension_start"),
                default=None,
            ),
            entitlement=_receipt(self._receiving("ui_benefit", died=death is not None)),
            subsidy_entitlement=_receipt(self._receiving("unemployment_subsidy")),
        )

    def _receiving(self, item_code: str, *, died: bool = False) -> Any:
        """The running entitlement of a monthly item; for a death, also one the death ended
        (the funeral grant asks whether the person died while receiving)."""
        newest_first = [e for e in reversed(self.entitlements) if e.item_code == item_code]
        return next((e for e in newest_first if e.status in RUNNING), None) or next(
            (e for e in newest_first if died and e.end_reason == "death"), None
        )

    def _certificates(self, data: dict[str, Any]) -> tuple[rf.Certificate, ...]:
        certificate = data.get("certificate")
        if not isinstance(certificate, dict) or not certificate.get("issued_on"):
            return ()
        return (
            rf.Certificate(
                occupation=str(certificate.get("occupation", "")),
                level=certificate.get("level", "junior"),
                issued_on=date.fromisoformat(certificate["issued_on"]),
                verified=simulated_certificate_registry.verify(
                    id_number=self.person.id_number, number=str(certificate.get("number", ""))
                ),
            ),
        )

    @staticmethod
    def _training(
        data: dict[str, Any], paid_courses: frozenset[str]
    ) -> tuple[rf.TrainingRecord, ...]:
        course = data.get("training")
        if not isinstance(course, dict) or not course.get("completed_on"):
            return ()
        name = str(course.get("course", ""))
        return (
            rf.TrainingRecord(
                course=name,
                completed_on=date.fromisoformat(course["completed_on"]),
                passed=bool(course.get("passed", False)),
                cost_fen=int(course.get("cost_fen", 0)),
                subsidy_paid=name in paid_courses,
            ),
        )

    def inputs(
        self, *, as_of: date, data: dict[str, Any] | None = None, registering: bool = False
    ) -> rf.PersonFacts:
        """The facts an assessment reads; ``registering`` adds today's unemployment
        registration (the bundle registers the person as it claims)."""
        facts = self.facts(as_of=as_of, data=data)
        if registering:
            facts = rf.with_unemployment_registration(facts, on=as_of)
        return facts

    def assessment(
        self,
        *,
        item_code: str,
        as_of: date,
        data: dict[str, Any] | None = None,
        registering: bool = False,
    ) -> Assessment:
        """The rules engine's answer for ``item_code``."""
        facts = self.inputs(as_of=as_of, data=data, registering=registering)
        return assess(item_code, facts, parameters(), as_of)

    def assessments(self, *, as_of: date) -> dict[str, Assessment]:
        """Every item: could this person have it if they applied today? The UI benefit is asked
        as the unemployment bundle asks it (registering today)."""
        facts = self.facts(as_of=as_of)
        params = parameters()
        answers = assess_all(facts, params, as_of)
        answers["ui_benefit"] = assess(
            "ui_benefit", rf.with_unemployment_registration(facts, on=as_of), params, as_of
        )
        return answers

    def snapshot(self, *, as_of: date) -> dict[str, Any]:
        """What the registry says, as pulled at acceptance: the case's "zero materials"."""
        person = self.person
        insured = self.insured_region(as_of)
        by_region: dict[str, set[date]] = {}
        for month, region in self.record.contributions_until(as_of):
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
            "insured_region": insured.code if insured else None,
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
                for s in self.record.spells
            ],
            "contribution_months": {code: len(m) for code, m in sorted(by_region.items())},
            "contribution_months_total": len({m for months in by_region.values() for m in months}),
            "registrations": [
                {
                    "kind": r.kind,
                    "region": r.region.code,
                    "start": r.start_date.isoformat(),
                    "end": r.end_date.isoformat() if r.end_date else None,
                }
                for r in self.record.registrations
            ],
        }


def person_view(person: Any) -> PersonView:
    """Read the person's record and entitlements, in one statement."""
    row = fetch_one(_view_sql(connection.vendor, by_number=False), [person.pk] * PERSON_LISTS)
    return person_view_from(person, row)


def person_view_get(*, id_number: str, as_of: date | None = None) -> PersonView:
    """The person with this ID number, read with their record and entitlements in one
    statement: what ``registry.selectors.person_get`` and :func:`person_view` read in two
    (the same 422 for a malformed number, 404 for an unknown one)."""
    number = citizen_number(id_number, as_of=as_of)
    row = fetch_one(_view_sql(connection.vendor, by_number=True), [number])
    if row is None:
        raise unknown_person()
    person_json, *lists, agencies = row
    return person_view_from(
        person_from_json(json_dict(person_json)), lists, agencies_from_list(agencies)
    )


PERSON_LISTS = len(RECORD_LISTS) + 1  # the record's lists and the entitlements


@functools.cache
def person_lists_sql(vendor: str, person_id_sql: str) -> tuple[str, ...]:
    """The scalar subqueries of a person view, each a JSON aggregate of the rows of the person
    whose id is ``person_id_sql`` (``%s``, or a column of the statement that selects them): the
    record's lists and the entitlements. A statement that reads more selects them beside its own
    columns (a decision's locked read: ``selectors.task_with_application_locked``) and
    :func:`person_view_from` makes the view of their values; ``vendor`` only keys the cache."""
    return (*record_lists_sql(vendor, person_id_sql), entitlements_list_sql(vendor, person_id_sql))


def person_view_from(
    person: Any, lists: Sequence[object], agencies: dict[int, Any] | None = None
) -> PersonView:
    """The view of the values of :func:`person_lists_sql`'s subqueries, in their order."""
    *record, entitlements = lists
    return PersonView(
        record=record_from_lists(person, record),
        entitlements=entitlements_from_list(entitlements),
        agencies=agencies or {},
    )


@functools.cache
def _view_sql(vendor: str, *, by_number: bool) -> str:
    """The statement of a person view: the record's lists and the entitlements, each a JSON
    aggregate keyed by the person's id (a parameter), or the person's row, the same lists and
    the agencies of the regions where they may be insured (for routing a new application),
    keyed by the person found by ID number; ``vendor`` only keys the cache."""
    key = "p.id" if by_number else "%s"
    lists = person_lists_sql(vendor, key)
    if not by_number:
        return "SELECT " + ", ".join(lists)
    person, source = person_row_sql(vendor)
    agencies = agencies_list_sql(vendor, insurance_region_ids_sql(vendor, key))
    return f"SELECT {person}, {', '.join(lists)}, {agencies} FROM {source} WHERE p.id_number = %s"


def person_assessments(*, person: Any, as_of: date) -> dict[str, Assessment]:
    return person_view(person).assessments(as_of=as_of)


def registering(application: Any) -> bool:
    """A UI-benefit claim in the unemployment bundle counts the bundle's registration."""
    return application.bundle_id is not None and application.item_code == "ui_benefit"


def application_assessment(application: Any, *, view: PersonView, as_of: date) -> Assessment:
    """The rules engine's answer for an application as a reviewer would decide it on ``as_of``."""
    return assess(application.item_code, _inputs(application, view, as_of), parameters(), as_of)


def _inputs(application: Any, view: PersonView, as_of: date) -> rf.PersonFacts:
    return view.inputs(as_of=as_of, data=application.data, registering=registering(application))


def application_decision(
    application: Any, *, view: PersonView, as_of: date
) -> tuple[Assessment, dict[str, Any]]:
    """The answer and its recorded inputs (``rules.record``): stored with every decision, so
    that it can be recomputed years later from the record and the recorded parameter texts."""
    facts = _inputs(application, view, as_of)
    return assess(application.item_code, facts, parameters(), as_of), facts_to_record(facts)


@dataclass(frozen=True)
class ItemOutlook:
    """One item of a person's overview: could they have it if they applied today, and why."""

    code: str
    eligible: bool
    pending: bool
    reasons: tuple[Any, ...]  # rules.result.Reason: code, kind, zh, en
    months: int | None
    amount_fen: int | None  # the monthly amount of a monthly benefit, else the one-off amount
    amount_is_monthly: bool
    paying_region: str | None


def item_outlooks(assessments: dict[str, Assessment]) -> list[ItemOutlook]:
    """The overview's items, in the order the rules engine gives them."""
    out = []
    for code, a in assessments.items():
        monthly = a.monthly_amount_fen is not None
        out.append(
            ItemOutlook(
                code=code,
                eligible=bool(a.eligible),
                pending=bool(a.pending),
                reasons=a.reasons,
                months=a.months,
                amount_fen=a.monthly_amount_fen if monthly else a.amount_fen,
                amount_is_monthly=monthly,
                paying_region=a.paying_region,
            )
        )
    return out


def with_contest_outcome(data: dict[str, Any], outcome: str, *, on: date) -> dict[str, Any]:
    contest = dict(data.get("contest") or {})
    contest.update({"outcome": outcome, "decided_on": on.isoformat()})
    return {**data, "contest": contest}
