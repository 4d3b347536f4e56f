"""Two offices accept the same person and item at the same instant: exactly one wins (PostgreSQL)."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from tongban.cases.models import Application, Task
from tongban.cases.services import Acceptance, application_submit
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
