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


def test_overview_says_what_the_person_could_claim_and_why(channel_api, worker):
    body = channel_api.get(f"/persons/{worker.id_number}/overview").json()
    items = {i["code"]: i for i in body["items"]}
    assert len(items) == 12
    ui = items["ui_benefit"]
    assert ui["eligible"] is True
    assert (ui["months"], ui["amount_fen"], ui["paying_region"]) == (18, 164700, "460200")
    transfer = items["ui_transfer"]
    assert transfer["eligible"] is False and transfer["reasons"][0]["message"]


def test_overview_reasons_speak_the_request_language(channel_api):
    person = PersonFactory()
    SpellFactory(
        person=person,
        employer=EmployerFactory(region=region_of("460100")),
        start_date=date(2025, 1, 1),
        end_date=date(2026, 10, 1),
        reason=reason("voluntary_resignation"),
    )
    headers = {"Authorization": f"Bearer {channel_api.token}"}
    zh = channel_api.http.get(
        f"/api/v1/persons/{person.id_number}/overview", headers=headers
    ).json()
    en = channel_api.http.get(
        f"/api/v1/persons/{person.id_number}/overview", headers={**headers, "Accept-Language": "en"}
    ).json()
    ui_zh = next(i for i in zh["items"] if i["code"] == "ui_benefit")
    ui_en = next(i for i in en["items"] if i["code"] == "ui_benefit")
    assert ui_zh["eligible"] is False
    codes = {r["code"] for r in ui_en["reasons"]}
    assert "voluntary_separation" in codes
    assert any("\u4e00" <= ch <= "\u9fff" for r in ui_zh["reasons"] for ch in r["message"])
    assert all(r["message"].isascii() for r in ui_en["reasons"])
