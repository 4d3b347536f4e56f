"""Loading the catalogue and the working-day calendar from the data files in the repository."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Max

from tongban.catalogue.models import CalendarDay, CatalogueVersion, Item
from tongban.catalogue.selectors import calendar_forget, catalogue_forget
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.audit import audit_record

ITEM_FIELDS = {
    "code", "number", "zh", "en", "pays_money", "applicants", "materials",
    "time_limit_working_days", "time_limit_source", "channels", "system_initial_review",
    "initial_review", "re_review", "basis",
}  # fmt: skip


class CatalogueFileError(ValueError):
    """The catalogue or calendar file is not valid; nothing was loaded."""


def _data_file(name: str) -> str:
    return resources.files("tongban.catalogue").joinpath(f"data/{name}").read_text("utf-8")


def catalogue_validate(data: dict[str, Any]) -> None:
    """Refuse a catalogue file that references unknown checks, applicants or channels."""
    problems: list[str] = []
    items = data.get("items") or []
    codes = [i.get("code") for i in items]
    if len(set(codes)) != len(codes):
        problems.append("item codes are not unique")
    for entry in items:
        where = f"item {entry.get('code')!r}"
        missing = ITEM_FIELDS - set(entry)
        if missing:
            problems.append(f"{where}: missing {', '.join(sorted(missing))}")
            continue
        for key, table in (
            ("initial_review", "checks"),
            ("re_review", "checks"),
            ("applicants", "applicants"),
            ("materials", "materials"),
        ):
            unknown = [v for v in entry[key] if v not in data.get(table, {})]
            if unknown:
                problems.append(f"{where}: unknown {key} {unknown}")
        unknown_channels = [c for c in entry["channels"] if c not in data.get("channels", [])]
        if unknown_channels:
            problems.append(f"{where}: unknown channels {unknown_channels}")
        if entry["pays_money"] and not entry["re_review"]:
            problems.append(f"{where}: an item that pays money needs a re-review checklist")
        if (
            not isinstance(entry["time_limit_working_days"], int)
            or entry["time_limit_working_days"] < 1
        ):
            problems.append(f"{where}: time_limit_working_days must be a positive integer")
    for kind, bundle in (data.get("bundles") or {}).items():
        unknown = [c for c in bundle.get("items", []) if c not in codes]
        if unknown:
            problems.append(f"bundle {kind!r}: unknown items {unknown}")
    if problems:
        raise CatalogueFileError("; ".join(problems))


@dataclass(frozen=True)
class CatalogueLoad:
    version: int
    created: bool
    items: int


def catalogue_load(*, actor: Actor, source: str | None = None) -> CatalogueLoad:
    """Load ``data/items.yaml`` as a new catalogue version unless that exact file is loaded."""
    text = source if source is not None else _data_file("items.yaml")
    data = yaml.safe_load(text)
    catalogue_validate(data)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with transaction.atomic():
        existing = CatalogueVersion.objects.filter(sha256=digest).first()
        if existing is not None:
            return CatalogueLoad(existing.number, created=False, items=existing.items.count())
        number = (CatalogueVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        version = CatalogueVersion.objects.create(
            number=number, sha256=digest, loaded_at=clock.now(), source=text
        )
        Item.objects.bulk_create(
            Item(
                version=version,
                code=e["code"],
                number=e["number"],
                name_zh=e["zh"],
                name_en=e["en"],
                pays_money=e["pays_money"],
                time_limit_working_days=e["time_limit_working_days"],
                definition=e,
            )
            for e in data["items"]
        )
        audit_record(
            actor=actor,
            event_type="catalogue_loaded",
            subject_type="catalogue",
            subject_id=number,
            data={"sha256": digest, "items": len(data["items"])},
        )
    catalogue_forget()
    transaction.on_commit(catalogue_forget)
    return CatalogueLoad(number, created=True, items=len(data["items"]))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def calendar_days_from(data: dict[str, Any]) -> list[CalendarDay]:
    """Expand the calendar file into one row per day, with a running working-day index."""
    holidays: set[date] = set()
    workdays: set[date] = set()
    provisional: set[int] = set()
    years = sorted(int(y) for y in data["years"])
    if years != list(range(years[0], years[-1] + 1)):
        raise CatalogueFileError("calendar years must be consecutive")
    for year, entry in data["years"].items():
        if entry.get("status") not in {"official", "provisional"}:
            raise CatalogueFileError(f"calendar {year}: status must be official or provisional")
        if entry["status"] == "provisional":
            provisional.add(int(year))
        for start, end in entry.get("holidays", []):
            day, last = _as_date(start), _as_date(end)
            if last < day or day.year != int(year):
                raise CatalogueFileError(f"calendar {year}: bad holiday range {start}..{end}")
            while day <= last:
                holidays.add(day)
                day += timedelta(days=1)
        for value in entry.get("workdays", []):
            day = _as_date(value)
            if day.weekday() < 5:
                raise CatalogueFileError(f"calendar {year}: make-up working day {day} is a weekday")
            workdays.add(day)
    if holidays & workdays:
        raise CatalogueFileError("a day cannot be both a holiday and a make-up working day")
    rows: list[CalendarDay] = []
    index = 0
    day, last = date(years[0], 1, 1), date(years[-1], 12, 31)
    while day <= last:
        if day in workdays:
            kind = CalendarDay.Kind.WORKDAY
        elif day in holidays:
            kind = CalendarDay.Kind.HOLIDAY
        elif day.weekday() >= 5:
            kind = CalendarDay.Kind.WEEKEND
        else:
            kind = CalendarDay.Kind.WEEKDAY
        working = kind in (CalendarDay.Kind.WEEKDAY, CalendarDay.Kind.WORKDAY)
        index += working
        rows.append(
            CalendarDay(
                day=day,
                kind=kind,
                is_working=working,
                working_index=index,
                provisional=day.year in provisional,
            )
        )
        day += timedelta(days=1)
    return rows


def calendar_load(*, actor: Actor, source: str | None = None) -> int:
    """Replace the calendar with ``data/calendar.yaml``; returns the number of days."""
    data = yaml.safe_load(source if source is not None else _data_file("calendar.yaml"))
    rows = calendar_days_from(data)
    with transaction.atomic():
        current = list(
            CalendarDay.objects.order_by("day").values_list("day", "kind", "provisional")
        )
        wanted = [(r.day, r.kind, r.provisional) for r in rows]
        if current != wanted:
            CalendarDay.objects.all().delete()
            CalendarDay.objects.bulk_create(rows, batch_size=1000)
            audit_record(
                actor=actor,
                event_type="calendar_loaded",
                subject_type="calendar",
                subject_id=f"{rows[0].day.year}-{rows[-1].day.year}",
                data={"days": len(rows)},
            )
        transaction.on_commit(calendar_forget)
    calendar_forget()
    return len(rows)
