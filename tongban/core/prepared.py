"""Querysets of a fixed shape, and inserts, built and compiled once, then run with new values.

Building a Django queryset (``filter``, ``select_related``) and compiling it to SQL costs
about 1 ms of Python on the benchmark machine, more than PostgreSQL takes to run the
prepared statement it becomes (docs/benchmarks.md). A hot service that reads the same shape
of query for every claim pays that each time. :class:`Prepared` builds the queryset once
per kind of database, with stand-in values for its parameters, keeps the SQL and what the
ORM needs to make rows into instances, and afterwards only executes the SQL with the real
values and builds the instances, as ``QuerySet.__iter__`` would.

It reaches into the ORM's compiler once, at compile time (``select``, ``klass_info``,
``get_converters``, ``get_related_populators``), the same steps as
``django.db.models.query.ModelIterable`` and ``SQLCompiler.results_iter`` take at every run.
``cases/tests/test_prepared_reads.py`` compares every prepared query of the project with its
queryset, field by field, so a Django upgrade that changes those steps fails there first.

:func:`insert` does the same for ``Model.save()`` of a new row: the ``INSERT … RETURNING`` is
written once per model, and each call only prepares the field values, as the ORM's insert
compiler does (``pre_save``, ``get_db_prep_save``; a plain ``str``, ``bool``, ``int``, date or
aware datetime is sent as its field would send it without either, worked out once per model:
ADRs 0212 and 0214). :func:`update`
does it for ``save(update_fields=…)``. Rows read are made by ``core.instances.loaded``.

:class:`Writes` sends the writes of a step that nothing in the step reads back together: one
statement on PostgreSQL instead of one round trip per row (ADR 0210). :func:`fetch_one` and
:func:`fetch_all` run the long reads of a step (JSON aggregates) and other raw statements.

All of them go through :func:`run`: on PostgreSQL to one cursor kept with the connection, with
the placeholders numbered once per text, inside Django's checks and error wrapper but without a
new Django cursor for every statement (ADR 0213).

Only plain model querysets: no ``values()``, no ``prefetch_related``, and each parameter an
``int`` or ``str`` compared as it is (``field=value``, not ``__contains`` or ``__in``); a query
that breaks this is refused at its first use. The compiled form is kept per database alias and
kind of database and shared by the threads of a process; the compiler is not kept. What is kept
(the columns, the converters, the populators) depends on the kind of database and the
settings, not on the connection: the converters are handed the compiling thread's connection,
as ``results_iter`` hands them its own, and read only its settings (``USE_TZ``, the time
zone). Statements are run on the current thread's connection, through Django's own cursor
wherever Django logs or wraps them, so ``CaptureQueriesContext`` and the pinned statement
counts see them as usual. ADR 0206 says why this exists.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import attrgetter, methodcaller
from typing import Any, Generic, TypeVar, cast

import orjson
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    OneToOneField,
    PositiveBigIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    QuerySet,
    SlugField,
    SmallAutoField,
    SmallIntegerField,
    TextField,
)
from django.db.models.expressions import ColPairs  # type: ignore[attr-defined]
from django.db.models.query import ModelIterable, get_related_populators  # type: ignore[attr-defined]
from django.db.transaction import TransactionManagementError
from psycopg.adapt import Loader

from tongban.core.instances import loaded, populate

M = TypeVar("M", bound=Model)

# Stand-ins the compiled parameters are recognised by: values no real row carries.
_INT_STAND_IN = -7_340_000_000_000_001
_STR_STAND_IN = "\x00prepared:"


def _stand_in(kind: type, position: int) -> int | str:
    if kind is int:
        return _INT_STAND_IN - position
    if kind is str:
        return f"{_STR_STAND_IN}{position}"
    raise TypeError(f"a prepared query's parameters are int or str, not {kind.__name__}")


@dataclass(frozen=True)
class _Compiled:
    model: Any  # the queryset's model class: its DoesNotExist, MultipleObjectsReturned
    sql: str
    params: list[Any]  # constants as compiled; the stand-ins' places are filled at each run
    slots: list[tuple[int, int]]  # (place in params, position of the argument)
    locks: bool  # SELECT … FOR UPDATE: only inside a transaction
    # What ModelIterable works out from the compiler for every run, worked out once:
    converters: list[tuple[int, tuple[list[Any], Any]]]  # (column, (converters, expression))
    converting: Any  # the connection the converters are given (the compiling thread's; they
    # read only its settings, the same for every connection of the alias)
    init_list: list[str]  # the attnames of the model's own columns
    own: slice  # where those columns are in a row
    populators: list[Any]  # one per select_related model, filling it from the row
    annotations: list[tuple[str, int]]  # (attribute, column)


class Prepared(Generic[M]):
    """``build(*values)`` as a queryset compiled once; :meth:`all` and :meth:`get` run it.

    ``kinds`` are the types of ``build``'s parameters (``int`` or ``str``).
    """

    def __init__(self, build: Callable[..., QuerySet[M]], *kinds: type) -> None:
        self.build = build  # the queryset it stands for, with given values (tests compare)
        self.kinds = kinds
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    @property
    def sql(self) -> str:
        """The statement, as compiled for the current database."""
        return self._compile().sql

    def _compile(self, db: Any = None) -> _Compiled:
        db = db or connections[DEFAULT_DB_ALIAS]
        key = (db.alias, db.vendor)
        compiled = self._compiled.get(key)
        if compiled is not None:
            return compiled
        stand_ins = [_stand_in(kind, i) for i, kind in enumerate(self.kinds)]
        queryset = self.build(*stand_ins)
        internals: Any = queryset  # what ModelIterable reads, beyond the stubs
        if internals._iterable_class is not ModelIterable or internals._prefetch_related_lookups:
            raise TypeError("a prepared query returns model instances, without prefetches")
        if internals._known_related_objects:
            raise TypeError("a prepared query cannot come from a related manager")
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, compiled_params = compiler.as_sql()
        params = list(compiled_params)
        slots = []
        for place, value in enumerate(params):
            for position, stand_in in enumerate(stand_ins):
                if type(value) is type(stand_in) and value == stand_in:
                    slots.append((place, position))
        found = sorted({position for _, position in slots})
        if found != list(range(len(stand_ins))):
            raise TypeError(
                "every parameter of a prepared query must reach the SQL as it is (field=value)"
            )
        locks = bool(queryset.query.select_for_update) and db.features.has_select_for_update
        # As ModelIterable.__iter__ and SQLCompiler.results_iter do at each run.
        select, klass_info = compiler.select, compiler.klass_info
        assert klass_info is not None
        columns = [column[0] for column in select[: compiler.col_count]]
        if any(isinstance(column, ColPairs) for column in columns):
            raise TypeError("a prepared query cannot select a composite field")
        own = klass_info["select_fields"]
        compiled = _Compiled(
            model=queryset.model,
            sql=sql,
            params=params,
            slots=slots,
            locks=locks,
            converters=list(compiler.get_converters(columns).items()),
            converting=compiler.connection,
            init_list=[column[0].target.attname for column in select[own[0] : own[-1] + 1]],
            own=slice(own[0], own[-1] + 1),
            populators=get_related_populators(klass_info, select, queryset.db),
            annotations=list((compiler.annotation_col_map or {}).items()),
        )
        self._compiled[key] = compiled
        return compiled

    def all(self, *values: Any) -> list[M]:
        db = connections[DEFAULT_DB_ALIAS]
        compiled = self._compile(db)
        if compiled.locks and db.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")  # fmt: skip
        params = list(compiled.params)
        for place, position in compiled.slots:
            params[place] = values[position]
        rows = run(db, compiled.sql, params, _ALL)
        return self._instances(compiled, db.alias, rows)

    def get(self, *values: Any) -> M:
        """The one row, or the model's ``DoesNotExist`` / ``MultipleObjectsReturned``."""
        found = self.all(*values)
        if len(found) == 1:
            return found[0]
        model = self._compile().model
        if not found:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        raise model.MultipleObjectsReturned(
            f"get() returned more than one {model._meta.object_name} -- it returned {len(found)}!"
        )

    @staticmethod
    def _instances(compiled: _Compiled, db: str, rows: list[Any]) -> list[M]:
        """``ModelIterable.__iter__`` on rows already fetched."""
        model_cls = compiled.model
        instances = []
        for fetched in rows:
            row = list(fetched)
            for column, (convs, expression) in compiled.converters:
                value = row[column]
                for converter in convs:
                    value = converter(value, expression, compiled.converting)
                row[column] = value
            instance = loaded(model_cls, db, compiled.init_list, row[compiled.own])
            for populator in compiled.populators:
                populate(populator, row, instance)
            for name, column in compiled.annotations:
                setattr(instance, name, row[column])
            instances.append(instance)
        return instances


@dataclass(frozen=True)
class _Insert:
    sql: str
    plan: _Plan  # how the values of the fields written are prepared, in the statement's order
    auto: Any  # the auto-incremented primary key, returned by the statement


_inserts: dict[tuple[type[Model], str, str, bool, bool, str | None], _Insert] = {}


def _insert_of(
    model: type[Model],
    skip_conflict: bool,
    db: Any,
    returning: bool = True,
    source: str | None = None,
) -> _Insert:
    """The insert of a ``model`` row, compiled once. With ``source`` (the name of a ``WITH``
    clause), the row's values are selected from it (``INSERT … SELECT … FROM source``): the
    row is written after that clause's statement has given its rows, and not when it gave
    none. Each value is cast to its column's type there, which ``VALUES`` would infer."""
    key = (model, db.alias, db.vendor, skip_conflict, returning, source)
    compiled = _inserts.get(key)
    if compiled is not None:
        return compiled
    meta = model._meta
    auto = meta.auto_field
    if auto is None or list(meta.db_returning_fields) != [auto]:
        raise TypeError(f"insert() writes models whose database returns only the id: {meta.label}")
    if meta.parents:
        raise TypeError(f"insert() writes one table; {meta.label} inherits from another model")
    fields = [f for f in meta.local_concrete_fields if f is not auto]
    quote = db.ops.quote_name
    returns = db.ops.return_insert_columns([auto])[0] if returning else ""
    skip = " ON CONFLICT DO NOTHING" if skip_conflict else ""
    if source is None:
        rows = f"VALUES ({', '.join(['%s'] * len(fields))})"
    else:
        casts = ", ".join(f"CAST(%s AS {_cast_type(f, db)})" for f in fields)
        rows = f"SELECT {casts} FROM {source}"
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"{rows}{skip} {returns}"
    ).rstrip()
    compiled = _inserts[key] = _Insert(sql, _plan(model, fields, db, adding=True), auto)
    return compiled


def _cast_type(field: Field[Any, Any], db: Any) -> str:
    """The type a value of ``field`` is cast to in an ``INSERT … SELECT``: its column's, without
    a length or precision, which the insert into the column then checks. A cast to
    ``varchar(n)`` (or ``numeric(p, s)``, or an array of them) would cut a longer value short,
    or round it, without an error; ``char`` without a length is one character, so fixed-length
    text is cast to ``text``."""
    base = _MODIFIER.sub("", str(field.db_type(db)))
    return _FIXED_LENGTH.sub("text", base)


_MODIFIER = re.compile(r"\(\s*\d+(\s*,\s*\d+)?\s*\)")
_FIXED_LENGTH = re.compile(r"^(char|character)(?=\[|$)")


def insert(instance: Model, *, skip_conflict: bool = False) -> bool:
    """Write ``instance`` as a new row, as ``instance.save(force_insert=True)`` would, and give
    it its id. For the rows every claim writes (transitions, tasks, audit and outbox rows). The
    project has no ``pre_save``/``post_save`` receivers; this sends none.

    With ``skip_conflict``, a row that would break a unique constraint or index is not written
    (``ON CONFLICT DO NOTHING``): the call returns False, the instance keeps no id, and the
    transaction goes on, with no savepoint around the insert. Other errors still raise
    ``IntegrityError``: a NULL or a check at once, a missing related row at commit (the foreign
    keys are deferred). Otherwise it returns True."""
    if not instance._state.adding or instance.pk is not None:
        raise TypeError(f"insert() writes new rows; this {type(instance).__name__} has one")
    db = connections[DEFAULT_DB_ALIAS]
    compiled = _insert_of(type(instance), skip_conflict, db)
    row = run(db, compiled.sql, _values(instance, compiled.plan, db), _ONE)
    if row is None:
        return False  # skip_conflict: a unique constraint or index already holds such a row
    _written(instance, compiled, row[0], db)
    return True


def _written(instance: Model, compiled: _Insert, pk: Any, db: Any) -> None:
    """``instance`` as ``save()`` leaves a new row it wrote: with its id, no longer adding."""
    setattr(instance, compiled.auto.attname, pk)
    instance._state.adding = False
    instance._state.db = db.alias


# What save() says when an update finds no row with the instance's id; and what a batch says
# when the row another was to take the place of was not there (Writes.replace).
_NO_ROW = "Save with update_fields did not affect any rows."
_NOT_REPLACED = "The row to be replaced was not there, so nothing took its place."


class Writes:
    """The writes of one step that nothing in the step reads back (a transition row with its
    task, summary upserts, audit and outbox rows), sent together once the step has worked
    them all out: on PostgreSQL as one statement, each write but the last a data-modifying
    ``WITH`` clause; elsewhere one statement after another. One round trip instead of one per
    row (ADR 0210). Used as a context manager: they are sent when the block ends without an
    error, and dropped with it when it raises (the transaction rolls back anyway).

    The clauses of one PostgreSQL statement see the same snapshot and run in no set order, so
    a batch holds only writes that do not depend on each other: new rows, and changes of rows
    no other write of the batch touches. Rows written here get no id, but one row of a batch
    may (:meth:`insert` ``with_id``): its insert is the statement the clauses go with, and its
    ``RETURNING`` gives the id. That row may take the place of a row the batch changes
    (:meth:`replace`): it is written after the change.

    A batch is made, filled and sent on one thread, in one transaction: it takes that thread's
    connection once (:attr:`db`), where each ``connections[alias]`` costs a lookup in asgiref's
    ``Local`` that raises and catches an exception (ADR 0214).
    """

    def __init__(self) -> None:
        self.db: Any = connections[DEFAULT_DB_ALIAS]
        self._statements: list[tuple[str, list[Any]]] = []
        self._with_id: tuple[Model, _Insert, list[Any]] | None = None
        self._replaced: tuple[str, list[Any]] | None = None  # the update the insert follows

    def __enter__(self) -> Writes:
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if kind is None:
            self.send()
        else:
            self._statements.clear()
            self._with_id = self._replaced = None

    def add(self, sql: str, values: Sequence[Any]) -> None:
        """A statement with ``%s`` placeholders, as ``cursor.execute`` takes it."""
        self._statements.append((sql, list(values)))

    def insert(self, instance: Model, *, with_id: bool = False) -> None:
        """``instance`` as a new row, as :func:`insert` writes it, but without its id; with
        ``with_id`` (one row of the batch at most), given its id when the batch is sent."""
        if with_id:
            self._with_id = self._row_with_id(instance, None)
            return
        compiled, values = self._new_row(instance, returning=False, source=None)
        self.add(compiled.sql, values)

    def _new_row(
        self, instance: Model, *, returning: bool, source: str | None
    ) -> tuple[_Insert, list[Any]]:
        """``instance``'s insert (:func:`_insert_of`) and the values it is sent with."""
        if not instance._state.adding or instance.pk is not None:
            raise TypeError(f"insert() writes new rows; this {type(instance).__name__} has one")
        compiled = _insert_of(type(instance), False, self.db, returning, source)
        return compiled, _values(instance, compiled.plan, self.db)

    def _row_with_id(self, instance: Model, source: str | None) -> tuple[Model, _Insert, list[Any]]:
        """What ``_with_id`` holds for ``instance``: the batch's one row given an id."""
        if self._with_id is not None:
            raise TypeError("a batch gives one of its new rows an id, not two")
        return (instance, *self._new_row(instance, returning=True, source=source))

    def update(self, instance: Model, fields: Sequence[str]) -> None:
        """``fields`` of ``instance``'s row, as :func:`update` writes them, for a row the step
        has locked: a batch cannot say that no row had the id."""
        self.add(*_update_of(instance, fields, self.db))

    def replace(self, old: Model, fields: Sequence[str], new: Model) -> None:
        """``fields`` of ``old``'s row updated (a row the step has locked), and ``new`` written
        as the batch's row with an id (:meth:`insert` ``with_id``) once that update is made:
        for a row that takes the place of another under a unique rule that allows only one of
        them (one open task per application: the task a step closes and the task it opens).

        The clauses of one statement run in no set order, so on PostgreSQL the update is the
        clause ``replaced`` and the insert selects its values from it: the update has been
        made when the insert's unique rules are checked. Elsewhere the update is sent first.
        When ``old``'s row is not there, ``send`` raises ``DatabaseError`` and the block the
        batch was sent in is rolled back (its other writes were made on PostgreSQL)."""
        update = _update_of(old, fields, self.db)
        row = self._row_with_id(new, "replaced" if self.db.vendor == "postgresql" else None)
        # Both or neither: a refusal above leaves the batch as it was.
        self._replaced, self._with_id = update, row

    def send(self) -> None:
        statements, self._statements = self._statements, []
        with_id, self._with_id = self._with_id, None
        replaced, self._replaced = self._replaced, None
        db = self.db
        postgresql = db.vendor == "postgresql"
        if replaced is not None and not postgresql:  # first, and the row must be there
            if run(db, *replaced, _COUNT) == 0:
                raise DatabaseError(_NOT_REPLACED)
            replaced = None
        if with_id is not None:
            statements.append((with_id[1].sql, with_id[2]))  # last: its RETURNING is the result
        if not statements:
            return
        if postgresql and (len(statements) > 1 or replaced is not None):
            *clauses, (last, _) = statements
            named = [(f"w{i}", sql) for i, (sql, _) in enumerate(clauses)]
            if replaced is not None:  # the clause the insert (last) selects from
                named.append(("replaced", f"{replaced[0]} RETURNING 1"))
                clauses.append(replaced)
            clauses_sql = ", ".join(f"{name} AS ({sql})" for name, sql in named)
            values = [v for _, clause_values in clauses for v in clause_values]
            statements = [(f"WITH {clauses_sql} {last}", [*values, *statements[-1][1]])]
        for sql, values in statements[:-1]:
            run(db, sql, values)
        row = run(db, *statements[-1], _ONE if with_id else None)
        if with_id is not None:
            if row is None:  # the row replaced was not there, so nothing took its place
                # The batch's other clauses ran all the same (PostgreSQL runs every clause that
                # writes): the block they ran in must not keep them, even if the error is caught.
                transaction.set_rollback(True, using=db.alias)
                raise DatabaseError(_NOT_REPLACED)
            instance, compiled, _ = with_id
            _written(instance, compiled, row[0], db)


def fetch_one(sql: str, values: Sequence[Any]) -> Any:
    """The first row of ``sql`` (``%s`` placeholders), or None: for the long reads of a claim
    (JSON aggregates, kilobytes of SQL)."""
    return run(connections[DEFAULT_DB_ALIAS], sql, values, _ONE)


def fetch_all(sql: str, values: Sequence[Any]) -> list[Any]:
    """The rows of ``sql`` (``%s`` placeholders), as :func:`fetch_one` runs it."""
    rows: list[Any] = run(connections[DEFAULT_DB_ALIAS], sql, values, _ALL)
    return rows


# What run() gives of a statement's cursor.
_ALL: Callable[[Any], Any] = methodcaller("fetchall")
_ONE: Callable[[Any], Any] = methodcaller("fetchone")
_COUNT: Callable[[Any], Any] = attrgetter("rowcount")


def run(db: Any, sql: str, values: Sequence[Any], read: Callable[[Any], Any] | None = None) -> Any:
    """``sql`` (``%s`` placeholders) run with ``values`` on ``db``; ``read(cursor)``, when given,
    is what it gives (its rows, its row count).

    On PostgreSQL the statement goes to the cursor kept with the connection for this module's
    statements (:func:`_kept_cursor`), with its placeholders numbered once per text
    (:func:`_numbered`), where psycopg would parse kilobytes of SQL again at every call. It
    goes through Django's checks and error wrapper as Django's cursor sends it, without a new
    cursor and wrapper for every statement (ADR 0213). Where Django's query log or execute
    wrappers must see it (tests, ``DEBUG``), and on SQLite, it goes through Django's own
    cursor."""
    kept = _kept_cursor(db)
    if kept is None:
        with db.cursor() as cursor:
            cursor.execute(sql, values)
            return read(cursor) if read else None
    db.validate_no_broken_transaction()
    numbered = _numbered(sql)
    # psycopg makes a new Transformer (and looks up each parameter type's dumper again) for
    # every statement but a repeat of the one before; the kept cursor's one serves them all.
    kept._last_query = numbered
    with db.wrap_database_errors:
        kept.execute(numbered, values)
        return read(kept) if read else None


def _kept_cursor(db: Any) -> Any:
    """The cursor :func:`run` sends ``db``'s statements to: a psycopg ``RawCursor`` of the
    current connection (``$1`` placeholders, sent as they are), made as Django makes its
    cursors (``DatabaseWrapper._cursor``: the health check, the connection, the thread check,
    the time zone of timestamps read) and kept on ``db`` until the connection or the time zone
    changes. None on another kind of database, or where Django's query log or execute
    wrappers are in use. A statement's rows are read before the next one runs, so one cursor
    serves them all; ``db`` is the current thread's connection."""
    if db.vendor != "postgresql" or db.queries_logged or db.execute_wrappers:
        return None
    db.close_if_health_check_failed()
    if db.connection is None:
        db.ensure_connection()
    db.validate_thread_sharing()
    kept, timezone = db.__dict__.get("_prepared_cursor", (None, None))
    if (
        kept is not None
        and kept.connection is db.connection
        and not kept.closed
        and timezone is db.timezone
    ):
        return kept
    kept = _raw_cursor(db)
    db.__dict__["_prepared_cursor"] = (kept, db.timezone)
    return kept


@contextmanager
def joined(writes: Writes | None) -> Iterator[Writes]:
    """The caller's batch ``writes`` (sent when the caller's block ends), or, without one, a
    batch of the block's own."""
    if writes is not None:
        yield writes
        return
    with Writes() as own:
        yield own


_NUMBERED: dict[str, str] = {}
_PLACEHOLDER = re.compile(r"%([s%])")


def _numbered(sql: str) -> str:
    """``sql`` with PostgreSQL's own placeholders (``$1``, ``$2``…) for ``%s`` (and ``%`` for
    ``%%``), worked out once per text. psycopg does this itself for every statement, but keeps
    the result only for statements under 4 kB and 50 parameters; a batch is longer, and parsing
    it again at each call cost more Python than the round trips it saves (ADR 0210)."""
    numbered = _NUMBERED.get(sql)
    if numbered is None:
        places = itertools.count(1)
        numbered = _PLACEHOLDER.sub(lambda m: f"${next(places)}" if m[1] == "s" else "%", sql)
        if len(_NUMBERED) >= 256:  # a few shapes per step; never grows without bound
            _NUMBERED.clear()
        _NUMBERED[sql] = numbered
    return numbered


def _raw_cursor(db: Any) -> Any:
    """A psycopg ``RawCursor`` of ``db``'s connection, reading timestamps in ``db``'s time zone
    as ``DatabaseWrapper.create_cursor`` sets its cursors up, and the ``json`` of the JSON
    aggregates with orjson (:class:`_JsonLoader`).

    Django's loader of ``timestamptz`` subclasses psycopg's pure-Python one, to put its own
    time zone on what it reads. Where the session's time zone is that one already (UTC, as
    Django sets it with ``USE_TZ``), psycopg's compiled loader reads the same datetimes, time
    zone included, in a fraction of the time (ADR 0214)."""
    import psycopg
    from django.db.backends.postgresql.psycopg_any import register_tzloader  # type: ignore[import-untyped]
    from psycopg import RawCursor
    from psycopg.postgres import types
    from psycopg.pq import Format

    cursor = RawCursor(db.connection)
    timestamptz = types["timestamptz"].oid
    compiled = psycopg.adapters.get_loader(timestamptz, Format.TEXT)
    if compiled is not None and db.connection.info.timezone is db.timezone:
        cursor.adapters.register_loader("timestamptz", compiled)
    elif db.timezone != db.connection.adapters.get_loader(timestamptz, Format.TEXT).timezone:
        register_tzloader(db.timezone, cursor)
    cursor.adapters.register_loader("json", _JsonLoader)
    return cursor


class _JsonLoader(Loader):
    """Values of type ``json`` (what ``json_agg`` and ``json_build_object`` make: the long reads
    of a claim) parsed by orjson, in half the time of ``json.loads`` (ADR 0214). They are the
    same values, for the integers of these rows (ids, amounts in fen: ``bigint``) and every
    other JSON value; orjson would read an integer beyond 64 bits as a float. ``jsonb`` is left
    as Django reads it (text, parsed by the field)."""

    def load(self, data: Any) -> Any:
        return orjson.loads(data)


# Django's field classes whose ``pre_save`` reads the attribute and whose
# ``get_db_prep_save`` of a value of one plain type is that value, or the driver's wrapper of
# it (psycopg's ``Int4``, ``Int8`` on PostgreSQL): :func:`_plan` checks which by a sample. A
# date or a datetime is sent as it is on PostgreSQL (SQLite's are sent as text), a datetime
# only when it is aware (Django makes a naive one aware in the default time zone, with a
# warning): :func:`_values` checks that. A date field that sets itself (``auto_now``) is not
# plain.
_AWARE = datetime(2026, 1, 1, tzinfo=UTC)
_PLAIN_FIELDS: dict[type[Field[Any, Any]], tuple[type, Any]] = {
    **dict.fromkeys((CharField, SlugField, TextField), (str, "x")),
    BooleanField: (bool, True),
    DateField: (date, _AWARE.date()),
    DateTimeField: (datetime, _AWARE),
    **dict.fromkeys(
        (AutoField, BigAutoField, SmallAutoField, IntegerField, BigIntegerField,
         SmallIntegerField, PositiveIntegerField, PositiveBigIntegerField,
         PositiveSmallIntegerField, ForeignKey, OneToOneField),
        (int, 7),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class _Plan:
    """How :func:`_values` prepares the values of an insert's or an update's fields, for one
    kind of database: worked out with the statement (:func:`_insert_of`, :func:`_update_of`)."""

    adding: bool  # an insert (every field written) or an update (``fields`` only)
    fields: list[Any]  # the fields written, in the statement's order
    # Each field: (field, attname, plain type or None, wrapper of a plain value or None).
    steps: list[tuple[Any, str, type | None, Any]]
    relations: list[Any] | None  # the foreign keys _values checks; None: Django checks them


def _plan(model: type[Model], fields: list[Any], db: Any, *, adding: bool) -> _Plan:
    steps: list[tuple[Any, str, type | None, Any]] = []
    for field in fields:
        kind: type | None = None
        wrap: Any = None
        plain = _PLAIN_FIELDS.get(type(field))
        target = getattr(field, "target_field", None)
        sets_itself = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        if (
            plain is not None
            and not sets_itself
            and (target is None or type(target) in _PLAIN_FIELDS)
        ):
            kind, sample = plain
            prepared = field.get_db_prep_save(sample, connection=db)
            sent_as: Any = type(prepared)
            if sent_as is kind and prepared == sample:
                pass  # sent as it is
            elif issubclass(sent_as, kind) and sent_as(sample) == prepared:
                wrap = sent_as
            else:
                kind = None
        steps.append((field, field.attname, kind, wrap))
    meta = model._meta
    relations = [
        f for f in meta.concrete_fields if f.is_relation and (adding or f in fields)
    ]  # an insert writes every field
    return _Plan(adding, fields, steps, None if meta.private_fields else relations)


def _values(instance: Model, plan: _Plan, db: Any) -> list[Any]:
    """The values of ``plan``'s fields as the ORM's compilers send them (``pre_save``,
    ``get_db_prep_save``), those sent as they are worked out once (:func:`_plan`)."""
    adding = plan.adding
    operation = "insert" if adding else "update"
    # As save() does: refuse a related row that has no id yet, and take the id of one that
    # was saved after it was assigned.
    if plan.relations is None:
        checked = None if adding else plan.fields  # an insert writes every field
        instance._prepare_related_fields_for_save(operation_name=operation, fields=checked)  # type: ignore[attr-defined]
    else:
        for relation in plan.relations:
            if relation.is_cached(instance):
                _related_saved(instance, relation, operation)
    values: list[Any] = []
    for field, attname, kind, wrap in plan.steps:
        if kind is not None:
            value = getattr(instance, attname)
            if value is None:
                values.append(None)
                continue
            if type(value) is kind and (
                kind is not datetime or cast(datetime, value).tzinfo is not None
            ):
                values.append(value if wrap is None else wrap(value))
                continue
        value = field.pre_save(instance, adding)
        if hasattr(value, "resolve_expression"):
            raise TypeError(f"{operation}() writes values, not expressions: {field.name}")
        values.append(field.get_db_prep_save(value, connection=db))
    return values


def _related_saved(instance: Model, field: Any, operation: str) -> None:
    """``Model._prepare_related_fields_for_save`` for one cached foreign key."""
    related = field.get_cached_value(instance, default=None)
    if related is None:
        return
    if not related._is_pk_set():
        if not field.remote_field.multiple:
            field.remote_field.delete_cached_value(related)
        raise ValueError(
            f"{operation}() prohibited to prevent data loss due to unsaved related object "
            f"'{field.name}'."
        )
    if getattr(instance, field.attname) in field.empty_values:
        setattr(instance, field.name, related)
    if getattr(related, field.target_field.attname) != getattr(instance, field.attname):
        field.delete_cached_value(instance)


_updates: dict[tuple[type[Model], tuple[str, ...], str, str], tuple[str, _Plan]] = {}


def update(instance: Model, fields: Sequence[str]) -> None:
    """Write ``fields`` of ``instance``'s row, as ``instance.save(update_fields=fields)`` would:
    the ``UPDATE … WHERE id = %s`` is written once per model and fields, and each call only
    prepares the values, as :func:`insert` does. For the rows a claim changes (the application's
    status, the archive head). It sends no signals, and raises ``DatabaseError`` when no row has
    the instance's id, as ``save()`` does. A model with a ``save()`` of its own (an append-only
    one, say) is refused: its rules would be skipped."""
    db = connections[DEFAULT_DB_ALIAS]
    sql, values = _update_of(instance, fields, db)
    if run(db, sql, values, _COUNT) == 0:
        raise DatabaseError(_NO_ROW)


def _update_of(instance: Model, fields: Sequence[str], db: Any) -> tuple[str, list[Any]]:
    """:func:`update`'s statement and values."""
    model = type(instance)
    if instance._state.adding or instance.pk is None:
        raise TypeError(f"update() writes saved rows; this {model.__name__} is new")
    key = (model, tuple(fields), db.alias, db.vendor)
    compiled = _updates.get(key)
    if compiled is None:
        if model.save is not Model.save:
            raise TypeError(f"update() would skip {model.__name__}.save(); use it")
        meta = model._meta
        written: list[Any] = [meta.get_field(name) for name in fields]
        if not written or len({field.attname for field in written}) < len(written):
            raise TypeError(f"update() writes each of one or more fields once, not {fields!r}")
        for field in written:
            if (
                not field.concrete
                or field.primary_key
                or getattr(field, "generated", False)
                or field.model is not meta.concrete_model
            ):
                raise TypeError(f"update() writes the table's own columns, not {field.name}")
        quote = db.ops.quote_name
        sets = ", ".join(f"{quote(field.column)} = %s" for field in written)
        sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s"
        compiled = _updates[key] = (sql, _plan(model, written, db, adding=False))
    sql, plan = compiled
    return sql, [*_values(instance, plan, db), instance.pk]
