"""Intake's HTTP API for quality checks (质检/监听): samples, checks, scores per agent and month."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.intake.api import views
from services.intake.api.deps import Analysts, QualityReaders, Supervisors
from services.intake.api.quality_schemas import AgentMonthScores, QualityCheckPublic, SamplePublic
from services.intake.commands import quality as commands
from services.intake.commands.inputs.quality import QualityCheckCreate, SampleCreate
from services.intake.store import quality as quality_store
from shared.documents import presenter, to_public
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageQuery, page_of
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["quality checks"])
Month = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="The estate's local month, 2026-11")]


@router.post("/quality-samples", status_code=201, response_model=SamplePublic)
async def draw_sample(
    body: SampleCreate, principal: Supervisors, *, database: DatabaseDep, idempotency_key: IdempotencyKey = None
) -> dict:
    """`size` contacts of the period: at random, or targeted (complaints, late answers, long calls)."""
    return await commands.draw_sample(database, principal, request=body, idempotency_key=idempotency_key,
                                      present=presenter(SamplePublic))


@router.get("/quality-samples/{quality_sample_id}", response_model=SamplePublic)
async def get_sample(quality_sample_id: str, principal: Supervisors, *, database: DatabaseDep) -> SamplePublic:
    return to_public(SamplePublic, await commands.find_sample(database, principal, sample_id=quality_sample_id))


@router.post("/quality-checks", status_code=201, response_model=QualityCheckPublic)
async def record_check(
    body: QualityCheckCreate, principal: Supervisors, *, database: DatabaseDep, idempotency_key: IdempotencyKey = None
) -> dict:
    """One check per contact (409 on a second); the score is 0–100 over the items that apply."""
    return await commands.record_check(database, principal, request=body, idempotency_key=idempotency_key,
                                       present=presenter(QualityCheckPublic))


@router.get("/quality-checks", response_model=Page[QualityCheckPublic])
async def list_checks(
    estate_id: str, principal: Analysts, *, database: DatabaseDep,
    page: PageQuery, agent_id: str | None = None, month: Month | None = None,
) -> Page[QualityCheckPublic]:
    await principal.require_estate(estate_id)
    if not {"supervisor", "estate_manager", "company_admin", "ops_viewer"}.intersection(principal.roles):
        agent_id = principal.user_id  # an agent sees their own checks only
    filters = {"agent_id": agent_id, "month": month}
    query = {**principal.estate_filter(), "estate_id": estate_id, **{k: v for k, v in filters.items() if v}}
    return await page_of(database.db[quality_store.CHECKS], query, page=page, view=QualityCheckPublic)


@router.get("/quality-scores", response_model=AgentMonthScores)
async def agent_month_scores(
    estate_id: str, month: Month, *, principal: QualityReaders, database: DatabaseDep
) -> AgentMonthScores:
    """Each agent's checks, average score and failed items in the month (for the staff report)."""
    await principal.require_estate(estate_id)
    documents = await commands.agent_month_scores(database, estate_id, month=month)
    return views.agent_month_scores(documents, estate_id=estate_id, month=month)
