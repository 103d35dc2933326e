"""Limits every service applies: header size (431), request body size (413) and requests per caller (429).

Headers: a request whose headers together pass `max_header_bytes` is answered 431 before
anything reads them (a token of megabytes would otherwise be decoded and verified).

Bodies: JSON requests are small; only the paths a service declares as uploads (directory
imports) may carry large files. The Content-Length is checked before anything is read, and a
body sent without one is counted as it arrives.

Callers: a token bucket per authenticated user, checked right after the token is verified.
Residents (the public app) get a small bucket; staff and integrators a large one.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import DomainError, TooManyRequests
from shared.problems import problem

# Far above any real request's (a bearer token is under 1 KiB), and what common proxies allow.
MAX_HEADER_BYTES = 16 * 1024


def body_limit(*, max_bytes: int, upload_max_bytes: int, upload_paths: tuple[str, ...]):
    """The largest body a path takes: uploads (directory imports) more than JSON."""
    patterns = [re.compile(pattern) for pattern in upload_paths]

    def limit_for(path: str) -> int:
        return upload_max_bytes if any(p.search(path) for p in patterns) else max_bytes

    return limit_for


class BodySizeLimit:
    """ASGI middleware: headers over their limit are answered 431 here, a body over its limit 413
    (problem+json, by the error handlers)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, upload_max_bytes: int, upload_paths: tuple[str, ...],
                 max_header_bytes: int = MAX_HEADER_BYTES) -> None:
        self.app = app
        self.max_header_bytes = max_header_bytes
        self.limit_for = body_limit(max_bytes=max_bytes, upload_max_bytes=upload_max_bytes, upload_paths=upload_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if sum(len(name) + len(value) for name, value in scope["headers"]) > self.max_header_bytes:
            response = problem(status=431, code="headers_too_large", title="Request headers too large",
                               detail=f"the request headers are larger than {self.max_header_bytes} bytes",
                               request=Request(scope))
            return await response(scope, receive, send)
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"")
        # Refused at the route's first read of the body, so the error handlers answer it.
        declared_too_large = declared.isdigit() and int(declared) > limit
        received = 0

        async def counted() -> Message:
            nonlocal received
            if declared_too_large:
                raise _too_large(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(limit)
            return message

        await self.app(scope, counted, send)


class PayloadTooLarge(DomainError, HTTPException):
    """Every 413, whoever finds the body too large: answered by the domain-error handler. It is an
    HTTPException too, because FastAPI passes only those through when they are raised while it reads
    a body (anything else becomes a 400)."""

    status, code, title = 413, "payload_too_large", "The request body or file is too large"

    def __init__(self, detail: str, *, title: str | None = None) -> None:
        HTTPException.__init__(self, self.status, detail)
        self.field, self.extra = None, {}
        if title is not None:
            self.title = title


def _too_large(limit: int) -> PayloadTooLarge:
    detail = f"the request body is larger than {limit} bytes"
    return PayloadTooLarge(detail, title=detail)


@dataclass
class Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets per user: `rate` requests per second, up to `burst` at once."""

    def __init__(self, *, rate: float, burst: int, resident_rate: float, resident_burst: int) -> None:
        self.staff = (rate, burst)
        self.resident = (resident_rate, resident_burst)
        self.buckets: dict[str, Bucket] = {}

    def admit(self, user_id: str, *, resident: bool, now: float | None = None) -> None:
        rate, burst = self.resident if resident else self.staff
        now = time.monotonic() if now is None else now
        bucket = self.buckets.get(user_id)
        if bucket is None:
            if len(self.buckets) > 100_000:  # forget idle callers rather than grow without bound
                self.buckets.clear()
            bucket = self.buckets[user_id] = Bucket(float(burst), now)
        bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens < 1:
            raise TooManyRequests(retry_after_s=max(1, round((1 - bucket.tokens) / rate)))
        bucket.tokens -= 1
