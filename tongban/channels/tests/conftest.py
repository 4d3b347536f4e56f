from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tongban.channels.services import client_create
from tongban.core.testing import TEST_ACTOR
from tongban.regions.services import staff_create
from tongban.registry.tests.factories import EmployerFactory


class Api:
    """A small client for /api/v1 with a bearer token."""

    def __init__(self, token: str | None) -> None:
        self.http = Client()
        self.token = token

    def _headers(self, key: str | None) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if key:
            headers["Idempotency-Key"] = key
        return headers

    def get(self, path: str, **params: Any) -> Any:
        return self.http.get(f"/api/v1{path}", params, headers=self._headers(None))

    def post(self, path: str, body: Any, *, key: str | None = None, raw: str | None = None) -> Any:
        return self.http.post(
            f"/api/v1{path}",
            raw if raw is not None else body,
            content_type="application/json",
            headers=self._headers(key),
        )


@pytest.fixture
def employer(db):
    return EmployerFactory()


@pytest.fixture
def employer_api(employer):
    return Api(
        client_create(actor=TEST_ACTOR, kind="employer", name=None, uscc=employer.uscc).token
    )


@pytest.fixture
def channel_api(db):
    return Api(client_create(actor=TEST_ACTOR, kind="channel", name="支付宝").token)


@pytest.fixture
def staff_api(db):
    staff_create(
        actor=TEST_ACTOR,
        username="hk1",
        office_code="haikou-longhua",
        roles=["acceptor"],
        password=None,
    )
    return Api(client_create(actor=TEST_ACTOR, kind="staff", name=None, username="hk1").token)


@pytest.fixture
def anonymous_api(db):
    return Api(None)
