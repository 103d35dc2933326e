"""Idempotency-Key on every POST, as a property of the kit (ASGI middleware), not of each route.

A client that retries after a timeout sends the same key: the first answer is kept and replayed
(`Idempotent-Replayed: true`), so accepting an order, filing a handover or linking a ticket is
never done twice. The key belongs to the caller (company and user of the bearer token). The same
key with another request (method, path, query or body) is 409 naming `Idempotency-Key`; while the
first is still running, 409 with `Retry-After`. Every answer is kept except 429 and 5xx (nothing
definite happened: the client may retry with the same key). A route that creates things with
`create_once` marks this same record in its own transaction (committed, with its answer): a
crash between that commit and the kept answer is replayed by the route, not done again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import structlog
from fastapi import FastAPI
from pymongo import DeleteOne, InsertOne, UpdateOne
from pymongo.errors import ConnectionFailure, DuplicateKeyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import decode_once
from shared.coalesce import CoalescedWrites
from shared.envelope import utcnow
from shared.errors import Unauthorized
from shared.idempotency import CLAIMED_KEY, COMMITTED, IDEMPOTENCY_KEYS, ClaimedKey, http_record_id

HEADER = b"idempotency-key"
MAX_KEY_LENGTH = 200
# Visible ASCII only: a key is an opaque token a client makes (a UUID, a ULID), never text to store as is.
KEY_PATTERN = re.compile(rb"[\x21-\x7e]{1,%d}" % MAX_KEY_LENGTH)
PENDING_LEASE = timedelta(seconds=30)  # a pending record older than this was left by a process that died
KEPT_RESPONSE_BYTES = 1 << 20  # a larger answer is not kept (the retry runs again)
NOT_KEPT = frozenset({429})
UNAVAILABLE = (503, "database_unavailable", "The database cannot be reached; retry shortly.")

log = structlog.get_logger()


def _problem(status: int, code: str, *, detail: str, path: str, headers: list | None = None) -> tuple[int, list, bytes]:
    body = {"type": f"https://estatedesk.example/problems/{code}", "title": detail, "status": status,
            "detail": detail, "code": code, "instance": path}
    if status < 500:  # the key is what the client must change
        body |= {"field": "Idempotency-Key", "errors": [{"field": "Idempotency-Key", "message": detail}]}
    return status, [(b"content-type", b"application/problem+json"), *(headers or [])], json.dumps(body).encode()


async def _send(send: Send, status: int, *, headers: list, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class IdempotentPosts:
    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for
        self._writes: CoalescedWrites | None = None
        self._writes_database = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        if scope["type"] != "http" or scope["method"] != "POST" or HEADER not in headers:
            return await self.app(scope, receive, send)
        if not KEY_PATTERN.fullmatch(headers[HEADER]):
            problem = _problem(422, "invalid_input", detail=f"an Idempotency-Key has 1 to {MAX_KEY_LENGTH} "
                               "visible ASCII characters", path=scope["path"])
            return await _send(send, problem[0], headers=problem[1], body=problem[2])
        key = headers[HEADER].decode("ascii")
        owner = self._owner(scope, headers)  # (company, user)
        body, replay_receive = await self._read_body(scope, receive)
        if owner is None or body is None:  # no valid token (the route answers 401), or a body over the limit
            return await self.app(scope, replay_receive, send)
        query = scope.get("query_string", b"")
        fingerprint = hashlib.sha256(b"\n".join([b"POST", scope["path"].encode(), query, body])).hexdigest()
        database = scope["app"].state.runtime.database
        collection = database.db[IDEMPOTENCY_KEYS]
        writes = self._writes_to(database)
        record_id = http_record_id(*owner, key=key)
        try:
            answer = await self._claim(collection, writes, record_id=record_id, fingerprint=fingerprint,
                                       path=scope["path"])
        except ConnectionFailure as error:  # outside the app's error handlers: answer as they would
            log.warning("database unavailable", error=repr(error))
            answer = _problem(*UNAVAILABLE[:2], detail=UNAVAILABLE[2], path=scope["path"],
                              headers=[(b"retry-after", b"2")])
        if isinstance(answer, tuple):
            return await _send(send, answer[0], headers=answer[1], body=answer[2])
        claimed = CLAIMED_KEY.set(answer)
        try:
            await self._run_and_keep(scope, replay_receive, send=send, writes=writes, record_id=record_id)
        finally:
            CLAIMED_KEY.reset(claimed)

    def _writes_to(self, database) -> CoalescedWrites:
        """The claims and answers of requests arriving together share one `bulk_write` (the hotline's POSTs)."""
        if self._writes is None or self._writes_database is not database:
            self._writes, self._writes_database = CoalescedWrites(database.db[IDEMPOTENCY_KEYS]), database
        return self._writes

    def _owner(self, scope: Scope, headers: dict[bytes, bytes]) -> tuple[str, str] | None:
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        settings = scope["app"].state.settings
        try:  # decoded once: the route's authentication takes it from the request's state
            principal = decode_once(scope.setdefault("state", {}), token, secret=settings.jwt_secret,
                                    issuer=settings.jwt_issuer)
        except Unauthorized:  # the route's own authentication answers it
            return None
        return principal.company_id, principal.user_id

    async def _read_body(self, scope: Scope, receive: Receive) -> tuple[bytes | None, Receive]:
        """The whole body (None when over the route's limit), and a `receive` that gives it again."""
        limit, chunks, size, more = self.limit_for(scope["path"]), [], 0, True
        messages: list[Message] = []
        while more:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > limit:
                break
        complete = not more and size <= limit

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        return (b"".join(chunks) if complete else None), replay

    async def _claim(self, collection, writes: CoalescedWrites, *, record_id: str, fingerprint: str, path: str):
        """The claim when this request is to run; otherwise the answer to give (a replay or a refusal)."""
        now = utcnow()
        try:
            await writes.write(InsertOne({"_id": record_id, "fingerprint": fingerprint, "state": "pending",
                                          "created_at": now}))
            return ClaimedKey(record_id)
        except DuplicateKeyError:
            record = await collection.find_one({"_id": record_id})
        if record is None:  # expired between the two: run it
            return await self._claim(collection, writes, record_id=record_id, fingerprint=fingerprint, path=path)
        if record["fingerprint"] != fingerprint:
            return _problem(409, "idempotency_key_reused",
                            detail="this Idempotency-Key was used with a different request",
                            path=path)
        if record["state"] == "done":
            headers = [(bytes(n), bytes(v)) for n, v in record["headers"]] + [(b"idempotent-replayed", b"true")]
            return record["status"], headers, bytes(record["body"])
        if record["state"] == COMMITTED:  # done, but its answer was not kept: the route replays it
            return ClaimedKey(record_id, committed=record["response"])
        if now - record["created_at"] > PENDING_LEASE:
            taken = await collection.update_one({"_id": record_id, "state": "pending",
                                                 "created_at": record["created_at"]}, {"$set": {"created_at": now}})
            if taken.modified_count == 1:
                return ClaimedKey(record_id)
        return _problem(409, "idempotency_key_in_use", detail="a request with this Idempotency-Key is still running",
                        path=path, headers=[(b"retry-after", b"1")])

    async def _run_and_keep(self, scope: Scope, receive: Receive, *, send: Send, writes: CoalescedWrites,
                            record_id: str) -> None:
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def keeping(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.update(status=message["status"], headers=list(message.get("headers", [])))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, keeping)
        finally:
            body = b"".join(chunks)
            status = started.get("status", 500)
            try:
                if status >= 500 or status in NOT_KEPT or len(body) > KEPT_RESPONSE_BYTES:
                    await writes.write(DeleteOne({"_id": record_id, "state": "pending"}))
                else:
                    await writes.write(UpdateOne({"_id": record_id}, {"$set": {
                        "state": "done", "status": status, "body": body,
                        "headers": [[bytes(n), bytes(v)] for n, v in started["headers"]]}}))
            except ConnectionFailure as error:  # answered already; a retry meets the pending record's lease
                log.warning("idempotency record not kept", error=repr(error))


def install_idempotent_posts(app: FastAPI, *, limit_for: Callable[[str], int]) -> None:
    """Every POST takes an Idempotency-Key (the middleware), and the OpenAPI document says so."""
    app.add_middleware(IdempotentPosts, limit_for=limit_for)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = build()
        for methods in document.get("paths", {}).values():
            operation = methods.get("post")
            if operation is None:
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("in") == "header" and p.get("name", "").lower() == "idempotency-key" for p in parameters):
                parameters.append({"name": "Idempotency-Key", "in": "header", "required": False, "schema": {
                    "type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[!-~]+$"}, "description": (
                    "A retried request with the same key gets the first answer and does nothing again")})
        app.openapi_schema = document
        return document

    app.openapi = openapi
