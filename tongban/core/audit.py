"""Writing the audit log. Every write service records what it did, in its own transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.models import AuditEvent


def audit_record(
    *,
    actor: Actor,
    event_type: str,
    subject_type: str,
    subject_id: object,
    data: dict[str, Any] | None = None,
    office_code: str | None = None,
) -> AuditEvent:
    """Append one audit event; must run inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change")
    return AuditEvent.objects.create(
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
