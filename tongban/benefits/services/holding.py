"""Suspension while a data match is reviewed: months held, then released or cancelled by a
caseworker's decision; nothing ends here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from tongban.benefits.hooks import (
    ENTITLEMENT_RESUMED,
    EntitlementResumed,
)
from tongban.benefits.models import (
    Entitlement,
    Payment,
)
from tongban.core.actors import Actor
from tongban.core.audit import AuditItem, audit_record, audit_record_many
from tongban.core.errors import Conflict, NotFound
from tongban.core.hooks import publish
from tongban.core.months import month_of
from tongban.core.outbox import outbox_emit
from tongban.core.transactions import require_transaction

ENTITLEMENT_SUSPENDED = "benefits.entitlement_suspended"


SUSPENDED = "suspended"  # the hold reason of payments held by a suspension


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
