"""What the rules answer: an :class:`Assessment` with reasons and an itemised explanation.

Every step names the rule, its legal source, the figures it used and the parameters
(with file version, status and source), so a caseworker or a claimant can follow it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, TypeAlias

from tongban.rules.facts import StopKind
from tongban.rules.params import Band, ParameterUse, RetirementRule

ReasonKind = Literal["refusal", "pending", "note"]
Figure: TypeAlias = int | str | bool | date | Decimal | None
Detail: TypeAlias = int | str | bool | None  # item-specific extra figures of an assessment


@dataclass(frozen=True, slots=True)
class Reason:
    """A stable ``code`` for clients, with what a caseworker would say, in Chinese and English.

    ``kind``: ``refusal`` (the item cannot be granted), ``pending`` (cannot be decided yet),
    ``note`` (information that does not change the outcome).
    """

    code: str
    kind: ReasonKind
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the explanation: which rule, from which source, with which figures."""

    rule: str
    zh: str
    en: str
    source: str
    figures: tuple[tuple[str, Figure], ...] = ()
    parameters: tuple[ParameterUse, ...] = ()


@dataclass(frozen=True, slots=True)
class Assessment:
    """The answer for one item on one day: eligible or not (or not yet decidable), how much, why.

    ``months``/``monthly_amount_fen``/``start`` describe a monthly benefit; ``amount_fen`` a
    one-off payment (its parts in ``components``). ``pending`` is True when the outcome
    depends on something not yet known (e.g. a contested separation reason).
    """

    item: str
    as_of: date
    eligible: bool
    pending: bool
    reasons: tuple[Reason, ...]
    months: int | None
    monthly_amount_fen: int | None
    amount_fen: int | None
    start: date | None
    paying_region: str | None
    medical_premium_fen: int | None
    components: tuple[tuple[str, int], ...]
    details: tuple[tuple[str, Detail], ...]
    explanation: tuple[Step, ...]
    parameter_set_version: str
    parameter_versions: tuple[tuple[str, str], ...]

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    def figures(self) -> tuple[object, ...]:
        """The decision's substance, for comparing two computations of it."""
        return (
            self.item,
            self.eligible,
            self.pending,
            self.months,
            self.monthly_amount_fen,
            self.amount_fen,
            self.start,
            self.paying_region,
            self.medical_premium_fen,
            self.components,
            self.reason_codes,
        )

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready data (dates ISO 8601, money in fen), for storing with a decision."""
        return {
            "item": self.item,
            "as_of": self.as_of.isoformat(),
            "eligible": self.eligible,
            "pending": self.pending,
            "reasons": [
                {"code": r.code, "kind": r.kind, "zh": r.zh, "en": r.en} for r in self.reasons
            ],
            "months": self.months,
            "monthly_amount_fen": self.monthly_amount_fen,
            "amount_fen": self.amount_fen,
            "start": self.start.isoformat() if self.start else None,
            "paying_region": self.paying_region,
            "medical_premium_fen": self.medical_premium_fen,
            "components": dict(self.components),
            "details": {k: _plain(v) for k, v in self.details},
            "explanation": [step_to_dict(s) for s in self.explanation],
            "parameter_set_version": self.parameter_set_version,
            "parameter_versions": dict(self.parameter_versions),
        }


@dataclass(frozen=True, slots=True)
class StopOutcome:
    """What a stop event does to a running entitlement (Regulation art. 15; SIL art. 51).

    Months are first-of-month dates. ``months_preserved`` stay unclaimed for a later
    determination (re-employment); ``overpaid_months`` were paid but are no longer payable.
    """

    event: StopKind
    effective_on: date
    last_payable_month: date | None
    months_payable: int
    months_cancelled: int
    months_preserved: int
    overpaid_months: tuple[date, ...]
    overpayment_fen: int | None
    medical_premium_overpaid_fen: int | None
    explanation: tuple[Step, ...]
    parameter_set_version: str
    parameter_versions: tuple[tuple[str, str], ...]


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Band):
        return {"from_months": value.from_months, "months": value.months}
    if isinstance(value, RetirementRule):
        return {
            "base_age_years": value.base_age_years,
            "reform_from_birth": _plain(value.reform_from_birth),
            "birth_months_per_step": value.birth_months_per_step,
            "max_delay_months": value.max_delay_months,
        }
    return value


def step_to_dict(step: Step) -> dict[str, object]:
    return {
        "rule": step.rule,
        "zh": step.zh,
        "en": step.en,
        "source": step.source,
        "figures": {k: _plain(v) for k, v in step.figures},
        "parameters": [
            {
                "name": p.name,
                "value": _plain(p.value),
                "unit": p.unit,
                "region_code": p.region_code,
                "effective_from": p.effective_from.isoformat(),
                "effective_to": p.effective_to.isoformat() if p.effective_to else None,
                "status": p.status,
                "source": p.source,
                "file": p.file,
                "version": p.version,
            }
            for p in step.parameters
        ],
    }
