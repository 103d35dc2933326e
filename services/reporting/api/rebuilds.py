"""Operators rebuild the read models from the archive (the live path keeps consuming meanwhile)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.reporting.api.deps import Operators
from services.reporting.commands import rebuild
from services.reporting.store import rebuilds
from shared.lookup import found
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1/admin", tags=["read models"])


class RebuildCreate(BaseModel):
    model_config = {"extra": "forbid"}
    swap_when_ready: bool = Field(
        default=True, description="Swap the rebuilt figures in at once; false keeps both current until a swap")


class RebuildPublic(BaseModel):
    rebuild_id: str
    state: str = Field(description="building, ready (both kept current), done or failed")
    swap_when_ready: bool
    started_at: datetime
    finished_at: datetime | None = None
    applied: int = Field(default=0, description="Archived events the rebuild applied itself (the rest came live)")
    applied_so_far: int = 0
    live: str = Field(default="", description="The suffix of the read-model collections answering reads "
                                              "(\"\" or \"__rebuild\"); a swap changes it, a rebuild fills the other set")


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
