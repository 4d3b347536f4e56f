"""Batch reassessment of the UI benefit, e.g. for everyone receiving it when the minimum wage changes.

The formula has two independent parts: the amount depends only on the paying region, the
duration only on (conditions, contribution months, unclaimed months). Each part is evaluated
once per distinct input — with the very functions the single assessment uses — and the
results are mapped back to the persons, so a batch and single assessments give the same figures.

Two forms: :func:`reassess_ui_benefit_batch` takes Python columns (any condition status);
:func:`reassess_ui_benefit_arrays` takes numpy columns of current recipients (the
minimum-wage case: a million rows from the database) and maps back with array indexing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

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


def _duration(params: ParameterSet, as_of: date) -> Callable[[int, int], int]:
    """Months payable for (new contribution months, months carried over) on ``as_of``: the
    single assessment's ``duration_months`` with the parameters read once."""
    bands = params.bands("ui_benefit.duration_bands", on=as_of)
    minimum = params.integer("ui_benefit.minimum_contribution_months", on=as_of)
    reclaim = params.integer("ui_benefit.reclaim_unclaimed_below_months", on=as_of)
    cap = params.integer("ui_benefit.carry_over_cap_months", on=as_of)

    def months(new: int, carried: int) -> int:
        return duration_months(
            new, carried, bands=bands, minimum=minimum, reclaim_below=reclaim, cap=cap
        )[2]

    return months


def reassess_ui_benefit_batch(
    batch: UiBenefitBatch, params: ParameterSet, as_of: date
) -> UiBenefitBatchResult:
    """The UI-benefit figures of every row on ``as_of`` (the same as :func:`assess` gives)."""
    duration = _duration(params, as_of)

    def months_for(status: ConditionStatus, new: int, carried: int) -> int | None:
        if status == "refused":
            return None
        return duration(new, carried) or None

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


IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class UiBenefitArrays:
    """Current recipients in numpy columns: ``region_index`` points into ``region_codes``."""

    region_codes: tuple[str, ...]
    region_index: IntArray
    contribution_months: IntArray
    unclaimed_months: IntArray


@dataclass(frozen=True, slots=True)
class UiBenefitArraysResult:
    """Figures in numpy columns, in the order of the rows; 0 where nothing is payable."""

    months: IntArray
    monthly_amount_fen: IntArray
    medical_premium_fen: IntArray
    eligible: npt.NDArray[np.bool_]
    evaluations: int
    parameter_set_version: str


def reassess_ui_benefit_arrays(
    rows: UiBenefitArrays, params: ParameterSet, as_of: date
) -> UiBenefitArraysResult:
    """The same figures as :func:`reassess_ui_benefit_batch` for rows whose other conditions
    are met. Each distinct (contribution months, unclaimed months) pair and each region is
    evaluated once by the single assessment's functions; numpy maps the answers back."""
    duration = _duration(params, as_of)
    contributed, unclaimed = rows.contribution_months, rows.unclaimed_months
    if len(contributed) and (int(contributed.min()) < 0 or int(unclaimed.min()) < 0):
        raise ValueError("months cannot be negative")
    width = int(unclaimed.max()) + 1 if len(unclaimed) else 1
    keys = contributed * width + unclaimed
    seen = np.zeros(int(keys.max()) + 1 if len(keys) else 1, dtype=np.bool_)
    seen[keys] = True
    distinct = np.flatnonzero(seen)
    table = np.zeros(len(seen), dtype=np.int64)
    for key in distinct.tolist():
        table[key] = duration(*divmod(key, width))
    months = table[keys]
    figures = [amount_plain(code, params, as_of) for code in rows.region_codes]
    amounts = np.array([a[0] for a in figures], dtype=np.int64)[rows.region_index]
    premiums = np.array([a[1] for a in figures], dtype=np.int64)[rows.region_index]
    eligible = months > 0
    return UiBenefitArraysResult(
        months=months,
        monthly_amount_fen=np.where(eligible, amounts, 0),
        medical_premium_fen=np.where(eligible, premiums, 0),
        eligible=eligible,
        evaluations=len(distinct) + len(figures),
        parameter_set_version=params.version,
    )
