"""Billing's HTTP API: the estates it bills and their fee items (with prices from a date)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.billing import store
from services.billing.api.deps import Clerks, IfMatch, Readers
from services.billing.api.fee_items_schemas import (
    BillingEstatePublic,
    FeeItemCreate,
    FeeItemPublic,
    FeeItemUpdate,
    PriceCreate,
)
from services.billing.commands import fee_items as commands
from shared.idempotency import IdempotencyKey
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["fee items"])


def _answer(response: Response, item: dict) -> dict:
    response.headers["ETag"] = f'"{item["version"]}"'
    return item


@router.get("/estates", response_model=list[BillingEstatePublic])
async def billed_estates(principal: Readers, database: DatabaseDep) -> list[BillingEstatePublic]:
    return [BillingEstatePublic(**d) for d in await store.estates_in_scope(database, principal.estate_filter())]


@router.get("/estates/{estate_id}/fee-items", response_model=list[FeeItemPublic])
async def list_fee_items(estate_id: str, principal: Readers, *, database: DatabaseDep) -> list[dict]:
    await commands.find_estate(database, principal, estate_id=estate_id)
    items = await store.find_all(database, store.FEE_ITEMS, query={**principal.estate_filter(), "estate_id": estate_id},
                                 sort=[("code", 1)])
    return [commands.item_public(item) for item in items]


@router.post("/estates/{estate_id}/fee-items", status_code=201, response_model=FeeItemPublic)
async def create_fee_item(estate_id: str, body: FeeItemCreate, *, principal: Clerks, database: DatabaseDep,
                          response: Response, idempotency_key: IdempotencyKey = None) -> dict:
    request = commands.FeeItemInput(**body.model_dump())
    return _answer(response, await commands.create_item(database, principal, estate_id=estate_id, request=request,
                                                        idempotency_key=idempotency_key))


@router.get("/fee-items/{fee_item_id}", response_model=FeeItemPublic)
async def get_fee_item(fee_item_id: str, principal: Readers, *, database: DatabaseDep, response: Response) -> dict:
    return _answer(response, commands.item_public(await commands.find_item(database, principal, item_id=fee_item_id)))


@router.patch("/fee-items/{fee_item_id}", response_model=FeeItemPublic)
async def change_fee_item(fee_item_id: str, body: FeeItemUpdate, *, principal: Clerks, database: DatabaseDep,
                          response: Response, if_match: IfMatch = None) -> dict:
    request = commands.FeeItemChange(**body.model_dump(exclude_unset=True))
    return _answer(response, await commands.change_item(database, principal, item_id=fee_item_id, request=request,
                                                        expected_version=if_match))


@router.post("/fee-items/{fee_item_id}/prices", status_code=201, response_model=FeeItemPublic)
async def add_price(fee_item_id: str, body: PriceCreate, *, principal: Clerks, database: DatabaseDep,
                    response: Response) -> dict:
    request = commands.PriceInput(**body.model_dump())
    return _answer(response, await commands.add_price(database, principal, item_id=fee_item_id, request=request))
