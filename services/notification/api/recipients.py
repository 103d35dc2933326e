"""The people notification tells: its copy of residents and staff, their contacts and preferences."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from services.notification import store
from services.notification.api.deps import Anyone, Managers
from services.notification.api.recipients_schemas import Preferences, RecipientPublic, StaffContact
from services.notification.commands import settings as commands
from shared.lookup import found
from shared.pagination import Page, PageQuery, page_of
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["notification recipients"])


def recipient_public(document: dict) -> RecipientPublic:
    return RecipientPublic(
        id=document["person_id"], estate_id=document["estate_id"], kind=document.get("kind", "resident"),
        name=document.get("name"), phone=document.get("phone"), email=document.get("email"),
        wechat_openid=document.get("wechat_openid"), language=document.get("language") or "zh",
        unit_ids=document.get("unit_ids") or [], building_ids=document.get("building_ids") or [],
        positions=document.get("positions") or [],
        channels=document.get("channels") or document.get("directory_channels") or [],
        quiet_hours=document.get("quiet_hours"), opt_out_announcements=bool(document.get("opt_out_announcements")),
        status=document.get("status") or "active")


@router.get("/estates/{estate_id}/recipients", response_model=Page[RecipientPublic])
async def list_recipients(estate_id: str, principal: Managers, *, database: DatabaseDep, page: PageQuery,
                          kind: Literal["resident", "staff"] | None = None, unit_id: str | None = None,
                          position: str | None = None) -> Page[RecipientPublic]:
    await principal.require_estate(estate_id)
    query: dict = {**principal.estate_filter(), "estate_id": estate_id}
    for field, value in (("kind", kind), ("unit_ids", unit_id), ("positions", position)):
        if value is not None:
            query[field] = value
    return await page_of(database.db[store.RECIPIENTS], query, page=page, view=recipient_public, newest_first=False)


@router.get("/estates/{estate_id}/recipients/{person_id}", response_model=RecipientPublic)
async def get_recipient(estate_id: str, person_id: str, *, principal: Managers,
                        database: DatabaseDep) -> RecipientPublic:
    await principal.require_estate(estate_id)
    document = await database.db[store.RECIPIENTS].find_one(
        {**principal.estate_filter(), "_id": store.recipient_key(estate_id, person_id)})
    return recipient_public(found(document, "recipient"))


@router.put("/estates/{estate_id}/staff/{person_id}", response_model=RecipientPublic)
async def set_staff_contact(estate_id: str, person_id: str, *, body: StaffContact, principal: Managers,
                            database: DatabaseDep) -> RecipientPublic:
    """A staff member's contacts, positions (who hears of incidents and reports) and channels."""
    await principal.require_estate(estate_id)
    document = await commands.set_preferences(database, estate_id=estate_id, company_id=principal.company_id,
                                              person_id=person_id, kind="staff", change=body.model_dump())
    return recipient_public(document)


@router.get("/estates/{estate_id}/my/preferences", response_model=RecipientPublic)
async def my_preferences(estate_id: str, principal: Anyone, *, database: DatabaseDep) -> RecipientPublic:
    await principal.require_estate(estate_id)
    document = await database.db[store.RECIPIENTS].find_one({"_id": store.recipient_key(estate_id, principal.user_id),
                                                              "company_id": principal.company_id})
    return recipient_public(found(document, "recipient"))


@router.put("/estates/{estate_id}/my/preferences", response_model=RecipientPublic)
async def set_my_preferences(estate_id: str, body: Preferences, *, principal: Anyone,
                             database: DatabaseDep) -> RecipientPublic:
    """The caller's own channels, contacts, quiet hours and whether announcements reach them."""
    await principal.require_estate(estate_id)
    kind = "resident" if "resident" in principal.roles else "staff"
    document = await commands.set_preferences(database, estate_id=estate_id, company_id=principal.company_id,
                                              person_id=principal.user_id, kind=kind, change=body.model_dump())
    return recipient_public(document)
