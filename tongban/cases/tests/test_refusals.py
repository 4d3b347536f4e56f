"""Every refused action is a 4xx problem document and leaves the database as it was."""

import pytest
from django.db import connection

from tongban.benefits.models import Entitlement
from tongban.cases.models import Application, Archive, Task, Transition
from tongban.cases.tests.test_end_to_end import decide, task_for
from tongban.core.models import AuditEvent, OutboxMessage

pytestmark = pytest.mark.django_db


def state():
    return (
        Application.objects.count(),
        Task.objects.count(),
        Task.objects.filter(is_open=True).count(),
        Transition.objects.count(),
        Entitlement.objects.count(),
        Archive.objects.count(),
        AuditEvent.objects.count(),
        OutboxMessage.objects.count(),
        list(Application.objects.order_by("id").values_list("status", flat=True)),
    )


def assert_refused(response, status, code=None, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    if code:
        assert code in {body["code"], *(e["code"] for e in body.get("errors", []))}, body
    if field:
        assert field in {e["field"] for e in body["errors"]}, body
    return body


@pytest.fixture
def claim(apis, worker):
    haikou = apis["hk_acceptor"]
    created = haikou.post(
        "/applications", {"item": "unemployment_registration", "id_number": worker.id_number}
    )
    decide(haikou, task_for(haikou, created.json()["reference"])["id"])
    response = haikou.post("/applications", {"item": "ui_benefit", "id_number": worker.id_number})
    assert response.status_code == 201
    return response.json()


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"item": "free_money", "id_number": "{id}"}, 422, "unknown_item", "item"),
        ({"item": "ui_transfer", "id_number": "{id}"}, 422, "automatic_item", "item"),
        ({"item": "ui_benefit"}, 422, None, "id_number"),
        (
            {"item": "ui_benefit", "id_number": "460100199001010018"},
            422,
            "check_digit",
            "id_number",
        ),
        (
            {"item": "ui_benefit", "id_number": "460100900101001"},
            422,
            "legacy_15_digit",
            "id_number",
        ),
        ({"item": "ui_benefit", "id_number": "460100199001010019"}, 404, "unknown_person", None),
        (
            {"item": "ui_benefit", "id_number": "{id}", "office": "atlantis"},
            403,
            "not_own_office",
            None,
        ),
        (
            {"item": "ui_benefit", "id_number": "{id}", "data": {"salary": 1}},
            422,
            "unexpected",
            "data.salary",
        ),
        # What the rules engine reads is checked before it reads it.
        (
            {
                "item": "skill_subsidy",
                "id_number": "{id}",
                "data": {"certificate": {"issued_on": "2026-09-01", "level": "master"}},
            },
            422,
            "choice",
            "data.certificate.level",
        ),
        (
            {
                "item": "training_subsidy",
                "id_number": "{id}",
                "data": {"training": {"completed_on": "2026-10-20", "cost_fen": "1800 yuan"}},
            },
            422,
            "amount",
            "data.training.cost_fen",
        ),
        (
            {
                "item": "training_subsidy",
                "id_number": "{id}",
                "data": {"training": {"completed_on": "2026-10-20", "passed": "yes"}},
            },
            422,
            "boolean",
            "data.training.passed",
        ),
    ],
)
def test_bad_submissions(apis, worker, body, status, code, field):
    before = state()
    body = {
        k: (v.replace("{id}", worker.id_number) if isinstance(v, str) else v)
        for k, v in body.items()
    }
    assert_refused(apis["hk_acceptor"].post("/applications", body), status, code, field)
    assert state() == before


def test_a_second_open_application_is_a_409_naming_the_first(apis, worker, claim):
    before = state()
    body = assert_refused(
        apis["sy_acceptor"].post(
            "/applications", {"item": "ui_benefit", "id_number": worker.id_number}
        ),
        409,
        "duplicate_application",
    )
    assert body["existing_reference"] == claim["reference"]
    assert state() == before


def test_a_decision_on_a_task_of_another_office(apis, claim):
    task = task_for(apis["hk_acceptor"], claim["reference"])
    before = state()
    body = assert_refused(decide(apis["sy_acceptor"], task["id"]), 403, "not_your_office")
    assert "海口市龙华区社保服务站" in body["detail"]
    assert state() == before


def test_a_second_decision_on_a_closed_task(apis, claim):
    task = task_for(apis["hk_acceptor"], claim["reference"])
    decide(apis["hk_acceptor"], task["id"])
    before = state()
    assert_refused(
        decide(apis["hk_acceptor"], task["id"], "reject", reasons=["x"]), 409, "task_closed"
    )
    assert state() == before


def test_the_re_reviewer_must_not_be_the_initial_reviewer(apis, worker):
    sanya = apis["sy_reviewer"]  # accepts at the Sanya agency and also reviews there
    registration = sanya.post(
        "/applications", {"item": "unemployment_registration", "id_number": worker.id_number}
    )
    decide(sanya, task_for(sanya, registration.json()["reference"])["id"])
    claim = sanya.post(
        "/applications", {"item": "ui_benefit", "id_number": worker.id_number}
    ).json()
    decide(sanya, task_for(sanya, claim["reference"])["id"])
    re_review = task_for(sanya, claim["reference"])
    before = state()
    body = assert_refused(decide(sanya, re_review["id"]), 403, "same_reviewer")
    assert "initial review" in body["detail"]
    assert state() == before
    assert decide(apis["sy_reviewer2"], re_review["id"]).json()["status"] == "approved"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"outcome": "maybe"}, "outcome", "outcome"),
        ({"outcome": "reject"}, "required", "reasons"),
        ({"outcome": "return", "reasons": ["  "]}, "required", "reasons"),
        (
            {"outcome": "approve", "checklist": {"identity": False}},
            "unchecked",
            "checklist.identity",
        ),
        (
            {"outcome": "approve", "checklist": {"nonsense": True}},
            "unknown_check",
            "checklist.nonsense",
        ),
        ({"outcome": "approve", "verification": {"contest": "upheld"}}, "no_contest", None),
    ],
)
def test_bad_decisions(apis, claim, body, code, field):
    task = task_for(apis["hk_acceptor"], claim["reference"])
    before = state()
    assert_refused(
        apis["hk_acceptor"].post(f"/tasks/{task['id']}/decision", body), 422, code, field
    )
    assert state() == before


def test_an_unconfirmed_check_blocks_an_approval(apis, claim):
    task = task_for(apis["hk_acceptor"], claim["reference"])
    checks = {c: True for c in ["identity", "insured", "contribution_year", "involuntary", "contest_verified",
                                "unemployment_registered", "not_employed"]}  # fmt: skip
    checks["no_double_claim"] = False
    before = state()
    assert_refused(
        decide(apis["hk_acceptor"], task["id"], checklist=checks),
        422,
        "unchecked",
        "checklist.no_double_claim",
    )
    assert state() == before
    checks["no_double_claim"] = True
    assert decide(apis["hk_acceptor"], task["id"], checklist=checks).json()["status"] == "re_review"


def test_an_unknown_task_and_an_unknown_application(apis):
    assert_refused(decide(apis["hk_acceptor"], 999999), 404, "unknown_task")
    assert_refused(
        apis["hk_acceptor"].get("/applications/TB20261126XXXXXXXX"), 404, "unknown_application"
    )


def test_the_audit_log_has_no_row_for_a_refused_change(apis, claim):
    task = task_for(apis["hk_acceptor"], claim["reference"])
    audits = AuditEvent.objects.count()
    decide(apis["sy_acceptor"], task["id"])
    decide(apis["hk_acceptor"], task["id"], "reject")
    assert AuditEvent.objects.count() == audits


def test_archives_cannot_be_changed_and_tampering_is_detected(apis, worker):
    from tongban.cases.archive import archive_verify
    from tongban.core.models import AppendOnlyError

    haikou = apis["hk_acceptor"]
    first = haikou.post(
        "/applications", {"item": "ui_certificate", "id_number": worker.id_number}
    ).json()
    decide(haikou, task_for(haikou, first["reference"])["id"])
    second = haikou.post(
        "/applications", {"item": "employment_certificate", "id_number": worker.id_number}
    ).json()
    decide(haikou, task_for(haikou, second["reference"])["id"])
    archive = Archive.objects.get(application__reference=first["reference"])
    assert archive_verify().ok
    archive.content["application"]["status"] = "approved"
    with pytest.raises(AppendOnlyError):
        archive.save()
    with pytest.raises(AppendOnlyError):
        Archive.objects.filter(pk=archive.pk).update(content={})
    if connection.vendor == "sqlite":  # no trigger here: simulate someone editing the file
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_archive SET content = '{}' WHERE id = %s", [archive.pk])
        report = archive_verify()
        assert not report.ok
        assert any("content does not match" in p for p in report.problems)
    else:
        from django.db import DatabaseError, transaction

        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("UPDATE cases_archive SET content = '{}' WHERE id = %s", [archive.pk])
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("DELETE FROM cases_archive WHERE id = %s", [archive.pk])
        assert archive_verify().ok
