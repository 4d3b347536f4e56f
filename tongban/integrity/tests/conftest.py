"""Integrity reuses the case fixtures (frozen time, caseworkers, API clients) and adds recipients."""

from datetime import date

import pytest

from tongban.benefits.tests.factories import entitlement
from tongban.cases.tests.conftest import apis, frozen_time, sanya_worker, staff, worker  # noqa: F401
from tongban.registry.tests.factories import region


def make_recipient(*, start=date(2026, 11, 1), months=18, region_code="460200"):
    """A Sanya worker let go on 2026-10-01, now paid UI benefit by Sanya's fund."""
    person = sanya_worker()
    person.bank_account = "6222021234567890123"
    person.phone = "13800138000"
    person.residence_region = region(region_code)
    person.save()
    claim = entitlement(person, region=region_code, start=start, months=months)
    return person, claim


@pytest.fixture
def recipient(db):
    return make_recipient()
