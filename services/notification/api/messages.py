"""Notification's HTTP API: the estate's messages for its supervisors, and everyone's own inbox."""

from __future__ import annotations

from fastapi import APIRouter

from services.notification import store
from services.notification.api.deps import ESTATE_READERS, Anyone, Readers
from services.notification.api.messages_schemas import InboxItem, MessagePublic, UnreadCount
from shared.auth import Principal
from shared.documents import to_public
from shared.envelope import utcnow
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
    estate_id: str, principal: Readers, *, database: DatabaseDep, page: PageQuery,
    recipient_id: str | None = None, status: str | None = None, announcement_id: str | None = None,
) -> Page[MessagePublic]:
    await principal.require_estate(estate_id)
    query = {**_scope(principal), "estate_id": estate_id}
    if recipient_id and query.setdefault("recipient_id", recipient_id) != recipient_id:
        raise Forbidden("staff read their own messages; supervisors and managers read the estate's")
    for field, value in (("status", status), ("announcement_id", announcement_id)):
        if value is not None:
            query[field] = value
    return await page_of(database.db[store.MESSAGES], query, page=page, view=MessagePublic)


@router.get("/messages/{message_id}", response_model=MessagePublic)
async def get_message(message_id: str, principal: Readers, *, database: DatabaseDep) -> MessagePublic:
    message = found(await store.find_message(database, message_id, scope=_scope(principal)), "message")
    return to_public(MessagePublic, message)


def _own(principal: Principal, estate_id: str) -> dict:
    return {**principal.estate_filter(), "estate_id": estate_id, "recipient_id": principal.user_id}


@router.get("/estates/{estate_id}/inbox", response_model=Page[InboxItem])
async def my_inbox(estate_id: str, principal: Anyone, *, database: DatabaseDep, page: PageQuery,
                   unread: bool | None = None) -> Page[InboxItem]:
    """The caller's own messages in one estate, newest first (residents and staff alike)."""
    await principal.require_estate(estate_id)
    query = _own(principal, estate_id)
    if unread is not None:
        query["read_at"] = None if unread else {"$ne": None}
    return await page_of(database.db[store.MESSAGES], query, page=page, view=InboxItem)


@router.get("/estates/{estate_id}/inbox/unread-count", response_model=UnreadCount)
async def my_unread_count(estate_id: str, principal: Anyone, *, database: DatabaseDep) -> UnreadCount:
    await principal.require_estate(estate_id)
    unread = await database.db[store.MESSAGES].count_documents({**_own(principal, estate_id), "read_at": None})
    return UnreadCount(unread=unread)


@router.post("/estates/{estate_id}/inbox/{message_id}/read", response_model=InboxItem)
async def mark_read(estate_id: str, message_id: str, *, principal: Anyone, database: DatabaseDep) -> InboxItem:
    """Reading a message again changes nothing: its first read time stays."""
    await principal.require_estate(estate_id)
    scope = {**_own(principal, estate_id), "_id": message_id}
    # In a transaction: the deliverer writes messages in transactions (see `shared.db.Database.transaction`).
    await database.transaction(lambda uow: uow.db[store.MESSAGES].update_one(
        {**scope, "read_at": None}, {"$set": {"read_at": utcnow()}}, session=uow.session))
    return to_public(InboxItem, found(await database.db[store.MESSAGES].find_one(scope), "message"))
