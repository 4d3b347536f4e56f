"""Reading transfers: a region's list (both directions), a person's, one by reference."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from tongban.core.errors import NotFound
from tongban.transfers.models import Transfer


def _base() -> QuerySet[Transfer]:
    return Transfer.objects.select_related(
        "person", "from_region", "to_region", "from_entitlement", "to_entitlement"
    )


def transfers_of_region(
    *, region_code: str, since: date | None = None, until: date | None = None
) -> QuerySet[Transfer]:
    """Transfers out of and into a region's fund, newest first: both regions list the same row."""
    rows = _base().filter(Q(from_region__code=region_code) | Q(to_region__code=region_code))
    if since is not None:
        rows = rows.filter(effective_date__gte=since)
    if until is not None:
        rows = rows.filter(effective_date__lt=until)
    return rows.order_by("-created_at", "-id")


def transfers_of_person(*, person_id: int) -> QuerySet[Transfer]:
    return _base().filter(person_id=person_id).order_by("created_at", "id")


def transfer_get(*, reference: str) -> Transfer:
    transfer = _base().filter(reference=reference).first()
    if transfer is None:
        raise NotFound(f"No transfer {reference}.", code="unknown_transfer")
    return transfer
