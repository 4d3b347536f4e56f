"""Fixtures for the pages: caseworkers (as in the cases tests), a Sanya-insured person, a
signed-in claimant, and clients for each."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tongban.cases.tests.conftest import STAFF, frozen_time, sanya_worker, staff, worker
from tongban.web.identity import PENDING_KEY

__all__ = ["STAFF", "frozen_time", "sanya_worker", "staff", "worker"]


def sign_in(client: Client, id_number: str, *, next_url: str = "/me/") -> None:
    """The simulated real-name sign-in: the ID number, then the code the page shows."""
    page = client.post("/signin/", {"id_number": id_number, "next": next_url})
    assert page.status_code == 200, page.content.decode()[:2000]
    code = re.search(r'id="otp">(\d{6})<', page.content.decode()).group(1)
    assert client.session[PENDING_KEY]["code"] == code
    done = client.post("/signin/return/", {"code": code})
    assert done.status_code == 302, done.content.decode()[:2000]


@pytest.fixture
def claimant(worker):
    client = Client()
    sign_in(client, worker.id_number)
    return client


@pytest.fixture
def office(staff):
    """A logged-in browser-less client per caseworker, by username."""
    clients = {}
    for username in STAFF:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        clients[username] = client
    return clients
