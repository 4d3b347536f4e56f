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
from django.db.models import F

from tongban.core import clock
from tongban.core.instances import new
from tongban.core.models import OutboxMessage
from tongban.core.prepared import Writes, insert

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
BatchHandler = Callable[[list[dict[str, Any]]], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)
_batch_handlers: dict[str, BatchHandler] = {}
BATCH = 500


def handles(topic: str) -> Callable[[Handler], Handler]:
    """Register a handler for ``topic`` (call from an app's ``ready``)."""

    def register(handler: Handler) -> Handler:
        if handler not in _handlers[topic]:
            _handlers[topic].append(handler)
        return handler

    return register


def handles_batch(topic: str) -> Callable[[BatchHandler], BatchHandler]:
    """Register the batch handler of ``topic``: it receives up to 500 payloads at once, and they
    are marked delivered together (one transaction per batch instead of one per message), or
    all left pending for a retry if it raises. For high-volume topics (notices)."""

    def register(handler: BatchHandler) -> BatchHandler:
        _batch_handlers[topic] = handler
        return handler

    return register


def _has_handlers(topic: str) -> bool:
    return bool(_handlers.get(topic)) or topic in _batch_handlers


def outbox_emit(
    topic: str, payload: dict[str, Any], *, writes: Writes | None = None
) -> OutboxMessage:
    """Write one event in the current transaction; delivered after it commits. With ``writes``
    (the change's batch) it is sent with the batch and gets no id, unless the topic has
    handlers here: those are handed the message by its id when the transaction commits."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_emit must run inside the transaction of the change")
    message = new(OutboxMessage, topic=topic, payload=payload, created_at=clock.now())
    handled = _has_handlers(topic)
    if writes is not None and not handled:
        writes.insert(message)
        return message
    insert(message)  # every decision emits (core.prepared)
    if handled:
        transaction.on_commit(lambda: outbox_deliver(ids=[message.pk]))
    return message


def outbox_emit_many(topic: str, payloads: Iterable[dict[str, Any]]) -> int:
    """Write many events of one topic in one statement (bulk paths)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_emit_many must run inside the transaction of the change")
    at = clock.now()
    rows = [OutboxMessage(topic=topic, payload=p, created_at=at) for p in payloads]
    OutboxMessage.objects.bulk_create(rows, batch_size=2000)
    if rows and _has_handlers(topic):
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
    for batch_topic in sorted(_batch_handlers):
        if topic is None or topic == batch_topic:
            delivered += _deliver_batches(pending.filter(topic=batch_topic), batch_topic, limit)
    pending = pending.exclude(topic__in=list(_batch_handlers))
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


def _deliver_batches(pending: Any, topic: str, limit: int) -> int:
    """Deliver a batch topic's pending messages, up to ``BATCH`` per transaction."""
    delivered = 0
    while delivered < limit:
        with transaction.atomic():
            messages = list(
                pending.select_for_update(skip_locked=True).only("id", "payload", "attempts")[
                    : min(BATCH, limit - delivered)
                ]
            )
            if not messages:
                break
            chosen = OutboxMessage.objects.filter(pk__in=[m.pk for m in messages])
            try:
                with transaction.atomic():
                    _batch_handlers[topic]([m.payload for m in messages])
                    for handler in _handlers.get(topic, []):
                        for message in messages:
                            handler(message.payload)
            except Exception as error:
                logger.exception("outbox batch handler failed for %s", topic)
                chosen.update(attempts=F("attempts") + 1, last_error=repr(error)[:2000])
                break
            chosen.update(processed_at=clock.now(), attempts=F("attempts") + 1)
            delivered += len(messages)
    return delivered


def outbox_topics() -> list[str]:
    return sorted(set(_handlers) | set(_batch_handlers))
