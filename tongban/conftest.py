"""Test fixtures shared by every context.

Tests that commit for real are marked ``transactional`` and run in a pytest
session of their own (``make test`` runs both), because Django empties every
table after such a test and the other tests rely on the reference data.

The reference data (regions, offices, funds, separation reasons, catalogue,
calendar) is loaded once into the test database, after migrations; each test
runs in a transaction that is rolled back, so it stays. Tests that need real
commits (``transactional_db``) reload it, because Django empties the tables after them.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db.backends.signals import connection_created
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tongban.catalogue.selectors import catalogue_recheck
from tongban.channels.setup import platform_init
from tongban.core.testing import TEST_ACTOR


def _allow_truncate(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Django empties the tables with TRUNCATE after a transactional test; the append-only
    tables refuse it unless the session says so (tongban.core.dbtriggers)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET tongban.allow_truncate = 'on'")


connection_created.connect(_allow_truncate)

# Hypothesis fails an example that takes longer than 200 ms, or data that is slow to generate, by
# default: timed assertions, which a loaded CI machine trips (the NumPy batch's property test
# failed once beside the PostgreSQL suite). Speed is measured by `make bench`, never by a test.
hypothesis_settings.register_profile(
    "tongban", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("tongban")


def load_reference_data() -> None:
    platform_init(actor=TEST_ACTOR, migrate=False, say=lambda _: None)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher() -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_var_dir(settings: Any, tmp_path: Any) -> None:
    """Each test keeps bank files and payment-run locks in a folder of its own, out of the
    repository: a test running at the same moment in the other worker must not find "its" run
    of the month busy. Tests need no fixture of their own for it."""
    settings.VAR_DIR = tmp_path
    settings.BANK_DIR = tmp_path / "bank"


@pytest.fixture(autouse=True)
def _catalogue_checked_afresh() -> None:
    """The current catalogue version is cached for 30 s. Without this, a test that counts its
    statements could see the cache expire half-way because an earlier test in the same worker
    filled it 29 s before (seen once: the queue page read 8 rows instead of 7)."""
    catalogue_recheck()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def reference_data_committed(transactional_db: Any) -> None:
    """For tests that commit: the reference data, reloaded because flushing removed it."""
    load_reference_data()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a test that commits for real without the ``transactional`` marker."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        commits = (marker is not None and marker.kwargs.get("transaction")) or (
            "transactional_db" in getattr(item, "fixturenames", ())
        )
        if commits and item.get_closest_marker("transactional") is None:
            raise pytest.UsageError(
                f"{item.nodeid} commits for real: mark it @pytest.mark.transactional"
            )
