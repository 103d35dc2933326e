"""The event archive: every event reporting consumed, page by page."""

from __future__ import annotations

from fastapi import APIRouter

from services.reporting import store
from services.reporting.api.deps import Readers
from services.reporting.api.events_schemas import ArchivedEventPublic
from shared.auth import estate_query
from shared.pagination import Page, PageQuery, fetch_page
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["reporting"])


@router.get("/events", response_model=Page[ArchivedEventPublic])
async def archived_events(
    estate_id: str, principal: Readers, *, database: DatabaseDep, page: PageQuery,
) -> Page[ArchivedEventPublic]:
    query = await estate_query(principal, estate_id)
    documents, next_cursor = await fetch_page(database.db[store.EVENTS], query, page=page)
    items = [ArchivedEventPublic(id=d["_id"], data=d["envelope"]["data"], **d) for d in documents]
    return Page(items=items, next_cursor=next_cursor)
