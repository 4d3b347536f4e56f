from datetime import date

import pytest

from tongban.registry.tests.factories import (
    EmployerFactory,
    PersonFactory,
    SpellFactory,
    contribute,
    reason,
)
from tongban.registry.tests.factories import region as region_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker():
    person = PersonFactory()
    haikou = SpellFactory(
        person=person,
        employer=EmployerFactory(region=region_of("460100")),
        start_date=date(2018, 1, 1),
        end_date=date(2022, 1, 1),
        reason=reason("contract_expired"),
    )
    contribute(haikou, 48)
    sanya = SpellFactory(
        person=person,
        employer=EmployerFactory(region=region_of("460200")),
        start_date=date(2022, 1, 1),
        end_date=date(2026, 10, 1),
        reason=reason("dismissed"),
    )
    contribute(sanya, 57)
    return person


def test_overview_shows_the_registry_masked(channel_api, worker):
    response = channel_api.get(f"/persons/{worker.id_number}/overview")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id_number"] == worker.id_number[:4] + "*" * 10 + worker.id_number[-4:]
    assert body["name"].endswith("*")
    assert body["insured_region_code"] == "460200"
    assert body["contribution_months_total"] == 105
    assert body["contribution_months_by_region"] == [
        {"region_code": "460100", "months": 48},
        {"region_code": "460200", "months": 57},
    ]
    assert [s["separation_reason"]["code"] for s in body["spells"]] == [
        "contract_expired",
        "dismissed",
    ]


def test_overview_refusals(channel_api, employer_api, worker):
    assert employer_api.get(f"/persons/{worker.id_number}/overview").status_code == 403
    bad = channel_api.get("/persons/460100199001010018/overview")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["code"] == "check_digit"
    assert channel_api.get("/persons/460100199001010019/overview").status_code == 404
