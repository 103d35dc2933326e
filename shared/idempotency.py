"""Idempotency-Key for creating POSTs: a retried request gets the first answer and creates nothing.

The key's record is written in the same transaction as the thing created, so the two cannot
disagree; two concurrent requests with one key collide on the record's unique `_id`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Header
from pydantic import BaseModel
from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.envelope import utcnow
from shared.errors import Conflict, DomainError

IDEMPOTENCY_KEYS = "idempotency_keys"
RETENTION_S = 24 * 3600
COMMITTED = "committed"


@dataclass(frozen=True)
class ClaimedKey:
    """The Idempotency-Key record the HTTP middleware (`shared.idempotent_requests`) claimed for this
    request: `create_once` marks that record in its transaction instead of writing one of its own."""

    record_id: str
    committed: dict[str, Any] | None = None  # the answer an earlier attempt committed (a crash before it was kept)


CLAIMED_KEY: ContextVar[ClaimedKey | None] = ContextVar("claimed_idempotency_key", default=None)


def http_record_id(company_id: str, user_id: str, *, key: str) -> str:
    return f"http:{company_id}:{user_id}:{key}"

class IdempotencyKeyReused(Conflict):
    """The same key with another body: the spec's 409, not a replay."""

    code, title = "idempotency_key_reused", "Idempotency-Key used with a different request"


IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)]


async def ensure_idempotency_indexes(database: Database) -> None:
    await database.db[IDEMPOTENCY_KEYS].create_index("created_at", expireAfterSeconds=RETENTION_S)


def _fingerprint(body: BaseModel) -> str:
    return hashlib.sha256(body.model_dump_json().encode()).hexdigest()


def _replay(record: dict[str, Any], fingerprint: str) -> dict[str, Any]:
    if record["fingerprint"] != fingerprint:
        raise IdempotencyKeyReused("this Idempotency-Key was used with a different request", field="Idempotency-Key")
    return record["response"]


async def create_once(
    *,
    database: Database,
    principal: Principal,
    key: str | None,
    body: BaseModel,
    work: Callable[[UnitOfWork], Awaitable[dict[str, Any]]],
    already_exists: DomainError | None = None,
    grouped: bool = False,
) -> dict[str, Any]:
    """Run `work` (which returns the JSON response) once per caller and key.

    `already_exists`: the error to answer when what `work` creates collides with something that
    exists (a unique key of its own). `grouped`: commit it together with other requests arriving
    at the same time (group commit).
    """
    commit = database.grouped_transaction if grouped else database.transaction
    try:
        return await _run_once(commit=commit, database=database, principal=principal, key=key, body=body, work=work)
    except DuplicateKeyError as duplicate:
        if already_exists is None:
            raise
        raise already_exists from duplicate


async def _run_once(
    *, commit, database: Database, principal: Principal, key: str | None, body: BaseModel, work
) -> dict[str, Any]:
    if key is None:
        return await commit(work)
    claimed = CLAIMED_KEY.get()
    if claimed is not None and claimed.record_id == http_record_id(principal.company_id, principal.user_id, key=key):
        return await _run_claimed(commit, claimed, work=work)
    record_id = f"{principal.company_id}:{principal.user_id}:{key}"
    fingerprint = _fingerprint(body)
    collection = database.db[IDEMPOTENCY_KEYS]

    async def records(ids: list[str]) -> dict[str, dict[str, Any]]:
        return {r["_id"]: r for r in await collection.find({"_id": {"$in": ids}}).to_list(None)}

    # The keys of requests arriving together are looked up in one query.
    if (record := await database.reads_together(IDEMPOTENCY_KEYS, records).get(record_id)) is not None:
        return _replay(record, fingerprint)

    async def work_and_remember(uow: UnitOfWork) -> dict[str, Any]:
        response = await work(uow)
        uow.add(IDEMPOTENCY_KEYS, {"_id": record_id, "fingerprint": fingerprint, "response": response,
                                   "created_at": utcnow()})
        return response

    try:
        return await commit(work_and_remember)
    except DuplicateKeyError:
        # A concurrent request with the same key won; answer what it answered.
        record = await collection.find_one({"_id": record_id})
        if record is None:
            raise
        return _replay(record, fingerprint)


async def _run_claimed(commit, claimed: ClaimedKey, *, work) -> dict[str, Any]:
    """The middleware holds the key (it checked the request's fingerprint and keeps the answer): the work's
    transaction marks its record committed with the answer, so that a retry after a crash replays it."""
    if claimed.committed is not None:
        return claimed.committed

    async def work_and_mark(uow: UnitOfWork) -> dict[str, Any]:
        response = await work(uow)
        uow.write(IDEMPOTENCY_KEYS, UpdateOne({"_id": claimed.record_id},
                                              {"$set": {"state": COMMITTED, "response": response}}))
        return response

    return await commit(work_and_mark)
