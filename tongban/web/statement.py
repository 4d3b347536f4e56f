"""My payments, entitlement by entitlement: what was granted, what has gone to the person's
bank, what is still to come, and each payment newest first.

Read from the same selector as the API's ``GET /persons/{id}/payments`` (``payments_of``);
the figures are sums over those rows, so the page and the API never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tongban.benefits.selectors import PAID_KINDS

PAID = ("sent", "settled")


@dataclass(frozen=True)
class Statement:
    """One entitlement and its payments to the person, newest first."""

    entitlement: Any
    item: Any
    payments: list[Any]
    reissued: frozenset[int]  # returned payments that were paid again since
    paid_fen: int
    medical_fen: int  # premiums paid for the person to the medical insurance agency

    @property
    def monthly(self) -> bool:
        return self.entitlement.monthly_amount_fen is not None

    @property
    def months_left(self) -> int:
        """Months not paid and not given up: still to come, or kept for a later claim."""
        e = self.entitlement
        return max(0, int(e.months - e.months_paid - e.months_forfeited))

    @property
    def to_come_fen(self) -> int:
        """What a running entitlement will still pay if nothing changes (ended: nothing)."""
        e = self.entitlement
        if e.status == "ended":
            return 0
        if self.monthly:
            return int(self.months_left * e.monthly_amount_fen)
        return max(0, int(e.amount_fen or 0) - self.paid_fen)


def statements(entitlements: Iterable[Any], payments: Iterable[Any], items: Any) -> list[Statement]:
    """Group a person's payments under their entitlements, newest entitlement first."""
    by_entitlement: dict[int, list[Any]] = defaultdict(list)
    for payment in payments:
        by_entitlement[payment.entitlement_id].append(payment)
    result = []
    for e in sorted(entitlements, key=lambda e: (e.determined_on, e.pk), reverse=True):
        rows = by_entitlement.get(e.pk, [])
        mine = sorted(
            (p for p in rows if p.kind in PAID_KINDS),  # not the medical premiums
            key=lambda p: (p.period, p.created_at, p.pk),
            reverse=True,  # a re-issue stands above the returned payment it replaces
        )
        result.append(
            Statement(
                entitlement=e,
                item=items.get(e.item_code),
                payments=mine,
                reissued=frozenset(p.reissue_of_id for p in mine if p.reissue_of_id),
                paid_fen=sum(p.amount_fen for p in mine if p.status in PAID),
                medical_fen=sum(
                    p.amount_fen for p in rows if p.kind == "medical" and p.status in PAID
                ),
            )
        )
    return result
