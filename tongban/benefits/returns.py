"""The bank's return files (回盘): payments settled or returned (退票), and the daily reconciliation.

``tongban import bank_returns FILE.csv`` (columns ``reference, result, reason_code?``).
A returned payment's money comes back to the fund's expenditure account and waits as a
temporary receipt (暂收款) until the bank details are corrected and the next run pays it
again. Loading the same file twice changes nothing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, Sum

from tongban.benefits.models import Entitlement, Payment
from tongban.core.actors import Actor
from tongban.core.imports import ChunkOutcome, Row, RowError, register_kind
from tongban.ledger import services as ledger
from tongban.regions.selectors import region_ids_by_code

RETURN_REASONS = {
    "wrong_name_or_number": "户名或账号错误 / wrong account name or number",
    "account_closed": "账户已销户 / account closed",
    "account_frozen": "账户冻结 / account frozen",
    "card_not_activated": "社保卡金融功能未激活 / card's financial function not activated",
    "other": "其他 / other",
}


def returns_day_ref(day: date) -> str:
    """How the books' references of the return files loaded on ``day`` begin (one per file)."""
    return f"returns-{day:%Y%m%d}"


class BankReturnsKind:
    name = "bank_returns"
    required: tuple[str, ...] = ("reference", "result")
    optional: tuple[str, ...] = ("reason_code",)

    def load_chunk(self, rows: list[Row], *, actor: Actor, as_of: date) -> ChunkOutcome:
        out = ChunkOutcome()
        wanted: dict[str, tuple[int, str, str]] = {}
        for line, row in rows:
            reference, result, reason = (
                row.get("reference", ""),
                row.get("result", ""),
                row.get("reason_code", ""),
            )
            errors = []
            if not reference:
                errors.append(
                    RowError(line, "reference", "required", "A payment reference is required.")
                )
            if result not in ("settled", "returned"):
                errors.append(RowError(line, "result", "result", "result is settled or returned."))
            if result == "returned" and reason and reason not in RETURN_REASONS:
                errors.append(
                    RowError(
                        line,
                        "reason_code",
                        "unknown_reason",
                        f"Unknown return reason {reason!r}; one of {', '.join(RETURN_REASONS)}.",
                    )
                )
            if result == "settled" and reason:
                errors.append(
                    RowError(
                        line,
                        "reason_code",
                        "reason_on_settled",
                        "A settled payment has no return reason.",
                    )
                )
            if errors:
                out.rejected.extend(errors)
                continue
            if reference in wanted and wanted[reference][1] != result:
                out.rejected.append(
                    RowError(
                        line,
                        "result",
                        "contradiction",
                        f"{reference} appears earlier in the file with result {wanted[reference][1]}.",
                    )
                )
                continue
            wanted[reference] = (line, result, reason or ("other" if result == "returned" else ""))
        payments = {
            p.reference: p
            for p in Payment.objects.filter(reference__in=list(wanted)).select_related(
                "paying_region"
            )
        }
        returned_now: dict[str, int] = defaultdict(int)
        touched: set[int] = set()
        for reference, (line, result, reason) in wanted.items():
            payment = payments.get(reference)
            if payment is None or payment.kind == "medical":
                out.rejected.append(
                    RowError(
                        line,
                        "reference",
                        "unknown_payment",
                        f"No payment {reference} was sent to the bank.",
                    )
                )
                continue
            if payment.status == result:
                out.accepted += 1  # already recorded
                continue
            if payment.status != "sent":
                out.rejected.append(
                    RowError(
                        line,
                        "result",
                        "already_resolved",
                        f"{reference} is already {payment.status}; the bank cannot change that now.",
                    )
                )
                continue
            update = {"status": result, "resolved_on": as_of}
            if result == "returned":
                update["return_reason"] = reason
                returned_now[payment.paying_region.code] += payment.amount_fen
                touched.add(payment.entitlement_id)
            Payment.objects.filter(pk=payment.pk, status="sent").update(**update)
            out.accepted += 1
            out.changed += 1
        digest = hashlib.sha256(
            "\n".join(sorted(f"{r}:{w[1]}" for r, w in wanted.items())).encode()
        ).hexdigest()[:16]
        for region_code, amount in sorted(returned_now.items()):
            ledger.bank_return_post(
                actor=actor, region_code=region_code, entry_date=as_of, amount_fen=amount,
                source_ref=f"{returns_day_ref(as_of)}-{digest}",
            )  # fmt: skip
        _recount(touched)
        return out


def _recount(entitlement_ids: set[int]) -> None:
    """A returned month is not paid: months paid count live payments sent or settled."""
    for entitlement_id in sorted(entitlement_ids):
        paid = Payment.objects.filter(
            entitlement_id=entitlement_id, kind="benefit", status__in=["sent", "settled"]
        ).count()
        Entitlement.objects.filter(pk=entitlement_id).update(months_paid=paid)


@dataclass(frozen=True)
class Reconciliation:
    """三方对账 for one fund: what was sent equals settled + returned + pending.

    Payments sent to the bank on ``day`` — or, when ``until`` is given, on any day from
    ``day`` to ``until`` inclusive — by what became of them since.
    """

    region_code: str
    day: date
    sent_count: int
    sent_fen: int
    settled_count: int
    settled_fen: int
    returned_count: int
    returned_fen: int
    pending_count: int
    pending_fen: int
    until: date | None = None

    @property
    def balanced(self) -> bool:
        return (
            self.sent_count == self.settled_count + self.returned_count + self.pending_count
            and self.sent_fen == self.settled_fen + self.returned_fen + self.pending_fen
        )


def _figures() -> dict[str, Any]:
    """What became of the payments sent to the bank (medical premiums never go there)."""
    return {
        "sent_count": Count("id"),
        "sent_fen": Sum("amount_fen"),
        "settled_count": Count("id", filter=Q(status="settled")),
        "settled_fen": Sum("amount_fen", filter=Q(status="settled")),
        "returned_count": Count("id", filter=Q(status="returned")),
        "returned_fen": Sum("amount_fen", filter=Q(status="returned")),
        "pending_count": Count("id", filter=Q(status="sent")),
        "pending_fen": Sum("amount_fen", filter=Q(status="sent")),
    }


def _reconciliation(
    region_code: str, day: date, until: date | None, figures: dict[str, Any]
) -> Reconciliation:
    def n(name: str) -> int:
        return int(figures[name] or 0)

    return Reconciliation(
        region_code=region_code,
        day=day,
        until=until,
        sent_count=n("sent_count"),
        sent_fen=n("sent_fen"),
        settled_count=n("settled_count"),
        settled_fen=n("settled_fen"),
        returned_count=n("returned_count"),
        returned_fen=n("returned_fen"),
        pending_count=n("pending_count"),
        pending_fen=n("pending_fen"),
    )


def reconciliation(*, region_code: str, day: date) -> Reconciliation:
    """Payments sent to the bank on ``day`` by the fund, by what became of them."""
    sent = Payment.objects.filter(
        paying_region__code=region_code, sent_on=day, kind__in=["benefit", "one_off"]
    )
    figures = sent.aggregate(**_figures())
    return _reconciliation(region_code, day, None, figures)


def reconciliations(*, start: date, end: date) -> dict[str, Reconciliation]:
    """Every fund's reconciliation of the payments it sent from ``start`` to ``end`` (inclusive),
    region code → figures, from one GROUP BY; funds that sent nothing are left out."""
    codes = {pk: code for code, pk in region_ids_by_code().items()}
    rows = (
        Payment.objects.filter(
            sent_on__gte=start, sent_on__lte=end, kind__in=["benefit", "one_off"]
        )
        .order_by()
        .values("paying_region_id")
        .annotate(**_figures())
    )
    return {
        codes[row["paying_region_id"]]: _reconciliation(
            codes[row["paying_region_id"]], start, end, row
        )
        for row in rows
    }


def register() -> None:
    register_kind(BankReturnsKind.name, BankReturnsKind)
