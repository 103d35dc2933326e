"""Intake's HTTP API for incidents (突发事件): declare, match, link, change status, read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.intake.api.deps import DeskReaders, FrontDesk, Supervisors
from services.intake.api.incidents_schemas import IncidentMatches, IncidentPublic
from services.intake.commands import incidents as commands
from services.intake.commands.inputs.incidents import IncidentCreate, IncidentStatusChange, TicketLink
from services.intake.domain.incidents import Report, Status
from services.intake.domain.tickets import Category
from services.intake.store import incidents as incident_store
from shared.auth import estate_query
from shared.documents import presenter, to_public
from shared.envelope import utcnow
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageQuery, page_of
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["incidents"])


@router.post("/incidents", status_code=201, response_model=IncidentPublic)
async def declare_incident(
    body: IncidentCreate, principal: FrontDesk, *, database: DatabaseDep, idempotency_key: IdempotencyKey = None
) -> dict:
    """Declare an incident: the supervisor and the estate manager are told at once (through dispatch)."""
    return await commands.declare_incident(database, principal, request=body, idempotency_key=idempotency_key,
                                           present=presenter(IncidentPublic))


@router.get("/incidents/matches", response_model=IncidentMatches)
async def incident_matches(
    estate_id: str, principal: DeskReaders, *, database: DatabaseDep, category: Category | None = None,
    subcategory: Annotated[str | None, Query(max_length=60)] = None,
    building_id: Annotated[str | None, Query(max_length=60)] = None,
    location: Annotated[str | None, Query(max_length=200)] = None,
) -> IncidentMatches:
    """Before a ticket is opened: which open incident the call is about (then name it in `ticket.incident_id`)."""
    await principal.require_estate(estate_id)
    found = await commands.matches_for(database, estate_id, report=Report(category, subcategory, building_id, location),
                                       now=utcnow())
    return IncidentMatches(items=[to_public(IncidentPublic, i) for i in found])


@router.get("/tickets/{ticket_id}/incident-matches", response_model=IncidentMatches)
async def ticket_incident_matches(ticket_id: str, principal: DeskReaders, *, database: DatabaseDep) -> dict:
    matches = await commands.matches_for_ticket(database, principal, ticket_id=ticket_id)
    return {**matches, "items": [to_public(IncidentPublic, i) for i in matches["items"]]}


@router.get("/incidents", response_model=Page[IncidentPublic])
async def list_incidents(
    estate_id: str, principal: DeskReaders, *, database: DatabaseDep, page: PageQuery,
    status: Status | None = None,
) -> Page[IncidentPublic]:
    query = await estate_query(principal, estate_id, status=status)
    return await page_of(database.db[incident_store.INCIDENTS], query, page=page, view=IncidentPublic)


@router.get("/incidents/{incident_id}", response_model=IncidentPublic)
async def get_incident(incident_id: str, principal: DeskReaders, *, database: DatabaseDep) -> IncidentPublic:
    return to_public(IncidentPublic,
                     await commands.find_incident_in_scope(database, principal, incident_id=incident_id))


@router.post("/incidents/{incident_id}/tickets", response_model=IncidentPublic)
async def link_ticket(incident_id: str, body: TicketLink, *, principal: FrontDesk, database: DatabaseDep) -> dict:
    """Group a ticket under the incident; dispatch cancels the ticket's own work order."""
    return to_public(IncidentPublic,
                     await commands.link_ticket(database, principal, incident_id=incident_id, ticket_id=body.ticket_id))


@router.post("/incidents/{incident_id}/status", response_model=IncidentPublic)
async def change_status(
    incident_id: str, body: IncidentStatusChange, *, principal: Supervisors, database: DatabaseDep
) -> dict:
    """open → investigating → resolved (resolving resolves every ticket in it); 409 otherwise."""
    return to_public(IncidentPublic,
                     await commands.change_status(database, principal, incident_id=incident_id, request=body))
