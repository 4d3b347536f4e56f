"""Helpers shared by the integrity tests."""

from __future__ import annotations

from datetime import date

from tongban.benefits.payrun import payrun_execute
from tongban.channels.services import client_create
from tongban.channels.tests.conftest import Api
from tongban.core.testing import TEST_ACTOR
from tongban.registry.tests.factories import EmployerFactory, region


def hire(person, region_code="460100", on="2026-11-20", employer=None):
    employer = employer or EmployerFactory(region=region(region_code))
    api = Api(client_create(actor=TEST_ACTOR, kind="employer", name=None, uscc=employer.uscc).token)
    response = api.post("/hires", {"id_number": person.id_number, "date": on})
    assert response.status_code == 201, response.content
    return employer


def run(region_code="460200", month=date(2026, 11, 1), on=date(2026, 11, 25)):
    return payrun_execute(actor=TEST_ACTOR, region_code=region_code, month=month, on=on)


def decide(api, task_id, outcome, reasons=("checked with the employer",)):
    return api.post(f"/tasks/{task_id}/decision", {"outcome": outcome, "reasons": list(reasons)})


def finding_task(api, reference=None):
    tasks = [t for t in api.get("/tasks").json() if t["stage"] == "finding_review"]
    if reference is not None:
        tasks = [t for t in tasks if t["reference"] == reference]
    assert tasks, "no finding_review task"
    return tasks[0]
