import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db


def test_requests_without_a_valid_token_get_a_401_problem(anonymous_api):
    response = anonymous_api.get("/items")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401
    assert body["type"].startswith("urn:tongban:problem:")
    anonymous_api.token = "tb_not-a-token"
    assert anonymous_api.get("/items").status_code == 401


def test_items_are_the_twelve_of_the_catalogue(channel_api):
    items = channel_api.get("/items").json()
    assert [i["code"] for i in items] == [
        "employment_registration", "unemployment_registration", "ui_benefit",
        "unemployment_subsidy", "skill_subsidy", "funeral_survivor", "ui_transfer",
        "reemployment_report", "employment_certificate", "training_subsidy",
        "rural_worker_allowance", "ui_certificate",
    ]  # fmt: skip
    ui = items[2]
    assert ui["pays_money"] is True
    assert ui["time_limit_working_days"] == 10
    assert ui["materials"] == ["居民身份证或社会保障卡"]
    assert {i["code"] for i in items if i["pays_money"]} == {
        "ui_benefit", "unemployment_subsidy", "skill_subsidy", "funeral_survivor",
        "training_subsidy", "rural_worker_allowance",
    }  # fmt: skip


def test_items_speak_english_when_asked(channel_api):
    response = channel_api.http.get(
        "/api/v1/items",
        headers={"Authorization": f"Bearer {channel_api.token}", "Accept-Language": "en"},
    )
    assert response.json()[2]["name"] == "Unemployment insurance benefit"


def test_offices_name_one_agency_per_region(channel_api):
    offices = channel_api.get("/offices").json()
    agencies = [o for o in offices if o["is_insurance_agency"]]
    assert len({o["region_code"] for o in offices}) == 19
    assert len(agencies) == 19
    assert {o["code"] for o in offices if o["region_code"] == "460100"} == {
        "haikou-agency", "haikou-xiuying", "haikou-longhua", "haikou-qiongshan", "haikou-meilan",
        "hainan-province",
    }  # fmt: skip
    # The provincial centre sits in Haikou, its seat, and is no region's paying agency.
    (province,) = [o for o in offices if o["kind"] == "province"]
    assert province["code"] == "hainan-province" and not province["is_insurance_agency"]
    assert {o["kind"] for o in agencies} == {"agency"}


def test_separation_reasons_say_which_are_involuntary(employer_api):
    reasons = {r["code"]: r["involuntary"] for r in employer_api.get("/separation-reasons").json()}
    assert reasons["contract_expired"] is True
    assert reasons["voluntary_resignation"] is False


# The HTTP table of the external contract, shared/api/CONTRACT.md (not in this repository):
# method, path (parameter names aside) and, where the contract names them, query parameters.
CONTRACT_ENDPOINTS = {
    ("GET", "/items"): set(),
    ("GET", "/offices"): set(),
    ("GET", "/persons/{id_number}/overview"): set(),
    ("POST", "/applications"): set(),
    ("POST", "/bundles"): set(),
    ("GET", "/applications/{reference}"): set(),
    ("GET", "/tasks"): set(),
    ("POST", "/tasks/{id}/decision"): set(),
    ("GET", "/separation-reasons"): set(),
    ("POST", "/separations"): set(),
    ("POST", "/hires"): set(),
    ("POST", "/reemployment-reports"): set(),
    ("GET", "/statistics"): {"from", "to", "region"},
    ("GET", "/persons/{id_number}/payments"): set(),
}
CONTRACT_FILE = Path(__file__).resolve().parents[3].parent / "shared" / "api" / "CONTRACT.md"


def _shape(path: str) -> str:
    """A path with its parameters unnamed: the contract's {id} is the schema's {task_id}."""
    return re.sub(r"\{[^}]*\}", "{}", path.removeprefix("/api/v1"))


def test_openapi_document_has_every_endpoint_of_the_contract(anonymous_api):
    response = anonymous_api.http.get("/api/v1/openapi.json")
    assert response.status_code == 200
    served = {
        (method.upper(), _shape(path)): {p["name"] for p in operation.get("parameters", [])}
        for path, operations in response.json()["paths"].items()
        for method, operation in operations.items()
    }
    missing = [(m, p) for m, p in CONTRACT_ENDPOINTS if (m, _shape(p)) not in served]
    assert not missing, f"the contract's endpoints missing from the OpenAPI document: {missing}"
    for (method, path), query in CONTRACT_ENDPOINTS.items():
        assert query <= served[method, _shape(path)], (method, path)


@pytest.mark.skipif(
    not CONTRACT_FILE.exists(), reason="shared/api/CONTRACT.md is not beside the repository"
)
def test_the_endpoints_above_are_the_contracts_table():
    text = CONTRACT_FILE.read_text(encoding="utf-8").split("## HTTP API", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/[^`?]*)", text, flags=re.MULTILINE)
    assert sorted(rows) == sorted(CONTRACT_ENDPOINTS)
