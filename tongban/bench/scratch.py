"""A scratch database for benchmarks, created from the migrations and dropped afterwards.

Benchmarks never touch the database that ``DATABASE_URL`` names: they use a
fresh ``bench_<name>`` database on the same server, built like a test database.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection

from tongban.channels.setup import platform_init
from tongban.core.actors import Actor

BENCH_ACTOR = Actor.operator("tongban bench")


@contextmanager
def scratch_database(name: str) -> Iterator[None]:
    """Create ``bench_<name>``, migrate it, load reference data; drop it on the way out."""
    original = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{name}"
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        platform_init(actor=BENCH_ACTOR, migrate=False, say=lambda _: None)
        yield
    finally:
        connection.creation.destroy_test_db(original, verbosity=0, keepdb=False)
        connection.settings_dict["NAME"] = original
        del test_name


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
