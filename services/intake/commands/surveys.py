"""Satisfaction surveys: drafted, published, answered (once per resident), closed, compared."""

from __future__ import annotations

from typing import Any

from services.intake.commands import log_contact, ticket_reference
from services.intake.commands.desk import estate_in_scope
from services.intake.commands.inputs.contacts import ContactCreate, TicketRequest
from services.intake.commands.inputs.surveys import SurveyAnswerCreate, SurveyCreate, SurveyPublish
from services.intake.commands.tickets import is_resident
from services.intake.domain import surveys as rules
from services.intake.store import surveys as survey_store
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.documents import Presenter, about
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound
from shared.events import SurveyAnswered, SurveyClosed, SurveyPublished
from shared.idempotency import create_once
from shared.lookup import found


def _areas(survey: dict[str, Any]) -> list[str]:
    used = {q["area"] for q in survey["questions"]}
    return [area for area in rules.AREAS if area in used]


def _area_of(survey: dict[str, Any]) -> dict[str, str]:
    return {q["code"]: q["area"] for q in survey["questions"]}


async def find_survey(database: Database | UnitOfWork, principal: Principal, *, survey_id: str) -> dict[str, Any]:
    survey = found(
        await survey_store.find(database, survey_store.SURVEYS, document_id=survey_id, scope=principal.estate_filter()),
        "survey"
    )
    return survey


async def create_survey(
    database: Database, principal: Principal, *, request: SurveyCreate, idempotency_key: str | None,
    present: Presenter,
) -> dict[str, Any]:
    estate = await estate_in_scope(database, principal, estate_id=request.estate_id)
    rules.check_question_codes([q.code for q in request.questions])
    document = {"_id": new_id(), "estate_id": estate["_id"], "company_id": estate["company_id"],
                "title": request.title, "questions": [q.model_dump() for q in request.questions], "status": "draft",
                "audience": None, "sample_size": None, "created_at": utcnow(), "created_by": principal.user_id,
                "published_at": None, "closed_at": None, "respondents": 0, "tally": {}}

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await survey_store.insert(uow, survey_store.SURVEYS, document=document)
        return present(document)

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work)


async def publish_survey(database: Database, principal: Principal, *, survey_id: str, request: SurveyPublish) -> dict:
    rules.check_audience(request.audience, request.sample_size)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        survey = await find_survey(uow, principal, survey_id=survey_id)
        rules.check_transition(survey["status"], "published")
        now = utcnow()
        fields = {"status": "published", "published_at": now, "audience": request.audience,
                  "sample_size": request.sample_size}
        if not await survey_store.change_status(uow, survey, fields=fields):
            raise Conflict("the survey changed at the same moment; read it again")
        uow.emit(SurveyPublished(survey_id=survey_id, title=survey["title"], audience=request.audience,
                                 sample_size=request.sample_size, areas=_areas(survey), published_at=now),
                 **about(survey))
        return {**survey, **fields}

    return await database.transaction(work)


async def close_survey(database: Database, principal: Principal, *, survey_id: str) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        survey = await find_survey(uow, principal, survey_id=survey_id)
        rules.check_transition(survey["status"], "closed")
        now = utcnow()
        if not await survey_store.change_status(uow, survey, fields={"status": "closed", "closed_at": now}):
            raise Conflict("the survey changed at the same moment; read it again")
        final = rules.results(survey["tally"], _areas(survey))
        uow.emit(SurveyClosed(survey_id=survey_id, title=survey["title"], respondents=survey["respondents"],
                              averages={area: r.average for area, r in final.items()}, closed_at=now),
                 **about(survey))
        return {**survey, "status": "closed", "closed_at": now}

    return await database.transaction(work)


def _respondent(principal: Principal, request: SurveyAnswerCreate) -> tuple[str, str]:
    """(who answers, channel): a resident in the app answers for themself (and their own unit); an agent
    records an answer given on the phone."""
    if is_resident(principal):
        if request.resident_id not in (None, principal.user_id):
            raise Forbidden("a resident answers for themself")
        if request.unit_id is not None and request.unit_id not in principal.unit_ids:
            raise NotFound("unit")
        return principal.user_id, "app"
    if request.resident_id is None:
        raise InvalidInput("name the resident whose answer this is", field="resident_id")
    return request.resident_id, "phone"


async def answer_survey(database: Database, principal: Principal, *, survey_id: str,
                        request: SurveyAnswerCreate) -> dict:
    respondent_id, channel = _respondent(principal, request)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        survey = await find_survey(uow, principal, survey_id=survey_id)
        if survey["status"] != "published":
            raise InvalidTransition(f"the survey is {survey['status']}; it takes no answers")
        area_of = _area_of(survey)
        rules.check_scores(area_of, request.scores)
        answer = {
            "_id": f"{survey_id}:{respondent_id}", "survey_id": survey_id, "estate_id": survey["estate_id"],
            "company_id": survey["company_id"], "respondent_id": respondent_id, "unit_id": request.unit_id,
            "channel": channel, "recorded_by": principal.user_id, "scores": request.scores,
            "comment": request.comment, "low_scores": rules.low_scores(request.scores),
            "follow_up_suggested": rules.follow_up_suggested(request.scores, request.comment), "ticket_id": None,
            "answered_at": utcnow(),
        }
        await survey_store.insert(uow, survey_store.ANSWERS, document=answer)  # one per resident: a second collides
        if not await survey_store.tally_answer(uow, survey_id,
                                               increments=rules.tally_increments(area_of, request.scores)):
            raise InvalidTransition("the survey closed at the same moment")
        uow.emit(SurveyAnswered(survey_id=survey_id, answer_id=answer["_id"], respondent_id=respondent_id,
                                channel=channel, scores_by_area=rules.averages_by_area(area_of, request.scores),
                                low_scores=answer["low_scores"]), **about(answer))
        return answer

    return await create_once(database=database, principal=principal, key=None, body=request, work=work,
                             already_exists=Conflict(f"{respondent_id} has answered this survey already",
                                                     field="resident_id"))


async def survey_results(database: Database, principal: Principal, *, survey_id: str) -> dict[str, Any]:
    """The survey, the previous one of its estate, the areas it asks about and each area's change."""
    survey = await find_survey(database, principal, survey_id=survey_id)
    previous = await survey_store.previous_survey(database, survey)
    current = rules.results(survey["tally"], _areas(survey))
    before = rules.results(previous["tally"], _areas(survey)) if previous else None
    return {"survey": survey, "previous": previous, "areas": _areas(survey), "changes": rules.changes(current, before)}


async def open_ticket_for_answer(database: Database, principal: Principal, *, survey_id: str, answer_id: str) -> dict:
    """A low score with a comment becomes a complaint ticket (once: a retry finds the same ticket)."""
    survey = await find_survey(database, principal, survey_id=survey_id)
    answer = found(
        await survey_store.find(database, survey_store.ANSWERS, document_id=answer_id, scope={"survey_id": survey_id}),
        "survey answer"
    )
    if answer["ticket_id"]:
        return answer
    if not answer["follow_up_suggested"]:
        raise InvalidTransition("only a low score (1–2) with a comment opens a ticket")
    area = rules.lowest_area(_area_of(survey), answer["scores"])
    contact = ContactCreate(
        estate_id=survey["estate_id"], channel="app" if answer["channel"] == "app" else "hotline",
        unit_id=answer["unit_id"], summary=f"满意度调查「{survey['title']}」低分：{answer['comment']}",
        ticket=TicketRequest(category="complaint", subcategory=rules.COMPLAINT_SUBCATEGORY[area],
                             scope="public_area", description=answer["comment"]),
    )
    logged = await log_contact(database, principal, request=contact, idempotency_key=f"survey-answer:{answer_id}",
                               present=ticket_reference)
    ticket_id = logged["ticket"]["id"]

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await survey_store.set_answer_ticket(uow, answer_id, ticket_id=ticket_id)
        return {**answer, "ticket_id": ticket_id}

    return await database.transaction(work)
