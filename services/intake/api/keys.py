"""Intake's HTTP API for the key register and lost property: translate, call the command, answer."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from services.intake.api.deps import DeskReaders, FrontDesk, Supervisors
from services.intake.api.keys_schemas import KeyLoanPublic, KeyPublic, LostItemPublic, LostPropertySettingsPublic
from services.intake.commands import keys as commands
from services.intake.commands.inputs.keys import (
    KeyCreate,
    KeyLoanCreate,
    KeyReturnCreate,
    LostItemClaim,
    LostItemCreate,
    LostItemDisposal,
    LostPropertySettings,
)
from services.intake.domain.keys import DEFAULT_KEEP_DAYS, KeyKind
from services.intake.store import keys as store
from shared.auth import estate_query
from shared.documents import presenter, to_public
from shared.envelope import utcnow
from shared.idempotency import IdempotencyKey
from shared.lookup import found
from shared.pagination import Page, PageQuery, PageRequest, page_of
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["keys and lost property"])


async def _page(database, collection: str, *, query: dict, page: PageRequest, model, newest_first: bool = True):
    return await page_of(database.db[collection], query, page=page, view=model, newest_first=newest_first)


@router.post("/keys", status_code=201, response_model=KeyPublic)
async def register_key(body: KeyCreate, principal: FrontDesk, *, database: DatabaseDep,
                       idempotency_key: IdempotencyKey = None) -> dict:
    """Register a key the service centre keeps (a unit's key left by its owner, a plant room, a master key)."""
    return await commands.register_key(database, principal, request=body, idempotency_key=idempotency_key,
                                       present=presenter(KeyPublic))


@router.get("/keys", response_model=Page[KeyPublic])
async def list_keys(estate_id: str, principal: DeskReaders, *, database: DatabaseDep, page: PageQuery,
                    kind: KeyKind | None = None, status: Literal["in", "out"] | None = None,
                    unit_id: str | None = None) -> Page[KeyPublic]:
    query = await estate_query(principal, estate_id, kind=kind, status=status, unit_id=unit_id)
    return await _page(database, store.KEYS, query=query, page=page, model=KeyPublic, newest_first=False)


@router.get("/keys/{key_id}", response_model=KeyPublic)
async def get_key(key_id: str, principal: DeskReaders, *, database: DatabaseDep) -> KeyPublic:
    key = found(await store.find(database, store.KEYS, document_id=key_id, scope=principal.estate_filter()), "key")
    return to_public(KeyPublic, key)


@router.post("/keys/{key_id}/lend", status_code=201, response_model=KeyLoanPublic)
async def lend_key(key_id: str, body: KeyLoanCreate, *, principal: FrontDesk, database: DatabaseDep) -> dict:
    """Lend the key: who, why, witnessed by whom. A key already out: 409."""
    return to_public(KeyLoanPublic, await commands.lend_key(database, principal, key_id=key_id, request=body))


@router.post("/keys/{key_id}/return", response_model=KeyLoanPublic)
async def return_key(key_id: str, body: KeyReturnCreate, *, principal: FrontDesk, database: DatabaseDep) -> dict:
    return to_public(KeyLoanPublic, await commands.return_key(database, principal, key_id=key_id, request=body))


@router.get("/keys/{key_id}/loans", response_model=Page[KeyLoanPublic])
async def key_loans(key_id: str, principal: DeskReaders, *, database: DatabaseDep,
                    page: PageQuery) -> Page[KeyLoanPublic]:
    """Every loan of the key, newest first."""
    key = found(await store.find(database, store.KEYS, document_id=key_id, scope=principal.estate_filter()), "key")
    query = {"estate_id": key["estate_id"], "key_id": key_id}
    return await _page(database, store.KEY_LOANS, query=query, page=page, model=KeyLoanPublic)


@router.get("/estates/{estate_id}/keys/outstanding", response_model=Page[KeyLoanPublic])
async def outstanding_keys(
    estate_id: str, principal: DeskReaders, *, database: DatabaseDep, page: PageQuery,
    lent_before: Annotated[AwareDatetime | None, Query(description="Only loans made before this time")] = None,
) -> Page[KeyLoanPublic]:
    """Keys lent and not returned, oldest loan first: what the shift handover lists."""
    query = {**await estate_query(principal, estate_id), "returned_at": None}
    if lent_before is not None:
        query["lent_at"] = {"$lt": lent_before}
    return await _page(database, store.KEY_LOANS, query=query, page=page, model=KeyLoanPublic, newest_first=False)


@router.post("/lost-items", status_code=201, response_model=LostItemPublic)
async def register_lost_item(body: LostItemCreate, principal: FrontDesk, *, database: DatabaseDep,
                             idempotency_key: IdempotencyKey = None) -> dict:
    """Register an item found on the estate; it is kept for the estate's keeping time."""
    return await commands.register_lost_item(database, principal, request=body, idempotency_key=idempotency_key,
                                             present=presenter(LostItemPublic))


@router.get("/lost-items", response_model=Page[LostItemPublic])
async def list_lost_items(estate_id: str, principal: DeskReaders, *, database: DatabaseDep, page: PageQuery,
                          status: Literal["held", "claimed", "disposed"] | None = None) -> Page[LostItemPublic]:
    query = await estate_query(principal, estate_id, status=status)
    return await _page(database, store.LOST_ITEMS, query=query, page=page, model=LostItemPublic)


@router.get("/lost-items/{lost_item_id}", response_model=LostItemPublic)
async def get_lost_item(lost_item_id: str, principal: DeskReaders, *, database: DatabaseDep) -> LostItemPublic:
    item = found(await store.find(database, store.LOST_ITEMS, document_id=lost_item_id,
                                  scope=principal.estate_filter()), "lost item")
    return to_public(LostItemPublic, item)


@router.post("/lost-items/{lost_item_id}/claim", response_model=LostItemPublic)
async def claim_lost_item(lost_item_id: str, body: LostItemClaim, *, principal: FrontDesk,
                          database: DatabaseDep) -> dict:
    """Hand the item to its owner, identity checked (the document number is kept masked)."""
    return to_public(LostItemPublic,
                     await commands.claim_lost_item(database, principal, item_id=lost_item_id, request=body))


@router.post("/lost-items/{lost_item_id}/dispose", response_model=LostItemPublic)
async def dispose_lost_item(lost_item_id: str, body: LostItemDisposal, *, principal: Supervisors,
                            database: DatabaseDep) -> dict:
    """Dispose of an unclaimed item whose keeping time is over (409 before)."""
    return to_public(LostItemPublic,
                     await commands.dispose_lost_item(database, principal, item_id=lost_item_id, request=body))


@router.get("/estates/{estate_id}/lost-items/due-for-disposal", response_model=Page[LostItemPublic])
async def lost_items_due(
    estate_id: str, principal: DeskReaders, *, database: DatabaseDep, page: PageQuery,
    at: Annotated[AwareDatetime | None, Query(description="Due by this time; now by default")] = None,
) -> Page[LostItemPublic]:
    """Items still held whose keeping time is over, oldest first."""
    query = {**await estate_query(principal, estate_id, status="held"), "keep_until": {"$lte": at or utcnow()}}
    return await _page(database, store.LOST_ITEMS, query=query, page=page, model=LostItemPublic, newest_first=False)


@router.put("/estates/{estate_id}/lost-property-settings", response_model=LostPropertySettingsPublic)
async def set_lost_property_settings(estate_id: str, body: LostPropertySettings, *, principal: Supervisors,
                                     database: DatabaseDep) -> LostPropertySettingsPublic:
    """How long unclaimed items are kept (applies to items registered from now on)."""
    await commands.set_keep_days(database, principal, estate_id=estate_id, days=body.keep_days)
    return LostPropertySettingsPublic(estate_id=estate_id, keep_days=body.keep_days)


@router.get("/estates/{estate_id}/lost-property-settings", response_model=LostPropertySettingsPublic)
async def get_lost_property_settings(estate_id: str, principal: DeskReaders, *, database: DatabaseDep
                                     ) -> LostPropertySettingsPublic:
    await principal.require_estate(estate_id)
    return LostPropertySettingsPublic(estate_id=estate_id,
                                      keep_days=await store.keep_days(database, estate_id, default=DEFAULT_KEEP_DAYS))
