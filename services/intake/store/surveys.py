"""Intake's satisfaction surveys and their answers (one per resident per survey)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING

from shared.db import Database, UnitOfWork

SURVEYS = "surveys"
ANSWERS = "survey_answers"


async def ensure_indexes(database: Database) -> None:
    await database.db[SURVEYS].create_index([("estate_id", ASCENDING), ("published_at", ASCENDING)])
    await database.db[ANSWERS].create_index([("survey_id", ASCENDING), ("_id", ASCENDING)])


async def find(database: Database | UnitOfWork, collection: str, *, document_id: str, scope: dict) -> dict | None:
    session = getattr(database, "session", None)
    return await database.db[collection].find_one({"_id": document_id, **scope}, session=session)


async def insert(uow: UnitOfWork, collection: str, *, document: dict[str, Any]) -> None:
    await uow.db[collection].insert_one(document, session=uow.session)


async def change_status(uow: UnitOfWork, survey: dict[str, Any], *, fields: dict[str, Any]) -> bool:
    result = await uow.db[SURVEYS].update_one({"_id": survey["_id"], "status": survey["status"]}, {"$set": fields},
                                              session=uow.session)
    return result.modified_count == 1


async def tally_answer(uow: UnitOfWork, survey_id: str, *, increments: dict[str, int]) -> bool:
    """Count an answer into its survey, while the survey is open."""
    result = await uow.db[SURVEYS].update_one(
        {"_id": survey_id, "status": "published"}, {"$inc": {**increments, "respondents": 1}}, session=uow.session
    )
    return result.modified_count == 1


async def previous_survey(database: Database, survey: dict[str, Any]) -> dict[str, Any] | None:
    """The estate's survey published last before this one."""
    if survey.get("published_at") is None:
        return None
    query = {"estate_id": survey["estate_id"], "published_at": {"$lt": survey["published_at"]}}
    found = await database.db[SURVEYS].find(query).sort("published_at", DESCENDING).to_list(1)
    return found[0] if found else None


async def set_answer_ticket(uow: UnitOfWork, answer_id: str, *, ticket_id: str) -> None:
    await uow.db[ANSWERS].update_one({"_id": answer_id}, {"$set": {"ticket_id": ticket_id}}, session=uow.session)
