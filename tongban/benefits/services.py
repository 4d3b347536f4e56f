"""Writing entitlements. Payment runs, stops and recovery arrive with the money issue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from tongban.benefits.hooks import (
    ENTITLEMENT_ENDED,
    ENTITLEMENT_RESUMED,
    EntitlementEnded,
    EntitlementResumed,
)
from tongban.benefits.models import (
    MONTHLY_ITEMS,
    SUBJECTS,
    Entitlement,
    Overpayment,
    Payment,
    Recovery,
)
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.audit import AuditItem, audit_record, audit_record_many
from tongban.core.errors import Conflict, InvalidInput, NotFound
from tongban.core.hooks import publish
from tongban.core.months import add_months, month_of, months_between
from tongban.core.outbox import outbox_emit
from tongban.core.transactions import entrypoint, require_transaction
from tongban.ledger import services as ledger
from tongban.rules import facts as rf
from tongban.rules.params import default_parameters
from tongban.rules.stops import stop_consequences

ENTITLEMENT_CREATED = "benefits.entitlement_created"


def entitlement_create(
    *,
    actor: Actor,
    person_id: int,
    item_code: str,
    application_reference: str,
    paying_region_id: int,
    determined_on: date,
    start_month: date | None,
    months: int,
    monthly_amount_fen: int | None,
    medical_premium_fen: int | None,
    amount_fen: int | None,
    contribution_months_used: int,
    explanation: dict[str, Any],
    parameter_set_version: str,
    catalogue_version: int,
    office_code: str,
) -> Entitlement:
    """Create the entitlement an approved decision grants; runs in the decision's transaction."""
    require_transaction("entitlement_create")
    monthly = item_code in MONTHLY_ITEMS
    if monthly and start_month is None:
        raise ValueError("a monthly entitlement needs its first month")
    first = month_of(start_month if monthly and start_month else determined_on)
    try:
        with transaction.atomic():
            entitlement = Entitlement.objects.create(
                person_id=person_id,
                item_code=item_code,
                application_reference=application_reference,
                paying_region_id=paying_region_id,
                start_month=first,
                end_month=add_months(first, months if monthly else 1),
                months=months if item_code in MONTHLY_ITEMS else 0,
                monthly_amount_fen=monthly_amount_fen if item_code in MONTHLY_ITEMS else None,
                medical_premium_fen=medical_premium_fen if item_code == "ui_benefit" else None,
                amount_fen=amount_fen if item_code not in MONTHLY_ITEMS else None,
                contribution_months_used=contribution_months_used,
                determined_on=determined_on,
                explanation=explanation,
                parameter_set_version=parameter_set_version,
                catalogue_version=catalogue_version,
                created_at=clock.now(),
            )
    except IntegrityError:
        raise Conflict(
            "The person already receives UI benefit; a second running entitlement is not allowed.",
            code="entitlement_exists",
        ) from None
    audit_record(
        actor=actor,
        event_type="entitlement_created",
        subject_type="entitlement",
        subject_id=entitlement.pk,
        office_code=office_code,
        data={
            "application": application_reference,
            "item": item_code,
            "months": entitlement.months,
        },
    )
    outbox_emit(
        ENTITLEMENT_CREATED,
        {"entitlement_id": entitlement.pk, "person_id": person_id, "item": item_code},
    )
    return entitlement


ENTITLEMENT_STOPPED = "benefits.entitlement_stopped"
ENTITLEMENT_SUSPENDED = "benefits.entitlement_suspended"
ENTITLEMENT_MOVED = "benefits.entitlement_moved"
SUSPENDED = "suspended"  # the hold reason of payments held by a suspension
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
        rf.Entitlement(
            start_month=entitlement.start_month,
            months=entitlement.months,
            months_paid=entitlement.months_paid,
            paying_region=entitlement.paying_region.code,
            monthly_amount_fen=entitlement.monthly_amount_fen,
            medical_premium_fen=entitlement.medical_premium_fen,
        ),
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


# ---- suspension (暂停) and resumption: a data match holds payments until a person decides ----


@dataclass(frozen=True)
class Suspension:
    """Hold an entitlement's payments from ``from_date``'s month; ``reference`` says why."""

    entitlement_id: int
    from_date: date
    reference: str
    office_code: str


def entitlements_suspend(*, actor: Actor, suspensions: list[Suspension]) -> list[int]:
    """Suspend running entitlements, set-based, in the caller's transaction.

    An active entitlement becomes ``suspended``; its scheduled payments (and those held only
    for want of a bank account) from the suspension month on are held with reason
    ``suspended``, and every later run creates its months held (``benefits.payrun``). An
    entitlement already suspended stays so. Returns the ids that were active and now are not.
    """
    require_transaction("entitlements_suspend")
    if not suspensions:
        return []
    wanted = {s.entitlement_id: s for s in suspensions}
    locked = list(
        Entitlement.objects.select_for_update(of=("self",))
        .filter(pk__in=sorted(wanted), status__in=["active", "suspended"])
        .order_by("id")
        .values_list("id", "status")
    )
    changed = [pk for pk, status in locked if status == Entitlement.Status.ACTIVE]
    Entitlement.objects.filter(pk__in=changed).update(status=Entitlement.Status.SUSPENDED)
    by_month: dict[date, list[int]] = {}
    for pk, _ in locked:
        by_month.setdefault(month_of(wanted[pk].from_date), []).append(pk)
    for month, ids in sorted(by_month.items()):
        Entitlement.objects.filter(pk__in=ids).filter(
            Q(held_from__isnull=True) | Q(held_from__gt=month)
        ).update(held_from=month)
        Payment.objects.filter(
            entitlement_id__in=ids, period__gte=month, status__in=["scheduled", "held"]
        ).exclude(hold_reason=SUSPENDED).update(status="held", hold_reason=SUSPENDED)
    audit_record_many(
        actor=actor,
        items=[
            AuditItem(
                event_type="entitlement_suspended",
                subject_type="entitlement",
                subject_id=pk,
                office_code=wanted[pk].office_code,
                data={
                    "from": wanted[pk].from_date.isoformat(),
                    "because": wanted[pk].reference,
                    "was": status,
                },
            )
            for pk, status in locked
        ],
    )
    if changed:
        outbox_emit(  # one event for the batch
            ENTITLEMENT_SUSPENDED,
            {"suspended": [{"entitlement_id": pk, "from": wanted[pk].from_date.isoformat()}
                           for pk in changed]},
        )  # fmt: skip
    return changed


def entitlement_resume(
    *, actor: Actor, entitlement_id: int, reasons: list[str], office_code: str, on: date
) -> Entitlement:
    """Lift a suspension: active again; months held by it are scheduled for the next run."""
    require_transaction("entitlement_resume")
    entitlement = (
        Entitlement.objects.select_for_update(of=("self",)).filter(pk=entitlement_id).first()
    )
    if entitlement is None:
        raise NotFound(f"No entitlement {entitlement_id}.", code="unknown_entitlement")
    if entitlement.status != Entitlement.Status.SUSPENDED:
        raise Conflict("This entitlement is not suspended.", code="not_suspended")
    entitlement.status = Entitlement.Status.ACTIVE
    entitlement.held_from = None
    entitlement.save(update_fields=["status", "held_from"])
    released = Payment.objects.filter(
        entitlement=entitlement, status="held", hold_reason=SUSPENDED
    ).update(status="scheduled", hold_reason="")
    audit_record(
        actor=actor,
        event_type="entitlement_resumed",
        subject_type="entitlement",
        subject_id=entitlement.pk,
        office_code=office_code,
        data={"reasons": reasons, "released_payments": released},
    )
    outbox_emit(ENTITLEMENT_RESUMED, {"entitlement_id": entitlement.pk, "released": released})
    publish(
        ENTITLEMENT_RESUMED,
        EntitlementResumed(entitlement_id=entitlement.pk, person_id=entitlement.person_id, on=on),
    )
    return entitlement


def entitlement_holds_release(
    *,
    actor: Actor,
    entitlement_id: int,
    before: date | None,
    reference: str,
    office_code: str,
) -> int:
    """Payments a suspension held for months before ``before`` (all, if None) are payable after
    all: scheduled for the next run. The entitlement's status is left as it is."""
    require_transaction("entitlement_holds_release")
    Entitlement.objects.select_for_update(of=("self",)).filter(pk=entitlement_id).first()
    held = Payment.objects.filter(
        entitlement_id=entitlement_id, status="held", hold_reason=SUSPENDED
    )
    if before is not None:
        held = held.filter(period__lt=month_of(before))
    released = held.update(status="scheduled", hold_reason="")
    # Later runs hold from ``before`` on (another finding still open), or nothing at all.
    Entitlement.objects.filter(pk=entitlement_id).update(
        held_from=month_of(before) if before is not None else None
    )
    if released:
        audit_record(
            actor=actor, event_type="held_payments_released", subject_type="entitlement",
            subject_id=entitlement_id, office_code=office_code,
            data={"payments": released, "before": before.isoformat() if before else None,
                  "because": reference},
        )  # fmt: skip
    return released


def entitlement_holds_cancel(
    *, actor: Actor, entitlement_id: int, from_month: date, reference: str, office_code: str
) -> int:
    """Payments a suspension held from ``from_month`` on are not due (a confirmed finding about an
    entitlement that had already ended for another reason, dated later): cancelled."""
    require_transaction("entitlement_holds_cancel")
    entitlement = (
        Entitlement.objects.select_for_update(of=("self",)).filter(pk=entitlement_id).first()
    )
    if entitlement is None:
        raise NotFound(f"No entitlement {entitlement_id}.", code="unknown_entitlement")
    first = month_of(from_month)
    if entitlement.status == Entitlement.Status.ENDED:
        # Months from here on are not due at all: the end moves back to the held month.
        entitlement.held_from = None
        if entitlement.end_month is not None and entitlement.end_month > first:
            entitlement.end_month = max(first, entitlement.start_month or first)
        entitlement.save(update_fields=["held_from", "end_month"])
    cancelled = Payment.objects.filter(
        entitlement_id=entitlement_id, status="held", hold_reason=SUSPENDED,
        period__gte=month_of(from_month),
    ).update(status="cancelled")  # fmt: skip
    if cancelled:
        audit_record(
            actor=actor, event_type="held_payments_cancelled", subject_type="entitlement",
            subject_id=entitlement_id, office_code=office_code,
            data={"payments": cancelled, "from": from_month.isoformat(), "because": reference},
        )  # fmt: skip
    return cancelled


# ---- a recipient's entitlement follows them to another region's fund (关系转移) ----


@dataclass(frozen=True)
class EntitlementMove:
    """The old entitlement, ended where the old fund stops paying, and its continuation."""

    old: Entitlement
    new: Entitlement
    switch_month: date  # the first month the new fund pays
    months: int  # months moved
    benefit_fen: int  # the remaining benefit: months × the decided monthly amount
    medical_fen: int  # the medical premiums for those months


def entitlement_move(
    *,
    actor: Actor,
    entitlement_id: int,
    to_region_id: int,
    moved_on: date,
    reference: str,
    office_code: str,
) -> EntitlementMove:
    """End an active UI entitlement where its fund stops paying and continue it in another fund.

    The new fund pays from the first month the old fund has not paid (no live payment yet),
    never earlier than the month of the move: funds never pay each other's people in the same
    month. The continuation keeps the decided monthly amount and medical premium and has the
    remaining months; its ``application_reference`` is the transfer's reference (the link).
    In the caller's transaction; the inter-fund posting is the caller's (transfers).
    """
    require_transaction("entitlement_move")
    old = (
        Entitlement.objects.select_for_update(of=("self",))
        .select_related("paying_region")
        .filter(pk=entitlement_id)
        .first()
    )
    if old is None:
        raise NotFound(f"No entitlement {entitlement_id}.", code="unknown_entitlement")
    if old.status != Entitlement.Status.ACTIVE or old.item_code != "ui_benefit":
        raise Conflict("Only an active UI benefit moves to another fund.", code="not_movable")
    if old.paying_region_id == to_region_id:
        raise InvalidInput.of("to_region", "same_fund", "The entitlement is already paid there.")
    assert old.start_month is not None  # a monthly item has both
    assert old.end_month is not None
    last_paid = (
        Payment.objects.filter(
            entitlement=old, kind="benefit", status__in=["scheduled", "sent", "settled", "held"]
        )
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    switch = max(old.start_month, month_of(moved_on))
    if last_paid is not None:
        switch = max(switch, add_months(last_paid, 1))
    switch = min(switch, old.end_month)
    months = months_between(switch, old.end_month)
    if months <= 0:
        raise Conflict(
            "Every month of this benefit is already paid or on its way; nothing is left to move.",
            code="nothing_to_move",
        )
    original_end = old.end_month
    old.months = months_between(old.start_month, switch)
    old.end_month = switch
    old.status = Entitlement.Status.ENDED
    old.ended_on = switch
    old.end_reason = "transferred"
    old.months_forfeited = 0
    old.save(
        update_fields=[
            "months",
            "end_month",
            "status",
            "ended_on",
            "end_reason",
            "months_forfeited",
        ]
    )
    audit_record(
        actor=actor,
        event_type="entitlement_transferred_out",
        subject_type="entitlement",
        subject_id=old.pk,
        office_code=office_code,
        data={"transfer": reference, "switch_month": f"{switch:%Y-%m}", "months_moved": months},
    )
    new = Entitlement.objects.create(
        person_id=old.person_id,
        item_code=old.item_code,
        application_reference=reference,
        paying_region_id=to_region_id,
        start_month=switch,
        end_month=original_end,
        months=months,
        monthly_amount_fen=old.monthly_amount_fen,
        medical_premium_fen=old.medical_premium_fen,
        contribution_months_used=old.contribution_months_used,
        determined_on=moved_on,
        explanation={
            **old.explanation,
            "continues": old.application_reference,
            "transfer": reference,
        },
        parameter_set_version=old.parameter_set_version,
        catalogue_version=old.catalogue_version,
        created_at=clock.now(),
    )
    audit_record(
        actor=actor,
        event_type="entitlement_transferred_in",
        subject_type="entitlement",
        subject_id=new.pk,
        office_code=office_code,
        data={"transfer": reference, "continues": old.pk, "months": months},
    )
    outbox_emit(
        ENTITLEMENT_CREATED,
        {"entitlement_id": new.pk, "person_id": new.person_id, "item": new.item_code},
    )
    outbox_emit(
        ENTITLEMENT_MOVED,
        {"from": old.pk, "to": new.pk, "transfer": reference, "months": months},
    )
    return EntitlementMove(
        old=old,
        new=new,
        switch_month=switch,
        months=months,
        benefit_fen=months * (old.monthly_amount_fen or 0),
        medical_fen=months * (old.medical_premium_fen or 0),
    )
