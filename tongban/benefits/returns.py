"""The bank's return files (回盘): payments settled or returned (退票).

``tongban import bank_returns FILE.csv`` (columns ``reference, result, reason_code?``).
A returned payment's money comes back to the fund's expenditure account and waits as a
temporary receipt (暂收款) until the bank details are corrected and the next run pays it
again. Loading the same file twice changes nothing. The daily reconciliation of what was sent,
returned and booked: ``benefits.reconciliation``.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date

from tongban.benefits.models import Entitlement, Payment
from tongban.core.actors import Actor
from tongban.core.imports import ChunkOutcome, Row, RowError, register_kind
from tongban.ledger import services as ledger

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


def register() -> None:
    register_kind(BankReturnsKind.name, BankReturnsKind)
