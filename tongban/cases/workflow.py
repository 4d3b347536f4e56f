"""The one state machine for all twelve items, and the one function that moves it.

``TRANSITIONS`` is the whole workflow: (status, outcome) → next status. An item
that pays money goes from initial review to re-review at the insured region's
agency; one that pays nothing is completed at the accepting office. Everything
that changes ``Application.status`` goes through :func:`transition`, which also
closes and opens the office tasks, writes the transition row (the responsibility
record) and the audit event, and counts the change in the supervision summaries
(``cases.tallies``) in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection

from tongban.cases.models import FINAL_STATUSES, Application, Status, Task, Transition
from tongban.cases.tallies import ClosedTask, tally_transition
from tongban.catalogue.selectors import working_calendar
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.canonical import CanonicalJson
from tongban.core.errors import Conflict
from tongban.core.instances import new
from tongban.core.outbox import outbox_emit
from tongban.core.prepared import Writes, fetch_all, insert, joined
from tongban.core.transactions import require_transaction

STATUS_CHANGED = "cases.status_changed"
# What a transition may change on an application; routing (``services._route``) sets the
# insured region and reviewing office just before the approval that sends the case there.
CHANGING = [
    "status", "due_date", "returned_on", "decided_at", "decided_on", "insured_region",
    "reviewing_office",
]  # fmt: skip


# What closing a task changes, in this order: is it open, when, which day, the outcome.
CLOSING = ["is_open", "closed_at", "closed_on", "outcome"]
_CLOSE_OPEN_TASK = (
    f"UPDATE {Task._meta.db_table} SET {', '.join(f'{column} = %s' for column in CLOSING)} "
    "WHERE application_id = %s AND is_open RETURNING office_id, stage, opened_on, due_date"
)


class DuplicateApplication(Exception):
    """A submission that a unique rule refuses (an open application for the person and item):
    nothing was written, and the transaction goes on."""


@dataclass(frozen=True)
class Move:
    to_paying: str
    to_free: str  # for items that pay nothing

    def target(self, pays_money: bool) -> str:
        return self.to_paying if pays_money else self.to_free


def _same(status: str) -> Move:
    return Move(status, status)


TRANSITIONS: dict[tuple[str, str], Move] = {
    ("", "submit"): _same(Status.INITIAL_REVIEW),
    (Status.INITIAL_REVIEW, "approve"): Move(Status.RE_REVIEW, Status.COMPLETED),
    (Status.INITIAL_REVIEW, "reject"): _same(Status.REJECTED),
    (Status.INITIAL_REVIEW, "return"): _same(Status.RETURNED),
    (Status.RETURNED, "resubmit"): _same(Status.INITIAL_REVIEW),
    (Status.RE_REVIEW, "approve"): _same(Status.APPROVED),
    (Status.RE_REVIEW, "reject"): _same(Status.REJECTED),
    (Status.RE_REVIEW, "return"): _same(Status.INITIAL_REVIEW),  # sent back to initial review
    (Status.INITIAL_REVIEW, "withdraw"): _same(Status.WITHDRAWN),
    (Status.RE_REVIEW, "withdraw"): _same(Status.WITHDRAWN),
    (Status.RETURNED, "withdraw"): _same(Status.WITHDRAWN),
}

STAGE_OF_STATUS = {
    Status.INITIAL_REVIEW: Task.Stage.INITIAL_REVIEW,
    Status.RE_REVIEW: Task.Stage.RE_REVIEW,
}


def allowed_outcomes(status: str) -> list[str]:
    return [outcome for (source, outcome) in TRANSITIONS if source == status]


def transition(
    application: Application,
    *,
    outcome: str,
    actor: Actor,
    office_id: int | None,
    reasons: list[dict[str, str]] | None = None,
    checklist: dict[str, Any] | None = None,
    seen: dict[str, Any] | None = None,
    as_of: date,
    task: Task | None = None,
    writes: Writes | None = None,
) -> Transition:
    """Move ``application`` by ``outcome``; the caller holds the application's row lock, and
    ``task``'s when it gives the application's open task (a caseworker's decision). It gives
    the transition row it records, without its id (a batch gives one row an id: the task).

    A submission's insert is sent at once (the unique rules speak there), and so is the closing
    of the open task when the caller gives none (the closing says which task it was). The rest
    (the application's changes, the closing of the given task, the task it opens, the
    transition row, the summaries, the audit and outbox rows) goes in one batch at the end
    (``core.prepared.Writes``): one round trip on PostgreSQL. A task opened in place of the
    closed one is written after the closing (``Writes.replace``): one open task per
    application. The batch gives the task it opens its id, and ``application.opened_task`` says
    which task the step left open (None: none). With the caller's ``writes``, the rest goes
    with the caller's batch (a re-review's approval sends its entitlement's rows and the sealed
    archive with it), and the task it opens has its id once the caller has sent it."""
    require_transaction("transition")
    source = application.status if application.pk else ""
    move = TRANSITIONS.get((source, outcome))
    if move is None:
        raise Conflict(
            f"An application in status {source or 'new'!r} cannot be given outcome {outcome!r}"
            f" (allowed: {', '.join(allowed_outcomes(source)) or 'none'}).",
            code="transition_not_allowed",
        )
    target = move.target(application.pays_money)
    now = clock.now()
    stage = str(STAGE_OF_STATUS.get(source, source or "submission"))  # type: ignore[call-overload]

    if source == Status.RETURNED and target == Status.INITIAL_REVIEW and application.returned_on:
        # The time limit pauses while the applicant corrects: move the due date on.
        paused = working_calendar().working_days_between(application.returned_on, as_of)
        application.due_date = working_calendar().add_working_days(application.due_date, paused)
        application.returned_on = None
    if target == Status.RETURNED:
        application.returned_on = as_of
    application.status = target
    if target in FINAL_STATUSES:
        application.decided_at = now
        application.decided_on = as_of
    submission = application.pk is None
    closing: list[ClosedTask] = []
    if task is not None and (task.application_id != application.pk or not task.is_open):
        raise RuntimeError("transition() was given a task that is not the application's open one")
    if submission:
        # The unique constraints speak here, before anything else is written.
        if not insert(application, skip_conflict=True):
            raise DuplicateApplication(application.reference)
    elif task is None:
        closing = _close_open_task(application.pk, outcome, now, as_of)
    opened: Task | None = None  # the application's open task once the step is done
    with joined(writes) as writes:  # from here on, nothing the step writes is read back
        if not submission:
            writes.update(application, CHANGING)  # its row is locked: it exists
        if task is not None:  # its row is locked too: closed with the batch
            task.is_open, task.closed_at, task.closed_on, task.outcome = False, now, as_of, outcome
            closing = [ClosedTask(task.office_id, task.stage, task.opened_on, task.due_date)]
        if target == Status.INITIAL_REVIEW:
            opened = _open_task(writes, application, Task.Stage.INITIAL_REVIEW,
                                application.accepting_office, now, as_of, task)  # fmt: skip
        elif target == Status.RE_REVIEW:
            if application.reviewing_office is None:
                raise RuntimeError("a re-review needs a reviewing office; route before approving")
            opened = _open_task(writes, application, Task.Stage.RE_REVIEW,
                                application.reviewing_office, now, as_of, task)  # fmt: skip
        elif task is not None:
            writes.update(task, CLOSING)

        if not isinstance(seen, CanonicalJson):  # encoded once: hashed and stored from one text
            seen = CanonicalJson(seen or {})
        record = new(
            Transition,
            application=application,
            stage=str(stage),
            from_status=source,
            to_status=target,
            outcome=outcome,
            actor_kind=actor.kind,
            actor_label=actor.label[:150],
            actor_user_id=actor.user_id,
            actor_client_id=actor.client_id,
            office_id=office_id,
            at=now,
            reasons=reasons or [],
            checklist=checklist or {},
            seen=seen,
            seen_sha256=seen.sha256 if seen else "",
        )
        writes.insert(record)
        tally_transition(
            application,
            source=source,
            target=target,
            outcome=outcome,
            office_id=office_id,
            closed=closing,
            reasons=reasons or [],
            as_of=as_of,
            writes=writes,
        )
        audit_record(
            actor=actor,
            event_type=f"application_{outcome}",
            subject_type="application",
            subject_id=application.reference,
            office_code=actor.office_code or "",
            data={"from": source, "to": target, "item": application.item_code},
            writes=writes,
        )
        outbox_emit(
            STATUS_CHANGED,
            {
                "reference": application.reference,
                "item": application.item_code,
                "from": source,
                "to": target,
                "outcome": outcome,
                "accepting_region_id": application.accepting_region_id,
                "at": now.isoformat(),
            },
            writes=writes,
        )
    application.opened_task = opened
    return record


def _close_open_task(
    application_id: int, outcome: str, now: datetime, as_of: date
) -> list[ClosedTask]:
    """Close the application's open task (there is at most one) and say what it was: one
    statement, where the ORM needs a read and an update."""
    ops = connection.ops
    rows = fetch_all(
        _CLOSE_OPEN_TASK,
        [False, ops.adapt_datetimefield_value(now), ops.adapt_datefield_value(as_of),
         outcome, application_id],
    )  # fmt: skip
    return [
        ClosedTask(office_id, stage, _day(opened_on), _day(due_date))
        for office_id, stage, opened_on, due_date in rows
    ]


def _day(value: date | str | None) -> Any:
    """A date column as read by a raw cursor (SQLite gives text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _open_task(
    writes: Writes,
    application: Application,
    stage: str,
    office: Any,
    now: Any,
    as_of: date,
    closed: Task | None,
) -> Task:
    """The step's new task, written with its batch, which gives it its id; ``closed``, when
    given, is the task it replaces, closed (``CLOSING``) with the batch before the new one is
    written: one open task per application."""
    task = new(
        Task,
        application=application,
        stage=stage,
        office=office,
        created_at=now,
        opened_on=as_of,
        due_date=application.due_date,
    )
    if closed is None:
        writes.insert(task, with_id=True)
    else:
        writes.replace(closed, CLOSING, task)
    return task
