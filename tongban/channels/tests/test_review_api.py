"""Send back to initial review through the API: the re-reviewer returns a claim with reasons,
the application and the queues say so, and the claim can then be approved."""

# ruff: noqa: F811 - the case fixtures are imported here and named as test arguments

import pytest

from tongban.cases.tests.conftest import apis, frozen_time, staff, worker  # noqa: F401

pytestmark = pytest.mark.django_db

REASON = "银行账户与本人姓名不符，请初审核对"


def decide(api, task_id, outcome="approve", **body):
    response = api.post(f"/tasks/{task_id}/decision", {"outcome": outcome, **body})
    assert response.status_code == 200, response.content
    return response.json()


def queue(api):
    return {t["reference"]: t for t in api.get("/tasks").json()}


@pytest.fixture
def routed(apis, worker):
    """A claim accepted and initially reviewed in Haikou, waiting for Sanya's re-review."""
    haikou = apis["hk_acceptor"]
    registration = haikou.post(
        "/applications", {"item": "unemployment_registration", "id_number": worker.id_number}
    ).json()
    decide(haikou, queue(haikou)[registration["reference"]]["id"])
    claim = haikou.post("/applications", {"item": "ui_benefit", "id_number": worker.id_number})
    assert claim.status_code == 201, claim.content
    reference = claim.json()["reference"]
    assert decide(haikou, queue(haikou)[reference]["id"])["status"] == "re_review"
    return reference


def test_a_claim_sent_back_shows_its_reasons_and_returns_to_the_accepting_office(
    apis, worker, routed
):
    haikou, sanya = apis["hk_acceptor"], apis["sy_reviewer"]
    re_review = queue(sanya)[routed]

    # when
    answer = decide(sanya, re_review["id"], "return", reasons=[REASON])

    # then: the application is at initial review again, with the reasons in its history
    assert answer["status"] == "initial_review"
    for viewer, params in ((haikou, {}), (apis["channel"], {"id_number": worker.id_number})):
        application = viewer.get(f"/applications/{routed}", **params).json()
        assert application["status"] == "initial_review"
        assert application["reviewing_office"] == "sanya-agency"
        assert application["entitlement"] is None
        assert [(h["stage"], h["office"], h["outcome"]) for h in application["history"]] == [
            ("submission", "haikou-longhua", "submit"),
            ("initial_review", "haikou-longhua", "approve"),
            ("re_review", "sanya-agency", "return"),
        ]
        assert application["history"][-1]["reasons"] == [{"code": "caseworker", "text": REASON}]
        assert application["current_task"]["stage"] == "initial_review"
        assert application["current_task"]["office"] == "haikou-longhua"
    # a new task in the accepting office's queue; none left at the agency
    task = queue(haikou)[routed]
    assert task["stage"] == "initial_review" and task["id"] != re_review["id"]
    assert routed not in queue(sanya)


def test_a_claim_sent_back_can_be_approved_again(apis, routed):
    haikou, sanya = apis["hk_acceptor"], apis["sy_reviewer"]
    decide(sanya, queue(sanya)[routed]["id"], "return", reasons=[REASON])

    assert decide(haikou, queue(haikou)[routed]["id"])["status"] == "re_review"
    assert queue(sanya)[routed]["stage"] == "re_review"
    approved = decide(sanya, queue(sanya)[routed]["id"])

    assert approved["status"] == "approved"
    assert approved["entitlement"]["paying_region"] == "460200"
    assert approved["entitlement"]["status"] == "active"
    assert [(h["stage"], h["outcome"]) for h in approved["history"]] == [
        ("submission", "submit"),
        ("initial_review", "approve"),
        ("re_review", "return"),
        ("initial_review", "approve"),
        ("re_review", "approve"),
    ]
    assert routed not in queue(haikou) and routed not in queue(sanya)
