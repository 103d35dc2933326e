"""Intake's HTTP API for patrols (巡楼/巡检): routes, rounds, checkpoints."""

from __future__ import annotations

from fastapi import APIRouter

from services.intake.api import views
from services.intake.api.deps import Patrollers, PatrolReaders, Supervisors
from services.intake.api.patrols_schemas import PatrolRoundPublic, PatrolRoutePublic
from services.intake.commands import patrols as commands
from services.intake.commands.desk import estate_in_scope
from services.intake.commands.inputs.patrols import CheckpointRecord, PatrolRoundStart, PatrolRouteCreate
from services.intake.domain.patrols import RoundStatus
from services.intake.store import patrols as patrol_store
from shared.auth import estate_query
from shared.documents import presenter
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageQuery, page_of
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["patrols"])


@router.post("/estates/{estate_id}/patrol-routes", status_code=201, response_model=PatrolRoutePublic)
async def create_route(
    estate_id: str, body: PatrolRouteCreate, *, principal: Supervisors, database: DatabaseDep,
    idempotency_key: IdempotencyKey = None,
) -> dict:
    return await commands.create_route(database, principal, estate_id=estate_id, request=body,
                                       idempotency_key=idempotency_key,
                                       present=presenter(PatrolRoutePublic))


@router.get("/estates/{estate_id}/patrol-routes", response_model=Page[PatrolRoutePublic])
async def list_routes(estate_id: str, principal: PatrolReaders, *, database: DatabaseDep, page: PageQuery) -> Page:
    await estate_in_scope(database, principal, estate_id=estate_id)
    query = {**principal.estate_filter(), "estate_id": estate_id}
    return await page_of(database.db[patrol_store.ROUTES], query, page=page, view=PatrolRoutePublic, newest_first=False)


@router.post("/patrol-rounds", status_code=201, response_model=PatrolRoundPublic)
async def start_round(
    body: PatrolRoundStart, principal: Patrollers, *, database: DatabaseDep, idempotency_key: IdempotencyKey = None
) -> dict:
    return await commands.start_round(database, principal, request=body, idempotency_key=idempotency_key,
                                      present=presenter(views.round_public))


@router.get("/patrol-rounds", response_model=Page[PatrolRoundPublic])
async def list_rounds(
    estate_id: str, principal: PatrolReaders, *, database: DatabaseDep, page: PageQuery,
    status: RoundStatus | None = None
) -> Page:
    query = await estate_query(principal, estate_id, status=status)
    return await page_of(database.db[patrol_store.ROUNDS], query, page=page, view=views.round_public)


@router.get("/patrol-rounds/{patrol_round_id}", response_model=PatrolRoundPublic)
async def get_round(patrol_round_id: str, principal: PatrolReaders, *, database: DatabaseDep) -> PatrolRoundPublic:
    return views.round_public(await commands.find_round(database, principal, round_id=patrol_round_id))


@router.post("/patrol-rounds/{patrol_round_id}/checkpoints", response_model=PatrolRoundPublic)
async def record_checkpoint(
    patrol_round_id: str, body: CheckpointRecord, *, principal: Patrollers, database: DatabaseDep
) -> dict:
    """A checkpoint passed, or a defect (which opens a ticket with channel `patrol`); in any order, each once."""
    return views.round_public(await commands.record_checkpoint(database, principal, round_id=patrol_round_id,
                                                               request=body))


record_checkpoint.before_body = commands.patroller_check  # type: ignore[attr-defined]


@router.post("/patrol-rounds/{patrol_round_id}/complete", response_model=PatrolRoundPublic)
async def complete_round(patrol_round_id: str, principal: Patrollers, *, database: DatabaseDep) -> dict:
    """Finish the round: checkpoints not recorded are listed as missed (`intake.patrol.completed`)."""
    return views.round_public(await commands.complete_round(database, principal, round_id=patrol_round_id))
