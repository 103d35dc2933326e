"""Operator endpoints every service has: its dead letters, and the AsyncAPI document of events."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from shared.asyncapi import asyncapi_document
from shared.auth import Principal, require_roles
from shared.dead_letters import DEAD_LETTERS
from shared.documents import to_public
from shared.pagination import Page, PageRequest, fetch_page, page_request

router = APIRouter(prefix="/v1", tags=["operations"])
Operator = Annotated[Principal, require_roles("company_admin")]


class DeadLetterPublic(BaseModel):
    id: str
    queue: str
    event_id: str | None
    event_type: str | None
    estate_id: str | None
    attempts: int
    last_error: str | None
    parked_at: datetime
    replayed_at: datetime | None


def _public(document: dict) -> DeadLetterPublic:
    return to_public(DeadLetterPublic, document)


@router.get("/admin/dead-letters", response_model=Page[DeadLetterPublic])
async def list_dead_letters(
    request: Request, principal: Operator, *, page: Annotated[PageRequest, Depends(page_request)],
    include_replayed: bool = False,
) -> Page[DeadLetterPublic]:
    # A message whose company cannot be read (not an envelope) may be anyone's: no company sees it.
    query: dict = {"company_id": principal.company_id}
    if not include_replayed:
        query["replayed_at"] = None
    collection = request.app.state.runtime.database.db[DEAD_LETTERS]
    documents, next_cursor = await fetch_page(collection, query, page=page)
    return Page(items=[_public(d) for d in documents], next_cursor=next_cursor)


@router.post("/admin/dead-letters/{dead_letter_id}/replay", response_model=DeadLetterPublic)
async def replay_dead_letter(request: Request, principal: Operator, *, dead_letter_id: str) -> DeadLetterPublic:
    keeper = request.app.state.runtime.dead_letter_keeper
    return _public(await keeper.replay(dead_letter_id, company_id=principal.company_id))


@router.get("/asyncapi.json", include_in_schema=False)
async def asyncapi() -> dict:
    return asyncapi_document()
