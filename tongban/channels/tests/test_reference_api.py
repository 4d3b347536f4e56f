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


def test_openapi_document_is_served(anonymous_api):
    response = anonymous_api.http.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/items", "/api/v1/hires", "/api/v1/separations"} <= set(paths)
