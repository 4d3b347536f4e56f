"""Transaction boundaries for write services.

Write services are entry points: decorated with :func:`entrypoint`, each runs in
a durable transaction of its own. The one exception is an idempotent API
request: there the API opens a :func:`unit_of_work` so that the idempotency
record and the service's change commit together, and the service runs inside
it (in a savepoint, so a refused request rolls back all of its own writes).
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
    """A durable transaction that entry-point services join instead of opening their own."""
    with transaction.atomic(durable=True):
        token = _in_unit_of_work.set(True)
        try:
            yield
        finally:
            _in_unit_of_work.reset(token)


def entrypoint(func: Callable[P, R]) -> Callable[P, R]:
    """Run a write service in its own durable transaction (or inside the current unit of work)."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if _in_unit_of_work.get():
            with transaction.atomic():
                return func(*args, **kwargs)
        with transaction.atomic(durable=True):
            return func(*args, **kwargs)

    return wrapper


def require_transaction(what: str) -> None:
    """Refuse to run a helper outside its caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{what} must run inside the caller's transaction")
