"""Entitlements that approved decisions create, in the paying region's fund."""

from __future__ import annotations

from datetime import date
from typing import Any

from tongban.benefits.models import (
    MONTHLY_ITEMS,
    Entitlement,
)
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.errors import Conflict
from tongban.core.instances import new
from tongban.core.months import add_months, month_of
from tongban.core.outbox import outbox_emit
from tongban.core.prepared import Writes, insert, joined
from tongban.core.transactions import require_transaction

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
    writes: Writes | None = None,
) -> Entitlement:
    """Create the entitlement an approved decision grants; runs in the decision's transaction.
    Its audit and outbox rows go with the decision's ``writes`` when given."""
    require_transaction("entitlement_create")
    monthly = item_code in MONTHLY_ITEMS
    if monthly and start_month is None:
        raise ValueError("a monthly entitlement needs its first month")
    first = month_of(start_month if monthly and start_month else determined_on)
    entitlement = new(
        Entitlement,
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
    # One per granted claim (core.prepared). A unique rule refuses a second running UI benefit
    # (or a second entitlement of the same application): nothing is written, no savepoint.
    if not insert(entitlement, skip_conflict=True):
        granted = Entitlement.objects.filter(application_reference=application_reference).exists()
        raise Conflict(
            f"Application {application_reference} already has its entitlement."
            if granted
            else "The person already receives UI benefit; a second running entitlement is not "
            "allowed.",
            code="entitlement_exists",
        )
    with joined(writes) as batch:
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
            writes=batch,
        )
        outbox_emit(
            ENTITLEMENT_CREATED,
            {"entitlement_id": entitlement.pk, "person_id": person_id, "item": item_code},
            writes=batch,
        )
    return entitlement
