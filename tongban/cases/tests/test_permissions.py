"""Who may do what: a matrix of callers against actions; a refusal changes nothing."""

import pytest

from tongban.cases.tests.conftest import sanya_worker
from tongban.cases.tests.test_end_to_end import decide, task_for
from tongban.cases.tests.test_refusals import state

pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "channel", "hk_acceptor", "hk_reviewer", "sy_reviewer", "sy_acceptor",
           "sy_finance", "sy_supervisor", "sy_admin", "dz_caseworker"]  # fmt: skip


@pytest.fixture
def cases(apis, worker):
    """One claim waiting for Haikou's initial review, one routed to Sanya's re-review."""
    haikou = apis["hk_acceptor"]
    registration = haikou.post(
        "/applications", {"item": "unemployment_registration", "id_number": worker.id_number}
    )
    decide(haikou, task_for(haikou, registration.json()["reference"])["id"])
    routed = haikou.post(
        "/applications", {"item": "ui_benefit", "id_number": worker.id_number}
    ).json()
    decide(haikou, task_for(haikou, routed["reference"])["id"])
    other = sanya_worker()
    waiting = haikou.post(
        "/applications", {"item": "ui_certificate", "id_number": other.id_number}
    ).json()
    return {
        "person": worker,
        "other": other,
        "routed": routed["reference"],
        "re_review_task": task_for(apis["sy_reviewer"], routed["reference"])["id"],
        "waiting": waiting["reference"],
        "initial_task": task_for(haikou, waiting["reference"])["id"],
    }


SUBMIT = {
    "anonymous": 401, "channel": 201, "hk_acceptor": 201, "hk_reviewer": 201, "sy_reviewer": 201,
    "sy_acceptor": 201, "sy_finance": 403, "sy_supervisor": 403, "sy_admin": 403, "dz_caseworker": 201,
}  # fmt: skip


@pytest.mark.parametrize("caller", CALLERS)
def test_who_may_accept(apis, cases, caller):
    before = state()
    response = apis[caller].post(
        "/applications", {"item": "employment_certificate", "id_number": cases["other"].id_number}
    )
    assert response.status_code == SUBMIT[caller], response.content
    if response.status_code != 201:
        assert state() == before
    else:
        accepted = response.json()["accepting_office"]
        expected = {"channel": "haikou-agency"}.get(
            caller
        )  # online: the residence's default office
        assert accepted == (expected or accepted)


VIEW_ROUTED = {
    "anonymous": 401, "channel": 200, "hk_acceptor": 200, "hk_reviewer": 404, "sy_reviewer": 200,
    "sy_acceptor": 404, "sy_finance": 200, "sy_supervisor": 200, "sy_admin": 200, "dz_caseworker": 404,
}  # fmt: skip


@pytest.mark.parametrize("caller", CALLERS)
def test_who_may_see_a_case(apis, cases, caller):
    path = f"/applications/{cases['routed']}"
    if caller == "channel":
        assert apis[caller].get(path, id_number=cases["person"].id_number).status_code == 200
        assert apis[caller].get(path, id_number=cases["other"].id_number).status_code == 404
        assert apis[caller].get(path).status_code == 422
        return
    assert apis[caller].get(path).status_code == VIEW_ROUTED[caller]


DECIDE_INITIAL = {
    "anonymous": 401, "channel": 403, "hk_acceptor": 200, "hk_reviewer": 403, "sy_reviewer": 403,
    "sy_acceptor": 403, "sy_finance": 403, "sy_supervisor": 403, "sy_admin": 403, "dz_caseworker": 403,
}  # fmt: skip
DECIDE_RE_REVIEW = {
    "anonymous": 401, "channel": 403, "hk_acceptor": 403, "hk_reviewer": 403, "sy_reviewer": 200,
    "sy_acceptor": 403, "sy_finance": 403, "sy_supervisor": 403, "sy_admin": 403, "dz_caseworker": 403,
}  # fmt: skip


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    ("task", "expected"), [("initial_task", DECIDE_INITIAL), ("re_review_task", DECIDE_RE_REVIEW)]
)
def test_who_may_decide(apis, cases, caller, task, expected):
    before = state()
    response = decide(apis[caller], cases[task])
    assert response.status_code == expected[caller], response.content
    if response.status_code != 200:
        assert state() == before


@pytest.mark.parametrize("caller", CALLERS)
def test_whose_queue_shows_what(apis, cases, caller):
    response = apis[caller].get("/tasks")
    if caller in ("anonymous", "channel"):
        assert response.status_code == {"anonymous": 401, "channel": 403}[caller]
        return
    references = {t["reference"] for t in response.json()}
    assert (cases["waiting"] in references) == (caller == "hk_acceptor")
    office_of_caller = {"sy_reviewer", "sy_finance", "sy_supervisor", "sy_admin"}
    assert (cases["routed"] in references) == (caller in office_of_caller)
