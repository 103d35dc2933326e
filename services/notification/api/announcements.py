"""Announcements: sent estate- or building-wide, now or later, and their progress."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.notification import store
from services.notification.api.deps import Managers
from services.notification.api.announcements_schemas import AnnouncementCreate, AnnouncementPublic
from services.notification.commands import announcements as commands
from shared.documents import to_public
from shared.idempotency import IdempotencyKey
from shared.lookup import found
from shared.pagination import Page, PageQuery, page_of
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["notification announcements"])


@router.post("/estates/{estate_id}/announcements", response_model=AnnouncementPublic, status_code=201)
async def announce(estate_id: str, body: AnnouncementCreate, *, principal: Managers, database: DatabaseDep,
                   response: Response, idempotency_key: IdempotencyKey = None) -> AnnouncementPublic:
    """Fanned out at `scheduled_at` (now when absent) to the residents in scope, on their channels."""
    await principal.require_estate(estate_id)
    announcement = await commands.create(database, estate_id=estate_id, company_id=principal.company_id,
                                         by=principal.user_id, request=body.model_dump())
    response.headers["Location"] = f"/v1/announcements/{announcement['_id']}"
    return to_public(AnnouncementPublic, announcement)


@router.get("/estates/{estate_id}/announcements", response_model=Page[AnnouncementPublic])
async def list_announcements(estate_id: str, principal: Managers, *, database: DatabaseDep,
                             page: PageQuery) -> Page[AnnouncementPublic]:
    await principal.require_estate(estate_id)
    return await page_of(database.db[store.ANNOUNCEMENTS], {**principal.estate_filter(), "estate_id": estate_id},
                         page=page, view=lambda a: to_public(AnnouncementPublic, commands.progress(a)))


@router.get("/announcements/{announcement_id}", response_model=AnnouncementPublic)
async def get_announcement(announcement_id: str, principal: Managers, *, database: DatabaseDep) -> AnnouncementPublic:
    """The announcement and its progress: residents reached so far, messages queued, deferred, sent, failed."""
    announcement = found(await database.db[store.ANNOUNCEMENTS].find_one(
        {**principal.estate_filter(), "_id": announcement_id}), "announcement")
    return to_public(AnnouncementPublic, commands.progress(announcement))
