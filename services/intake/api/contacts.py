"""Intake's HTTP API for estates and contacts (the call log): translate, call the command, answer."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.intake import commands, store
from services.intake.api import views
from services.intake.api.contacts_schemas import ContactPublic, EstatePublic
from services.intake.api.deps import CompanyAdmins, FrontDesk
from services.intake.commands import call_log
from services.intake.commands.inputs.contacts import Channel, ContactCreate, EstateCreate
from services.intake.domain import call_log as call_log_rules
from shared.auth import CurrentPrincipal
from shared.documents import presenter
from shared.idempotency import IdempotencyKey
from shared.lookup import found
from shared.pagination import Page, PageQuery
from shared.service import DatabaseDep
from shared.spreadsheets import XLSX_MEDIA_TYPE, download

router = APIRouter(prefix="/v1", tags=["intake"])


@router.post("/estates", status_code=201, response_model=EstatePublic)
async def register_estate(
    body: EstateCreate, principal: CompanyAdmins, *, database: DatabaseDep, idempotency_key: IdempotencyKey = None
) -> dict:
    return await commands.register_estate(database, principal, request=body, idempotency_key=idempotency_key,
                                          present=presenter(views.estate_public))


@router.get("/estates/{estate_id}", response_model=EstatePublic)
async def get_estate(estate_id: str, principal: CurrentPrincipal, *, database: DatabaseDep) -> EstatePublic:
    return views.estate_public(await commands.find_estate_in_scope(database, principal, estate_id=estate_id))


@router.post("/contacts", status_code=201, response_model=ContactPublic)
async def log_contact(
    body: ContactCreate, principal: FrontDesk, *, database: DatabaseDep, idempotency_key: IdempotencyKey = None
) -> dict:
    return await commands.log_contact(database, principal, request=body, idempotency_key=idempotency_key,
                                      present=views.logged_contact)


@router.get("/contacts", response_model=Page[ContactPublic], responses={200: {"content": {
    "text/csv": {}, XLSX_MEDIA_TYPE: {}}, "description": "A page of the log, or the whole log as a file"}})
async def list_contacts(
    estate_id: str, principal: FrontDesk, *, database: DatabaseDep, page: PageQuery,
    day: Annotated[date | None, Query(description="The estate's local day")] = None,
    channel: Channel | None = None, agent_id: Annotated[str | None, Query(max_length=60)] = None,
    outcome: Literal["answered", "ticket_opened"] | None = None,
    answered_in_time: Annotated[bool | None, Query(description="Answered within 15 s (three rings)")] = None,
    format: Literal["json", "csv", "xlsx"] = "json",
):
    """The call log (来电记录), newest first in pages; `format=csv|xlsx` downloads every matching contact,
    oldest first, with times in the estate's local time."""
    conditions = call_log_rules.filters(channel=channel, agent_id=agent_id, outcome=outcome,
                                        answered_in_time=answered_in_time)
    if format != "json":
        rows = await call_log.contacts_table(database, principal, estate_id=estate_id, day=day, conditions=conditions)
        name = f"contacts-{estate_id}" + (f"-{day.isoformat()}" if day else "")
        return download(format, name, headings=call_log_rules.HEADINGS, rows=rows,
                        title=day.isoformat() if day else "来电记录")
    documents, next_cursor = await call_log.contacts_page(database, principal, estate_id=estate_id, day=day,
                                                          conditions=conditions, page=page)
    return Page(items=[views.contact_public(d, None) for d in documents], next_cursor=next_cursor)


@router.get("/contacts/{contact_id}", response_model=ContactPublic)
async def get_contact(contact_id: str, principal: FrontDesk, *, database: DatabaseDep) -> ContactPublic:
    contact = found(await store.find_contact(database, contact_id, scope=principal.estate_filter()), "contact")
    ticket = contact["ticket_id"] and await store.find_ticket(database, contact["ticket_id"],
                                                              scope=principal.estate_filter())
    return views.contact_public(contact, ticket or None)
