"""Operators rebuild the read models from the archive (the live path keeps consuming meanwhile)."""

from __future__ import annotations

from fastapi import APIRouter

from services.reporting.api.deps import Operators
from services.reporting.api.rebuilds_schemas import RebuildCreate, RebuildPublic
from services.reporting.commands import rebuild
from services.reporting.store import rebuilds
from shared.lookup import found
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1/admin", tags=["read models"])


@router.post("/read-model-rebuilds", status_code=202, response_model=RebuildPublic)
async def start_rebuild(body: RebuildCreate, principal: Operators, *, database: DatabaseDep) -> dict:
    """Rebuild every read model from the event archive into fresh collections, then swap them in."""
    return await rebuild.start(database, swap_when_ready=body.swap_when_ready)


@router.get("/read-model-rebuilds/current", response_model=RebuildPublic)
async def current_rebuild(principal: Operators, database: DatabaseDep) -> dict:
    return found(await rebuilds.current(database), "rebuild")


@router.post("/read-model-rebuilds/current/swap", response_model=RebuildPublic)
async def swap_rebuild(principal: Operators, database: DatabaseDep) -> dict:
    """Swap a ready rebuild in (one started with `swap_when_ready: false`)."""
    state = found(await rebuilds.current(database), "rebuild")
    await rebuild.swap(database, state["rebuild_id"])
    return await rebuilds.current(database)
