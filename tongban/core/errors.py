"""Errors that services raise and interfaces turn into problem documents.

Each carries a stable ``code`` for clients and a ``message`` for people; input
errors carry a list of field errors (field, code, message), as the contract's
``errors`` array.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    code: str
    message: str


class DomainError(Exception):
    """Base class; ``status`` is the HTTP status an interface should answer with."""

    status = 400
    title = "Request refused"
    default_code = "refused"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        errors: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.errors = errors or []
        self.extra = extra or {}


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"
    default_code = "invalid"

    @classmethod
    def of(cls, field_name: str, code: str, message: str) -> InvalidInput:
        return cls(message, code=code, errors=[FieldError(field_name, code, message)])


class NotFound(DomainError):
    status = 404
    title = "Not found"
    default_code = "not_found"


class Forbidden(DomainError):
    status = 403
    title = "Not allowed"
    default_code = "forbidden"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
    default_code = "conflict"


@dataclass(slots=True)
class ErrorCollector:
    """Collects field errors so a form or import row reports all of them at once."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, code: str, message: str) -> None:
        self.errors.append(FieldError(field_name, code, message))

    def raise_if_any(self, message: str = "The input has errors.") -> None:
        if self.errors:
            raise InvalidInput(message, code=self.errors[0].code, errors=list(self.errors))
