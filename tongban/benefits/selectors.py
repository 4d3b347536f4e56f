"""Reading entitlements."""

from __future__ import annotations

from django.db.models import QuerySet

from tongban.benefits.models import Entitlement, Overpayment, Payment, PaymentRun


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
