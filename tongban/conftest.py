"""Test fixtures shared by every context.

The reference data (regions, offices, funds, separation reasons, catalogue,
calendar) is loaded once into the test database, after migrations; each test
runs in a transaction that is rolled back, so it stays. Tests that need real
commits (``transactional_db``) reload it, because Django empties the tables after them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from tongban.channels.setup import platform_init
from tongban.core.actors import Actor

TEST_ACTOR = Actor.operator("test")


def load_reference_data() -> None:
    platform_init(actor=TEST_ACTOR, migrate=False, say=lambda _: None)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher() -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        load_reference_data()
    yield


@pytest.fixture
def reference_data_committed(transactional_db: Any) -> Iterator[None]:
    """For tests that commit: the reference data, reloaded because flushing removed it."""
    load_reference_data()
    yield
