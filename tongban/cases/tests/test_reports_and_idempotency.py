from datetime import date

import pytest

from tongban.cases.models import Application
from tongban.cases.tests.test_end_to_end import decide, task_for
from tongban.core.models import OutboxMessage

pytestmark = pytest.mark.django_db


def approved_claim(apis, person):
    haikou, sanya = apis["hk_acceptor"], apis["sy_reviewer"]
    bundle = haikou.post("/bundles", {"kind": "unemployment", "id_number": person.id_number}).json()
    for application in bundle["applications"]:
        if application["status"] == "initial_review":
            decide(haikou, task_for(haikou, application["reference"])["id"])
    claim = next(a for a in bundle["applications"] if a["item"] == "ui_benefit")
    return decide(sanya, task_for(sanya, claim["reference"])["id"]).json()


def test_double_submit_with_the_same_key_creates_one_application(apis, worker):
    body = {"item": "ui_certificate", "id_number": worker.id_number}
    first = apis["channel"].post("/applications", body, key="tap-1")
    second = apis["channel"].post("/applications", body, key="tap-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Application.objects.filter(person=worker, item_code="ui_certificate").count() == 1
    other = apis["channel"].post("/applications", {**body, "office": "sanya-agency"}, key="tap-1")
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"


def test_a_reemployment_report_anywhere_is_recorded_and_routed_to_the_payer(apis, worker):
    claim = approved_claim(apis, worker)
    assert claim["entitlement"]["paying_region"] == "460200"
    response = apis["dz_caseworker"].post(
        "/reemployment-reports", {"id_number": worker.id_number, "date": "2026-11-20"}
    )
    assert response.status_code == 201, response.content
    report = response.json()
    assert report["item"] == "reemployment_report" and report["status"] == "completed"
    assert report["accepting_office"] == "danzhou-agency"
    event = OutboxMessage.objects.get(
        topic="cases.reemployment_reported", payload__reference=report["reference"]
    )
    assert (
        event.payload["paying_region"] == "460200"
        and event.payload["paying_agency"] == "sanya-agency"
    )
    assert event.payload["date"] == "2026-11-20"


def test_a_report_for_someone_not_paid_is_refused(apis, worker):
    before = Application.objects.count()
    response = apis["channel"].post(
        "/reemployment-reports", {"id_number": worker.id_number, "date": "2026-11-20"}
    )
    assert response.status_code == 409 and response.json()["code"] == "not_receiving_benefit"
    future = apis["channel"].post(
        "/reemployment-reports", {"id_number": worker.id_number, "date": "2027-01-01"}
    )
    assert future.status_code == 422
    assert Application.objects.count() == before


def test_overdue_tasks_are_flagged(apis, worker, time_machine):
    haikou = apis["hk_acceptor"]
    created = haikou.post(
        "/applications", {"item": "ui_certificate", "id_number": worker.id_number}
    ).json()
    assert task_for(haikou, created["reference"])["overdue"] is False
    time_machine.move_to("2026-11-30T09:00:00+08:00")  # due 27 Nov (1 working day)
    assert task_for(haikou, created["reference"])["overdue"] is True
    overdue = haikou.get("/tasks", overdue="true").json()
    assert [t["reference"] for t in overdue] == [created["reference"]]
    assert date.fromisoformat(overdue[0]["due_date"]) == date(2026, 11, 27)
