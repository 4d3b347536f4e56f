"""Form submissions that write, done once: a double-click or a resent form creates nothing twice.

Each form that writes carries a one-time key in a hidden field; the write runs through
``core.idempotency.idempotent_call`` under the caseworker's or the person's scope, so a
repeat with the same key answers as the first did (the same redirect, or the same refusal).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import date
from typing import Any

from django.http import HttpRequest

from tongban.cases import services as case_services
from tongban.cases.services import Acceptance
from tongban.core.errors import DomainError
from tongban.core.idempotency import fingerprint, idempotent_call
from tongban.web.refusals import Refusal, explain, problem, refusal_of

KEY_FIELD = "submission_key"
_NOT_PART_OF_THE_REQUEST = {"csrfmiddlewaretoken", KEY_FIELD}


def new_key() -> str:
    return secrets.token_urlsafe(18)


def submit_once(
    request: HttpRequest, *, scope: str, call: Callable[[], dict[str, Any]]
) -> tuple[dict[str, Any] | None, Refusal | None]:
    """Run ``call`` (one service call) once per submission key; (result, None) or (None, refusal)."""
    fields = sorted(
        (name, value)
        for name, values in request.POST.lists()
        if name not in _NOT_PART_OF_THE_REQUEST
        for value in values
    )
    request_hash = fingerprint("POST", request.path, json.dumps(fields).encode())
    try:
        status, body = idempotent_call(
            scope=scope,
            key=request.POST.get(KEY_FIELD) or None,
            request_hash=request_hash,
            call=lambda: (200, call()),
            problem=problem,
        )
    except DomainError as error:  # a malformed or reused key
        return None, explain(error)
    if status >= 400:
        return None, refusal_of(body)
    return body, None


def submit_application(
    acceptance: Acceptance,
    *,
    item_code: str | None,
    bundle_kind: str | None,
    id_number: str,
    data: dict[str, Any] | None,
    as_of: date,
    url_for: Callable[[str], str],
) -> dict[str, Any]:
    """Accept one item, or a bundle (then the page to go to is its UI-benefit claim's)."""
    if bundle_kind is not None:
        result = case_services.bundle_submit(
            acceptance=acceptance, kind=bundle_kind, id_number=id_number, as_of=as_of
        )
        main = next(
            (a for a in result.applications if a.item_code == "ui_benefit"),
            result.applications[0],
        )
        return {"reference": result.bundle.reference, "redirect": url_for(main.reference)}
    application = case_services.application_submit(
        acceptance=acceptance,
        item_code=item_code or "",
        id_number=id_number,
        data=data,
        as_of=as_of,
    )
    return {"reference": application.reference, "redirect": url_for(application.reference)}


def submit_reemployment_report(
    acceptance: Acceptance,
    *,
    id_number: str,
    start_date: date,
    employer_uscc: str | None,
    as_of: date,
    url_for: Callable[[str], str],
) -> dict[str, Any]:
    """A new job reported, at a window or in the portal: the service the API's
    ``POST /reemployment-reports`` calls, which holds a running benefit from that day for
    the paying agency's review."""
    application = case_services.reemployment_report_submit(
        acceptance=acceptance,
        id_number=id_number,
        start_date=start_date,
        employer_uscc=employer_uscc,
        as_of=as_of,
    )
    return {"reference": application.reference, "redirect": url_for(application.reference)}
