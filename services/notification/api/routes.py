"""Notification's HTTP API: the messages the local provider keeps."""

from __future__ import annotations

from fastapi import APIRouter

from services.notification import store
from services.notification.api.deps import ESTATE_READERS, Readers
from services.notification.api.schemas import MessagePublic
from shared.auth import Principal
from shared.documents import to_public
from shared.errors import Forbidden
from shared.lookup import found
from shared.pagination import Page, PageQuery, page_of
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["notification"])


def _scope(principal: Principal) -> dict:
    scope = principal.estate_filter()
    if not ESTATE_READERS.intersection(principal.roles):
        scope["recipient_id"] = principal.user_id
    return scope


@router.get("/messages", response_model=Page[MessagePublic])
async def list_messages(
    estate_id: str, principal: Readers, database: DatabaseDep, page: PageQuery,
    recipient_id: str | None = None,
) -> Page[MessagePublic]:
    await principal.require_estate(estate_id)
    query = {**_scope(principal), "estate_id": estate_id}
    if recipient_id and query.setdefault("recipient_id", recipient_id) != recipient_id:
        raise Forbidden("staff read their own messages; supervisors and managers read the estate's")
    return await page_of(database.db[store.MESSAGES], query, page, view=MessagePublic)


@router.get("/messages/{message_id}", response_model=MessagePublic)
async def get_message(message_id: str, principal: Readers, database: DatabaseDep) -> MessagePublic:
    message = found(await store.find_message(database, message_id, _scope(principal)), "message")
    return to_public(MessagePublic, message)
