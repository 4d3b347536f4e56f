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

    def months_for(status: ConditionStatus, new: int, carried: int) -> int | None:
        if status == "refused":
            return None
        total = duration_months(
            new, carried, bands=bands, minimum=minimum, reclaim_below=reclaim, cap=cap
        )[2]
        return total or None

    regions = batch.paying_region
    amounts: dict[str, tuple[int, int] | None] = {
        region: amount_plain(region, params, as_of) if region else None for region in set(regions)
    }
    months_column: list[int | None]
    eligible_column: list[bool]
    if batch.status is None:
        # every row's other conditions are met (e.g. current recipients): key on the months only
        pairs = {
            pair: months_for("met", *pair)
            for pair in set(zip(batch.contribution_months, batch.unclaimed_months, strict=True))
        }
        evaluations = len(pairs)
        months_column = list(
            map(
                pairs.__getitem__,
                zip(batch.contribution_months, batch.unclaimed_months, strict=True),
            )
        )
        eligible_column = (
            [True] * len(months_column)
            if None not in months_column
            else [m is not None for m in months_column]
        )
    else:
        keys = list(
            zip(batch.status, batch.contribution_months, batch.unclaimed_months, strict=True)
        )
        outcome = {key: months_for(*key) for key in set(keys)}
        evaluations = len(outcome)
        months_column = list(map(outcome.__getitem__, keys))
        eligible_column = [
            m is not None and s == "met" for m, s in zip(months_column, batch.status, strict=True)
        ]
    if None in amounts.values():  # rows without a paying region are refused
        for index, region in enumerate(regions):
            if not region:
                months_column[index] = None
                eligible_column[index] = False
    amount_of = {r: a[0] for r, a in amounts.items() if a is not None}
    premium_of = {r: a[1] for r, a in amounts.items() if a is not None}
    if None not in months_column:  # the usual case: everyone is paid, map by region alone
        amount_column: list[int | None] = list(map(amount_of.__getitem__, regions))
        premium_column: list[int | None] = list(map(premium_of.__getitem__, regions))
    else:
        amount_column = [
            amount_of[r] if m is not None else None
            for r, m in zip(regions, months_column, strict=True)
        ]
        premium_column = [
            premium_of[r] if m is not None else None
            for r, m in zip(regions, months_column, strict=True)
        ]
    return UiBenefitBatchResult(
        months=months_column,
        monthly_amount_fen=amount_column,
        medical_premium_fen=premium_column,
        eligible=eligible_column,
        evaluations=evaluations + len(amounts),
        parameter_set_version=params.version,
    )
