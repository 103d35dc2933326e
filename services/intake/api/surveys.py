"""Intake's HTTP API for satisfaction surveys (满意度调查)."""

from __future__ import annotations

from fastapi import APIRouter

from services.intake.api import views
from services.intake.api.deps import Analysts, FrontDesk, Reporters, Supervisors, SurveyReaders
from services.intake.api.surveys_schemas import SurveyAnswerPublic, SurveyPublic, SurveyResults
from services.intake.commands import surveys as commands
from services.intake.commands.inputs.surveys import SurveyAnswerCreate, SurveyCreate, SurveyPublish
from services.intake.domain.surveys import Status
from services.intake.store import surveys as survey_store
from shared.auth import estate_query
from shared.documents import presenter, to_public
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageQuery, page_of
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["surveys"])


@router.post("/surveys", status_code=201, response_model=SurveyPublic)
async def create_survey(
    body: SurveyCreate, principal: Supervisors, *, database: DatabaseDep, idempotency_key: IdempotencyKey = None
) -> dict:
    """A questionnaire in draft: questions scored 1–5, each for one service area."""
    return await commands.create_survey(database, principal, request=body, idempotency_key=idempotency_key,
                                        present=presenter(SurveyPublic))


@router.get("/surveys", response_model=Page[SurveyPublic])
async def list_surveys(
    estate_id: str, principal: SurveyReaders, *, database: DatabaseDep, page: PageQuery,
    status: Status | None = None,
) -> Page[SurveyPublic]:
    query = await estate_query(principal, estate_id, status=status)
    return await page_of(database.db[survey_store.SURVEYS], query, page=page, view=SurveyPublic)


@router.get("/surveys/{survey_id}", response_model=SurveyPublic)
async def get_survey(survey_id: str, principal: SurveyReaders, *, database: DatabaseDep) -> SurveyPublic:
    return to_public(SurveyPublic, await commands.find_survey(database, principal, survey_id=survey_id))


@router.post("/surveys/{survey_id}/publish", response_model=SurveyPublic)
async def publish_survey(survey_id: str, body: SurveyPublish, *, principal: Supervisors, database: DatabaseDep) -> dict:
    """Send it to all residents or a sample (`intake.survey.published`); draft only, else 409."""
    return to_public(SurveyPublic,
                     await commands.publish_survey(database, principal, survey_id=survey_id, request=body))


@router.post("/surveys/{survey_id}/close", response_model=SurveyPublic)
async def close_survey(survey_id: str, principal: Supervisors, *, database: DatabaseDep) -> dict:
    return to_public(SurveyPublic, await commands.close_survey(database, principal, survey_id=survey_id))


@router.post("/surveys/{survey_id}/answers", status_code=201, response_model=SurveyAnswerPublic)
async def answer_survey(
    survey_id: str, body: SurveyAnswerCreate, *, principal: Reporters, database: DatabaseDep
) -> dict:
    """One answer per resident per survey (409 on a second)."""
    return to_public(SurveyAnswerPublic,
                     await commands.answer_survey(database, principal, survey_id=survey_id, request=body))


@router.get("/surveys/{survey_id}/results", response_model=SurveyResults)
async def survey_results(survey_id: str, principal: Analysts, *, database: DatabaseDep) -> SurveyResults:
    """Per area: count, average and distribution of the scores, beside the estate's previous survey."""
    return views.survey_results_public(await commands.survey_results(database, principal, survey_id=survey_id))


@router.post("/surveys/{survey_id}/answers/{survey_answer_id}/ticket", response_model=SurveyAnswerPublic)
async def open_ticket_for_answer(
    survey_id: str, survey_answer_id: str, *, principal: FrontDesk, database: DatabaseDep
) -> dict:
    """A low score (1–2) with a comment becomes a complaint ticket; 409 for any other answer."""
    answer = await commands.open_ticket_for_answer(database, principal, survey_id=survey_id, answer_id=survey_answer_id)
    return to_public(SurveyAnswerPublic, answer)
