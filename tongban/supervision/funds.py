"""Fund supervision: each regional fund's balance, income and expenditure (the end's month to
date and year to date), months of coverage against the warning threshold, the monthly trend,
and the three-way reconciliation of what the fund paid in the period — read from the books as they
stand, so a posting shows at once (docs/supervision.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tongban.benefits.reconciliation import (
    Reconciliation,
    reconciliations,
    reconciliations_sum,
)
from tongban.ledger.selectors import (
    Coverage,
    IncomeExpenditure,
    MonthFigures,
    flows_by_fund,
    fund_coverage,
    funds_coverage,
    income_expenditure,
    monthly_figures,
    months_before,
)
from tongban.regions.selectors import regions_list
from tongban.supervision.parameters import thresholds
from tongban.supervision.period import Period


def coverage_warning(coverage: Coverage) -> bool:
    """Months of coverage below the threshold (a fund that spent nothing is not warned)."""
    months = coverage.months
    return months is not None and months < thresholds().coverage_warning_months


@dataclass(frozen=True)
class FundRow:
    """One fund (``region_code`` None: the province's funds added up)."""

    region_code: str | None
    name: str
    coverage: Coverage
    income_month_fen: int
    expenditure_month_fen: int
    income_year_fen: int
    expenditure_year_fen: int
    reconciliation: Reconciliation | None

    @property
    def balance_fen(self) -> int:
        return self.coverage.balance_fen

    @property
    def months(self) -> Decimal | None:
        return self.coverage.months

    @property
    def warning(self) -> bool:
        return coverage_warning(self.coverage)


@dataclass(frozen=True)
class FundFigures:
    period: Period
    rows: list[FundRow]  # the funds shown; for the province, the total last
    subjects_month: IncomeExpenditure
    subjects_year: IncomeExpenditure
    trend: list[MonthFigures]

    @property
    def warnings(self) -> int:
        return sum(1 for r in self.rows if r.region_code is not None and r.warning)


def _sum(recs: list[Reconciliation], period: Period, region_code: str = "") -> Reconciliation:
    return reconciliations_sum(recs, region_code=region_code, day=period.start, until=period.end)


def fund_figures(*, period: Period, region_code: str | None) -> FundFigures:
    """Every fund (``region_code`` None) with the province's total, or one fund, as of the
    period's end; income and expenditure by subject and the 12-month trend of the same."""
    end, after = period.end, period.after
    names = {r.code: r.name for r in regions_list()}
    month = flows_by_fund(start=period.month_start, end=after)
    year = flows_by_fund(start=period.year_start, end=after)
    banks = reconciliations(start=period.start, end=period.end)
    coverages = (
        funds_coverage(as_of=end)
        if region_code is None
        else [fund_coverage(region_code=region_code, as_of=end)]
    )
    rows = []
    for coverage in coverages:
        code = coverage.region_code or ""
        rows.append(
            FundRow(code, names.get(code, code), coverage, *month[code], *year[code],
                    banks.get(code) or _sum([], period, code))
        )  # fmt: skip
    if region_code is None:
        total = fund_coverage(region_code=None, as_of=end)
        rows.append(
            FundRow(
                None, "", total,
                sum(r.income_month_fen for r in rows), sum(r.expenditure_month_fen for r in rows),
                sum(r.income_year_fen for r in rows), sum(r.expenditure_year_fen for r in rows),
                _sum(list(banks.values()), period),
            )
        )  # fmt: skip
    return FundFigures(
        period=period,
        rows=rows,
        subjects_month=income_expenditure(region_code=region_code, start=period.month_start,
                                          end=after),
        subjects_year=income_expenditure(region_code=region_code, start=period.year_start,
                                         end=after),
        trend=monthly_figures(region_code=region_code,
                              start_month=months_before(period.month_start, 11), months=12),
    )  # fmt: skip


def fund_coverages(*, as_of: date, region_code: str | None) -> tuple[list[Coverage], Coverage]:
    """Months of coverage of the funds a view covers (all of them when ``region_code`` is
    None, from one GROUP BY) and of those funds taken together."""
    if region_code is None:
        return funds_coverage(as_of=as_of), fund_coverage(region_code=None, as_of=as_of)
    one = fund_coverage(region_code=region_code, as_of=as_of)
    return [one], one
