"""Send back to initial review (退回初审): the re-reviewing agency returns a claim with reasons;
the accepting office reviews it again, and it can then be approved."""

from __future__ import annotations

import pytest

from tongban.benefits.models import Entitlement
from tongban.cases.models import Application, Task, Transition
from tongban.cases.selectors import history_of
from tongban.cases.services import Acceptance, application_submit, task_decide
from tongban.cases.tests.conftest import TODAY
from tongban.core.actors import Actor

pytestmark = pytest.mark.django_db

REASON = "银行账户与本人姓名不符，请初审核对"


def actor_of(staff) -> Actor:
    return Actor(kind="staff", label=f"staff:{staff.username}", user_id=staff.user_id,
                 office_code=staff.office.code)  # fmt: skip


def submit(staff, person, item: str) -> Application:
    return application_submit(acceptance=Acceptance(actor_of(staff), "window", None, staff),
                              item_code=item, id_number=person.id_number, data=None,
                              as_of=TODAY)  # fmt: skip


def open_task(application: Application) -> Task:
    return Task.objects.select_related("office").get(application=application, is_open=True)


def decide(staff, application: Application, outcome="approve", reasons=None) -> Application:
    return task_decide(actor=actor_of(staff), staff=staff, task_id=open_task(application).pk,
                       outcome=outcome, reasons=reasons, checklist=None, verification=None,
                       as_of=TODAY)  # fmt: skip


@pytest.fixture
def routed(staff, worker) -> Application:
    """A Sanya-insured person's claim, accepted and initially reviewed in Haikou, at re-review."""
    haikou = staff["hk_acceptor"]
    decide(haikou, submit(haikou, worker, "unemployment_registration"))
    claim = submit(haikou, worker, "ui_benefit")
    assert decide(haikou, claim).status == "re_review"
    return claim


def test_a_re_reviewer_sends_a_claim_back_to_initial_review_with_reasons(staff, routed):
    initial = Task.objects.get(application=routed, stage="initial_review")
    re_review = open_task(routed)
    assert (re_review.stage, re_review.office.code) == ("re_review", "sanya-agency")

    # when
    returned = decide(staff["sy_reviewer"], routed, "return", [f"  {REASON} "])

    # then: back at initial review, in a new task at the accepting office; nothing granted
    returned.refresh_from_db()
    assert returned.status == "initial_review"
    assert returned.reviewing_office.code == "sanya-agency"  # still routed to the paying agency
    re_review.refresh_from_db()
    assert (re_review.is_open, re_review.outcome) == (False, "return")
    again = open_task(returned)
    assert again.pk not in (initial.pk, re_review.pk)
    assert (again.stage, again.office.code) == ("initial_review", "haikou-longhua")
    assert not Entitlement.objects.filter(application_reference=routed.reference).exists()
    back = history_of(returned)[-1]
    assert (back.stage, back.from_status, back.to_status, back.outcome, back.office.code) == (
        "re_review", "re_review", "initial_review", "return", "sanya-agency",
    )  # fmt: skip
    assert back.reasons == [{"code": "caseworker", "text": REASON}]
    assert back.actor_label == "staff:sy_reviewer"


def test_a_claim_sent_back_can_be_approved_again(staff, routed):
    haikou, sanya = staff["hk_acceptor"], staff["sy_reviewer"]
    decide(sanya, routed, "return", [REASON])

    # when: Haikou reviews it again, and Sanya re-reviews it again
    assert decide(haikou, routed).status == "re_review"
    second = open_task(routed)
    assert (second.stage, second.office.code) == ("re_review", "sanya-agency")
    approved = decide(sanya, routed)

    # then
    assert approved.status == "approved"
    entitlement = Entitlement.objects.get(application_reference=routed.reference)
    assert entitlement.paying_region.code == "460200" and entitlement.status == "active"
    assert not Task.objects.filter(application=routed, is_open=True).exists()
    assert [(t.stage, t.outcome) for t in history_of(approved)] == [
        ("submission", "submit"),
        ("initial_review", "approve"),
        ("re_review", "return"),
        ("initial_review", "approve"),
        ("re_review", "approve"),
    ]
    assert Transition.objects.filter(application=routed).count() == 5


def test_every_decision_closes_its_task_and_counts_the_closing(staff, routed, worker):
    """A decision that opens no new task closes its own with the step's other writes; one that
    opens the next closes it first (one open task per application). Either way the task ends
    closed with the outcome and the day, and the summaries count it as recomputing them would."""
    from tongban.cases.tallies import tallies_recomputed, tallies_stored

    haikou, sanya = staff["hk_acceptor"], staff["sy_reviewer"]
    decide(sanya, routed, "return", [REASON])  # opens the next initial review
    decide(haikou, routed)  # opens the next re-review
    decide(sanya, routed, "reject", [REASON])  # opens none

    tasks = Task.objects.filter(application=routed).order_by("id")
    assert [(t.stage, t.outcome, t.is_open, t.closed_on) for t in tasks] == [
        ("initial_review", "approve", False, TODAY),
        ("re_review", "return", False, TODAY),
        ("initial_review", "approve", False, TODAY),
        ("re_review", "reject", False, TODAY),
    ]
    assert all(t.closed_at is not None for t in tasks)

    def rows(tallies):
        return {
            model: sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in found)
            for model, found in tallies.items()
        }

    assert rows(tallies_stored()) == rows(tallies_recomputed())


def test_a_transition_refuses_a_task_that_is_not_the_applications_open_one(staff, routed):
    from django.db import transaction

    from tongban.cases.workflow import transition

    closed = Task.objects.get(application=routed, stage="initial_review")
    with transaction.atomic(), pytest.raises(RuntimeError, match="not the application's open"):
        transition(routed, outcome="reject", actor=actor_of(staff["sy_reviewer"]),
                   office_id=closed.office_id, as_of=TODAY, task=closed)  # fmt: skip
    assert open_task(routed).stage == "re_review"


def test_each_step_says_which_task_it_left_open_as_the_database_has_it(staff, worker):
    """``Application.opened_task``: the task a step opened, with its id and office, or None
    once the case leaves review; ``open_task_of`` gives it without reading it back."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tongban.cases.selectors import open_task_of

    def described(task: Task | None) -> tuple[int, str, str] | None:
        return None if task is None else (task.pk, task.stage, task.office.code)

    haikou, sanya = staff["hk_acceptor"], staff["sy_reviewer"]
    decide(haikou, submit(haikou, worker, "unemployment_registration"))
    steps = [
        lambda _: submit(haikou, worker, "ui_benefit"),
        lambda claim: decide(haikou, claim),
        lambda claim: decide(sanya, claim, "return", [REASON]),
        lambda claim: decide(haikou, claim),
        lambda claim: decide(sanya, claim),
    ]
    claim, reported = None, []
    for step in steps:
        claim = step(claim)
        with CaptureQueriesContext(connection) as reading:
            known = described(open_task_of(claim))
        assert reading.captured_queries == []
        stored = Task.objects.select_related("office").filter(application=claim, is_open=True)
        assert known == described(stored.first())
        reported.append(known and known[1:])
    assert reported == [
        ("initial_review", "haikou-longhua"),
        ("re_review", "sanya-agency"),
        ("initial_review", "haikou-longhua"),
        ("re_review", "sanya-agency"),
        None,  # approved
    ]
    read = Application.objects.get(pk=claim.pk)  # not moved here: read from the database
    assert "opened_task" not in read.__dict__ and open_task_of(read) is None


def test_an_instance_refreshed_after_another_step_reads_its_open_task_again(staff, worker):
    from tongban.cases.selectors import open_task_of

    haikou = staff["hk_acceptor"]
    decide(haikou, submit(haikou, worker, "unemployment_registration"))
    claim = submit(haikou, worker, "ui_benefit")
    initial = open_task_of(claim)
    assert initial is not None and initial.stage == "initial_review"
    decide(haikou, claim)  # moves the row through another instance

    claim.refresh_from_db()

    current = open_task_of(claim)
    assert current is not None and current.pk != initial.pk and current.stage == "re_review"
