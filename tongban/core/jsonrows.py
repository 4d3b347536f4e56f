"""Rows the database aggregates as JSON, made back into model instances.

A selector that needs several short lists about one subject (a person's spells,
contributions, registrations and moves) reads them in one statement: each list is a
JSON aggregate of its rows, with the rows they refer to nested. The ORM would need
one query per list, and on the claim path each query costs more in Python than in
the database (docs/benchmarks.md). Each context writes the subqueries of its own lists
(``registry.selectors.record_lists_sql``, ``benefits.selectors.entitlements_list_sql``);
a caller that needs lists of several contexts puts them in one ``SELECT``
(``cases.facts.person_view``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import DateTimeField, Field, JSONField, Model
from django.utils import timezone

from tongban.core.instances import loaded

M = TypeVar("M", bound=Model)

# Per database: build an object, build an array, aggregate rows into an array.
_FUNCTIONS = {
    "postgresql": ("json_build_object", "json_build_array", "json_agg"),
    "sqlite": ("json_object", "json_array", "json_group_array"),
}


def json_functions() -> tuple[str, str, str]:
    """The current database's (object, array, aggregate) JSON functions."""
    return _FUNCTIONS[connection.vendor]


def json_row(model: type[Model], alias: str, *, without: tuple[str, ...] = ()) -> str:
    """SQL for one row of ``model`` (table alias ``alias``) as a JSON object of its columns,
    but those named in ``without`` (left deferred by :func:`from_json_row`)."""
    build = json_functions()[0]
    pairs = ", ".join(
        f"'{f.attname}', {_column(f, alias)}"
        for f in model._meta.concrete_fields
        if f.attname not in without
    )
    return f"{build}({pairs})"


def _column(field: Field[Any, Any], alias: str) -> str:
    column = f"{alias}.{field.column}"
    return json_nested(column) if isinstance(field, JSONField) else column


def json_nested(sql: str) -> str:
    """``sql``, a JSON value (a JSON column, an aggregate of a subquery), to nest in JSON:
    SQLite keeps JSON as text, which would be nested as a string."""
    return f"json({sql})" if connection.vendor == "sqlite" else sql


def json_list(value: object) -> list[Any]:
    """An aggregate as the driver returns it: parsed (psycopg), text (sqlite3), NULL (no rows)."""
    if value is None:
        return []
    if isinstance(value, str):
        parsed: list[Any] = json.loads(value)
        return parsed
    if isinstance(value, list):
        return value
    raise TypeError(f"not a JSON aggregate: {type(value).__name__}")


def json_dict(value: object) -> dict[str, Any]:
    """A JSON object as the driver returns it: parsed (psycopg) or text (sqlite3)."""
    parsed = json.loads(value) if isinstance(value, str) else value
    if not isinstance(parsed, dict):
        raise TypeError(f"not a JSON object: {type(parsed).__name__}")
    return parsed


def from_json_row(model: type[M], values: dict[str, Any], *, without: tuple[str, ...] = ()) -> M:
    """The instance :func:`json_row` describes, as if the ORM had loaded it (the columns in
    ``without`` deferred, as ``QuerySet.defer`` leaves them). Dates arrive as text; SQLite keeps
    timestamps without an offset, in the connection's time zone."""
    attnames, parsers = _parsers(model, without)
    values_of = [parse(values[name]) for name, parse in zip(attnames, parsers, strict=True)]
    return loaded(model, DEFAULT_DB_ALIAS, attnames, values_of)  # the statements run on it


@functools.cache
def _parsers(
    model: type[Model], without: tuple[str, ...]
) -> tuple[list[str], list[Callable[[Any], Any]]]:
    """The model's columns but ``without``, and how each JSON value becomes the field's value
    (worked out once per model: a claim reads some thirty rows this way)."""
    fields = [f for f in model._meta.concrete_fields if f.attname not in without]
    return [f.attname for f in fields], [_parser(f) for f in fields]


def _parser(field: Field[Any, Any]) -> Callable[[Any], Any]:
    if not isinstance(field, DateTimeField):
        return field.to_python

    def aware(value: Any) -> Any:
        # PostgreSQL's JSON has the offset; SQLite's text is naive, in the connection's time
        # zone (UTC unless DATABASES sets TIME_ZONE), as the ORM's converter reads it.
        parsed = field.to_python(value)
        if isinstance(parsed, datetime) and timezone.is_naive(parsed):
            return timezone.make_aware(parsed, connection.timezone)
        return parsed

    return aware
