"""Model instances as the ORM makes them, without its per-field work, for the rows every claim
reads and writes.

``Model.from_db`` builds an instance through ``Model.__init__``, which sets each column with
``setattr`` (a descriptor call for every foreign key) and sends the ``pre_init`` and
``post_init`` signals: about 6 µs for an application's 23 columns on the benchmark machine,
and a claim loads some sixty rows (its prepared reads and the JSON lists of
``core.jsonrows``). :func:`loaded` writes the columns into the instance's ``__dict__`` at
once, as ``__init__`` leaves them: 1–2 µs. :func:`new` does the same for ``Model(**values)``
(a new task took 17 µs: assigning its application asks the database routers twice), and
:func:`attach` for ``row.fk = related`` on a row read with the row it refers to.

A model qualifies when it keeps ``Model.__init__`` and ``Model.from_db``, every column's
descriptor is Django's plain one (``DeferredAttribute``, or ``ForeignKeyDeferredAttribute`` for a
foreign key's id: on a new instance its ``__set__`` only writes ``__dict__``), and no receiver
listens to ``pre_init`` or ``post_init`` for it (an ``ImageField`` would). Any other model goes
through the ORM. ``cases/tests/test_prepared_reads.py`` compares each function with the ORM's
own way for every model of the project (ADR 0212); ``core/tests/test_instances.py`` what
:func:`attach` refuses.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

M = TypeVar("M", bound=Model)

_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


@functools.cache
def _plain(model: type[Model]) -> bool:
    """Whether ``model``'s instances are loaded by ``Model.__init__`` and plain descriptors."""
    if model.__init__ is not Model.__init__ or model.from_db.__func__ is not Model.from_db.__func__:  # type: ignore[attr-defined]
        return False
    return all(
        type(inspect.getattr_static(model, field.attname, None)) in _PLAIN_DESCRIPTORS
        for field in model._meta.concrete_fields
    )


def _init_signalled(model: type[Model]) -> bool:
    """Whether ``Model.__init__`` would send ``pre_init`` or ``post_init`` to a receiver for
    ``model``. Usually no receiver is connected to either at all, which is cheaper to see than
    asking each signal about the model (two look-ups per row)."""
    if not pre_init.receivers and not post_init.receivers:
        return False
    return pre_init.has_listeners(model) or post_init.has_listeners(model)


def loaded(model: type[M], db: str, attnames: Sequence[str], values: Sequence[Any]) -> M:
    """``model.from_db(db, attnames, values)``: an instance loaded from the database with the
    columns ``attnames`` (the model's concrete columns, in order, some perhaps left out:
    deferred) holding ``values``."""
    if not _plain(model) or _init_signalled(model):
        return model.from_db(db, attnames, values)
    instance = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = db
    instance._state = state
    instance.__dict__.update(zip(attnames, values, strict=True))
    return instance


@functools.cache
def _columns(model: type[Model]) -> list[tuple[Any, str, str]]:
    return [(f, f.name, f.attname) for f in model._meta.concrete_fields]


def new(model: type[M], /, **values: Any) -> M:
    """``model(**values)``: a new row, not yet saved (the transitions, tasks, audit and outbox
    rows a claim writes). A column not given takes its default; a related row given by the
    foreign key's name is kept with its id, as an assignment keeps it. With database routers,
    a related row of another model or a keyword that is no column, it is ``model(**values)``:
    the ORM asks the routers, and raises its own errors."""
    if settings.DATABASE_ROUTERS or not _plain(model) or _init_signalled(model):
        return model(**values)
    instance = model.__new__(model)
    state = instance._state = ModelState()
    columns = instance.__dict__
    given = dict(values)
    for field, name, attname in _columns(model):
        if attname in given:
            columns[attname] = given.pop(attname)
        elif field.is_relation and name in given:
            related = given.pop(name)
            if related is not None:
                if not isinstance(related, field.remote_field.model._meta.concrete_model):
                    return model(**values)  # refused as the ORM refuses it
                # As the foreign key's descriptor assigns it, with no routers to ask.
                state.db = state.db or related._state.db or DEFAULT_DB_ALIAS
                related._state.db = related._state.db or state.db
                if not field.remote_field.multiple:  # one-to-one: the reverse side too
                    field.remote_field.set_cached_value(related, instance)
            columns[attname] = (
                None if related is None else getattr(related, field.target_field.attname)
            )
            field.set_cached_value(instance, related)
        else:
            columns[attname] = field.get_default()
    if given:
        return model(**values)  # refused as the ORM refuses it
    return instance


def populate(populator: Any, row: Sequence[Any], instance: Model) -> None:
    """``populator.populate(row, instance)`` (Django's ``RelatedPopulator``, one per model a
    ``select_related`` brings), with its rows made by :func:`loaded`."""
    if populator.reorder_for_init:
        values = populator.reorder_for_init(row)
    else:
        values = row[populator.cols_start : populator.cols_end]
    if values[populator.pk_idx] is None:
        related = None
    else:
        related = loaded(populator.model_cls, populator.db, populator.init_list, values)
        for inner in populator.related_populators:
            populate(inner, row, related)
    populator.local_setter(instance, related)
    if related is not None:
        populator.remote_setter(related, instance)


@functools.cache
def _foreign_key(model: type[Model], name: str) -> Any:
    field = model._meta.get_field(name)
    if not (field.many_to_one or field.one_to_one) or not field.concrete:
        raise TypeError(f"{model.__name__}.{name} is not a foreign key of its own")
    return field


def attach(instance: Model, name: str, related: Model | None) -> None:
    """``instance.<name> = related``, for a row loaded with the row its foreign key ``name``
    refers to: the id is already in ``instance``, and ``related`` is kept as ``select_related``
    keeps it, without the checks an assignment makes (about 2 µs each)."""
    field = _foreign_key(type(instance), name)
    expected = None if related is None else getattr(related, field.target_field.attname)
    if getattr(instance, field.attname) != expected:
        raise ValueError(
            f"{type(instance).__name__}.{field.attname} is not the id of the {name} attached"
        )
    field.set_cached_value(instance, related)
