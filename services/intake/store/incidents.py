"""Intake's incidents, and the incident link on tickets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING

from services.intake.domain.incidents import MATCH_WINDOW, OPEN_STATUSES
from shared.db import Database, UnitOfWork
from shared.lookup import find_by_id_or_number

INCIDENTS = "incidents"
TICKETS = "tickets"


async def ensure_indexes(database: Database) -> None:
    db = database.db
    await db[INCIDENTS].create_index([("estate_id", ASCENDING), ("number", ASCENDING)], unique=True)
    await db[INCIDENTS].create_index([("estate_id", ASCENDING), ("status", ASCENDING)])


def _session(database: Database | UnitOfWork):
    return getattr(database, "session", None)


async def find_incident(
    database: Database | UnitOfWork, incident_id: str, scope: dict[str, Any]
) -> dict[str, Any] | None:
    return await find_by_id_or_number(database.db[INCIDENTS], incident_id, scope, session=_session(database))


async def open_incidents_since(database: Database | UnitOfWork, estate_id: str, now: datetime) -> list[dict[str, Any]]:
    """The estate's open incidents declared within the matching window (a handful, even in a storm)."""
    query = {"estate_id": estate_id, "status": {"$in": list(OPEN_STATUSES)},
             "declared_at": {"$gte": now - MATCH_WINDOW}}
    return await database.db[INCIDENTS].find(query, session=_session(database)).to_list(None)


async def insert_incident(uow: UnitOfWork, incident: dict[str, Any]) -> None:
    await uow.db[INCIDENTS].insert_one(incident, session=uow.session)


async def add_ticket(uow: UnitOfWork, incident: dict[str, Any], ticket_id: str, entry: dict[str, Any]) -> None:
    await uow.db[INCIDENTS].update_one(
        {"_id": incident["_id"]}, {"$addToSet": {"ticket_ids": ticket_id}, "$push": {"history": entry}},
        session=uow.session,
    )


async def change_incident(uow: UnitOfWork, incident: dict[str, Any], fields: dict[str, Any], entry: dict) -> bool:
    """Write a status change if the status is still the one read (two desks resolving at once)."""
    result = await uow.db[INCIDENTS].update_one(
        {"_id": incident["_id"], "status": incident["status"]}, {"$set": fields, "$push": {"history": entry}},
        session=uow.session,
    )
    return result.modified_count == 1


async def set_incident_fields(uow: UnitOfWork, incident_id: str, fields: dict[str, Any]) -> None:
    await uow.db[INCIDENTS].update_one({"_id": incident_id}, {"$set": fields}, session=uow.session)


async def tickets_by_id(uow: UnitOfWork, ticket_ids: list[str], estate_id: str) -> list[dict[str, Any]]:
    if not ticket_ids:
        return []
    query = {"_id": {"$in": ticket_ids}, "estate_id": estate_id}
    return await uow.db[TICKETS].find(query, session=uow.session).to_list(None)
