"""Writing the audit log. Every write service records what it did, in its own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.instances import new
from tongban.core.models import AuditEvent
from tongban.core.prepared import Writes, insert


def audit_record(
    *,
    actor: Actor,
    event_type: str,
    subject_type: str,
    subject_id: object,
    data: dict[str, Any] | None = None,
    office_code: str | None = None,
    writes: Writes | None = None,
) -> AuditEvent:
    """Append one audit event; must run inside the transaction of the change it records. With
    ``writes`` (the change's batch) it is sent with the batch and gets no id."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change")
    event = new(
        AuditEvent,
        at=clock.now(),
        actor_kind=actor.kind,
        actor_label=actor.label[:150],
        actor_user_id=actor.user_id,
        actor_client_id=actor.client_id,
        office_code=office_code if office_code is not None else (actor.office_code or ""),
        subject_type=subject_type,
        subject_id=str(subject_id),
        event_type=event_type,
        data=data or {},
    )
    if writes is not None:
        writes.insert(event)
    else:
        insert(event)  # every decision writes audit rows (core.prepared)
    return event


@dataclass(frozen=True, slots=True)
class AuditItem:
    """One row for :func:`audit_record_many`: what happened to which subject."""

    event_type: str
    subject_type: str
    subject_id: object
    data: dict[str, Any] = field(default_factory=dict)
    office_code: str | None = None


def audit_record_many(*, actor: Actor, items: Iterable[AuditItem]) -> int:
    """Append many audit events by one actor in one statement per batch (set-based paths)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record_many must run inside the transaction of the change")
    at = clock.now()
    rows = [
        AuditEvent(
            at=at,
            actor_kind=actor.kind,
            actor_label=actor.label[:150],
            actor_user_id=actor.user_id,
            actor_client_id=actor.client_id,
            office_code=item.office_code
            if item.office_code is not None
            else (actor.office_code or ""),
            subject_type=item.subject_type,
            subject_id=str(item.subject_id),
            event_type=item.event_type,
            data=item.data,
        )
        for item in items
    ]
    AuditEvent.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def audit_view(
    *,
    actor: Actor,
    subject_type: str,
    subject_id: object,
    what: str,
    office_code: str | None = None,
) -> AuditEvent:
    """Record that someone looked at a full (unmasked) record; opens its own transaction."""
    with transaction.atomic():
        return audit_record(
            actor=actor,
            event_type="view_full_record",
            subject_type=subject_type,
            subject_id=subject_id,
            data={"what": what},
            office_code=office_code,
        )
