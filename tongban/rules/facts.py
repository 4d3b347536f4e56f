"""The facts about a person that the rules read: frozen dataclasses, gathered by selectors.

Periods are half-open ``[start, end)``: ``end`` is the first day no longer covered,
``None`` while open. Months are the first day of the month. Money is integer fen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from tongban.core.months import add_months

Sex = Literal["M", "F"]
Level = Literal["junior", "intermediate", "senior"]  # 初级 / 中级 / 高级
RetirementCategory = Literal["male", "female_worker", "female_cadre"]
ContestOutcome = Literal["pending", "upheld", "rejected"]
RegistrationKind = Literal["employment", "unemployment"]
StopKind = Literal[
    "reemployment",
    "conscription",
    "emigration",
    "pension_start",
    "imprisonment",
    "refusal",
    "death",
    "other_province_benefit",
]
ContributionMonth = tuple[date, str]  # (first day of the month, region code)


@dataclass(frozen=True, slots=True)
class Contest:
    """The claimant contests a voluntary separation reason (对停保原因的异议) and its re-verification.

    ``outcome``: ``pending`` (not yet re-verified), ``upheld`` (found involuntary),
    ``rejected`` (the employer's reason stands).
    """

    claimed_reason_code: str
    outcome: ContestOutcome = "pending"
    decided_on: date | None = None


@dataclass(frozen=True, slots=True)
class Spell:
    """A period of UI insurance (参保) with one employer in one region, with its separation reason."""

    region_code: str
    employer: str  # USCC or name
    start: date
    end: date | None = None
    reason_code: str | None = None
    involuntary: bool | None = None  # the flag of the employer-recorded reason; None: not recorded
    contest: Contest | None = None
    rural_contract_worker: bool = False

    def open_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class Determination:
    """An earlier UI-benefit determination (核定): months granted, paid, and contribution time used."""

    determined_on: date
    months: int
    months_paid: int
    contribution_months_used: int
    months_forfeited: int = 0  # cancelled by a stop that does not preserve them (e.g. refusal)
    paying_region: str | None = None

    @property
    def unclaimed_months(self) -> int:
        """Months granted but neither paid nor forfeited (应领未领)."""
        return max(0, self.months - self.months_paid - self.months_forfeited)


@dataclass(frozen=True, slots=True)
class Registration:
    """An employment (就业登记) or unemployment registration (失业登记), half-open."""

    kind: RegistrationKind
    region_code: str
    start: date
    end: date | None = None

    def open_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class Certificate:
    """A vocational qualification or skill-level certificate; ``verified`` is the national lookup.

    ``verified``: True (found in the national registry), False (not found), None (not checked yet).
    """

    occupation: str
    level: Level
    issued_on: date
    verified: bool | None = None


@dataclass(frozen=True, slots=True)
class SkillSubsidyPaid:
    occupation: str
    level: Level
    paid_on: date


@dataclass(frozen=True, slots=True)
class TrainingRecord:
    """A vocational training course; ``passed`` is the completion assessment."""

    course: str
    completed_on: date
    passed: bool
    cost_fen: int
    subsidy_paid: bool = False


@dataclass(frozen=True, slots=True)
class Entitlement:
    """A running entitlement (UI benefit or unemployment subsidy): monthly from ``start_month``.

    ``stopped_on``: the effective date of a recorded stop, if any (the entitlement ends then).
    """

    start_month: date
    months: int
    months_paid: int
    paying_region: str
    monthly_amount_fen: int | None = None
    medical_premium_fen: int | None = None
    stopped_on: date | None = None

    @property
    def end(self) -> date:
        """First day after the last benefit month (or the stop date, if earlier)."""
        natural = add_months(self.start_month, self.months)
        return min(natural, self.stopped_on) if self.stopped_on else natural

    def active_on(self, day: date) -> bool:
        return self.start_month <= day < self.end


@dataclass(frozen=True, slots=True)
class OtherPayment:
    """A one-off payment already made (``item`` code, ``key`` naming what it was for)."""

    item: str
    key: str
    paid_on: date


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """Everything the rules may read about one person, as gathered on the day of assessment.

    ``insured_region_code`` is where the UI relationship sits (computed by the registry):
    the paying region. ``funeral_grant_elsewhere`` names the scheme (``pension`` or
    ``work_injury``) whose funeral grant the family takes instead, if any.
    """

    birth_date: date
    sex: Sex
    insured_region_code: str | None = None
    contributions: tuple[ContributionMonth, ...] = ()
    spells: tuple[Spell, ...] = ()
    determinations: tuple[Determination, ...] = ()
    registrations: tuple[Registration, ...] = ()
    certificates: tuple[Certificate, ...] = ()
    skill_subsidies_paid: tuple[SkillSubsidyPaid, ...] = ()
    training: tuple[TrainingRecord, ...] = ()
    other_payments: tuple[OtherPayment, ...] = ()
    unemployment_subsidy_months_received: int = 0
    funeral_grant_elsewhere: Literal["pension", "work_injury"] | None = None
    date_of_death: date | None = None
    pension_start: date | None = None
    entitlement: Entitlement | None = None  # UI benefit being received, if any
    subsidy_entitlement: Entitlement | None = None  # unemployment subsidy being received
    retirement_category: RetirementCategory | None = None  # None: "male" or "female_cadre" by sex


@dataclass(frozen=True, slots=True)
class StopEvent:
    """An event that stops benefit (Regulation art. 15; SIL art. 51) and its date."""

    kind: StopKind
    on: date


def with_unemployment_registration(
    facts: PersonFacts, *, on: date, region_code: str | None = None
) -> PersonFacts:
    """The facts plus an unemployment registration starting ``on`` — the "one thing" bundle's
    hypothetical: could this person claim if they registered today? Unchanged if one is open."""
    if any(r.kind == "unemployment" and r.open_on(on) for r in facts.registrations):
        return facts
    region = region_code or facts.insured_region_code or ""
    added = Registration(kind="unemployment", region_code=region, start=on)
    return replace(facts, registrations=(*facts.registrations, added))
