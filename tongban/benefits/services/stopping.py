"""Stops (Regulation art. 15) and overpayments: later months cancelled, months paid after the
stop owed back, recovered by offset or repayment and booked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tongban.benefits.hooks import (
    ENTITLEMENT_ENDED,
    EntitlementEnded,
)
from tongban.benefits.models import (
    MONTHLY_ITEMS,
    SUBJECTS,
    Entitlement,
    Overpayment,
    Payment,
    Recovery,
)
from tongban.benefits.selectors import rules_entitlement
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.errors import Conflict, InvalidInput, NotFound
from tongban.core.hooks import publish
from tongban.core.months import add_months
from tongban.core.outbox import outbox_emit
from tongban.core.transactions import entrypoint, require_transaction
from tongban.ledger import services as ledger
from tongban.rules import facts as rf
from tongban.rules.params import default_parameters
from tongban.rules.stops import stop_consequences

ENTITLEMENT_STOPPED = "benefits.entitlement_stopped"


STOP_KINDS = (
    "reemployment",
    "conscription",
    "emigration",
    "pension_start",
    "imprisonment",
    "refusal",
    "death",
    "other_province_benefit",
)


@dataclass(frozen=True)
class StopResult:
    entitlement: Entitlement
    cancelled_payments: int
    overpayment: Overpayment | None
    explanation: dict[str, Any]


def entitlement_stop(
    *,
    actor: Actor,
    entitlement_id: int,
    kind: str,
    on: date,
    reasons: list[str],
    office_code: str,
) -> StopResult:
    """Stop a running entitlement from ``on`` (Regulation art. 15): later months are cancelled,
    months already paid after the stop become an overpayment to recover. In the caller's
    transaction: a caseworker's recorded decision, or the person's own re-employment report."""
    require_transaction("entitlement_stop")
    if kind not in STOP_KINDS:
        raise InvalidInput.of("kind", "stop_kind", f"A stop is one of {', '.join(STOP_KINDS)}.")
    entitlement = (
        Entitlement.objects.select_for_update(of=("self",))
        .select_related("paying_region")
        .filter(pk=entitlement_id)
        .first()
    )
    if entitlement is None:
        raise NotFound(f"No entitlement {entitlement_id}.", code="unknown_entitlement")
    if entitlement.status not in (Entitlement.Status.ACTIVE, Entitlement.Status.SUSPENDED):
        raise Conflict(
            "This entitlement is not running; there is nothing to stop.", code="not_running"
        )
    if entitlement.item_code not in MONTHLY_ITEMS or entitlement.start_month is None:
        raise Conflict(
            "Only monthly benefits are stopped; a one-off payment is paid once.", code="not_monthly"
        )
    if on < entitlement.start_month:
        raise InvalidInput.of(
            "date", "before_start", "The stop date is before the benefit started."
        )
    outcome = stop_consequences(
        rules_entitlement(entitlement),
        rf.StopEvent(kind=kind, on=on),  # type: ignore[arg-type]
        default_parameters(),
    )
    new_end = (
        add_months(outcome.last_payable_month, 1)
        if outcome.last_payable_month
        else entitlement.start_month
    )
    new_end = min(new_end, entitlement.end_month or new_end)
    later = Payment.objects.filter(entitlement=entitlement, period__gte=new_end)
    cancelled = later.filter(status__in=["scheduled", "held"]).update(status="cancelled")
    overpaid = list(later.filter(kind="benefit", status__in=["sent", "settled"]).order_by("period"))
    overpayment = None
    if overpaid:
        overpayment = Overpayment.objects.create(
            entitlement=entitlement,
            person_id=entitlement.person_id,
            paying_region=entitlement.paying_region,
            amount_fen=sum(p.amount_fen + p.offset_fen for p in overpaid),
            months=[{"month": f"{p.period:%Y-%m}", "payment": p.reference} for p in overpaid],
            reason=kind,
            established_on=on,
            created_at=clock.now(),
        )
        ledger.overpayment_post(
            actor=actor, region_code=entitlement.paying_region.code, entry_date=on,
            subject_code=SUBJECTS[entitlement.item_code], amount_fen=overpayment.amount_fen,
            source_ref=f"overpayment-{overpayment.pk}",
        )  # fmt: skip
    paid_before = Payment.objects.filter(
        entitlement=entitlement, kind="benefit", status__in=["sent", "settled"], period__lt=new_end
    ).count()
    remaining = max(0, entitlement.months - paid_before)
    entitlement.end_month = new_end
    entitlement.status = Entitlement.Status.ENDED
    entitlement.ended_on = on
    entitlement.end_reason = kind
    entitlement.months_paid = Payment.objects.filter(
        entitlement=entitlement, kind="benefit", status__in=["sent", "settled"]
    ).count()
    entitlement.months_forfeited = 0 if kind == "reemployment" else remaining
    entitlement.save(
        update_fields=[
            "end_month",
            "status",
            "ended_on",
            "end_reason",
            "months_paid",
            "months_forfeited",
        ]
    )
    explanation = {
        "stop": kind,
        "on": on.isoformat(),
        "reasons": reasons,
        "rules": _plain_outcome(outcome),
    }
    audit_record(
        actor=actor,
        event_type="entitlement_stopped",
        subject_type="entitlement",
        subject_id=entitlement.pk,
        office_code=office_code,
        data={"kind": kind, "on": on.isoformat(), "cancelled": cancelled,
              "overpayment_fen": overpayment.amount_fen if overpayment else 0},
    )  # fmt: skip
    outbox_emit(
        ENTITLEMENT_STOPPED,
        {
            "entitlement_id": entitlement.pk,
            "person_id": entitlement.person_id,
            "kind": kind,
            "on": on.isoformat(),
        },
    )
    publish(
        ENTITLEMENT_ENDED,
        EntitlementEnded(
            entitlement_id=entitlement.pk, person_id=entitlement.person_id, kind=kind, on=on
        ),
    )
    return StopResult(entitlement, cancelled, overpayment, explanation)


def _plain_outcome(outcome: Any) -> dict[str, Any]:
    return {
        "last_payable_month": outcome.last_payable_month.isoformat()
        if outcome.last_payable_month
        else None,
        "months_payable": outcome.months_payable,
        "months_cancelled": outcome.months_cancelled,
        "months_preserved": outcome.months_preserved,
        "parameter_set_version": outcome.parameter_set_version,
        "explanation": [
            {"rule": s.rule, "zh": s.zh, "en": s.en, "source": s.source}
            for s in outcome.explanation
        ],
    }


@entrypoint
def overpayment_repay(
    *, actor: Actor, overpayment_id: int, amount_fen: int, on: date, reference: str
) -> Recovery:
    """The person repaid (part of) an overpayment; booked into the fund's income account."""
    overpayment = (
        Overpayment.objects.select_for_update()
        .select_related("paying_region")
        .filter(pk=overpayment_id)
        .first()
    )
    if overpayment is None:
        raise NotFound(f"No overpayment {overpayment_id}.", code="unknown_overpayment")
    if amount_fen <= 0:
        raise InvalidInput.of("amount_fen", "amount", "A repayment is a positive amount of fen.")
    if Recovery.objects.filter(reference=reference).exists():
        raise Conflict(f"Repayment {reference} is already recorded.", code="duplicate_repayment")
    if amount_fen > overpayment.outstanding_fen:
        raise InvalidInput.of(
            "amount_fen", "too_much", f"Only {overpayment.outstanding_fen} fen is outstanding."
        )
    recovery = Recovery.objects.create(
        overpayment=overpayment, method=Recovery.Method.REPAYMENT, amount_fen=amount_fen,
        reference=reference, recovered_on=on, created_at=clock.now(),
    )  # fmt: skip
    overpayment.recovered_fen += amount_fen
    if overpayment.recovered_fen >= overpayment.amount_fen:
        overpayment.status = Overpayment.Status.RECOVERED
    overpayment.save(update_fields=["recovered_fen", "status"])
    ledger.overpayment_repaid_post(
        actor=actor, region_code=overpayment.paying_region.code, entry_date=on,
        amount_fen=amount_fen, source_ref=f"repayment-{reference}",
    )  # fmt: skip
    audit_record(
        actor=actor, event_type="overpayment_repaid", subject_type="overpayment",
        subject_id=overpayment.pk, data={"amount_fen": amount_fen, "reference": reference},
    )  # fmt: skip
    return recovery
