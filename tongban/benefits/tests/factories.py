"""Making entitlements directly, for payment tests (the case flow is tested in cases)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from tongban.benefits.models import Entitlement
from tongban.core.months import add_months
from tongban.regions.models import Region

_counter = iter(range(1, 10**6))


def entitlement(
    person,
    *,
    region: str = "460200",
    item: str = "ui_benefit",
    start: date = date(2026, 11, 1),
    months: int = 18,
    monthly_fen: int | None = 164700,
    medical_fen: int | None = 22000,
    amount_fen: int | None = None,
    status: str = "active",
) -> Entitlement:
    monthly = item in ("ui_benefit", "unemployment_subsidy")
    return Entitlement.objects.create(
        person=person,
        item_code=item,
        application_reference=f"TBTEST{next(_counter):08d}",
        paying_region=Region.objects.get(code=region),
        status=status,
        start_month=start,
        end_month=add_months(start, months if monthly else 1),
        months=months if monthly else 0,
        monthly_amount_fen=monthly_fen if monthly else None,
        medical_premium_fen=medical_fen if item == "ui_benefit" else None,
        amount_fen=None if monthly else amount_fen,
        determined_on=start,
        explanation={},
        parameter_set_version="test",
        catalogue_version=1,
        created_at=timezone.now(),
    )
