"""Intake's HTTP API: translate, call the command, answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from services.intake import commands, store
from services.intake.api.deps import FrontDesk
from services.intake.api.schemas import ContactCreate, ContactPublic, EstateCreate, EstatePublic
from shared.auth import CurrentPrincipal, Principal, require_roles
from shared.errors import NotFound
from shared.idempotency import IdempotencyKey
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["intake"])
Admin = Annotated[Principal, require_roles("company_admin")]


@router.post("/estates", status_code=201, response_model=EstatePublic)
async def register_estate(
    body: EstateCreate, principal: Admin, database: DatabaseDep, idempotency_key: IdempotencyKey = None
) -> dict:
    return await commands.register_estate(database, principal, body, idempotency_key=idempotency_key)


@router.get("/estates/{estate_id}", response_model=EstatePublic)
async def get_estate(estate_id: str, principal: CurrentPrincipal, database: DatabaseDep) -> EstatePublic:
    return commands.estate_public(await commands.find_estate_in_scope(database, principal, estate_id))


@router.post("/contacts", status_code=201, response_model=ContactPublic)
async def log_contact(
    body: ContactCreate, principal: FrontDesk, database: DatabaseDep, idempotency_key: IdempotencyKey = None
) -> dict:
    return await commands.log_contact(database, principal, body, idempotency_key=idempotency_key)


@router.get("/contacts/{contact_id}", response_model=ContactPublic)
async def get_contact(contact_id: str, principal: FrontDesk, database: DatabaseDep) -> ContactPublic:
    contact = await store.find_contact(database, contact_id, principal.estate_filter())
    if contact is None:
        raise NotFound("contact")
    ticket = contact["ticket_id"] and await store.find_ticket(database, contact["ticket_id"], principal.estate_filter())
    return commands.contact_public(contact, ticket or None)
