"""Procedure cases and the card register, in intake's database."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from shared.db import Database, UnitOfWork
from shared.lookup import find_by_id_or_number

PROCEDURES = "procedures"
CARDS = "cards"


async def ensure_indexes(database: Database) -> None:
    db = database.db
    await db[PROCEDURES].create_index([("estate_id", ASCENDING), ("number", ASCENDING)], unique=True)
    await db[PROCEDURES].create_index([("estate_id", ASCENDING), ("_id", ASCENDING)])
    await db[PROCEDURES].create_index([("estate_id", ASCENDING), ("unit_id", ASCENDING)])
    # One active card per number: an active card's `active_number` is `<kind>:<number>`; a lost or
    # cancelled one's is its own id (a plain unique index, as SecantusDB scans for partial ones).
    await db[CARDS].create_index([("estate_id", ASCENDING), ("active_number", ASCENDING)], unique=True)
    await db[CARDS].create_index([("estate_id", ASCENDING), ("unit_id", ASCENDING)])


def _session(database: Database | UnitOfWork):
    return getattr(database, "session", None)


async def find_procedure(database: Database | UnitOfWork, procedure_id: str, *, scope: dict[str, Any]) -> dict | None:
    return await find_by_id_or_number(database.db[PROCEDURES], procedure_id, scope=scope, session=_session(database))


async def insert(uow: UnitOfWork, collection: str, *, document: dict[str, Any]) -> None:
    await uow.db[collection].insert_one(document, session=uow.session)


async def update_procedure(
    uow: UnitOfWork, case: dict[str, Any], *, fields: dict[str, Any], entry: dict[str, Any]
) -> bool:
    """Apply a change to the version that was read; False when someone changed it meanwhile."""
    result = await uow.db[PROCEDURES].update_one(
        {"_id": case["_id"], "version": case["version"]},
        {"$set": {**fields, "version": case["version"] + 1}, "$push": {"history": entry}},
        session=uow.session,
    )
    return result.modified_count == 1


async def find_card(database: Database | UnitOfWork, card_id: str, *, scope: dict[str, Any]) -> dict | None:
    return await database.db[CARDS].find_one({"_id": card_id, **scope}, session=_session(database))


async def update_card(uow: UnitOfWork, card: dict[str, Any], *, fields: dict[str, Any], entry: dict[str, Any]) -> bool:
    result = await uow.db[CARDS].update_one(
        {"_id": card["_id"], "status": card["status"]},
        {"$set": fields, "$push": {"history": entry}}, session=uow.session,
    )
    return result.modified_count == 1
