"""Intake's patrol routes and rounds."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from shared.db import Database, UnitOfWork

ROUTES = "patrol_routes"
ROUNDS = "patrol_rounds"


async def ensure_indexes(database: Database) -> None:
    await database.db[ROUTES].create_index([("estate_id", ASCENDING), ("name", ASCENDING)], unique=True)
    await database.db[ROUNDS].create_index([("estate_id", ASCENDING), ("status", ASCENDING)])


async def find(database: Database | UnitOfWork, collection: str, *, document_id: str, scope: dict) -> dict | None:
    session = getattr(database, "session", None)
    return await database.db[collection].find_one({"_id": document_id, **scope}, session=session)


async def insert(uow: UnitOfWork, collection: str, *, document: dict[str, Any]) -> None:
    await uow.db[collection].insert_one(document, session=uow.session)


async def record_checkpoint(uow: UnitOfWork, round_id: str, *, code: str, result: dict[str, Any]) -> bool:
    """Record a checkpoint once, while the round is under way (two taps at once: one wins)."""
    outcome = await uow.db[ROUNDS].update_one(
        {"_id": round_id, "status": "in_progress", f"results.{code}": {"$exists": False}},
        {"$set": {f"results.{code}": result}, "$push": {"order": code}}, session=uow.session,
    )
    return outcome.modified_count == 1


async def complete_round(uow: UnitOfWork, round_id: str, *, fields: dict[str, Any]) -> bool:
    outcome = await uow.db[ROUNDS].update_one(
        {"_id": round_id, "status": "in_progress"}, {"$set": {"status": "completed", **fields}}, session=uow.session
    )
    return outcome.modified_count == 1
