"""A benefit that follows its recipient to another region: continued in the new fund."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tongban.benefits.models import (
    Entitlement,
    Payment,
)
from tongban.benefits.services.granting import ENTITLEMENT_CREATED
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.errors import Conflict, InvalidInput, NotFound
from tongban.core.months import add_months, month_of, months_between
from tongban.core.outbox import outbox_emit
from tongban.core.transactions import require_transaction

ENTITLEMENT_MOVED = "benefits.entitlement_moved"


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
