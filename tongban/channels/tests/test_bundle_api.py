"""POST /bundles: a refusal is a problem document and writes nothing; a bundle whose second
item fails leaves none of its applications behind (all or nothing)."""

# ruff: noqa: F811 - the case fixtures are imported here and named as test arguments

import pytest

from tongban.cases.models import Application, Bundle, Task, Transition
from tongban.cases.services import accepting
from tongban.cases.tests.conftest import apis, frozen_time, staff, worker  # noqa: F401
from tongban.core.models import AuditEvent, IdempotencyRecord, OutboxMessage
from tongban.registry.models import Registration

pytestmark = pytest.mark.django_db

UNKNOWN_PERSON = "460100199001010019"  # a valid check digit; nobody in the registry
BAD_CHECK_DIGIT = "460100199001010018"


# Every table a bundle writes to, directly or through its side effects.
WRITTEN = (Bundle, Application, Task, Transition, Registration, AuditEvent, OutboxMessage,
           IdempotencyRecord)  # fmt: skip


def written():
    return {model.__name__: model.objects.count() for model in WRITTEN}


def assert_problem(response, status, code, fields=None):
    """An RFC 9457 problem document; for bad input, the fields and their codes."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == f"urn:tongban:problem:{body['code']}"
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    if fields is None:
        assert "errors" not in body
    else:
        assert all(set(e) == {"field", "code", "message"} and e["message"] for e in body["errors"])
        assert [(e["field"], e["code"]) for e in body["errors"]] == fields
    return body


@pytest.mark.parametrize(
    ("caller", "body", "status", "code", "fields"),
    [
        pytest.param("hk_acceptor", {"kind": "retirement", "id_number": "{id}"},
                     422, "unknown_bundle", [("kind", "unknown_bundle")], id="unknown kind"),
        pytest.param("hk_acceptor", {"kind": "unemployment", "id_number": UNKNOWN_PERSON},
                     404, "unknown_person", None, id="unknown person"),
        pytest.param("hk_acceptor", {"kind": "unemployment", "id_number": BAD_CHECK_DIGIT},
                     422, "check_digit", [("id_number", "check_digit")], id="invalid id_number"),
        pytest.param("channel", {"kind": "unemployment"},
                     422, "invalid", [("id_number", "missing")], id="channel without the person"),
        pytest.param("channel", {"kind": "unemployment", "id_number": "{id}", "office": "atlantis"},
                     422, "unknown_office", [("office", "unknown_office")], id="unknown office"),
        pytest.param("hk_acceptor", {"kind": "unemployment", "id_number": "{id}", "office": "sanya-agency"},
                     403, "not_own_office", None, id="a caseworker at another office"),
    ],
)  # fmt: skip
def test_a_refused_bundle_is_a_problem_and_writes_nothing(
    apis, worker, caller, body, status, code, fields
):
    body = {k: v.replace("{id}", worker.id_number) for k, v in body.items()}
    before = written()
    assert_problem(apis[caller].post("/bundles", body), status, code, fields)
    assert written() == before


def test_a_bundle_whose_claim_fails_leaves_nothing_behind(apis, worker, monkeypatch):
    create, created = accepting._create, []

    def failing(**kwargs):
        if kwargs["item"].code == "ui_benefit":  # the second item, after the registration
            raise RuntimeError("the claim could not be written")
        application = create(**kwargs)
        created.append(application.item_code)
        return application

    monkeypatch.setattr(accepting, "_create", failing)
    before = written()

    response = apis["hk_acceptor"].post(
        "/bundles", {"kind": "unemployment", "id_number": worker.id_number}
    )

    assert_problem(response, 500, "internal_error")
    assert created == ["unemployment_registration"]  # the first item had been written
    assert not Application.objects.filter(person=worker).exists()
    assert not Bundle.objects.filter(person=worker).exists()
    assert written() == before


def test_a_bundle_whose_claim_is_a_duplicate_leaves_only_the_first_claim(apis, worker):
    haikou = apis["hk_acceptor"]
    first = haikou.post("/applications", {"item": "ui_benefit", "id_number": worker.id_number})
    assert first.status_code == 201, first.content
    before = written()

    response = haikou.post("/bundles", {"kind": "unemployment", "id_number": worker.id_number})

    problem = assert_problem(response, 409, "duplicate_application")
    assert problem["existing_reference"] == first.json()["reference"]
    assert list(Application.objects.filter(person=worker).values_list("reference", flat=True)) == [
        first.json()["reference"]
    ]
    assert written() == before
