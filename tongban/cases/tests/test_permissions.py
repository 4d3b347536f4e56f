"""Who may do what: a matrix of callers against actions; a refusal changes nothing.

Each table states, for every caller, the exact answer: the HTTP status and, for a refusal,
the problem's code; for a success, what it did (the office that accepted, the new status).
"""

import pytest

from tongban.cases.tests.conftest import sanya_worker
from tongban.cases.tests.test_end_to_end import decide, task_for
from tongban.cases.tests.test_refusals import state
from tongban.channels.services import client_create
from tongban.channels.tests.conftest import Api
from tongban.core.testing import TEST_ACTOR
from tongban.registry.tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db

CALLERS = [
    "anonymous",  # no token
    "channel",  # an online channel, for the person it authenticated
    "employer",  # an employer client: it reports separations and hires, nothing else
    "hk_acceptor",  # Haikou Longhua, the accepting office of the cases: acceptor
    "hk_reviewer",  # Haikou's agency: acceptor and reviewer, but not the paying region
    "sy_reviewer",  # Sanya's agency, where the claimant is insured: acceptor and reviewer
    "sy_reviewer2",  # Sanya's agency: reviewer only
    "sy_acceptor",  # another office in Sanya: acceptor
    "sy_finance",  # Sanya's agency: finance only
    "sy_supervisor",  # Sanya's agency: supervisor only
    "sy_admin",  # Sanya's agency: admin only
    "dz_caseworker",  # an unrelated office (Danzhou's agency): acceptor and reviewer
]
ANONYMOUS = (401, "not_authenticated")
NOT_THIS_KIND = (403, "client_kind_not_allowed")


@pytest.fixture
def callers(apis):
    employer = EmployerFactory()
    token = client_create(actor=TEST_ACTOR, kind="employer", name=None, uscc=employer.uscc).token
    return {**apis, "employer": Api(token)}


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


def test_every_caller_is_in_every_table():
    for table in (SUBMIT, VIEW_ROUTED, DECIDE_INITIAL, DECIDE_RE_REVIEW, QUEUE):
        assert list(table) == CALLERS


# A 201 names the office that accepted and the new status; a refusal names the problem's code.
SUBMIT = {
    "anonymous": ANONYMOUS,
    # Online: the default office for the residence; every data check passes, so the system
    # does the initial review and completes the certificate at once.
    "channel": (201, ("haikou-agency", "completed")),
    "employer": NOT_THIS_KIND,
    "hk_acceptor": (201, ("haikou-longhua", "initial_review")),
    "hk_reviewer": (201, ("haikou-agency", "initial_review")),
    "sy_reviewer": (201, ("sanya-agency", "initial_review")),
    "sy_reviewer2": (403, "role_required"),
    "sy_acceptor": (201, ("sanya-jiyang", "initial_review")),
    "sy_finance": (403, "role_required"),
    "sy_supervisor": (403, "role_required"),
    "sy_admin": (403, "role_required"),
    "dz_caseworker": (201, ("danzhou-agency", "initial_review")),  # any office serves anyone
}


@pytest.mark.parametrize("caller", CALLERS)
def test_who_may_accept(callers, cases, caller):
    status, expected = SUBMIT[caller]
    before = state()
    response = callers[caller].post(
        "/applications", {"item": "employment_certificate", "id_number": cases["other"].id_number}
    )
    assert response.status_code == status, response.content
    if status == 201:
        body = response.json()
        assert (body["accepting_office"], body["status"]) == expected
    else:
        assert response.json()["code"] == expected
        assert state() == before


# Staff see a case their office accepted or was routed; a channel sees its own person's.
VIEW_ROUTED = {
    "anonymous": ANONYMOUS,
    "channel": (200, None),  # asking with ?id_number= of the case's own person
    "employer": NOT_THIS_KIND,
    "hk_acceptor": (200, None),
    "hk_reviewer": (404, "unknown_application"),
    "sy_reviewer": (200, None),
    "sy_reviewer2": (200, None),
    "sy_acceptor": (404, "unknown_application"),
    "sy_finance": (200, None),
    "sy_supervisor": (200, None),
    "sy_admin": (200, None),
    "dz_caseworker": (404, "unknown_application"),
}


@pytest.mark.parametrize("caller", CALLERS)
def test_who_may_see_a_case(callers, cases, caller):
    status, code = VIEW_ROUTED[caller]
    params = {"id_number": cases["person"].id_number} if caller == "channel" else {}
    response = callers[caller].get(f"/applications/{cases['routed']}", **params)
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["reference"] == cases["routed"]
    else:
        assert response.json()["code"] == code


def test_a_channel_sees_only_the_person_it_names(callers, cases):
    channel, path = callers["channel"], f"/applications/{cases['routed']}"
    other = channel.get(path, id_number=cases["other"].id_number)
    assert (other.status_code, other.json()["code"]) == (404, "unknown_application")
    unnamed = channel.get(path)
    assert (unnamed.status_code, unnamed.json()["code"]) == (422, "required")


# A 200 names the case's new status; a refusal names the problem's code.
DECIDE_INITIAL = {  # the initial review of a certificate accepted at Haikou Longhua
    "anonymous": ANONYMOUS,
    "channel": NOT_THIS_KIND,
    "employer": NOT_THIS_KIND,
    "hk_acceptor": (200, "completed"),
    "hk_reviewer": (403, "not_your_office"),
    "sy_reviewer": (403, "not_your_office"),
    "sy_reviewer2": (403, "not_your_office"),
    "sy_acceptor": (403, "not_your_office"),
    "sy_finance": (403, "not_your_office"),
    "sy_supervisor": (403, "not_your_office"),
    "sy_admin": (403, "not_your_office"),
    "dz_caseworker": (403, "not_your_office"),
}
DECIDE_RE_REVIEW = {  # the re-review of a claim routed to Sanya's agency
    "anonymous": ANONYMOUS,
    "channel": NOT_THIS_KIND,
    "employer": NOT_THIS_KIND,
    "hk_acceptor": (403, "not_your_office"),
    "hk_reviewer": (403, "not_your_office"),
    "sy_reviewer": (200, "approved"),
    "sy_reviewer2": (200, "approved"),
    "sy_acceptor": (403, "not_your_office"),
    "sy_finance": (403, "role_required"),
    "sy_supervisor": (403, "role_required"),
    "sy_admin": (403, "role_required"),
    "dz_caseworker": (403, "not_your_office"),
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    ("task", "table"), [("initial_task", DECIDE_INITIAL), ("re_review_task", DECIDE_RE_REVIEW)]
)
def test_who_may_decide(callers, cases, caller, task, table):
    status, expected = table[caller]
    before = state()
    response = decide(callers[caller], cases[task])
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["status"] == expected
    else:
        assert response.json()["code"] == expected
        assert state() == before


# The references each caller's queue lists: exactly the open tasks of their own office.
QUEUE = {
    "anonymous": ANONYMOUS,
    "channel": NOT_THIS_KIND,
    "employer": NOT_THIS_KIND,
    "hk_acceptor": (200, {"waiting"}),
    "hk_reviewer": (200, set()),
    "sy_reviewer": (200, {"routed"}),
    "sy_reviewer2": (200, {"routed"}),
    "sy_acceptor": (200, set()),
    "sy_finance": (200, {"routed"}),
    "sy_supervisor": (200, {"routed"}),
    "sy_admin": (200, {"routed"}),
    "dz_caseworker": (200, set()),
}


@pytest.mark.parametrize("caller", CALLERS)
def test_whose_queue_shows_what(callers, cases, caller):
    status, expected = QUEUE[caller]
    response = callers[caller].get("/tasks")
    assert response.status_code == status, response.content
    if status == 200:
        assert {t["reference"] for t in response.json()} == {cases[name] for name in expected}
    else:
        assert response.json()["code"] == expected
