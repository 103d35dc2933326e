"""Dispatch's HTTP API of the duty ledger (客服工作台帐): append-only; nothing here edits or deletes an entry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.dispatch.api.deps import LedgerWriters, Readers
from services.dispatch.api.ledger_schemas import ChainHead, LedgerEntryPublic, LedgerVerification
from services.dispatch.commands import ledger as commands
from services.dispatch.commands.inputs.ledger import LedgerNoteCreate
from services.dispatch.store import ledger as store
from shared.auth import Principal
from shared.errors import InvalidInput, NotFound
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageQuery, encode_cursor
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1/ledger", tags=["duty ledger"])


async def _require_ledger(principal: Principal, database, *, estate_id: str) -> dict:
    """The estate's chain head, if the caller may see the estate (404 otherwise, another company's too)."""
    await principal.require_estate(estate_id)
    head = await store.head(database, estate_id)
    if head.get("company_id", principal.company_id) != principal.company_id:
        raise NotFound("estate")
    return head


Kind = Annotated[str | None, Query(pattern=r"^[a-z_]{1,30}$")]


@router.post("/entries", status_code=201, response_model=LedgerEntryPublic)
async def append_entry(
    body: LedgerNoteCreate, principal: LedgerWriters, *, database: DatabaseDep, idempotency_key: IdempotencyKey = None
) -> dict:
    """A note of the shift; with `corrects`, a correction of an earlier entry (which stays as it was)."""
    return await commands.append_note(database, principal, request=body, idempotency_key=idempotency_key)


@router.get("/entries", response_model=Page[LedgerEntryPublic])
async def list_entries(
    estate_id: str, principal: Readers, *, database: DatabaseDep, page: PageQuery,
    kind: Kind = None,
) -> Page[LedgerEntryPublic]:
    """Newest first."""
    await _require_ledger(principal, database, estate_id=estate_id)
    documents = await store.page_of_entries(database, estate_id, limit=page.limit, before_id=page.after_id, kind=kind)
    more = len(documents) > page.limit
    documents = documents[: page.limit]
    return Page(items=[commands.entry_public(d) for d in documents],
                next_cursor=encode_cursor(documents[-1]["_id"]) if more else None)


@router.get("/head", response_model=ChainHead)
async def chain_head(estate_id: str, principal: Readers, *, database: DatabaseDep) -> dict:
    head = await _require_ledger(principal, database, estate_id=estate_id)
    return {"estate_id": estate_id, "sequence": head["sequence"], "hash": head["hash"]}


@router.get("/verify", response_model=LedgerVerification)
async def verify(
    estate_id: str, principal: Readers, *, database: DatabaseDep,
    from_seq: Annotated[int, Query(ge=1)] = 1, to_seq: Annotated[int | None, Query(ge=1)] = None,
) -> dict:
    """Recompute the chain over a range (to the head by default, at most 5,000 entries) and name the first break."""
    await _require_ledger(principal, database, estate_id=estate_id)
    if to_seq is not None and to_seq < from_seq:
        raise InvalidInput("to_seq is before from_seq", field="to_seq")
    return await commands.verify(database, estate_id, from_seq=from_seq, to_seq=to_seq)
