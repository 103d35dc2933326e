"""Reporting's figures: an estate's counters of a local day, and every figure of a day, week or month."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.reporting import store
from services.reporting.api.deps import Readers
from services.reporting.api.figures_schemas import DailyFiguresPublic, FiguresPublic
from services.reporting.commands import figures
from services.reporting.domain.figures import answered_in_time, daily_figures_id
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["reporting"])
EstateId = Annotated[str | None, Query(max_length=80, description="One estate; all of the caller's when left out")]


@router.get("/reports/daily", response_model=DailyFiguresPublic)
async def daily_figures(estate_id: str, day: date, *, principal: Readers, database: DatabaseDep) -> DailyFiguresPublic:
    """The estate's counters for one local day (zeros for a day with nothing yet; null for what is unknown)."""
    await principal.require_estate(estate_id)
    document = await store.find_day(database, daily_figures_id(estate_id, day), scope=principal.estate_filter())
    document = document or {"estate_id": estate_id, "day": day.isoformat()}
    answered, why_unknown = answered_in_time(document)
    unknown = {"contacts_answered_within_15s": why_unknown} if why_unknown else {}
    return DailyFiguresPublic(**{**document, "contacts_answered_within_15s": answered, "unknown": unknown})


@router.get("/figures", response_model=FiguresPublic)
async def period_figures(
    principal: Readers, database: DatabaseDep, *, day: date,
    period: Literal["day", "week", "month"] = "day", estate_id: EstateId = None,
) -> dict:
    """Every figure of an estate (or, without `estate_id`, of all the caller's estates together) for the
    local day, its week (Monday to Sunday) or its month."""
    figures.check_day(day)
    scope = await figures.scope_of(principal, estate_id)
    return await figures.figures_of_period(database, scope, day=day, period=period)
