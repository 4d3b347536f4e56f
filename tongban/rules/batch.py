"""Batch reassessment of the UI benefit, e.g. for everyone receiving it when the minimum wage changes.

The formula has two independent parts: the amount depends only on the paying region, the
duration only on (conditions, contribution months, unclaimed months). Each part is evaluated
once per distinct input — with the very functions the single assessment uses — and the
results are mapped back to the persons, so a batch and single assessments give the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import repeat

from tongban.rules.params import ParameterSet
from tongban.rules.ui_benefit import (
    ConditionStatus,
    UiBenefitInputs,
    amount_plain,
    duration_months,
)


@dataclass(frozen=True, slots=True)
class UiBenefitBatch:
    """Inputs in columns, one row per person (see :class:`UiBenefitInputs`)."""

    paying_region: Sequence[str]
    contribution_months: Sequence[int]
    unclaimed_months: Sequence[int]
    status: Sequence[ConditionStatus] | None = None  # None: every row "met"

    @classmethod
    def from_inputs(cls, rows: Sequence[UiBenefitInputs]) -> UiBenefitBatch:
        return cls(
            paying_region=[r.paying_region for r in rows],
            contribution_months=[r.contribution_months for r in rows],
            unclaimed_months=[r.unclaimed_months for r in rows],
            status=[r.status for r in rows],
        )

    def __len__(self) -> int:
        return len(self.paying_region)


@dataclass(frozen=True, slots=True)
class UiBenefitBatchResult:
    """Figures in columns, in the order of the batch; ``None`` where nothing is payable."""

    months: list[int | None]
    monthly_amount_fen: list[int | None]
    medical_premium_fen: list[int | None]
    eligible: list[bool]
    evaluations: int  # how many times a part of the formula was evaluated
    parameter_set_version: str

    def row(self, index: int) -> tuple[bool, int | None, int | None, int | None]:
        return (
            self.eligible[index],
            self.months[index],
            self.monthly_amount_fen[index],
            self.medical_premium_fen[index],
        )


def reassess_ui_benefit_batch(
    batch: UiBenefitBatch, params: ParameterSet, as_of: date
) -> UiBenefitBatchResult:
    """The UI-benefit figures of every row on ``as_of`` (the same as :func:`assess` gives)."""
    bands = params.bands("ui_benefit.duration_bands", on=as_of)
    minimum = params.integer("ui_benefit.minimum_contribution_months", on=as_of)
    reclaim = params.integer("ui_benefit.reclaim_unclaimed_below_months", on=as_of)
    cap = params.integer("ui_benefit.carry_over_cap_months", on=as_of)

    statuses: Sequence[ConditionStatus] | repeat[ConditionStatus] = (
        batch.status if batch.status is not None else repeat("met")
    )
    keys = list(zip(statuses, batch.contribution_months, batch.unclaimed_months, strict=False))
    outcome: dict[tuple[ConditionStatus, int, int], tuple[int | None, bool]] = {}
    for status, new, carried in set(keys):
        months = (
            duration_months(
                new, carried, bands=bands, minimum=minimum, reclaim_below=reclaim, cap=cap
            )[2]
            if status != "refused"
            else 0
        )
        outcome[(status, new, carried)] = (months, status == "met") if months else (None, False)
    regions = batch.paying_region
    amounts: dict[str, tuple[int, int] | None] = {
        region: amount_plain(region, params, as_of) if region else None for region in set(regions)
    }
    results = list(map(outcome.__getitem__, keys))
    months_column = [m for m, _ in results]
    eligible_column = [e for _, e in results]
    if None in amounts.values():  # rows without a paying region are refused
        for index, region in enumerate(regions):
            if not region:
                months_column[index] = None
                eligible_column[index] = False
    amount_of = {r: a[0] for r, a in amounts.items() if a is not None}
    premium_of = {r: a[1] for r, a in amounts.items() if a is not None}
    return UiBenefitBatchResult(
        months=months_column,
        monthly_amount_fen=[
            amount_of[r] if m is not None else None
            for r, m in zip(regions, months_column, strict=True)
        ],
        medical_premium_fen=[
            premium_of[r] if m is not None else None
            for r, m in zip(regions, months_column, strict=True)
        ],
        eligible=eligible_column,
        evaluations=len(outcome) + len(amounts),
        parameter_set_version=params.version,
    )
