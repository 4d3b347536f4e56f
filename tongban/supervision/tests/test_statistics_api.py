"""``GET /api/v1/statistics``: the contract's fields, who may ask for what, and clear refusals."""

from __future__ import annotations

import pytest

from tongban.channels.services import client_create
from tongban.channels.tests.conftest import Api
from tongban.core.models import AuditEvent
from tongban.core.testing import TEST_ACTOR
from tongban.supervision.tests.scenario import caseworker
from tongban.supervision.tests.test_figures import november, people

__all__ = ["november", "people"]
pytestmark = pytest.mark.django_db
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-26"}
# username, office, roles
SUPERVISION_STAFF = {
    "province": ("hainan-province", ["supervisor"]),
    "sanya_supervisor": ("sanya-agency", ["supervisor"]),
    "longhua_head": ("haikou-longhua", ["head"]),
    "sanya_finance": ("sanya-agency", ["finance"]),
    "sanya_reviewer": ("sanya-agency", ["acceptor", "reviewer"]),
}


@pytest.fixture
def api(db):
    clients = {}
    for username, (office, roles) in SUPERVISION_STAFF.items():
        caseworker(username, office, roles)
        token = client_create(actor=TEST_ACTOR, kind="staff", name=None, username=username).token
        clients[username] = Api(token)
    clients["channel"] = Api(client_create(actor=TEST_ACTOR, kind="channel", name="支付宝").token)
    clients["anonymous"] = Api(None)
    return clients


def test_the_contract_figures_of_the_november_scenario(api, november):
    response = api["province"].get("/statistics", **NOVEMBER)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["from"] == "2026-11-01" and body["to"] == "2026-11-26"
    assert body["region"] is None and body["view"] == "province"
    assert body["applications"] == 11
    assert body["online_share"] == 0.5455  # 6 of 11: the contract's "channel submissions ÷ all"
    assert body["cross_region_share"] == 0.5
    assert body["on_time_share"] == 1.0
    claims = next(i for i in body["by_item"] if i["code"] == "ui_benefit")
    assert {k: claims[k] for k in ("applications", "approved", "rejected", "open")} == {
        "applications": 4, "approved": 3, "rejected": 1, "open": 0,
    }  # fmt: skip
    assert len(body["by_item"]) == 12
    assert len(body["funds"]) == 19
    assert set(body["funds"][0]) >= {"region_code", "balance_fen", "months_of_coverage"}
    assert body["counts"]["online"] == 6 and body["counts"]["automatic"] == 2
    assert body["integrity_findings"] == {"connected": True, "open": 0, "open_by_kind": {}}
    viewed = AuditEvent.objects.filter(event_type="supervision_viewed").get()
    assert viewed.subject_id == "api:statistics" and viewed.data["query"] == NOVEMBER


def test_a_region_by_accepting_region_with_its_fund(api, november):
    body = api["province"].get("/statistics", region="460200", **NOVEMBER).json()
    assert body["region"] == "460200" and body["applications"] == 1
    assert [f["region_code"] for f in body["funds"]] == ["460200"]
    assert body["cross_region_share"] == 0.0  # P5: accepted and insured in Sanya


@pytest.mark.parametrize(
    ("who", "params", "status", "code"),
    [
        ("anonymous", {}, 401, None),
        ("channel", {}, 403, "client_kind_not_allowed"),
        ("sanya_reviewer", {}, 403, "role_required"),
        ("sanya_finance", {}, 403, "role_required"),
        ("sanya_supervisor", {}, 403, "out_of_scope"),  # the province
        ("sanya_supervisor", {"region": "460100"}, 403, "out_of_scope"),
        ("sanya_supervisor", {"office": "haikou-longhua"}, 403, "out_of_scope"),
        ("sanya_supervisor", {"region": "460200"}, 200, None),
        ("sanya_supervisor", {"insured": "460200"}, 200, None),
        ("sanya_supervisor", {"office": "sanya-jiyang"}, 200, None),
        ("longhua_head", {}, 403, "out_of_scope"),
        ("longhua_head", {"region": "460100"}, 403, "out_of_scope"),
        ("longhua_head", {"office": "haikou-longhua"}, 200, None),
        ("province", {"office": "sanya-jiyang"}, 200, None),
        ("province", {"insured": "469030"}, 200, None),
    ],
)
def test_who_may_ask_for_what(api, who, params, status, code):
    response = api[who].get("/statistics", **NOVEMBER, **params)
    assert response.status_code == status, response.content
    body = response.json()
    if status == 200:
        return
    if code is not None:
        assert body["code"] == code
        assert response["Content-Type"] == "application/problem+json"
    assert "applications" not in body and "funds" not in body  # nothing leaks
    if status == 403 and who not in ("channel", "anonymous"):
        refused = AuditEvent.objects.get(event_type="supervision_refused")
        assert refused.data["refused"] == code


def test_an_office_head_sees_no_fund(api, november):
    body = api["longhua_head"].get("/statistics", office="haikou-longhua", **NOVEMBER).json()
    assert body["applications"] == 10 and body["funds"] == [] and body["funds_total"] is None


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"from": "2026-11-01"}, "to", "required"),
        ({"to": "2026-11-26"}, "from", "required"),
        ({"from": "2026-13-01", "to": "2026-11-26"}, "from", "date"),
        ({"from": "2026-11-20", "to": "2026-11-01"}, "from", "order"),
        ({"from": "2026-11-01", "to": "2026-11-27"}, "to", "future"),
        ({"from": "2021-06-24", "to": "2021-06-30"}, "from", "too_early"),
        ({"from": "2021-07-01", "to": "2026-11-26"}, "to", "too_long"),
        ({"from": "2026-11-01", "to": "2026-11-26", "region": "469099"}, "region", "unknown_region"),
        ({"from": "2026-11-01", "to": "2026-11-26", "insured": "x"}, "insured", "unknown_region"),
        ({"from": "2026-11-01", "to": "2026-11-26", "office": "nowhere"}, "office", "unknown_office"),
        ({"from": "2026-11-01", "to": "2026-11-26", "region": "460100", "office": "sanya-jiyang"},
         "office", "one_view"),
    ],
)  # fmt: skip
def test_bad_input_is_a_problem_document_naming_the_field(api, params, field, code):
    response = api["province"].get("/statistics", **params)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["errors"][0]["field"], body["errors"][0]["code"]) == (field, code)
    assert "applications" not in body


def test_the_openapi_document_names_the_endpoint(api):
    document = api["anonymous"].http.get("/api/v1/openapi.json").json()
    parameters = {p["name"] for p in document["paths"]["/api/v1/statistics"]["get"]["parameters"]}
    assert {"from", "to", "region"} <= parameters


def test_open_findings_are_counted_for_the_paying_fund(api, november):
    from tongban.integrity.tests.conftest import make_recipient
    from tongban.integrity.tests.helpers import hire

    person, _ = make_recipient()
    hire(person, "460100", on="2026-11-20")  # suspends the Sanya benefit, opens a finding
    province = api["province"].get("/statistics", **NOVEMBER).json()["integrity_findings"]
    assert province == {"connected": True, "open": 1, "open_by_kind": {"hire": 1}}
    haikou = api["province"].get("/statistics", region="460100", **NOVEMBER).json()
    assert haikou["integrity_findings"]["open"] == 0  # Haikou's fund does not pay this person
