"""Dispatch's HTTP API of the duty desk: handovers, the duty screen, duty posts, spot checks, emergency contacts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.dispatch.api import views
from services.dispatch.api.deps import Readers, Staff, Supervisors
from services.dispatch.api.handover_schemas import (
    DutyPostsPublic,
    DutyScreen,
    EmergencyContactsPublic,
    HandoverPublic,
    SpotCheckPublic,
)
from services.dispatch.commands import handover as commands
from services.dispatch.commands.inputs.handover import (
    DutyPostsUpdate,
    EmergencyContactsUpdate,
    HandoverAcknowledge,
    HandoverCreate,
    SpotCheckCreate,
)
from services.dispatch.commands.inputs.work_orders import Department
from services.dispatch.store import handover as store
from shared.auth import estate_query
from shared.db import Database
from shared.documents import presenter
from shared.estates import estate_time_zone
from shared.idempotency import IdempotencyKey
from shared.lookup import found
from shared.pagination import Page, PageQuery, fetch_page, page_of
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["shift handover and duty"])
PostQuery = Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9_-]{1,39}$")]


@router.post("/handovers", status_code=201, response_model=HandoverPublic)
async def file_handover(body: HandoverCreate, principal: Staff, *, database: DatabaseDep) -> dict:
    """At shift end: the open work orders, tickets and incidents are collected; the checklist and round are given."""
    return await _handover_answer(database, await commands.file_handover(database, principal, request=body))


@router.post("/handovers/{handover_id}/acknowledge", response_model=HandoverPublic)
async def acknowledge_handover(
    handover_id: str, body: HandoverAcknowledge, *, principal: Staff, database: DatabaseDep
) -> dict:
    """The incoming person takes over, once (409 after), noting discrepancies; not the one who filed it (409)."""
    handover = await commands.acknowledge_handover(database, principal, handover_id=handover_id, request=body)
    return await _handover_answer(database, handover)


async def _handover_answer(database: Database, handover: dict) -> HandoverPublic:
    return views.handover_public(handover, await estate_time_zone(database, handover["estate_id"]))


@router.get("/handovers/{handover_id}", response_model=HandoverPublic)
async def get_handover(handover_id: str, principal: Readers, *, database: DatabaseDep) -> dict:
    document = found(await store.find_handover(database, handover_id, scope=principal.estate_filter()), "handover")
    return views.handover_public(document, await estate_time_zone(database, document["estate_id"]))


@router.get("/handovers", response_model=Page[HandoverPublic])
async def list_handovers(
    estate_id: str, principal: Readers, *, database: DatabaseDep, page: PageQuery, post: PostQuery = None,
    department: Department | None = None,
) -> Page[HandoverPublic]:
    query = await estate_query(principal, estate_id, post=post, department=department)
    documents, next_cursor = await fetch_page(database.db[store.HANDOVERS], query, page=page)
    time_zone = await estate_time_zone(database, estate_id)
    return Page(items=[views.handover_public(d, time_zone) for d in documents], next_cursor=next_cursor)


@router.get("/estates/{estate_id}/duty-screen", response_model=DutyScreen)
async def duty_screen(
    estate_id: str, principal: Readers, *, database: DatabaseDep, department: Department | None = None,
    post: PostQuery = None,
) -> dict:
    """The start of a shift: the previous handover, what of it is still open, yesterday's figures, contacts."""
    await principal.require_estate(estate_id)
    screen = await commands.duty_screen(database, estate_id, department=department, post=post)
    previous = screen["previous_handover"]
    return {**screen, "previous_handover": previous and views.handover_public(previous, screen["time_zone"])}


@router.put("/estates/{estate_id}/duty-posts", response_model=DutyPostsPublic)
async def set_duty_posts(estate_id: str, body: DutyPostsUpdate, *, principal: Supervisors,
                         database: DatabaseDep) -> dict:
    """The posts and shifts that must end with a handover. At a shift's end without one, its staff on duty are
    told it is due; still none after the grace period (`grace_s`), it is flagged to the supervisor."""
    return await commands.set_duty_posts(database, principal, estate_id=estate_id, request=body)


@router.get("/estates/{estate_id}/duty-posts", response_model=DutyPostsPublic)
async def get_duty_posts(estate_id: str, principal: Readers, *, database: DatabaseDep) -> dict:
    await principal.require_estate(estate_id)
    return await store.duty_posts(database, estate_id) or {"estate_id": estate_id, "posts": []}


@router.post("/spot-checks", status_code=201, response_model=SpotCheckPublic)
async def record_spot_check(
    body: SpotCheckCreate, principal: Supervisors, *, database: DatabaseDep, idempotency_key: IdempotencyKey = None
) -> dict:
    """值班抽查: a supervisor's check of a post; it goes into the duty ledger."""
    return await commands.record_spot_check(database, principal, request=body, idempotency_key=idempotency_key,
                                            present=presenter(views.spot_check_public))


@router.get("/spot-checks", response_model=Page[SpotCheckPublic])
async def list_spot_checks(
    estate_id: str, principal: Readers, *, database: DatabaseDep, page: PageQuery
) -> Page[SpotCheckPublic]:
    query = await estate_query(principal, estate_id)
    return await page_of(database.db[store.SPOT_CHECKS], query, page=page, view=views.spot_check_public)


@router.put("/estates/{estate_id}/emergency-contacts", response_model=EmergencyContactsPublic)
async def set_emergency_contacts(
    estate_id: str, body: EmergencyContactsUpdate, *, principal: Supervisors, database: DatabaseDep
) -> dict:
    """派出所、消防、医院、供水、供气、供电: on the duty screen and in every P1 escalation."""
    await principal.require_estate(estate_id)
    contacts = [c.model_dump() for c in body.contacts]
    return await database.transaction(lambda uow: store.set_emergency_contacts(uow, estate_id, contacts=contacts))


@router.get("/estates/{estate_id}/emergency-contacts", response_model=EmergencyContactsPublic)
async def get_emergency_contacts(estate_id: str, principal: Readers, *, database: DatabaseDep) -> dict:
    await principal.require_estate(estate_id)
    return {"estate_id": estate_id, "contacts": await store.emergency_contacts(database, estate_id)}
