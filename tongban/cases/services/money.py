"""Caseworkers' decisions about money at the paying agency: a stop, a repayment."""

from __future__ import annotations

from datetime import date
from typing import Any

from tongban.benefits.selectors import entitlement_get, overpayment_get
from tongban.benefits.services import entitlement_stop, overpayment_repay
from tongban.cases.models import (
    Application,
)
from tongban.core.actors import Actor
from tongban.core.errors import Forbidden, InvalidInput
from tongban.core.transactions import entrypoint
from tongban.regions.selectors import (
    StaffInfo,
)


def _paying_agency_staff(staff: StaffInfo, region_id: int, role: str, what: str) -> None:
    if staff.office.region_id != region_id or not staff.office.is_insurance_agency:
        raise Forbidden(
            f"Only the paying region's agency {what}; you work at {staff.office.name_zh}.",
            code="not_paying_agency",
        )
    if not staff.has_role(role):
        raise Forbidden(f"This needs the {role} role.", code="role_required")


@entrypoint
def entitlement_stop_decide(
    *,
    actor: Actor,
    staff: StaffInfo,
    entitlement_id: int,
    kind: str,
    on: date,
    reasons: list[str],
    as_of: date,
) -> Application:
    """A reviewer of the paying agency decides that a stop event ends a benefit (a human decision)."""
    entitlement = entitlement_get(entitlement_id=entitlement_id)
    _paying_agency_staff(staff, entitlement.paying_region_id, "reviewer", "stops this benefit")
    clean = [r.strip() for r in reasons if r and r.strip()]
    if not clean:
        raise InvalidInput.of(
            "reasons", "required", "A stop needs the reasons the person will read."
        )
    if on > as_of:
        raise InvalidInput.of(
            "date", "future_date", "A stop is decided for an event that has happened."
        )
    entitlement_stop(
        actor=actor, entitlement_id=entitlement_id, kind=kind, on=on, reasons=clean,
        office_code=staff.office.code,
    )  # fmt: skip
    return Application.objects.select_related(
        "person", "accepting_office__region", "reviewing_office__region", "insured_region", "bundle"
    ).get(reference=entitlement.application_reference)


@entrypoint
def overpayment_repayment_record(
    *,
    actor: Actor,
    staff: StaffInfo,
    overpayment_id: int,
    amount_fen: int,
    on: date,
    reference: str,
) -> Any:
    """Finance at the paying agency records a repayment of an overpayment (a receipt)."""
    overpayment = overpayment_get(overpayment_id=overpayment_id)
    _paying_agency_staff(staff, overpayment.paying_region_id, "finance", "records this repayment")
    return overpayment_repay(
        actor=actor,
        overpayment_id=overpayment_id,
        amount_fen=amount_fen,
        on=on,
        reference=reference,
    )
