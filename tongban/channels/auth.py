"""Bearer-token authentication and the per-endpoint rule of who may call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from ninja.security import HttpBearer

from tongban.channels.models import ApiClient
from tongban.channels.services import client_for_token
from tongban.core.actors import Actor
from tongban.core.errors import Forbidden
from tongban.regions.selectors import StaffInfo, staff_for_user

if TYPE_CHECKING:
    from tongban.registry.models import Employer


class ClientAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = client_for_token(token)
        if client is None:
            return None
        request.tongban_staff = (  # type: ignore[attr-defined]
            staff_for_user(user=client.user) if client.kind == ApiClient.Kind.STAFF else None
        )
        return client


def client_of(request: HttpRequest) -> ApiClient:
    client: ApiClient = request.auth  # type: ignore[attr-defined]
    return client


def staff_of(request: HttpRequest) -> StaffInfo | None:
    staff: StaffInfo | None = getattr(request, "tongban_staff", None)
    return staff


def require(request: HttpRequest, *kinds: str) -> ApiClient:
    """Refuse the call unless the client is of one of ``kinds``."""
    client = client_of(request)
    if client.kind not in kinds:
        raise Forbidden(
            f"A {client.kind} client may not call this endpoint (allowed: {', '.join(kinds)}).",
            code="client_kind_not_allowed",
        )
    if client.kind == ApiClient.Kind.STAFF and staff_of(request) is None:
        raise Forbidden(
            "The caseworker of this client no longer works at an office.", code="no_office"
        )
    return client


def employer_of(request: HttpRequest) -> Employer:
    """The employer an employer client acts for (its own, and only its own)."""
    employer = require(request, ApiClient.Kind.EMPLOYER).employer
    if employer is None:  # the database constraint makes this impossible; say so if it happens
        raise Forbidden("This employer client is not linked to an employer.", code="no_employer")
    return employer


def actor_for(request: HttpRequest) -> Actor:
    """A staff client acts as its caseworker (in their office); other clients act as themselves."""
    client = client_of(request)
    staff = staff_of(request)
    if staff is not None:
        return Actor(
            kind="staff",
            label=f"staff:{staff.username}",
            user_id=staff.user_id,
            client_id=client.pk,
            office_code=staff.office.code,
        )
    return Actor(kind="client", label=f"{client.kind}:{client.name}", client_id=client.pk)
