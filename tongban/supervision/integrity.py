"""The integration point for data-comparison findings (数据比对, ``tongban.integrity``).

Integrity is being built beside supervision. Until it is wired here, this returns empty
counts marked ``connected=False``, and the pages say the figures are not connected yet —
never a made-up zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


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

    Integrity fills this: replace the body with a call to ``tongban.integrity.selectors``
    and return ``FindingCounts(connected=True, …)``. The supervision overview, the anomaly page
    and ``GET /statistics`` (``integrity_findings``) already show whatever it returns.
    """
    return FindingCounts()
