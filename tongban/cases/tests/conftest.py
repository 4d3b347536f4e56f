"""Fixtures for case handling: a Sanya-insured person, offices' caseworkers and API clients."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tongban.channels.services import client_create
from tongban.channels.tests.conftest import Api
from tongban.core.testing import TEST_ACTOR
from tongban.regions.selectors import staff_for_user
from tongban.regions.services import staff_create
from tongban.registry.tests.factories import (
    EmployerFactory,
    PersonFactory,
    SpellFactory,
    contribute,
    reason,
)
from tongban.registry.tests.factories import region as region_of

TODAY = date(2026, 11, 26)  # a Thursday
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

# username, office, roles
STAFF = {
    "hk_acceptor": ("haikou-longhua", ["acceptor"]),
    "hk_reviewer": ("haikou-agency", ["acceptor", "reviewer"]),
    "sy_reviewer": ("sanya-agency", ["acceptor", "reviewer"]),
    "sy_reviewer2": ("sanya-agency", ["reviewer"]),
    "sy_acceptor": ("sanya-jiyang", ["acceptor"]),
    "dz_caseworker": ("danzhou-agency", ["acceptor", "reviewer"]),
    "sy_finance": ("sanya-agency", ["finance"]),
    "sy_supervisor": ("sanya-agency", ["supervisor"]),
    "sy_admin": ("sanya-agency", ["admin"]),
}


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def staff(db):
    members = {}
    for username, (office, roles) in STAFF.items():
        member = staff_create(
            actor=TEST_ACTOR, username=username, office_code=office, roles=roles, password=None
        )
        members[username] = staff_for_user(user=member.user)
    return members


@pytest.fixture
def apis(staff):
    clients = {
        name: Api(client_create(actor=TEST_ACTOR, kind="staff", name=None, username=name).token)
        for name in STAFF
    }
    clients["channel"] = Api(
        client_create(actor=TEST_ACTOR, kind="channel", name="支付宝", channel="alipay").token
    )
    clients["anonymous"] = Api(None)
    return clients


def sanya_worker(
    *, reason_code: str = "dismissed", haikou_months: int = 48, sanya_months: int = 22
):
    """Worked in Haikou, then in Sanya until 2026-10-01, when the Sanya employer let them go."""
    person = PersonFactory(residence_region=region_of("460100"))
    haikou = SpellFactory(
        person=person,
        employer=EmployerFactory(region=region_of("460100")),
        start_date=date(2020, 1, 1),
        end_date=date(2020, 1, 1).replace(
            year=2020 + haikou_months // 12, month=1 + haikou_months % 12
        ),
        reason=reason("contract_expired"),
    )
    contribute(haikou, haikou_months)
    sanya_start = date(2024, 12, 1)
    sanya = SpellFactory(
        person=person,
        employer=EmployerFactory(region=region_of("460200")),
        start_date=sanya_start,
        end_date=date(2026, 10, 1),
        reason=reason(reason_code),
    )
    contribute(sanya, sanya_months)
    return person


@pytest.fixture
def worker(db):
    return sanya_worker()
