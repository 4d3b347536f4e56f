"""Errors as RFC 9457 problem documents (``application/problem+json``)."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from tongban.core.errors import DomainError

logger = logging.getLogger(__name__)
PROBLEM_TYPE = "urn:tongban:problem:"
CONTENT_TYPE = "application/problem+json"


def problem_body(
    *, status: int, title: str, detail: str, code: str, errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    return body


def domain_problem(error: DomainError) -> tuple[int, dict[str, Any]]:
    body = problem_body(
        status=error.status,
        title=error.title,
        detail=error.message,
        code=error.code,
        errors=[{"field": e.field, "code": e.code, "message": e.message} for e in error.errors],
    )
    body.update(error.extra)
    return error.status, body


def _field(loc: list[Any] | tuple[Any, ...]) -> str:
    # Ninja prefixes locations with where the value came from ("body", "query", "path").
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "body"


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        response = api.create_response(request, body, status=status)
        response["Content-Type"] = CONTENT_TYPE
        return response

    @api.exception_handler(DomainError)
    def on_domain(request: HttpRequest, error: DomainError) -> HttpResponse:
        status, body = domain_problem(error)
        return respond(request, status, body)

    @api.exception_handler(NinjaValidationError)
    def on_validation(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
        errors = [
            {
                "field": _field(e.get("loc", ())),
                "code": str(e.get("type", "invalid")),
                "message": str(e.get("msg", "invalid")),
            }
            for e in error.errors
        ]
        return respond(
            request,
            422,
            problem_body(
                status=422,
                title="Invalid input",
                detail="The request has invalid fields.",
                code="invalid",
                errors=errors,
            ),
        )

    @api.exception_handler(AuthenticationError)
    def on_auth(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        response = respond(
            request,
            401,
            problem_body(
                status=401,
                title="Not authenticated",
                detail="Send 'Authorization: Bearer <token>' with a token from `tongban client create`.",
                code="not_authenticated",
            ),
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def on_http(request: HttpRequest, error: HttpError) -> HttpResponse:
        return respond(
            request,
            error.status_code,
            problem_body(
                status=error.status_code,
                title="Request refused",
                detail=str(error),
                code="http_error",
            ),
        )

    @api.exception_handler(Exception)
    def on_crash(request: HttpRequest, error: Exception) -> HttpResponse:
        logger.exception("unhandled API error on %s", request.path)
        return respond(
            request,
            500,
            problem_body(
                status=500,
                title="Internal error",
                detail="Something went wrong on our side; nothing was changed. Please try again.",
                code="internal_error",
            ),
        )
