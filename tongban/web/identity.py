"""Who a portal visitor is: the citizen ID that a real-name identity provider verified.

The portal never asks for a password. An :class:`IdentityProvider` verifies the
person (the province's unified login, by OpenID Connect, in production; a simulated
one-time code in the demo) and calls :func:`sign_in` with the verified citizen ID.
``settings.TONGBAN_PORTAL_IDENTITY`` names the provider class; see docs/portal-sign-in.md.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from tongban.core.errors import DomainError
from tongban.registry.selectors import person_get

SESSION_KEY = "tongban_claimant"
PENDING_KEY = "tongban_signin_pending"
HOME = "/me/"


@dataclass(frozen=True)
class Claimant:
    """A signed-in person: the verified citizen ID and how it was verified."""

    id_number: str
    person_id: int
    method: str

    @property
    def scope(self) -> str:
        """The idempotency scope of the person's submissions (no ID number stored there)."""
        return f"person:{self.person_id}"


class IdentityProvider(Protocol):
    """A way to verify a person. ``start`` begins (a form, or a redirect to the provider);
    ``finish`` handles the return and ends in :func:`sign_in` or an explained refusal."""

    method: str

    def start(self, request: HttpRequest, *, next_url: str) -> HttpResponse: ...

    def finish(self, request: HttpRequest) -> HttpResponse: ...


def provider() -> IdentityProvider:
    cls = import_string(settings.TONGBAN_PORTAL_IDENTITY)
    instance: IdentityProvider = cls()
    return instance


def claimant_of(request: HttpRequest) -> Claimant | None:
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    return Claimant(id_number=data["id_number"], person_id=data["person_id"], method=data["method"])


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """A local path to return to after sign-in (never another site)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return HOME


def sign_in(request: HttpRequest, *, id_number: str, person_id: int, method: str) -> Claimant:
    """Start a portal session for a verified person (a new session key: no fixation)."""
    request.session.cycle_key()
    request.session.pop(PENDING_KEY, None)
    request.session[SESSION_KEY] = {
        "id_number": id_number,
        "person_id": person_id,
        "method": method,
    }
    request.session.set_expiry(settings.TONGBAN_PORTAL_SESSION_SECONDS)
    return Claimant(id_number=id_number, person_id=person_id, method=method)


def sign_out(request: HttpRequest) -> None:
    request.session.flush()


class SimulatedRealName:
    """The demo's stand-in for real-name authentication (模拟实名认证).

    Step one takes an ID number known to the registry and issues a six-digit one-time
    code, which a real service would send by SMS to the phone registered for the
    person; here the page shows it, labelled as a simulation. Step two checks the code.
    """

    method = "simulated"
    CODE_SECONDS = 300
    MAX_ATTEMPTS = 5

    def start(self, request: HttpRequest, *, next_url: str) -> HttpResponse:
        context: dict[str, Any] = {"next": next_url, "id_number": "", "error": None}
        if request.method == "POST":
            raw = request.POST.get("id_number", "")
            context["id_number"] = raw
            try:
                person = person_get(id_number=raw.strip())
            except DomainError as error:
                context["error"] = _(error.message)
                return render(request, "portal/signin.html", context, status=422)
            code = f"{secrets.randbelow(1_000_000):06d}"
            request.session[PENDING_KEY] = {
                "id_number": person.id_number,
                "person_id": person.pk,
                "code": code,
                "expires": time.time() + self.CODE_SECONDS,
                "attempts": 0,
                "next": next_url,
            }
            return render(
                request,
                "portal/signin_code.html",
                {"code": code, "next": next_url, "error": None},
            )
        return render(request, "portal/signin.html", context)

    def finish(self, request: HttpRequest) -> HttpResponse:
        pending = request.session.get(PENDING_KEY)
        if request.method != "POST" or not isinstance(pending, dict):
            return redirect("web:signin")
        next_url = safe_next(request, pending.get("next"))
        typed = request.POST.get("code", "").strip()
        expired = time.time() > pending["expires"]
        pending["attempts"] += 1
        request.session[PENDING_KEY] = pending
        if expired or pending["attempts"] > self.MAX_ATTEMPTS:
            request.session.pop(PENDING_KEY, None)
            response = render(
                request,
                "portal/signin.html",
                {
                    "next": next_url,
                    "id_number": "",
                    "error": _("The code has expired or was tried too often; ask for a new one."),
                },
                status=422,
            )
            return response
        if not hmac.compare_digest(typed, pending["code"]):
            return render(
                request,
                "portal/signin_code.html",
                {
                    "code": pending["code"],
                    "next": next_url,
                    "error": _("That is not the code shown; please type it again."),
                    "typed": typed,
                },
                status=422,
            )
        sign_in(
            request,
            id_number=pending["id_number"],
            person_id=pending["person_id"],
            method=self.method,
        )
        return redirect(next_url)
