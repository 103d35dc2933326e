"""Typed errors with stable codes; plain Python, so that domain code may raise them.

`shared.problems` maps them to RFC 9457 problem+json in one place.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(self, detail: str | None = None, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.field = field
        self.extra = extra


class Unauthorized(DomainError):
    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", "Your role may not do this"


class NotFound(DomainError):
    status, code, title = 404, "not_found", "Not found"

    def __init__(self, what: str = "resource", **extra: Any) -> None:
        super().__init__(f"{what} not found", **extra)


class Conflict(DomainError):
    status, code, title = 409, "conflict", "Conflict with the current state"


class InvalidInput(DomainError):
    status, code, title = 422, "invalid_input", "The request is not valid"


class UnsupportedMediaType(DomainError):
    status, code, title = 415, "unsupported_media_type", "This content type is not accepted here"


class ServiceUnavailable(DomainError):
    status, code, title = 503, "unavailable", "Temporarily unavailable"


class InvalidTransition(Conflict):
    code, title = "invalid_transition", "Not allowed in the current state"


class AmbiguousNumber(Conflict):
    code, title = "ambiguous_number", "The number names more than one resource"


class TooManyRequests(DomainError):
    status, code, title = 429, "too_many_requests", "Too many requests"

    def __init__(self, *, retry_after_s: int) -> None:
        super().__init__(f"slow down: retry after {retry_after_s} s")
        self.headers = {"Retry-After": str(retry_after_s)}
