"""Person facts as plain JSON data and back: the recorded inputs of a determination.

A decision stores the facts it was computed from (``facts_to_record``) beside its
assessment and parameter versions; years later ``facts_from_record`` rebuilds the very
same ``PersonFacts``, and ``assess`` with the recorded parameter texts gives the same
result (the Hypothesis property in ``tests/test_properties.py``).

Contribution months are stored as runs of consecutive months in one region
(``[first, last, region]``), which keeps a 20-year career to a few lines.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date
from itertools import pairwise
from typing import Any, Literal, Union, get_args, get_origin

from tongban.core.months import add_months
from tongban.rules.facts import ContributionMonth, PersonFacts

RECORD_VERSION = 1


def facts_to_record(facts: PersonFacts) -> dict[str, Any]:
    """JSON-ready data (dates ISO 8601); only fields that differ from their defaults."""
    record: dict[str, Any] = {"version": RECORD_VERSION}
    for f in dataclasses.fields(facts):
        value = getattr(facts, f.name)
        if f.default is not dataclasses.MISSING and value == f.default:
            continue
        if f.name == "contributions" and _ascending(value):
            record["contribution_runs"] = _runs(value)  # the usual, sorted case: compact
        else:
            record[f.name] = _plain(value)
    return record


def facts_from_record(record: dict[str, Any]) -> PersonFacts:
    if record.get("version") != RECORD_VERSION:
        raise ValueError(f"unknown facts record version {record.get('version')!r}")
    hints = typing.get_type_hints(PersonFacts)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(PersonFacts):
        if f.name in record:
            values[f.name] = _build(hints[f.name], record[f.name])
    if "contribution_runs" in record:
        values["contributions"] = _months(record["contribution_runs"])
    return PersonFacts(**values)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def _build(hint: Any, value: Any) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        (inner,) = [a for a in get_args(hint) if a is not type(None)]
        return _build(inner, value)
    if origin is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], v) for v in value)
        return tuple(_build(a, v) for a, v in zip(args, value, strict=True))
    if origin is Literal:
        return value
    if hint is date:
        return date.fromisoformat(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        nested = typing.get_type_hints(hint)
        return hint(**{k: _build(nested[k], v) for k, v in value.items()})
    return value


def _ascending(months: tuple[ContributionMonth, ...]) -> bool:
    """Sorted, and no month twice (in one pass: this runs at every claim's every step)."""
    return all(a < b for a, b in pairwise(months))


def _runs(months: tuple[ContributionMonth, ...]) -> list[list[str]]:
    """``months``, ascending, as runs region by region: [first, last, region]."""
    # A month follows its region's run when its number is one more than the run's last (no
    # date arithmetic per month). Months are their first days; any other date stands alone, so
    # that it comes back as it was.
    by_region: dict[str, list[list[Any]]] = {}
    for month, region in months:  # ascending, so each region's months come in order
        number = month.year * 12 + month.month if month.day == 1 else None
        runs = by_region.setdefault(region, [])
        if number and runs and runs[-1][2] == number - 1:
            runs[-1][1], runs[-1][2] = month, number
        else:
            runs.append([month, month, number])
    return [
        [first.isoformat(), last.isoformat(), region]
        for region in sorted(by_region)
        for first, last, _ in by_region[region]
    ]


def _months(runs: list[list[str]]) -> tuple[ContributionMonth, ...]:
    months: list[ContributionMonth] = []
    for first, last, region in runs:
        month, end = date.fromisoformat(first), date.fromisoformat(last)
        while month <= end:
            months.append((month, region))
            month = add_months(month, 1)
    return tuple(sorted(months))
