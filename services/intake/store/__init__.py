"""Intake's database: estates, contacts and tickets."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from services.intake.store import desk, directory, keys, procedures
from services.intake.store import tickets as ticket_store
from shared.cache import TtlCache
from shared.db import Database, UnitOfWork
from shared.lookup import find_by_id_or_number

ESTATES = "estates"
CONTACTS = "contacts"
TICKETS = "tickets"


async def ensure_indexes(database: Database) -> None:
    db = database.db
    await db[TICKETS].create_index([("estate_id", ASCENDING), ("number", ASCENDING)], unique=True)
    await db[TICKETS].create_index([("estate_id", ASCENDING), ("_id", ASCENDING)])
    await db[CONTACTS].create_index([("estate_id", ASCENDING), ("_id", ASCENDING)])
    await procedures.ensure_indexes(database)
    await keys.ensure_indexes(database)
    await ticket_store.ensure_indexes(database)
    await desk.ensure_indexes(database)
    await directory.ensure_indexes(database)


async def find_estate(database: Database, estate_id: str) -> dict[str, Any] | None:
    return await database.db[ESTATES].find_one({"_id": estate_id})


# The hotline's write path needs an estate's company and time zone, which do not change.
_estates: TtlCache[dict[str, Any]] = TtlCache(ttl_s=60.0)


async def find_estate_cached(database: Database, estate_id: str) -> dict[str, Any] | None:
    return await _estates.get(estate_id, lambda: find_estate(database, estate_id))


async def insert(uow: UnitOfWork, collection: str, *, document: dict[str, Any]) -> None:
    await uow.db[collection].insert_one(document, session=uow.session)


async def find_ticket(database: Database | UnitOfWork, ticket_id: str, *, scope: dict[str, Any]) -> dict[str,
                                                                                                         Any] | None:
    """By id or by number (`DH-20261201-0003`)."""
    session = getattr(database, "session", None)
    return await find_by_id_or_number(database.db[TICKETS], ticket_id, scope=scope, session=session)


async def find_contact(database: Database, contact_id: str, *, scope: dict[str, Any]) -> dict[str, Any] | None:
    return await database.db[CONTACTS].find_one({"_id": contact_id, **scope})


async def update_ticket_status(uow: UnitOfWork, ticket: dict[str, Any], *, change: dict[str, Any]) -> None:
    await uow.db[TICKETS].update_one(
        {"_id": ticket["_id"], "status": ticket["status"]},
        {"$set": {"status": change["status"], **change.get("fields", {})}, "$push": {"history": change["entry"]}},
        session=uow.session,
    )
