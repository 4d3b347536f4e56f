"""Within the province a duplicate cannot happen, however hard it is tried (PostgreSQL, threads).

Several offices and an online channel submit the same unemployment bundle at the same instant;
two reviewers approve the same claim at once; the same comparison file is loaded twice at
once. Each thread has its own connection and its own transaction. The database constraints
decide: one bundle, one open application per item, one running entitlement, one finding.
"""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from tongban.benefits.models import Entitlement
from tongban.cases.models import Application, Bundle, Task
from tongban.cases.services import Acceptance, bundle_submit, task_decide
from tongban.core.actors import Actor
from tongban.core.errors import DomainError
from tongban.core.imports import import_file
from tongban.core.testing import TEST_ACTOR
from tongban.integrity.models import Finding
from tongban.regions.selectors import staff_for_user
from tongban.regions.services import staff_create

pytestmark = [
    pytest.mark.transactional,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent sessions"),
]

TODAY = date(2026, 11, 26)


def _staff(username, office, roles):
    member = staff_create(
        actor=TEST_ACTOR, username=username, office_code=office, roles=roles, password=None
    )
    return staff_for_user(user=member.user)


def _actor(info):
    return Actor(
        kind="staff", label=info.username, user_id=info.user_id, office_code=info.office.code
    )


def _race(calls):
    """Start every call at the same instant, each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def go(call):
        try:
            barrier.wait()
            call()
            result = "won"
        except DomainError as error:
            result = error.code
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=go, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_the_same_bundle_at_four_windows_and_online_at_once(reference_data_committed):
    from tongban.cases.tests.conftest import sanya_worker

    windows = [
        _staff(f"w{n}", office, ["acceptor"])
        for n, office in enumerate(
            ["haikou-longhua", "sanya-jiyang", "danzhou-agency", "wanning-agency"]
        )
    ]
    for person in [sanya_worker() for _ in range(5)]:
        calls = [
            lambda info=info, person=person: bundle_submit(
                acceptance=Acceptance(_actor(info), "window", None, info),
                kind="unemployment",
                id_number=person.id_number,
                as_of=TODAY,
            )
            for info in windows
        ] + [
            lambda channel=channel, person=person: bundle_submit(
                acceptance=Acceptance(Actor(kind="client", label=channel), channel, None),
                kind="unemployment",
                id_number=person.id_number,
                as_of=TODAY,
            )
            for channel in ("alipay", "gov_site")
        ]
        outcomes = _race(calls)
        assert outcomes.count("won") == 1, outcomes
        assert set(outcomes) - {"won"} <= {"duplicate_application"}, outcomes
        assert Bundle.objects.filter(person=person).count() == 1
        for item in ("unemployment_registration", "ui_benefit"):
            assert Application.objects.filter(person=person, item_code=item).count() == 1
        open_applications = Application.objects.filter(
            person=person, status__in=["initial_review", "re_review"]
        )
        assert Task.objects.filter(application__person=person, is_open=True).count() == (
            open_applications.count()
        )


def test_two_reviewers_approve_the_same_claim_at_once(reference_data_committed):
    from tongban.cases.tests.conftest import sanya_worker

    person = sanya_worker()
    acceptor = _staff("acc", "haikou-longhua", ["acceptor"])
    reviewers = [_staff(f"rev{n}", "sanya-agency", ["reviewer"]) for n in range(3)]
    result = bundle_submit(
        acceptance=Acceptance(_actor(acceptor), "window", None, acceptor),
        kind="unemployment", id_number=person.id_number, as_of=TODAY,
    )  # fmt: skip
    for application in result.applications:
        task = Task.objects.filter(application=application, is_open=True).first()
        if task is not None:
            task_decide(actor=_actor(acceptor), staff=acceptor, task_id=task.pk, outcome="approve",
                        reasons=None, checklist=None, verification=None, as_of=TODAY)  # fmt: skip
    claim = Application.objects.get(person=person, item_code="ui_benefit")
    task = Task.objects.get(application=claim, is_open=True, stage="re_review")
    outcomes = _race(
        [
            lambda info=info: task_decide(
                actor=_actor(info),
                staff=info,
                task_id=task.pk,
                outcome="approve",
                reasons=None,
                checklist=None,
                verification=None,
                as_of=TODAY,
            )
            for info in reviewers
        ]
    )
    assert outcomes.count("won") == 1, outcomes
    assert set(outcomes) - {"won"} <= {"task_closed", "transition_not_allowed"}, outcomes
    assert Entitlement.objects.filter(person=person).count() == 1


def test_the_same_comparison_file_loaded_twice_at_once(reference_data_committed, tmp_path):
    from tongban.benefits.tests.factories import entitlement
    from tongban.cases.tests.conftest import sanya_worker

    people = [sanya_worker() for _ in range(4)]
    for person in people:
        entitlement(person, region="460200", start=date(2026, 11, 1))
    path = tmp_path / "deaths.csv"
    path.write_text("id_number,date\n" + "".join(f"{p.id_number},2026-11-10\n" for p in people))
    outcomes = _race(
        [
            lambda: import_file(kind="deaths", path=path, actor=TEST_ACTOR, as_of=TODAY)
            for _ in range(3)
        ]
    )
    assert outcomes == ["won"] * 3
    assert Finding.objects.count() == 4
    assert Task.objects.filter(stage="finding_review").count() == 4
