from datetime import date

import pytest

from tongban.core.models import AuditEvent, OutboxMessage
from tongban.registry.models import InsuranceSpell
from tongban.registry.tests.factories import EmployerFactory, PersonFactory, SpellFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return PersonFactory()


def counts():
    return (
        InsuranceSpell.objects.count(),
        AuditEvent.objects.count(),
        OutboxMessage.objects.count(),
    )


def test_an_employer_hires_a_person_in_its_region(employer_api, employer, person):
    response = employer_api.post("/hires", {"id_number": person.id_number, "date": "2026-11-02"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id_number"] == person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert body["insured_region_code"] == employer.region.code
    assert body["spell"]["start_date"] == "2026-11-02"
    assert body["spell"]["end_date"] is None
    spell = InsuranceSpell.objects.get(person=person)
    assert spell.employer == employer
    assert AuditEvent.objects.filter(event_type="spell_started", subject_id=str(person.pk)).exists()
    assert OutboxMessage.objects.filter(topic="registry.spell_started").count() == 1


def test_an_employer_reports_a_separation_with_its_reason(employer_api, employer, person):
    SpellFactory(person=person, employer=employer, start_date=date(2020, 1, 1))
    response = employer_api.post(
        "/separations",
        {"id_number": person.id_number, "date": "2026-10-01", "reason_code": "dismissed"},
    )
    assert response.status_code == 201, response.content
    reason = response.json()["spell"]["separation_reason"]
    assert reason["code"] == "dismissed"
    assert reason["involuntary"] is True
    spell = InsuranceSpell.objects.get(person=person)
    assert spell.end_date == date(2026, 10, 1)
    assert spell.reason.code == "dismissed"


@pytest.mark.parametrize(
    ("body", "status", "field", "code"),
    [
        (
            {"id_number": "460100199001010018", "date": "2026-11-02"},
            422,
            "id_number",
            "check_digit",
        ),
        (
            {"id_number": "110105491231002", "date": "2026-11-02"},
            422,
            "id_number",
            "legacy_15_digit",
        ),
        (
            {"id_number": "４６０１００１９９００１０１００１９", "date": "2026-11-02"},
            422,
            "id_number",
            "fullwidth",
        ),
        ({"id_number": "460100199001010019", "date": "2026-13-02"}, 422, "date", None),
        ({"date": "2026-11-02"}, 422, "id_number", None),
        ({"id_number": "460100199001010019", "date": "2026-11-02"}, 404, None, "unknown_person"),
    ],
)
def test_bad_hires_are_refused_with_a_problem_and_change_nothing(
    employer_api, body, status, field, code
):
    before = counts()
    response = employer_api.post("/hires", body)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    if field:
        assert problem["errors"][0]["field"] == field
        assert problem["errors"][0]["message"]
    if code:
        assert code in {problem["code"], *(e["code"] for e in problem.get("errors", []))}
    assert counts() == before


def test_malformed_json_is_a_4xx(employer_api):
    response = employer_api.post("/hires", None, raw="{not json")
    assert 400 <= response.status_code < 500


def test_hiring_twice_is_a_conflict(employer_api, person):
    assert (
        employer_api.post(
            "/hires", {"id_number": person.id_number, "date": "2026-11-02"}
        ).status_code
        == 201
    )
    before = counts()
    again = employer_api.post("/hires", {"id_number": person.id_number, "date": "2026-11-03"})
    assert again.status_code == 409
    assert again.json()["code"] == "already_insured"
    assert counts() == before


def test_separation_refusals(employer_api, person):
    before = counts()
    response = employer_api.post(
        "/separations",
        {"id_number": person.id_number, "date": "2026-10-01", "reason_code": "dismissed"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_insured"
    response = employer_api.post(
        "/separations", {"id_number": person.id_number, "date": "2026-10-01", "reason_code": "nope"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason_code"
    assert counts() == before


def test_an_employer_acts_only_for_itself_and_others_may_not_hire(channel_api, staff_api, person):
    other = EmployerFactory()
    for api in (channel_api, staff_api):
        response = api.post("/hires", {"id_number": person.id_number, "date": "2026-11-02"})
        assert response.status_code == 403
    assert not InsuranceSpell.objects.filter(employer=other).exists()


def test_a_repeat_with_the_same_idempotency_key_returns_the_first_answer(employer_api, person):
    body = {"id_number": person.id_number, "date": "2026-11-02"}
    first = employer_api.post("/hires", body, key="hire-1")
    assert first.status_code == 201
    before = counts()
    repeat = employer_api.post("/hires", body, key="hire-1")
    assert (repeat.status_code, repeat.json()) == (201, first.json())
    assert counts() == before
    reused = employer_api.post("/hires", {**body, "date": "2026-11-03"}, key="hire-1")
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    assert counts() == before


def test_a_refusal_is_also_replayed_for_the_same_key(employer_api):
    body = {"id_number": "460100199001010019", "date": "2026-11-02"}
    first = employer_api.post("/hires", body, key="k")
    second = employer_api.post("/hires", body, key="k")
    assert first.status_code == second.status_code == 404
    assert first.json() == second.json()


def test_an_overlong_idempotency_key_is_refused(employer_api, person):
    response = employer_api.post(
        "/hires", {"id_number": person.id_number, "date": "2026-11-02"}, key="k" * 256
    )
    assert response.status_code == 422
    assert not InsuranceSpell.objects.exists()
