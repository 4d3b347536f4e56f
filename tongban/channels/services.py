"""API clients and idempotent request handling."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError

from tongban.channels.models import ApiClient, IdempotencyRecord
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.errors import Conflict, DomainError, InvalidInput
from tongban.core.identifiers import InvalidIdentifier, parse_uscc
from tongban.core.transactions import entrypoint, unit_of_work
from tongban.regions.selectors import staff_for_user
from tongban.registry.selectors import employer_get

TOKEN_PREFIX = "tb_"  # noqa: S105 - a marker, not a secret
MAX_IDEMPOTENCY_KEY = 255


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CreatedClient:
    client: ApiClient
    token: str  # shown once; only its hash is stored


@entrypoint
def client_create(
    *,
    actor: Actor,
    kind: str,
    name: str | None,
    uscc: str | None = None,
    username: str | None = None,
    channel: str | None = None,
) -> CreatedClient:
    """Register an API client and return its bearer token (shown once)."""
    if kind not in ApiClient.Kind.values:
        raise InvalidInput.of("kind", "unknown_kind", "kind must be channel, employer or staff.")
    if kind == ApiClient.Kind.CHANNEL:
        channel = channel or ApiClient.Channel.ONLINE_HALL
        if channel not in ApiClient.Channel.values:
            raise InvalidInput.of(
                "channel",
                "unknown_channel",
                f"channel must be one of {', '.join(ApiClient.Channel.values)}.",
            )
    elif channel:
        raise InvalidInput.of("channel", "unexpected", "Only a channel client has a channel.")
    employer = None
    user = None
    if kind == ApiClient.Kind.EMPLOYER:
        if not uscc:
            raise InvalidInput.of("uscc", "required", "An employer client needs --uscc.")
        try:
            employer = employer_get(uscc=parse_uscc(uscc))
        except InvalidIdentifier as error:
            raise InvalidInput.of("uscc", error.code, error.message) from None
    elif kind == ApiClient.Kind.STAFF:
        if not username:
            raise InvalidInput.of("user", "required", "A staff client needs --user.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None or staff_for_user(user=user) is None:
            raise InvalidInput.of("user", "not_staff", f"{username!r} is not a caseworker.")
    elif uscc or username:
        raise InvalidInput.of(
            "kind", "unexpected", "A channel client takes neither --uscc nor --user."
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    label = name or (employer.name if employer else username) or kind
    client = ApiClient.objects.create(
        name=label[:100],
        kind=kind,
        channel=channel or "",
        token_hash=token_hash(token),
        token_prefix=token[:10],
        employer=employer,
        user=user,
        created_at=clock.now(),
    )
    audit_record(
        actor=actor,
        event_type="api_client_created",
        subject_type="api_client",
        subject_id=client.pk,
        data={
            "kind": kind,
            "name": client.name,
            "prefix": client.token_prefix,
            "channel": client.channel,
        },
    )
    return CreatedClient(client=client, token=token)


def client_for_token(token: str) -> ApiClient | None:
    return (
        ApiClient.objects.select_related("employer__region", "user")
        .filter(token_hash=token_hash(token), is_active=True)
        .first()
    )


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """Hash of the request; JSON bodies are compared by content, not by formatting."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":"))
        payload = canonical.encode("utf-8")
    except (ValueError, UnicodeDecodeError):
        payload = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + payload).hexdigest()


Response = tuple[int, Any]


def idempotent_call(
    *,
    client: ApiClient,
    key: str | None,
    fingerprint: str,
    call: Callable[[], Response],
    problem: Callable[[DomainError], Response],
) -> Response:
    """Run ``call`` once per (client, key); a repeat with the same request gets the first answer.

    The record and the service's change commit in one transaction. A refused
    request (a domain error) is answered the same way on every repeat.
    """
    if key is None:
        try:
            return call()
        except DomainError as error:
            return problem(error)
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise InvalidInput.of(
            "Idempotency-Key", "idempotency_key", "Idempotency-Key must be 1 to 255 characters."
        )
    stored = _replay(client, key, fingerprint)
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
                client=client,
                key=key,
                request_hash=fingerprint,
                status_code=status,
                response_body=body,
                created_at=clock.now(),
            )
    except IntegrityError:
        # Another request with the same key committed first: answer as it did.
        stored = _replay(client, key, fingerprint)
        if stored is None:
            raise
        return stored
    return status, body


def as_json(body: Any) -> Any:
    """The body as it will be rendered (dates as ISO strings), so a replay is byte-identical."""
    return json.loads(json.dumps(body, cls=DjangoJSONEncoder))


def _replay(client: ApiClient, key: str, fingerprint: str) -> Response | None:
    record = IdempotencyRecord.objects.filter(client=client, key=key).first()
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise Conflict(
            "This Idempotency-Key was used for a different request.", code="idempotency_key_reused"
        )
    return record.status_code, record.response_body
