"""What was granted once is not granted again: the case flow gives the rules engine the
earlier decisions (one-off grants, a running subsidy, a pension) and the engine refuses.

Each test takes the real path: applications through the API, reviews at both offices, the
entitlement in the fund; then the second application meets a refusal the reviewer sees.
"""

from datetime import date

import pytest

from tongban.benefits.models import Entitlement
from tongban.benefits.tests.factories import entitlement
from tongban.cases.tests.conftest import sanya_worker
from tongban.cases.tests.test_end_to_end import decide, task_for
from tongban.registry.tests.factories import (
    EmployerFactory,
    PersonFactory,
    SpellFactory,
    contribute,
)
from tongban.registry.tests.factories import region as region_of

pytestmark = pytest.mark.django_db

CERTIFICATE = {
    "occupation": "电工",
    "level": "intermediate",
    "issued_on": "2026-09-01",
    "number": "12345678903",  # the simulated registry finds it (Luhn)
}


def employed_in_haikou():
    person = PersonFactory(residence_region=region_of("460100"))
    spell = SpellFactory(
        person=person,
        employer=EmployerFactory(region=region_of("460100")),
        start_date=date(2022, 1, 1),
        end_date=None,
    )
    contribute(spell, 46)
    return person


def granted(apis, item, person, data, reviewer="hk_reviewer"):
    """Accepted at Longhua, initial review there, re-review and approval at the agency."""
    haikou, agency = apis["hk_acceptor"], apis[reviewer]
    created = haikou.post(
        "/applications", {"item": item, "id_number": person.id_number, "data": data}
    )
    assert created.status_code == 201, created.content
    reference = created.json()["reference"]
    assert decide(haikou, task_for(haikou, reference)["id"]).json()["status"] == "re_review"
    approved = decide(agency, task_for(agency, reference)["id"])
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.content
    return reference


def refused_at_initial_review(apis, item, person, data):
    haikou = apis["hk_acceptor"]
    created = haikou.post(
        "/applications", {"item": item, "id_number": person.id_number, "data": data}
    )
    assert created.status_code == 201, created.content
    task = task_for(haikou, created.json()["reference"])["id"]
    response = decide(haikou, task)
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "not_eligible"
    rejected = decide(haikou, task, "reject", reasons=[r["zh"] for r in response.json()["reasons"]])
    assert rejected.json()["status"] == "rejected", rejected.content
    return {r["code"] for r in response.json()["reasons"]}


def test_a_skill_certificate_is_subsidised_once(apis):
    person = employed_in_haikou()
    granted(apis, "skill_subsidy", person, {"certificate": CERTIFICATE})

    again = refused_at_initial_review(apis, "skill_subsidy", person, {"certificate": CERTIFICATE})
    assert "already_paid_same_level" in again
    junior = {**CERTIFICATE, "level": "junior", "number": "79927398713"}
    assert "lower_level_after_higher" in refused_at_initial_review(
        apis, "skill_subsidy", person, {"certificate": junior}
    )


def test_a_training_course_is_subsidised_once(apis):
    person = employed_in_haikou()
    course = {"course": "育婴员", "completed_on": "2026-10-20", "passed": True, "cost_fen": 180000}
    granted(apis, "training_subsidy", person, {"training": course})

    assert "training_already_paid" in refused_at_initial_review(
        apis, "training_subsidy", person, {"training": course}
    )


def test_the_rural_allowance_is_paid_once_per_job(apis):
    person = sanya_worker(sanya_months=22)
    data = {"rural_contract_worker": True}
    reference = granted(apis, "rural_worker_allowance", person, data, reviewer="sy_reviewer")
    grant = Entitlement.objects.get(application_reference=reference)
    assert grant.explanation["details"]["spell"].endswith(":2024-12-01")

    assert "rural_already_paid" in refused_at_initial_review(
        apis, "rural_worker_allowance", person, data
    )


def registered_at_longhua(apis, person):
    haikou = apis["hk_acceptor"]
    registration = haikou.post(
        "/applications", {"item": "unemployment_registration", "id_number": person.id_number}
    )
    decide(haikou, task_for(haikou, registration.json()["reference"])["id"])


def test_no_ui_benefit_while_the_unemployment_subsidy_is_paid(apis, worker):
    entitlement(worker, item="unemployment_subsidy", region="460200", months=6, monthly_fen=90000)
    registered_at_longhua(apis, worker)

    assert "receiving_subsidy" in refused_at_initial_review(apis, "ui_benefit", worker, None)


def test_no_new_claim_after_a_pension_started(apis, worker):
    ended = entitlement(worker, start=date(2026, 11, 1), months=18)
    Entitlement.objects.filter(pk=ended.pk).update(
        status="ended", end_reason="pension_start", ended_on=date(2026, 11, 20)
    )
    registered_at_longhua(apis, worker)

    assert "pension_started" in refused_at_initial_review(apis, "ui_benefit", worker, None)


def test_a_determination_is_recomputed_from_what_it_recorded(apis, worker):
    """Years later: the entitlement's recorded inputs and the recorded parameter texts give
    the same decision, whatever the registry says by then."""
    from tongban.cases.models import ParameterSetRecord, Transition
    from tongban.cases.tests.test_reports_and_idempotency import approved_claim
    from tongban.registry.models import Contribution
    from tongban.rules import assess
    from tongban.rules.params import ParameterSet
    from tongban.rules.record import facts_from_record

    claim = approved_claim(apis, worker)
    grant = Entitlement.objects.get(application_reference=claim["reference"])
    recorded = grant.explanation
    Contribution.objects.filter(person=worker).delete()  # the registry moves on

    params = ParameterSet.from_text(
        ParameterSetRecord.objects.get(version=recorded["parameter_set_version"]).texts
    )
    again = assess(
        "ui_benefit", facts_from_record(recorded["inputs"]), params,
        date.fromisoformat(recorded["as_of"]),
    )  # fmt: skip
    assert again.to_dict() == {k: v for k, v in recorded.items() if k != "inputs"}
    assert (again.months, again.monthly_amount_fen) == (grant.months, grant.monthly_amount_fen)
    decision = Transition.objects.filter(application__reference=claim["reference"]).last()
    assert decision.seen["inputs"] == recorded["inputs"]  # what the re-reviewer decided on
