"""Transaction boundaries for write services.

Write services are entry points: decorated with :func:`entrypoint`, each runs in
a durable transaction of its own when called from outside. Called from inside
another service, or inside a :func:`unit_of_work` (an idempotent API request,
whose idempotency record must commit with the change; a payment run), it joins
that transaction in a savepoint, so a refused call rolls back all of its own writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")

_in_unit_of_work: ContextVar[bool] = ContextVar("tongban_unit_of_work", default=False)


@contextmanager
def unit_of_work() -> Iterator[None]:
    """A durable transaction that entry-point services join instead of opening their own.

    Inside another unit of work it is a savepoint of that one (a web form's idempotent
    submission that starts a payment run, say): everything still commits together.
    """
    if _in_unit_of_work.get():
        with transaction.atomic():
            yield
        return
    with transaction.atomic(durable=True):
        token = _in_unit_of_work.set(True)
        try:
            yield
        finally:
            _in_unit_of_work.reset(token)


def entrypoint(func: Callable[P, R]) -> Callable[P, R]:
    """Run a write service in its own durable transaction — or, when another service or a
    unit of work already holds one, inside it (in a savepoint, so a refusal rolls back only
    this call's writes). A payment run that books its entries joins the run's transaction."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if _in_unit_of_work.get():
            with transaction.atomic():
                return func(*args, **kwargs)
        with unit_of_work():
            return func(*args, **kwargs)

    return wrapper


def require_transaction(what: str) -> None:
    """Refuse to run a helper outside its caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{what} must run inside the caller's transaction")
