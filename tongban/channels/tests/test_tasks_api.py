"""GET /tasks lists at most ``limit`` tasks (default and maximum 500), oldest first, and says in
``X-Total-Count`` how many match, so a queue that was cut shows it."""

# ruff: noqa: F811 - the case fixtures are imported here and named as test arguments

from datetime import timedelta

import pytest

from tongban.cases.models import Task
from tongban.cases.tests.conftest import NOW, TODAY, apis, frozen_time, staff, worker  # noqa: F401
from tongban.regions.models import Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(apis, worker):
    """Three applications waiting for Haikou Longhua's initial review, in the order accepted."""
    haikou = apis["hk_acceptor"]
    references = []
    for item in ("ui_certificate", "employment_certificate", "unemployment_registration"):
        created = haikou.post("/applications", {"item": item, "id_number": worker.id_number})
        assert created.status_code == 201, created.content
        references.append(created.json()["reference"])
    return references


def test_the_whole_queue_and_its_count(apis, three):
    response = apis["hk_acceptor"].get("/tasks")
    assert response.status_code == 200
    assert [t["reference"] for t in response.json()] == three
    assert response["X-Total-Count"] == "3"


def test_a_limit_keeps_the_oldest_and_the_count_says_more_are_open(apis, three):
    response = apis["hk_acceptor"].get("/tasks", limit=2)
    assert response.status_code == 200
    assert [t["reference"] for t in response.json()] == three[:2]
    assert response["X-Total-Count"] == "3"
    filtered = apis["hk_acceptor"].get("/tasks", item="ui_certificate", limit=1)
    assert [t["reference"] for t in filtered.json()] == three[:1]
    assert filtered["X-Total-Count"] == "1"


@pytest.mark.parametrize(
    ("limit", "code"), [(501, "less_than_equal"), (0, "greater_than_equal"), ("all", "int_parsing")]
)
def test_a_limit_out_of_range_is_a_422_naming_the_maximum(apis, three, limit, code):
    response = apis["hk_acceptor"].get("/tasks", limit=limit)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == ("limit", code)
    if code == "less_than_equal":
        assert "500" in error["message"]


def test_by_default_at_most_500_are_listed_and_the_count_says_how_many_are_open(apis, worker):
    office = Office.objects.get(code="haikou-longhua")
    Task.objects.bulk_create(
        Task(
            stage=Task.Stage.FINDING_REVIEW,
            person=worker,
            reference=f"INV{n:04d}",
            office=office,
            created_at=NOW + timedelta(seconds=n),
            opened_on=TODAY,
            due_date=TODAY,
        )
        for n in range(501)
    )
    response = apis["hk_acceptor"].get("/tasks")
    assert response.status_code == 200
    listed = [t["reference"] for t in response.json()]
    assert listed == [f"INV{n:04d}" for n in range(500)]  # the oldest 500; the newest waits
    assert response["X-Total-Count"] == "501"


def test_the_limit_and_its_maximum_are_in_the_openapi_document(apis):
    document = apis["anonymous"].http.get("/api/v1/openapi.json").json()
    (limit,) = [p for p in document["paths"]["/api/v1/tasks"]["get"]["parameters"]
                if p["name"] == "limit"]  # fmt: skip
    assert limit["schema"]["maximum"] == 500 and limit["schema"]["default"] == 500
