"""The heart of the source: a Sanya-insured person served in Haikou, through the API.

Initial review by Haikou; routed to Sanya; re-review by Sanya; the entitlement in
Sanya's fund; the archive sealed at Haikou.
"""

from datetime import date

import pytest

from tongban.benefits.models import Entitlement
from tongban.cases.archive import archive_verify
from tongban.cases.models import Application, Archive, Task, Transition
from tongban.registry.models import Registration

pytestmark = pytest.mark.django_db


def decide(api, task_id, outcome="approve", **body):
    return api.post(f"/tasks/{task_id}/decision", {"outcome": outcome, **body})


def task_for(api, reference):
    tasks = api.get("/tasks").json()
    return next(t for t in tasks if t["reference"] == reference)


def test_a_sanya_insured_person_accepted_in_haikou(apis, worker):
    haikou, haikou_agency, sanya = apis["hk_acceptor"], apis["hk_reviewer"], apis["sy_reviewer"]

    # The person walks into the Longhua office in Haikou with an ID card.
    response = haikou.post("/bundles", {"kind": "unemployment", "id_number": worker.id_number})
    assert response.status_code == 201, response.content
    bundle = response.json()
    items = {a["item"]: a for a in bundle["applications"]}
    assert set(items) == {"unemployment_registration", "ui_benefit", "ui_transfer"}
    assert items["ui_transfer"]["status"] == "completed"  # 免申即办, by the system
    claim = items["ui_benefit"]
    assert claim["status"] == "initial_review"
    assert claim["accepting_office"] == "haikou-longhua"
    assert claim["reviewing_office"] == "sanya-agency"
    assert claim["due_date"] == "2026-12-10"  # 10 working days
    assert items["unemployment_registration"]["reviewing_office"] is None

    # 1. Haikou does the initial review of both; the registration is completed in Haikou.
    registration_task = task_for(haikou, items["unemployment_registration"]["reference"])
    assert decide(haikou, registration_task["id"]).json()["status"] == "completed"
    assert Registration.objects.filter(
        person=worker, kind="unemployment", region__code="460100"
    ).exists()
    claim_task = task_for(haikou, claim["reference"])
    assert claim_task["stage"] == "initial_review" and claim_task["id_number"].count("*") == 10
    routed = decide(haikou, claim_task["id"]).json()
    assert routed["status"] == "re_review"

    # 2. Routed to Sanya: the task is in the Sanya agency's queue, not in Haikou's.
    assert claim["reference"] not in {t["reference"] for t in haikou.get("/tasks").json()}
    assert claim["reference"] not in {t["reference"] for t in haikou_agency.get("/tasks").json()}
    re_review = task_for(sanya, claim["reference"])
    assert re_review["stage"] == "re_review" and re_review["accepting_office"] == "haikou-longhua"

    # 3. Sanya re-reviews and approves.
    approved = decide(sanya, re_review["id"]).json()
    assert approved["status"] == "approved"

    # 4. The entitlement exists in Sanya's fund, with the rules engine's figures.
    entitlement = approved["entitlement"]
    assert entitlement["paying_region"] == "460200"
    assert entitlement["months"] == 18  # 70 months of contributions: 5 ≤ t < 10 years
    assert entitlement["monthly_amount_fen"] == 164700  # 90% of Sanya's 1830 yuan
    assert entitlement["start_month"] == "2026-11"
    assert entitlement["status"] == "active"
    assert entitlement["explanation"]
    stored = Entitlement.objects.get(application_reference=claim["reference"])
    assert stored.paying_region.code == "460200" and stored.parameter_set_version

    # 5. The archive is sealed at Haikou, and every chain verifies.
    archive = Archive.objects.get(application__reference=claim["reference"])
    assert archive.office.code == "haikou-longhua"
    assert approved["archive"]["office"] == "haikou-longhua"
    assert archive_verify().ok

    # The history says who did what, where.
    history = [(h["stage"], h["office"], h["outcome"]) for h in approved["history"]]
    assert history == [
        ("submission", "haikou-longhua", "submit"),
        ("initial_review", "haikou-longhua", "approve"),
        ("re_review", "sanya-agency", "approve"),
    ]
    transitions = Transition.objects.filter(application__reference=claim["reference"]).order_by(
        "at", "id"
    )
    assert [t.actor_label for t in transitions][1:] == ["staff:hk_acceptor", "staff:sy_reviewer"]
    assert all(t.seen_sha256 for t in transitions)


def test_a_non_paying_item_is_completed_where_it_was_accepted(apis, worker):
    haikou = apis["hk_acceptor"]
    created = haikou.post(
        "/applications", {"item": "ui_certificate", "id_number": worker.id_number}
    ).json()
    assert created["status"] == "initial_review" and created["reviewing_office"] is None
    task = task_for(haikou, created["reference"])
    done = decide(haikou, task["id"]).json()
    assert done["status"] == "completed"
    assert [h["office"] for h in done["history"]] == ["haikou-longhua", "haikou-longhua"]
    assert (
        Archive.objects.get(application__reference=created["reference"]).office.code
        == "haikou-longhua"
    )
    assert not Task.objects.filter(
        application__reference=created["reference"], is_open=True
    ).exists()


def test_online_the_registration_gets_a_system_review_and_the_claim_a_caseworkers(apis, worker):
    """Online, what pays nothing may be completed by a recorded system initial review; what pays
    money is reviewed by a caseworker of the accepting office, who answers for it (首问负责)."""
    response = apis["channel"].post(
        "/bundles",
        {"kind": "unemployment", "id_number": worker.id_number, "office": "haikou-longhua"},
    )
    assert response.status_code == 201, response.content
    items = {a["item"]: a for a in response.json()["applications"]}
    registration = items["unemployment_registration"]
    assert registration["status"] == "completed"
    assert registration["history"][1]["actor"] == "system initial review (系统初审)"
    assert registration["history"][1]["office"] == "haikou-longhua"
    claim = items["ui_benefit"]
    assert claim["status"] == "initial_review" and claim["channel"] == "alipay"
    haikou = apis["hk_acceptor"]
    routed = decide(haikou, task_for(haikou, claim["reference"])["id"]).json()
    assert routed["status"] == "re_review" and routed["history"][1]["office"] == "haikou-longhua"
    assert task_for(apis["sy_reviewer"], claim["reference"])


def test_online_defaults_to_the_office_for_the_residence(apis, worker):
    created = apis["channel"].post(
        "/applications", {"item": "ui_certificate", "id_number": worker.id_number}
    )
    assert created.json()["accepting_office"] == "haikou-agency"


def test_a_voluntary_separation_cannot_be_approved_and_is_rejected_with_reasons(apis, db):
    from tongban.cases.tests.conftest import sanya_worker

    person = sanya_worker(reason_code="voluntary_resignation")
    haikou = apis["hk_acceptor"]
    bundle = haikou.post("/bundles", {"kind": "unemployment", "id_number": person.id_number}).json()
    claim = next(a for a in bundle["applications"] if a["item"] == "ui_benefit")
    task = task_for(haikou, claim["reference"])
    refused = decide(haikou, task["id"])
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_eligible"
    assert ".." not in refused.json()["detail"]  # each reason is a sentence; none ends twice
    assert "voluntary_separation" in {r["code"] for r in refused.json()["reasons"]}
    rejected = decide(haikou, task["id"], "reject", reasons=["本人自愿离职，不符合领取条件"]).json()
    assert rejected["status"] == "rejected"
    # The bundle's parts fail together.
    statuses = set(
        Application.objects.filter(bundle__reference=bundle["reference"]).values_list(
            "status", flat=True
        )
    )
    assert statuses <= {"rejected", "completed"}
    assert (
        Application.objects.get(
            bundle__reference=bundle["reference"], item_code="unemployment_registration"
        ).status
        == "rejected"
    )


def test_a_contested_reason_is_re_verified_and_then_paid(apis, db):
    from tongban.cases.tests.conftest import sanya_worker

    person = sanya_worker(reason_code="voluntary_resignation")
    haikou, sanya = apis["hk_acceptor"], apis["sy_reviewer"]
    registration = haikou.post(
        "/applications", {"item": "unemployment_registration", "id_number": person.id_number}
    ).json()
    decide(haikou, task_for(haikou, registration["reference"])["id"])
    claim = haikou.post(
        "/applications",
        {"item": "ui_benefit", "id_number": person.id_number,
         "data": {"contest": {"claimed_reason_code": "employer_rescinded", "statement": "单位单方解除"}}},
    ).json()  # fmt: skip
    task = task_for(haikou, claim["reference"])
    assert decide(haikou, task["id"]).json()["code"] == "not_decidable"
    routed = decide(haikou, task["id"], verification={"contest": "upheld"})
    assert routed.status_code == 200, routed.content
    approved = decide(sanya, task_for(sanya, claim["reference"])["id"]).json()
    assert approved["status"] == "approved" and approved["entitlement"]["months"] == 18


def test_return_pauses_the_clock_and_resubmission_resumes_it(apis, worker, time_machine):
    haikou = apis["hk_acceptor"]
    claim = haikou.post(
        "/applications", {"item": "ui_certificate", "id_number": worker.id_number}
    ).json()
    task = task_for(haikou, claim["reference"])
    returned = decide(haikou, task["id"], "return", reasons=["请补充联系电话"]).json()
    assert returned["status"] == "returned" and returned["current_task"] is None
    time_machine.move_to(date(2026, 12, 3).isoformat() + "T10:00:00+08:00")  # 5 working days later
    again = haikou.post(f"/applications/{claim['reference']}/resubmit", {}).json()
    assert again["status"] == "initial_review"
    assert date.fromisoformat(again["due_date"]) > date.fromisoformat(claim["due_date"])
    assert again["due_date"] == "2026-12-04"  # 1 working day + the 5 spent with the person


def test_archive_verify_command(apis, worker):
    from io import StringIO

    from django.core.management import call_command

    haikou = apis["hk_acceptor"]
    created = haikou.post(
        "/applications", {"item": "ui_certificate", "id_number": worker.id_number}
    ).json()
    decide(haikou, task_for(haikou, created["reference"])["id"])
    out = StringIO()
    call_command("archive", "verify", stdout=out)
    assert out.getvalue().startswith("ok: 1 archives in 1 office chains")
