"""Synchronous, in-transaction hooks: a lower layer lets a higher one act inside its transaction.

The outbox (:mod:`tongban.core.outbox`) delivers events *after* commit, at least once.
Some reactions must happen *with* the change or not at all: a hire for a person who
receives benefit suspends the benefit in the same transaction, so no payment run can
slip in between. The registry cannot import integrity (it is a lower layer), so it
publishes a topic here and integrity subscribes to it in its ``AppConfig.ready``.

``publish`` calls every subscriber immediately, in registration order, inside the
caller's transaction; an exception from a subscriber rolls the whole change back.
Payloads are frozen dataclasses defined by the publisher (set-based: a whole import
chunk is one call). No Django signals: a subscriber is an explicit, typed function.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tongban.core.transactions import require_transaction

Subscriber = Callable[[Any], None]
_subscribers: dict[str, list[Subscriber]] = defaultdict(list)
_muted: set[str] = set()


def subscribe(topic: str) -> Callable[[Subscriber], Subscriber]:
    """Register a subscriber for ``topic`` (call from an app's ``ready``); idempotent."""

    def register(subscriber: Subscriber) -> Subscriber:
        if subscriber not in _subscribers[topic]:
            _subscribers[topic].append(subscriber)
        return subscriber

    return register


def publish(topic: str, payload: object) -> None:
    """Call the subscribers of ``topic`` now, inside the caller's transaction."""
    if topic in _muted:
        return
    require_transaction(f"publishing {topic}")
    for subscriber in list(_subscribers.get(topic, ())):
        subscriber(payload)


def subscribers(topic: str) -> list[Subscriber]:
    return list(_subscribers.get(topic, ()))


@contextmanager
def muted(*topics: str) -> Iterator[None]:
    """Publish nothing for ``topics`` inside the block (benchmarks measure the cost of checks)."""
    added = {t for t in topics if t not in _muted}
    _muted.update(added)
    try:
        yield
    finally:
        _muted.difference_update(added)
