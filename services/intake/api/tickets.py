"""Intake's HTTP API for tickets, their life cycle, estate ticket settings and follow-ups."""

# No `from __future__ import annotations` here: the command routes are built in a loop, and
# FastAPI must see their annotations as objects, not as names to look up later.

from typing import Literal

from fastapi import APIRouter

from services.intake import commands, store
from services.intake.api import views
from services.intake.api.contacts_schemas import TicketPublic
from services.intake.api.deps import DeskReaders, FrontDesk, Reporters, Supervisors, TicketReaders
from services.intake.api.tickets_schemas import FollowUpPublic, TicketSettingsPublic
from services.intake.commands import ticket_settings
from services.intake.commands.inputs.tickets import (
    AttemptCreate,
    OptionalReason,
    ReasonRequest,
    ResolveRequest,
    TicketCreate,
    TicketPatch,
    TicketSettingsUpdate,
)
from services.intake.domain.tickets import Category, Priority, Status
from services.intake.store import tickets as ticket_store
from shared.idempotency import IdempotencyKey
from shared.lookup import found
from shared.pagination import Page, PageQuery, page_of
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["tickets"])


@router.post("/tickets", status_code=201, response_model=TicketPublic)
async def create_ticket(
    body: TicketCreate, principal: Reporters, *, database: DatabaseDep, idempotency_key: IdempotencyKey = None
) -> dict:
    """A request from the app or WeChat; a resident may report for their own units only (another unit: 404)."""
    return await commands.create_ticket(database, principal, request=body, idempotency_key=idempotency_key,
                                        present=views.logged_contact)


@router.get("/tickets/{ticket_id}", response_model=TicketPublic)
async def get_ticket(ticket_id: str, principal: TicketReaders, *, database: DatabaseDep) -> TicketPublic:
    ticket = found(await store.find_ticket(database, ticket_id, scope=commands.ticket_scope(principal)), "ticket")
    return views.ticket_public(ticket)


@router.get("/tickets", response_model=Page[TicketPublic])
async def list_tickets(
    estate_id: str, principal: TicketReaders, *, database: DatabaseDep, page: PageQuery,
    status: Status | None = None, category: Category | None = None, priority: Priority | None = None,
    unit_id: str | None = None, number: str | None = None,
) -> Page[TicketPublic]:
    """Newest first; a resident sees the tickets of their own units."""
    await principal.require_estate(estate_id)
    filters = {"status": status, "category": category, "priority": priority, "unit_id": unit_id, "number": number}
    query = {**commands.ticket_scope(principal), "estate_id": estate_id, **{k: v for k, v in filters.items() if v}}
    if unit_id and commands.is_resident(principal) and unit_id not in principal.unit_ids:
        return Page(items=[])
    return await page_of(database.db[store.TICKETS], query, page=page, view=views.ticket_public)


@router.patch("/tickets/{ticket_id}", response_model=TicketPublic)
async def patch_ticket(ticket_id: str, body: TicketPatch, *, principal: FrontDesk, database: DatabaseDep) -> dict:
    """Correct priority, promised reply time, subcategory, location, building or extra fields (kept in history)."""
    return views.ticket_public(await commands.patch_ticket(database, principal, ticket_id=ticket_id, request=body))


def _command_route(command: str, body_model: type, *, summary: str) -> None:
    async def endpoint(ticket_id: str, body: body_model, *, principal: FrontDesk, database: DatabaseDep) -> dict:  # type: ignore[valid-type]
        changed = await commands.change_ticket(database, principal, ticket_id=ticket_id, command=command,
                                               reason=getattr(body, "reason", None),
                                               resolution=getattr(body, "resolution", None))
        return views.ticket_public(changed)

    endpoint.__name__ = f"{command}_ticket"
    router.add_api_route(f"/tickets/{{ticket_id}}/{command}", endpoint, methods=["POST"],
                         response_model=TicketPublic, summary=summary)


for _command, _body, _summary in [
    ("resolve", ResolveRequest, "Resolved at the desk (a repair, complaint or help request then gets its follow-up)"),
    ("reopen", ReasonRequest, "The resident is not satisfied: back to in_progress"),
    ("close", OptionalReason, "Close a resolved or followed-up ticket (not while its follow-up is due)"),
    ("cancel", ReasonRequest, "Withdrawn, or a duplicate: an open or in-progress ticket is cancelled"),
]:
    _command_route(_command, _body, summary=_summary)


@router.get("/estates/{estate_id}/ticket-settings", response_model=TicketSettingsPublic)
async def get_ticket_settings(estate_id: str, principal: DeskReaders, *, database: DatabaseDep) -> TicketSettingsPublic:
    return views.settings_public(estate_id,
                                 await ticket_settings.get_settings(database, principal, estate_id=estate_id))


@router.put("/estates/{estate_id}/ticket-settings", response_model=TicketSettingsPublic)
async def put_ticket_settings(
    estate_id: str, body: TicketSettingsUpdate, *, principal: Supervisors, database: DatabaseDep
) -> TicketSettingsPublic:
    """The estate's own subcategories, extra ticket fields and priority keyword rules (added to the defaults)."""
    return views.settings_public(estate_id, await ticket_settings.put_settings(database, principal, estate_id=estate_id,
                                                                               request=body))


@router.get("/follow-ups", response_model=Page[FollowUpPublic])
async def list_follow_ups(
    estate_id: str, principal: TicketReaders, *, database: DatabaseDep, page: PageQuery,
    state: Literal["due", "completed", "unreachable", "withdrawn"] | None = None, ticket_id: str | None = None,
) -> Page[FollowUpPublic]:
    """The follow-up queue, oldest first (`state=due`); a resident sees their own units' follow-ups."""
    await principal.require_estate(estate_id)
    filters = {"state": state, "ticket_id": ticket_id}
    query = {**commands.ticket_scope(principal), "estate_id": estate_id, **{k: v for k, v in filters.items() if v}}
    return await page_of(database.db[ticket_store.FOLLOW_UPS], query, page=page, view=views.follow_up_public,
                         newest_first=False)


@router.get("/follow-ups/{follow_up_id}", response_model=FollowUpPublic)
async def get_follow_up(follow_up_id: str, principal: TicketReaders, *, database: DatabaseDep) -> FollowUpPublic:
    follow_up = found(
        await ticket_store.find_follow_up(database, follow_up_id, scope=commands.ticket_scope(principal)), "follow-up"
    )
    return views.follow_up_public(follow_up)


@router.post("/follow-ups/{follow_up_id}/attempts", status_code=201, response_model=FollowUpPublic)
async def record_attempt(follow_up_id: str, body: AttemptCreate, *, principal: Reporters,
                         database: DatabaseDep) -> dict:
    """Reached with a score (1–2 reopens the ticket, 3–5 follows it up), or not reached (the third: unreachable)."""
    return views.follow_up_public(await commands.record_attempt(database, principal, follow_up_id=follow_up_id,
                                                                request=body))
