"""The claim path's statement counts, pinned (STYLE 17): a claim is three service calls, and
each statement on them costs every claim the province handles (docs/benchmarks.md)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.cases.services import task_decide
from tongban.cases.tests.conftest import TODAY
from tongban.cases.tests.test_send_back import actor_of, decide, open_task, submit

pytestmark = pytest.mark.django_db

# Each call's statements, its savepoints included (here the service's own transaction is one, in
# the test's). Submitting: the person with their registry record, entitlements and the agencies
# of the regions where they may be insured (one statement, cases.facts.person_view_get), the
# application (no savepoint around it: a duplicate is skipped by ON CONFLICT DO NOTHING,
# core.prepared.insert), then one batch: its task, the transition row, the tallies, audit and
# outbox. A decision: the task with its application (and who approved it at initial review,
# for the re-review's check), both locked, and the person's record and entitlements, in one
# statement; then one batch: the application's update, the closing of the task (before the
# task that replaces it, core.prepared.Writes.replace), the transition's rows as above. The
# re-review adds the entitlement (no savepoint either) and the archive seal's read (the chain
# head, locked, read with the case's steps in one statement); the entitlement's audit and
# outbox rows and the archive go with its batch. A batch is one statement on PostgreSQL and
# one per write on SQLite, where the summary rows a change adds to are two at submission,
# four at an initial review that routes and three at the re-review (``tallies._Rows``).
SUBMIT, INITIAL_REVIEW, RE_REVIEW = (5, 4, 6) if connection.vendor == "postgresql" else (10, 13, 17)


def _decided(staff, claim):
    task_id = open_task(claim).pk
    with CaptureQueriesContext(connection) as statements:
        task_decide(actor=actor_of(staff), staff=staff, task_id=task_id, outcome="approve",
                    reasons=None, checklist=None, verification=None, as_of=TODAY)  # fmt: skip
    return len(statements.captured_queries)


def test_a_claim_takes_a_fixed_number_of_statements(staff, worker):
    haikou, sanya = staff["hk_acceptor"], staff["sy_reviewer"]
    decide(haikou, submit(haikou, worker, "unemployment_registration"))

    with CaptureQueriesContext(connection) as submitting:
        claim = submit(haikou, worker, "ui_benefit")

    assert len(submitting.captured_queries) == SUBMIT
    assert _decided(haikou, claim) == INITIAL_REVIEW
    assert _decided(sanya, claim) == RE_REVIEW
    claim.refresh_from_db()
    assert claim.status == "approved"
