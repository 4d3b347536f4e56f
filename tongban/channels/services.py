"""API clients and idempotent request handling."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from tongban.channels.models import ApiClient
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.errors import InvalidInput
from tongban.core.identifiers import InvalidIdentifier, parse_uscc
from tongban.core.transactions import entrypoint
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
