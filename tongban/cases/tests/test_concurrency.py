"""Two offices accept the same person and item at the same instant: exactly one wins (PostgreSQL)."""

import threading
import time
from datetime import date

import pytest
from django.db import OperationalError, connection, connections, transaction

from tongban.cases.models import Application, Task, Transition
from tongban.cases.services import Acceptance, application_submit, task_decide
from tongban.core.actors import Actor
from tongban.core.errors import Conflict
from tongban.core.testing import TEST_ACTOR
from tongban.regions.selectors import staff_for_user
from tongban.regions.services import staff_create

pytestmark = [
    pytest.mark.transactional,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent sessions"),
]
TODAY = date(2026, 11, 26)


def test_simultaneous_acceptance_at_two_offices(reference_data_committed):
    from tongban.cases.tests.conftest import sanya_worker

    offices = ["haikou-longhua", "sanya-jiyang", "danzhou-agency", "wanning-agency"]
    staff = []
    for n, office in enumerate(offices):
        member = staff_create(
            actor=TEST_ACTOR,
            username=f"c{n}",
            office_code=office,
            roles=["acceptor"],
            password=None,
        )
        staff.append(staff_for_user(user=member.user))
    people = [sanya_worker() for _ in range(8)]

    for person in people:
        barrier = threading.Barrier(len(staff))
        outcomes: list[str] = []

        def accept(info, person=person, barrier=barrier, outcomes=outcomes):
            try:
                barrier.wait()
                application_submit(
                    acceptance=Acceptance(
                        actor=Actor(kind="staff", label=info.username, user_id=info.user_id, office_code=info.office.code),
                        channel="window", office_code=None, staff=info,
                    ),
                    item_code="ui_certificate", id_number=person.id_number, data=None, as_of=date(2026, 11, 26),
                )  # fmt: skip
                outcomes.append("won")
            except Conflict as error:
                outcomes.append(error.code)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=accept, args=(info,)) for info in staff]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["duplicate_application"] * (len(staff) - 1) + ["won"]
        assert Application.objects.filter(person=person, item_code="ui_certificate").count() == 1
        assert Task.objects.filter(application__person=person, is_open=True).count() == 1


def _acceptors(*names: str):
    return [
        staff_for_user(
            user=staff_create(
                actor=TEST_ACTOR, username=name, office_code="haikou-longhua",
                roles=["acceptor"], password=None,
            ).user
        )
        for name in names
    ]  # fmt: skip


def _actor(info) -> Actor:
    return Actor(
        kind="staff", label=info.username, user_id=info.user_id, office_code=info.office.code
    )


def _certificate_task(acceptor) -> Task:
    from tongban.cases.tests.conftest import sanya_worker

    application = application_submit(
        acceptance=Acceptance(actor=_actor(acceptor), channel="window", office_code=None, staff=acceptor),
        item_code="ui_certificate", id_number=sanya_worker().id_number, data=None, as_of=TODAY,
    )  # fmt: skip
    return Task.objects.get(application=application, is_open=True)


def _decide(info, task_id: int) -> Application:
    return task_decide(
        actor=_actor(info), staff=info, task_id=task_id, outcome="approve",
        reasons=None, checklist=None, verification=None, as_of=TODAY,
    )  # fmt: skip


def test_two_caseworkers_deciding_one_task_at_once_one_decides(reference_data_committed):
    """The decision locks the task with its application: the second sees it closed."""
    first, second = _acceptors("d1", "d2")
    for _ in range(4):
        task = _certificate_task(first)
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def decide(info, task_id=task.pk, barrier=barrier, outcomes=outcomes):
            try:
                barrier.wait()
                outcomes.append(_decide(info, task_id).status)
            except Conflict as error:
                outcomes.append(error.code)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=decide, args=(info,)) for info in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["completed", "task_closed"]
        assert Transition.objects.filter(application_id=task.application_id, stage="initial_review").count() == 1  # fmt: skip


def test_a_decision_locks_the_application_before_its_task(reference_data_committed):
    """The order the applicant's services lock them in (application, then task): a decision
    waiting for its task already holds the application."""
    (acceptor,) = _acceptors("d3")
    task = _certificate_task(acceptor)
    task_held, release = threading.Event(), threading.Event()
    outcomes: list[str] = []

    def hold_the_task():
        try:
            with transaction.atomic():
                Task.objects.select_for_update().get(pk=task.pk)
                task_held.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def decide():
        try:
            outcomes.append(_decide(acceptor, task.pk).status)
        finally:
            connections.close_all()

    holder, decider = threading.Thread(target=hold_the_task), threading.Thread(target=decide)
    holder.start()
    assert task_held.wait(timeout=30)
    decider.start()
    try:
        for _ in range(300):  # until the decision waits for a row lock
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
                if cursor.fetchone()[0]:
                    break
            time.sleep(0.01)
        else:
            pytest.fail("the decision never waited for the task")
        with pytest.raises(OperationalError), transaction.atomic():
            Application.objects.select_for_update(nowait=True).get(pk=task.application_id)
    finally:
        release.set()
        holder.join()
        decider.join()
    assert outcomes == ["completed"]
