"""Findings of data comparison (数据比对, ``tongban.integrity``) on the supervision view.

``connected`` stays in the shape so that a deployment without the integrity context could
say so instead of showing a made-up zero; here integrity is always connected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tongban.integrity.selectors import finding_totals


@dataclass(frozen=True)
class FindingCounts:
    """Findings of data comparison in a scope: open ones by kind, and those closed in the period."""

    connected: bool = False
    open_by_kind: dict[str, int] = field(default_factory=dict)
    closed_in_period: int = 0

    @property
    def open(self) -> int:
        return sum(self.open_by_kind.values())


def finding_counts(*, region_ids: list[int] | None, start: date, end: date) -> FindingCounts:
    """Counts of integrity findings about people paid by the funds of ``region_ids`` (None:
    every fund): open findings by kind (claiming while employed, duplicate claims, deaths,
    pensions…) and findings closed from ``start`` to ``end``.

    Shown on the supervision overview, the anomaly page and in ``GET /statistics``
    (``integrity_findings``).
    """
    totals = finding_totals(region_ids=region_ids, start=start, end=end)
    return FindingCounts(
        connected=True, open_by_kind=totals.open_by_source, closed_in_period=totals.closed_in_period
    )
