"""The dashboards' JSON and their live stream. The pages (`dashboard_pages`) read these with the
caller's bearer token, so what a screen shows is what the API answers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse

from services.reporting.api.dashboard_schemas import (
    ChartsPublic,
    EstateBoardPublic,
    OverviewPublic,
    TilePublic,
    VersionsPublic,
)
from services.reporting.api.deps import DashboardReaders
from services.reporting.commands import dashboard, dashboard_stream
from services.reporting.settings import ReportingSettings
from services.reporting.store import dashboard_board as store
from shared.auth import Principal
from shared.envelope import utcnow
from shared.lookup import found
from shared.money import fen_to_text
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1/dashboards", tags=["dashboards"])


def _settings(request: Request) -> ReportingSettings:
    return request.app.state.settings


def _money(tile: dict[str, Any]) -> dict[str, Any]:
    billed, collected = tile.pop("billed_fen_month"), tile.pop("collected_fen_month")
    return {**tile, "billed_month": None if billed is None else fen_to_text(billed),
            "collected_month": None if collected is None else fen_to_text(collected)}


async def _estate(database, principal: Principal, *, estate_id: str) -> dict[str, Any]:
    """The estate's board, with the counters of its local today (404 outside the caller's scope)."""
    boards = await store.boards_in_scope(database, principal.estate_filter(), days=dashboard.candidate_days(utcnow()),
                                         estate_id=estate_id)
    return found(boards[0] if boards else None, "estate")


@router.get("/overview", response_model=OverviewPublic)
async def overview(request: Request, principal: DashboardReaders, *, database: DatabaseDep) -> OverviewPublic:
    """A tile per estate of the caller's scope: calls today, answer rate, open tickets and P1s,
    breaches today, this month's collection rate, each with its level (ok / amber / red)."""
    boards = await store.boards_in_scope(database, principal.estate_filter(), days=dashboard.candidate_days(utcnow()))
    tiles = await dashboard.tiles(database, boards, settings=_settings(request))
    return OverviewPublic(estates=[TilePublic(**_money(t)) for t in tiles])


@router.get("/estates/{estate_id}", response_model=EstateBoardPublic)
async def estate_board(request: Request, estate_id: str, *, principal: DashboardReaders,
                       database: DatabaseDep) -> EstateBoardPublic:
    """The estate's live board: its tile, the open work orders by status and age with their SLA
    state, the about-to-breach and breached lists, and today's timeline."""
    board = await dashboard.estate_board(database, await _estate(database, principal, estate_id=estate_id),
                                         settings=_settings(request))
    return EstateBoardPublic(**_money(board))


@router.get("/estates/{estate_id}/charts", response_model=ChartsPublic)
async def estate_charts(estate_id: str, principal: DashboardReaders, *, database: DatabaseDep) -> ChartsPublic:
    """The last 30 local days: calls, tickets by category, on-time rate, satisfaction, collection
    rate (null on a day that did not record it)."""
    return ChartsPublic(**await dashboard.charts(database, await _estate(database, principal, estate_id=estate_id)))


@router.get("/stream", response_model=VersionsPublic, responses={200: {"content": {"text/event-stream": {}}, "description": (
    "With `Accept: text/event-stream`: server-sent `versions` events (data: estate id → board version). "
    "Otherwise: the versions now, as JSON.")}})
async def stream(request: Request, principal: DashboardReaders, *, database: DatabaseDep,
                 estate_id: str | None = None) -> EventSourceResponse | VersionsPublic:
    """The board versions of the caller's estates (or of `estate_id`): a `versions` event at once
    and whenever one moves; the page then reads the JSON again. Versions are read from the
    database, so an event consumed by any replica reaches a browser connected to any other. A
    client that does not ask for `text/event-stream` gets the versions now, once."""
    if estate_id is not None:
        estate_ids = [(await _estate(database, principal, estate_id=estate_id))["_id"]]
    else:
        estate_ids = [b["_id"] for b in await store.boards_in_scope(database, principal.estate_filter(), days=[])]
    if "text/event-stream" not in request.headers.get("accept", ""):
        return VersionsPublic(versions=await store.versions(database, estate_ids))
    settings = _settings(request)
    watcher = dashboard_stream.watcher(database, settings.dashboard_stream_poll_s)

    async def versions() -> AsyncIterator[dict[str, str]]:
        async for current in watcher.watch(estate_ids, for_s=settings.dashboard_stream_max_s):
            yield {"event": "versions", "data": json.dumps(current)}

    return EventSourceResponse(versions(), ping=15)
