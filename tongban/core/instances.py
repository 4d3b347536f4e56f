"""Model instances made from loaded rows as the ORM makes them, without its per-field work.

``Model.from_db`` builds an instance through ``Model.__init__``, which sets each column with
``setattr`` (a descriptor call for every foreign key) and sends the ``pre_init`` and
``post_init`` signals: about 6 µs for an application's 23 columns on the benchmark machine.
A claim loads some sixty rows this way (its prepared reads and the JSON lists of
``core.jsonrows``). For a model whose loading nothing hooks into, :func:`loaded` writes the
columns into the instance's ``__dict__`` at once, as ``__init__`` leaves them: 1–2 µs.

A model qualifies when it keeps ``Model.__init__`` and ``Model.from_db``, every column's
descriptor is Django's plain one (``DeferredAttribute``, or ``ForeignKeyDeferredAttribute`` for a
foreign key's id: on a new instance its ``__set__`` only writes ``__dict__``), and no receiver
listens to ``pre_init`` or ``post_init`` for it (an ``ImageField`` would). Any other model goes
through ``from_db``. ``core/tests/test_instances.py`` compares both ways for every model of
the project, and ``cases/tests/test_prepared_reads.py`` every prepared read with its queryset.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Sequence
from typing import Any, TypeVar

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


def loaded(model: type[M], db: str, attnames: Sequence[str], values: Sequence[Any]) -> M:
    """``model.from_db(db, attnames, values)``: an instance loaded from the database with the
    columns ``attnames`` (the model's concrete columns, in order, some perhaps left out:
    deferred) holding ``values``."""
    if not _plain(model) or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(db, attnames, values)
    instance = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = db
    instance._state = state
    instance.__dict__.update(zip(attnames, values, strict=True))
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
