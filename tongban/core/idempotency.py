"""Doing a write once per idempotency key: a repeat gets the first answer, never a second write.

The record and the service's change commit in one transaction (``unit_of_work``), so
a crash cannot leave a change without its record or a record without its change.
A refused request (a domain error) is answered the same way on every repeat.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError

from tongban.core import clock
from tongban.core.errors import Conflict, DomainError, InvalidInput
from tongban.core.models import IdempotencyRecord
from tongban.core.transactions import unit_of_work

MAX_KEY = 255
Response = tuple[int, Any]


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Hash of the request; JSON bodies are compared by content, not by formatting."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":"))
        payload = canonical.encode("utf-8")
    except (ValueError, UnicodeDecodeError):
        payload = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + payload).hexdigest()


def as_json(body: Any) -> Any:
    """The body as it will be rendered (dates as ISO strings), so a replay is identical."""
    return json.loads(json.dumps(body, cls=DjangoJSONEncoder))


def idempotent_call(
    *,
    scope: str,
    key: str | None,
    request_hash: str,
    call: Callable[[], Response],
    problem: Callable[[DomainError], Response],
) -> Response:
    """Run ``call`` once per (scope, key); a repeat with the same request gets the first answer."""
    if key is None:
        try:
            return call()
        except DomainError as error:
            return problem(error)
    if not key or len(key) > MAX_KEY:
        raise InvalidInput.of(
            "Idempotency-Key", "idempotency_key", "Idempotency-Key must be 1 to 255 characters."
        )
    stored = _replay(scope, key, request_hash)
    if stored is not None:
        return stored
    try:
        with unit_of_work():
            try:
                status, body = call()
            except DomainError as error:
                status, body = problem(error)
            body = as_json(body)
            IdempotencyRecord.objects.create(
                scope=scope,
                key=key,
                request_hash=request_hash,
                status_code=status,
                response_body=body,
                created_at=clock.now(),
            )
    except IntegrityError:
        # Another request with the same key committed first: answer as it did.
        stored = _replay(scope, key, request_hash)
        if stored is None:
            raise
        return stored
    return status, body


def _replay(scope: str, key: str, request_hash: str) -> Response | None:
    record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if record is None:
        return None
    if record.request_hash != request_hash:
        raise Conflict(
            "This Idempotency-Key was used for a different request.", code="idempotency_key_reused"
        )
    return record.status_code, record.response_body
