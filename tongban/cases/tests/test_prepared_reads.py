"""Every prepared read of the project (``core.prepared``) gives exactly what its queryset gives.

After a whole claim (a bundle through the API: registration completed, the UI benefit routed,
re-reviewed, granted and archived) and a second claim left at initial review, each prepared
read is run with every id and ID number that could name a row, beside its own queryset; the
instances must match field for field, with the same related rows attached and the same fields
deferred.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Model

import tongban
from tongban.cases.models import Task
from tongban.cases.tests.conftest import sanya_worker
from tongban.cases.tests.test_end_to_end import decide, task_for
from tongban.core.instances import loaded, new
from tongban.core.prepared import Prepared, _plan, _values, insert
from tongban.regions.models import Office
from tongban.registry.models import Person

pytestmark = pytest.mark.django_db


def _project_prepared() -> dict[str, Prepared[Any]]:
    found = {}
    for module_info in pkgutil.walk_packages(tongban.__path__, "tongban."):
        name = module_info.name
        if name.startswith("tongban.bench") or any(
            part in name for part in (".tests", ".migrations", ".management")
        ):
            continue  # benchmarks import their peers' engines; the rest holds no reads
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if isinstance(value, Prepared) and value.__module__ != __name__:
                found[f"{name}.{attribute}"] = value
    return found


def _same(got: Model, expected: Model, path: str) -> None:
    assert type(got) is type(expected) and got.pk == expected.pk, path
    assert got.get_deferred_fields() == expected.get_deferred_fields(), path
    assert got._state.db == expected._state.db and not got._state.adding, path
    for field in got._meta.concrete_fields:
        if field.attname not in got.get_deferred_fields():
            assert getattr(got, field.attname) == getattr(expected, field.attname), (
                f"{path}.{field.attname}"
            )
    assert set(got._state.fields_cache) == set(expected._state.fields_cache), path
    for name, related in got._state.fields_cache.items():
        other = expected._state.fields_cache[name]
        if related is None or other is None:
            assert related is other, f"{path}.{name}"
        else:
            _same(related, other, f"{path}.{name}")


@pytest.fixture
def claims(apis, worker):
    haikou, sanya = apis["hk_acceptor"], apis["sy_reviewer"]
    bundle = haikou.post("/bundles", {"kind": "unemployment", "id_number": worker.id_number})
    items = {a["item"]: a for a in bundle.json()["applications"]}
    for item in ("unemployment_registration", "ui_benefit"):
        decide(haikou, task_for(haikou, items[item]["reference"])["id"])
    granted = decide(sanya, task_for(sanya, items["ui_benefit"]["reference"])["id"]).json()
    assert granted["status"] == "approved"
    other = sanya_worker()
    pending = haikou.post("/applications", {"item": "ui_benefit", "id_number": other.id_number})
    assert pending.status_code == 201


def test_every_prepared_read_gives_what_its_queryset_gives(claims):
    prepared = _project_prepared()
    assert len(prepared) >= 7, sorted(prepared)
    id_numbers = [*Person.objects.values_list("id_number", flat=True), "110101199003070000"]
    tables = {
        model._meta.db_table: model
        for model in apps.get_models()
        if model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField")
    }
    for name, read in sorted(prepared.items()):
        (kind,) = read.kinds  # every prepared read of the project takes one value
        if kind is int:  # every id of the tables the statement reads, and of those they refer to
            sql = read.sql
            read_models = {model for table, model in tables.items() if f'"{table}"' in sql}
            referred = {
                field.related_model
                for model in read_models
                for field in model._meta.concrete_fields
                if field.is_relation
            }
            values: list[Any] = [0, -1]
            for model in read_models | referred:
                values += model.objects.values_list("pk", flat=True)
        else:
            values = id_numbers
        rows_seen = 0
        for value in values:
            got, expected = read.all(value), list(read.build(value))
            assert len(got) == len(expected), (name, value)
            for a, b in zip(got, expected, strict=True):
                _same(a, b, f"{name}({value!r})")
                for annotation, _ in read._compile().annotations:
                    assert getattr(a, annotation) == getattr(b, annotation), (name, annotation)
            rows_seen += len(got)
        assert rows_seen, f"{name} found no row for any value: the comparison proved nothing"


def _project_models() -> list[type[Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("tongban.")]


def test_every_row_loads_as_from_db_loads_it(claims):
    """``core.instances.loaded`` against ``Model.from_db``, for every model of the project: all
    columns, and with one left out (deferred)."""
    compared = 0
    for model in _project_models():
        attnames = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.order_by("pk")[:3]:
            values = [getattr(row, name) for name in attnames]
            for names in (attnames, attnames[:-1]):
                given = values[: len(names)]
                _same(
                    loaded(model, "default", names, given),
                    model.from_db("default", names, given),
                    f"{model.__name__}({row.pk})",
                )
            compared += 1
    assert compared > 50


def _sent(value: Any) -> tuple[type, Any]:
    """A value as the driver is given it: its type, and what it holds (psycopg's ``Jsonb``
    wrapper compares by identity; its document is ``obj``)."""
    return type(value), getattr(value, "obj", value)


def test_every_row_is_written_with_the_values_the_orm_would_send(claims):
    """``core.prepared``'s values for inserts and updates against the ORM's own way
    (``pre_save`` then ``get_db_prep_save``), value and type (psycopg's ``Int8`` is not an
    ``int`` to a prepared statement), for every model of the project."""
    compared = 0
    for model in _project_models():
        meta = model._meta
        fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
        for row in model.objects.order_by("pk")[:3]:
            for adding in (False, True):
                if adding:
                    row.pk, row._state.adding = None, True
                expected = [
                    f.get_db_prep_save(f.pre_save(row, adding), connection=connection)
                    for f in fields
                ]
                got = _values(row, _plan(model, fields, connection, adding=adding), connection)
                assert list(map(_sent, got)) == list(map(_sent, expected)), model.__name__
            compared += 1
    assert compared > 50


def test_a_row_whose_related_row_is_unsaved_is_refused_as_save_refuses_it(worker):
    unsaved = Office(code="unsaved", region_id=worker.residence_region_id)
    task = Task(stage="initial_review", office=unsaved)
    with pytest.raises(
        ValueError, match=r"insert\(\) prohibited .* unsaved related object 'office'"
    ):
        insert(task)


def _new_state(row: Model) -> tuple[Any, ...]:
    columns = {k: v for k, v in vars(row).items() if k != "_state"}
    cache = {name: id(related) for name, related in row._state.fields_cache.items()}
    return columns, cache, row._state.adding, row._state.db


def test_every_new_row_is_made_as_the_model_makes_it(claims):
    """``core.instances.new`` against ``Model(**values)`` for every model of the project: the
    columns given by id, by related row, or left to their defaults."""
    compared = 0
    for model in _project_models():
        for row in model.objects.order_by("pk")[:2]:
            fields = [f for f in model._meta.concrete_fields if not f.primary_key]
            by_id = {f.attname: getattr(row, f.attname) for f in fields}
            by_row = {
                (f.name if f.is_relation else f.attname): (
                    getattr(row, f.name) if f.is_relation else getattr(row, f.attname)
                )
                for f in fields
            }
            defaults = {f.attname: getattr(row, f.attname) for f in fields if not f.has_default()}
            for values in (by_id, by_row, defaults):
                assert _new_state(new(model, **values)) == _new_state(model(**values)), model
            compared += 1
    assert compared > 50
    with pytest.raises(TypeError, match="unexpected keyword"):
        new(Task, stage="initial_review", no_such_column=1)
    with pytest.raises(ValueError, match=r'"Task.office" must be a "Office" instance'):
        new(Task, office=Task())
