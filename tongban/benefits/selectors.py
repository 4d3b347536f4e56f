"""Reading entitlements."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from tongban.benefits.models import MONTHLY_ITEMS, Entitlement, Overpayment, Payment, PaymentRun
from tongban.core.errors import NotFound


def entitlement_for_application(*, reference: str) -> Entitlement | None:
    return (
        Entitlement.objects.select_related("paying_region")
        .filter(application_reference=reference)
        .first()
    )


def entitlements_of(*, person_id: int) -> QuerySet[Entitlement]:
    return (
        Entitlement.objects.select_related("paying_region")
        .filter(person_id=person_id)
        .order_by("determined_on", "id")
    )


def running_ui_entitlement(*, person_id: int) -> Entitlement | None:
    return (
        Entitlement.objects.select_related("paying_region")
        .filter(person_id=person_id, item_code="ui_benefit", status__in=["active", "suspended"])
        .first()
    )


def payments_of(*, person_id: int) -> QuerySet[Payment]:
    """A person's payments, newest benefit month first (medical premiums included)."""
    return (
        Payment.objects.select_related("paying_region", "entitlement")
        .filter(person_id=person_id)
        .order_by("-period", "reference")
    )


def payment_runs(*, region_code: str | None = None) -> QuerySet[PaymentRun]:
    runs = PaymentRun.objects.select_related("region").order_by(
        "-month", "region__code", "sequence"
    )
    return runs.filter(region__code=region_code) if region_code else runs


def overpayments_open(*, region_code: str | None = None) -> QuerySet[Overpayment]:
    rows = Overpayment.objects.select_related("paying_region", "person").filter(
        status=Overpayment.Status.OPEN
    )
    return rows.filter(paying_region__code=region_code) if region_code else rows


def entitlement_get(*, entitlement_id: int) -> Entitlement:
    entitlement = (
        Entitlement.objects.select_related("paying_region").filter(pk=entitlement_id).first()
    )
    if entitlement is None:
        raise NotFound(f"No entitlement {entitlement_id}.", code="unknown_entitlement")
    return entitlement


def overpayment_get(*, overpayment_id: int) -> Overpayment:
    overpayment = (
        Overpayment.objects.select_related("paying_region").filter(pk=overpayment_id).first()
    )
    if overpayment is None:
        raise NotFound(f"No overpayment {overpayment_id}.", code="unknown_overpayment")
    return overpayment


RUNNING = ("active", "suspended")


def running_entitlements_for(*, person_ids: Iterable[int]) -> list[Entitlement]:
    """Running monthly entitlements (UI benefit, unemployment subsidy) of these people, set-based:
    one query per few thousand ids. Real-time checks and transfers look only at these."""
    ids = sorted(set(person_ids))
    found: list[Entitlement] = []
    for start in range(0, len(ids), 5000):
        found.extend(
            Entitlement.objects.select_related("paying_region")
            .filter(
                person_id__in=ids[start : start + 5000],
                status__in=RUNNING,
                item_code__in=MONTHLY_ITEMS,
            )
            .order_by("person_id", "id")
        )
    return found


def entitlements_by_ids(*, ids: Iterable[int]) -> dict[int, Entitlement]:
    return {
        e.pk: e for e in Entitlement.objects.select_related("paying_region").filter(pk__in=set(ids))
    }


def running_person_ids_sql() -> str:
    """SQL selecting the person ids with a running monthly entitlement (for set-based matching
    that joins a staging table; the statement belongs to the owner of the table)."""
    items = ", ".join(f"'{code}'" for code in MONTHLY_ITEMS)
    return (
        f"SELECT person_id FROM {Entitlement._meta.db_table} "
        f"WHERE status IN ('active', 'suspended') AND item_code IN ({items})"
    )
