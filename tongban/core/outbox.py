"""A transactional outbox: events are rows written with the change, delivered after commit.

``outbox_emit`` writes the row inside the caller's transaction and asks for
delivery once that transaction commits. Delivery calls the handlers registered
for the topic; a failing handler leaves the message pending for
``tongban outbox`` to retry. Handlers must be idempotent (delivery is at least once).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

from tongban.core import clock
from tongban.core.models import OutboxMessage

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def handles(topic: str) -> Callable[[Handler], Handler]:
    """Register a handler for ``topic`` (call from an app's ``ready``)."""

    def register(handler: Handler) -> Handler:
        if handler not in _handlers[topic]:
            _handlers[topic].append(handler)
        return handler

    return register


def outbox_emit(topic: str, payload: dict[str, Any]) -> OutboxMessage:
    """Write one event in the current transaction; delivered after it commits."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_emit must run inside the transaction of the change")
    message = OutboxMessage.objects.create(topic=topic, payload=payload, created_at=clock.now())
    if _handlers.get(topic):
        transaction.on_commit(lambda: outbox_deliver(ids=[message.pk]))
    return message


def outbox_emit_many(topic: str, payloads: Iterable[dict[str, Any]]) -> int:
    """Write many events of one topic in one statement (bulk paths)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_emit_many must run inside the transaction of the change")
    at = clock.now()
    rows = [OutboxMessage(topic=topic, payload=p, created_at=at) for p in payloads]
    OutboxMessage.objects.bulk_create(rows, batch_size=2000)
    if rows and _handlers.get(topic):
        transaction.on_commit(lambda: outbox_deliver(topic=topic))
    return len(rows)


def outbox_deliver(
    *, ids: list[int] | None = None, topic: str | None = None, limit: int = 1000
) -> int:
    """Deliver pending messages (all, some ids, or one topic); returns how many were handled."""
    pending = OutboxMessage.objects.filter(processed_at__isnull=True).order_by("id")
    if ids is not None:
        pending = pending.filter(id__in=ids)
    if topic is not None:
        pending = pending.filter(topic=topic)
    delivered = 0
    for message_id in list(pending.values_list("id", flat=True)[:limit]):
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(id=message_id, processed_at__isnull=True)
                .first()
            )
            if message is None:
                continue
            try:
                with transaction.atomic():
                    for handler in _handlers.get(message.topic, []):
                        handler(message.payload)
            except Exception as error:
                logger.exception("outbox handler failed for %s", message)
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=message.attempts + 1, last_error=repr(error)[:2000]
                )
                continue
            OutboxMessage.objects.filter(pk=message.pk).update(
                processed_at=clock.now(), attempts=message.attempts + 1
            )
            delivered += 1
    return delivered


def outbox_topics() -> list[str]:
    return sorted(_handlers)
