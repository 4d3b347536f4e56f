"""Reading regions, offices and staff."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from tongban.core.errors import NotFound
from tongban.core.jsonrows import from_json_row, json_functions, json_list, json_row
from tongban.core.prepared import Prepared
from tongban.regions.models import Fund, Office, Region, RegionCode, StaffMember


def regions_list() -> QuerySet[Region]:
    return Region.objects.order_by("sort_order", "code")


def region_get(*, code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise NotFound(f"Unknown region code {code!r}.", code="unknown_region") from None


def region_for_code(*, code: str, on: date | None = None) -> Region | None:
    """The region a GB/T 2260 code meant on a date (today's meaning when ``on`` is None)."""
    codes = RegionCode.objects.filter(code=code).select_related("region")
    if on is not None:
        codes = codes.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=on)
        )
    else:
        codes = codes.filter(valid_to__isnull=True)
    found = codes.first()
    return found.region if found else None


# Regions and offices as other contexts' statements read them (``core.jsonrows``).
_ROW_MODELS: dict[str, type[Region] | type[Office]] = {"region": Region, "office": Office}


def row_sql(kind: str, alias: str) -> tuple[str, str]:
    """(table, JSON object of the row) for a ``region`` or ``office`` joined as ``alias``."""
    model = _ROW_MODELS[kind]
    return model._meta.db_table, json_row(model, alias)


def region_from_json(values: dict[str, Any]) -> Region:
    return from_json_row(Region, values)


def office_from_json(values: dict[str, Any]) -> Office:
    return from_json_row(Office, values)


@functools.cache
def agencies_list_sql(vendor: str, region_ids_sql: str) -> str:
    """A scalar subquery: the insurance agencies of the regions whose ids ``region_ids_sql`` (a
    subquery) selects, as a JSON aggregate of their rows, for a statement that reads more
    (``cases.facts.person_view_get``: where the person may be insured); ``vendor`` only keys
    the cache."""
    agg = json_functions()[2]
    office, office_row = row_sql("office", "o")
    return (
        f"(SELECT {agg}({office_row}) FROM {office} o "
        f"WHERE o.kind = '{Office.Kind.AGENCY.value}' AND o.region_id IN ({region_ids_sql}))"
    )


def agencies_from_list(value: object) -> dict[int, Office]:
    """Region id → its agency, from the value of :func:`agencies_list_sql`."""
    agencies = (office_from_json(row) for row in json_list(value))
    return {agency.region_id: agency for agency in agencies}


def region_ids_by_code() -> dict[str, int]:
    """Current code → region id, for bulk paths that resolve thousands of rows."""
    return dict(Region.objects.values_list("code", "id"))


def offices_list() -> QuerySet[Office]:
    return Office.objects.select_related("region").order_by("region__sort_order", "kind", "code")


def office_get(*, code: str) -> Office:
    try:
        return Office.objects.select_related("region").get(code=code)
    except Office.DoesNotExist:
        raise NotFound(f"Unknown office code {code!r}.", code="unknown_office") from None


def office_region_id(*, office_id: int) -> int:
    """The region an office is in (for offices other than the application's own two)."""
    region_id: int = Office.objects.values_list("region_id", flat=True).get(pk=office_id)
    return region_id


_AGENCY_OF_REGION = Prepared(  # routing reads it for every paying item (core.prepared)
    lambda region_id: Office.objects.select_related("region").filter(
        region_id=region_id, kind=Office.Kind.AGENCY
    ),
    int,
)


def agency_for_region(*, region_id: int) -> Office:
    """The region's insurance agency: the unit that re-reviews and pays from its fund."""
    return _AGENCY_OF_REGION.get(region_id)


def default_office_for_region(*, region_id: int) -> Office:
    """Where an online application from a resident of the region goes when no office is picked."""
    return Office.objects.select_related("region").get(
        region_id=region_id, is_default_for_region=True
    )


def fund_for_region(*, region_id: int) -> Fund:
    return Fund.objects.get(region_id=region_id)


@dataclass(frozen=True)
class StaffInfo:
    """Who a caseworker is, where they work and what they may do."""

    user_id: int
    username: str
    display_name: str
    office: Office
    roles: frozenset[str]

    @property
    def region(self) -> Region:
        return self.office.region

    def has_role(self, role: str) -> bool:
        return role in self.roles


def staff_for_user(*, user: Any) -> StaffInfo | None:
    """The staff membership of a logged-in user, or None for someone who is not a caseworker."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    member = (
        StaffMember.objects.select_related("office__region", "user")
        .prefetch_related("roles")
        .filter(user_id=user.pk)
        .first()
    )
    if member is None:
        return None
    return StaffInfo(
        user_id=member.user_id,
        username=member.user.get_username(),
        display_name=member.user.get_full_name() or member.user.get_username(),
        office=member.office,
        roles=frozenset(r.role for r in member.roles.all()),
    )
