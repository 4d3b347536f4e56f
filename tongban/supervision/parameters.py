"""The supervision thresholds and goals, read from ``data/thresholds.yaml`` (data, not code)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class ExpenditureJump:
    rise: Decimal
    minimum_fen: int
    months: int


@dataclass(frozen=True)
class Thresholds:
    earliest_date: date
    longest_period_days: int
    online_share_goal: Decimal
    coverage_warning_months: Decimal
    first_payment_days: tuple[int, ...]
    expenditure_jump: ExpenditureJump
    evidence_limit: int

    @property
    def first_payment_headline_days(self) -> int:
        return self.first_payment_days[0]


def thresholds_from(text: str) -> Thresholds:
    data = yaml.safe_load(text)
    jump = data["expenditure_jump"]
    return Thresholds(
        earliest_date=date.fromisoformat(str(data["earliest_date"])),
        longest_period_days=int(data["longest_period_days"]),
        online_share_goal=Decimal(str(data["online_share_goal"])),
        coverage_warning_months=Decimal(str(data["coverage_warning_months"])),
        first_payment_days=tuple(int(d) for d in data["first_payment_days"]),
        expenditure_jump=ExpenditureJump(
            rise=Decimal(str(jump["rise"])),
            minimum_fen=int(jump["minimum_fen"]),
            months=int(jump["months"]),
        ),
        evidence_limit=int(data["evidence_limit"]),
    )


@lru_cache(maxsize=1)
def thresholds() -> Thresholds:
    text = (
        resources.files("tongban.supervision").joinpath("data/thresholds.yaml").read_text("utf-8")
    )
    return thresholds_from(text)
