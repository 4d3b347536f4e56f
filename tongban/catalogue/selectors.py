"""Reading the catalogue and the working-day calendar.

Definitions are immutable per catalogue version, so they are cached by version number.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils.translation import get_language

from tongban.catalogue.calendar import WorkingCalendar
from tongban.catalogue.models import CalendarDay, CatalogueVersion, Item
from tongban.core.errors import NotFound


@dataclass(frozen=True)
class Label:
    zh: str
    en: str

    def __str__(self) -> str:
        return self.en if (get_language() or "").startswith("en") else self.zh


@dataclass(frozen=True)
class Check:
    code: str
    label: Label


@dataclass(frozen=True)
class ItemDefinition:
    """One service item as the whole province defines it."""

    code: str
    number: int
    name: Label
    pays_money: bool
    applicants: tuple[Label, ...]
    materials: tuple[Label, ...]
    time_limit_working_days: int
    time_limit_source: str
    channels: tuple[str, ...]
    system_initial_review: bool
    initial_review: tuple[Check, ...]
    re_review: tuple[Check, ...]
    basis: str
    catalogue_version: int


@dataclass(frozen=True)
class BundleDefinition:
    kind: str
    name: Label
    items: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    version: int
    items: dict[str, ItemDefinition]
    bundles: dict[str, BundleDefinition]

    def item(self, code: str) -> ItemDefinition:
        try:
            return self.items[code]
        except KeyError:
            raise NotFound(f"Unknown item {code!r}.", code="unknown_item") from None


def _label(entry: dict[str, Any]) -> Label:
    return Label(zh=entry["zh"], en=entry["en"])


@lru_cache(maxsize=8)
def _catalogue_for_version(number: int) -> Catalogue:
    import yaml

    version = CatalogueVersion.objects.get(number=number)
    data = yaml.safe_load(version.source)
    checks = {code: Check(code, _label(v)) for code, v in data["checks"].items()}
    items: dict[str, ItemDefinition] = {}
    for entry in data["items"]:
        items[entry["code"]] = ItemDefinition(
            code=entry["code"],
            number=entry["number"],
            name=_label(entry),
            pays_money=entry["pays_money"],
            applicants=tuple(_label(data["applicants"][a]) for a in entry["applicants"]),
            materials=tuple(_label(data["materials"][m]) for m in entry["materials"]),
            time_limit_working_days=entry["time_limit_working_days"],
            time_limit_source=entry["time_limit_source"],
            channels=tuple(entry["channels"]),
            system_initial_review=entry["system_initial_review"],
            initial_review=tuple(checks[c] for c in entry["initial_review"]),
            re_review=tuple(checks[c] for c in entry["re_review"]),
            basis=entry["basis"],
            catalogue_version=number,
        )
    bundles = {
        kind: BundleDefinition(kind=kind, name=_label(entry), items=tuple(entry["items"]))
        for kind, entry in data.get("bundles", {}).items()
    }
    return Catalogue(version=number, items=items, bundles=bundles)


# The newest version number, re-read at most every CURRENT_TTL seconds: a new catalogue
# loaded by `tongban init` reaches running servers within that time.
CURRENT_TTL = 30.0
_current: dict[str, tuple[float, int]] = {}


def catalogue_current() -> Catalogue:
    """The newest loaded catalogue version."""
    cached = _current.get("number")
    if cached is not None and time.monotonic() - cached[0] < CURRENT_TTL:
        return _catalogue_for_version(cached[1])
    number = CatalogueVersion.objects.order_by("-number").values_list("number", flat=True).first()
    if number is None:
        raise NotFound("The catalogue is not loaded; run `tongban init`.", code="no_catalogue")
    _current["number"] = (time.monotonic(), number)
    return _catalogue_for_version(number)


def catalogue_recheck() -> None:
    """Ask the database for the current version at the next call (the versions stay cached)."""
    _current.clear()


def catalogue_forget() -> None:
    """Forget the cached current version and the loaded versions (after loading a new one)."""
    catalogue_recheck()
    _catalogue_for_version.cache_clear()


def catalogue_version(number: int) -> Catalogue:
    """A given catalogue version, for explaining an old decision."""
    return _catalogue_for_version(number)


def item_get(code: str) -> ItemDefinition:
    return catalogue_current().item(code)


def items_list() -> list[ItemDefinition]:
    return sorted(catalogue_current().items.values(), key=lambda i: i.number)


def items_in_version(number: int) -> list[Item]:
    return list(Item.objects.filter(version__number=number).order_by("number"))


_calendar_cache: dict[str, WorkingCalendar] = {}


def working_calendar() -> WorkingCalendar:
    """The working-day calendar as loaded by ``tongban init`` (cached until it is reloaded)."""
    cached = _calendar_cache.get("current")
    if cached is not None:
        return cached
    rows = list(CalendarDay.objects.values_list("day", "kind", "provisional"))
    calendar = WorkingCalendar(
        holidays=frozenset(d for d, k, _ in rows if k == CalendarDay.Kind.HOLIDAY),
        workdays=frozenset(d for d, k, _ in rows if k == CalendarDay.Kind.WORKDAY),
        years=frozenset(d.year for d, _, _ in rows),
        provisional_years=frozenset(d.year for d, _, p in rows if p),
    )
    _calendar_cache["current"] = calendar
    return calendar


def calendar_forget() -> None:
    """Drop the cached calendar (after a reload)."""
    _calendar_cache.clear()


def working_index_of(field: str) -> Subquery:
    """SQL for the working-day index of the date in ``field`` of the outer query (NULL outside
    the calendar): the difference of two indexes is ``working_days_between`` of the two dates."""
    return Subquery(CalendarDay.objects.filter(day=OuterRef(field)).values("working_index")[:1])


def due_date(*, start: date, working_days: int) -> date:
    return working_calendar().add_working_days(start, working_days)
