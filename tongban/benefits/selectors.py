"""Reading entitlements."""

from __future__ import annotations

from django.db.models import QuerySet

from tongban.benefits.models import Entitlement


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
