"""Intake's incidents, and the incident link on tickets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, UpdateOne

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
    database: Database | UnitOfWork, incident_id: str, *, scope: dict[str, Any]
) -> dict[str, Any] | None:
    return await find_by_id_or_number(database.db[INCIDENTS], incident_id, scope=scope, session=_session(database))


async def open_incidents_since(database: Database | UnitOfWork, estate_id: str, *,
                               now: datetime) -> list[dict[str, Any]]:
    """The estate's open incidents declared within the matching window (a handful, even in a storm)."""
    query = {"estate_id": estate_id, "status": {"$in": list(OPEN_STATUSES)},
             "declared_at": {"$gte": now - MATCH_WINDOW}}
    return await database.db[INCIDENTS].find(query, session=_session(database)).to_list(None)


async def insert_incident(uow: UnitOfWork, incident: dict[str, Any]) -> None:
    await uow.db[INCIDENTS].insert_one(incident, session=uow.session)


async def add_ticket(uow: UnitOfWork, incident: dict[str, Any], *, ticket_id: str, entry: dict[str, Any]) -> None:
    await uow.db[INCIDENTS].update_one(
        {"_id": incident["_id"]}, {"$addToSet": {"ticket_ids": ticket_id}, "$push": {"history": entry}},
        session=uow.session,
    )


async def change_incident(uow: UnitOfWork, incident: dict[str, Any], *, fields: dict[str, Any], entry: dict) -> bool:
    """Write a status change if the status is still the one read (two desks resolving at once)."""
    result = await uow.db[INCIDENTS].update_one(
        {"_id": incident["_id"], "status": incident["status"]}, {"$set": fields, "$push": {"history": entry}},
        session=uow.session,
    )
    return result.modified_count == 1


async def incidents_by_id(uow: UnitOfWork, incident_ids: set[str]) -> dict[str, dict[str, Any]]:
    """Incidents by id, in one query (a batch of events reads its incidents together)."""
    if not incident_ids:
        return {}
    cursor = uow.db[INCIDENTS].find({"_id": {"$in": sorted(incident_ids)}}, session=uow.session)
    return {incident["_id"]: incident for incident in await cursor.to_list(None)}


def change_incident_at_commit(uow: UnitOfWork, incident: dict[str, Any], *, fields: dict[str, Any],
                              entry: dict | None, conflict: Exception | None = None) -> dict[str, Any]:
    """Write a change at the commit (on the status read, when `conflict` says what a move raises);
    returns the incident as changed."""
    change: dict[str, Any] = {"$set": fields}
    if entry is not None:
        change["$push"] = {"history": entry}
    where = {"_id": incident["_id"], **({"status": incident["status"]} if conflict else {})}
    uow.write(INCIDENTS, UpdateOne(where, change), or_raise=conflict)
    history = [*incident.get("history", []), entry] if entry is not None else incident.get("history", [])
    return {**incident, **fields, "history": history}


async def tickets_by_id(uow: UnitOfWork, ticket_ids: list[str], *, estate_id: str) -> list[dict[str, Any]]:
    if not ticket_ids:
        return []
    query = {"_id": {"$in": ticket_ids}, "estate_id": estate_id}
    return await uow.db[TICKETS].find(query, session=uow.session).to_list(None)
