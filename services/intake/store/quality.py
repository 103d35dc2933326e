"""Intake's quality checks, samples and the per-agent monthly scores they add up to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING

from shared.db import Database, UnitOfWork

CHECKS = "quality_checks"
SAMPLES = "quality_samples"
AGENT_MONTHS = "quality_agent_months"
CONTACTS = "contacts"
TICKETS = "tickets"


async def ensure_indexes(database: Database) -> None:
    db = database.db
    await db[CHECKS].create_index("contact_id", unique=True)  # one check per contact
    await db[CHECKS].create_index([("estate_id", ASCENDING), ("agent_id", ASCENDING)])
    await db[AGENT_MONTHS].create_index([("estate_id", ASCENDING), ("month", ASCENDING)])
    await db[CONTACTS].create_index([("estate_id", ASCENDING), ("logged_at", ASCENDING)])


async def find(database: Database | UnitOfWork, collection: str, *, document_id: str, scope: dict) -> dict | None:
    session = getattr(database, "session", None)
    return await database.db[collection].find_one({"_id": document_id, **scope}, session=session)


async def insert(uow: UnitOfWork, collection: str, *, document: dict[str, Any]) -> None:
    await uow.db[collection].insert_one(document, session=uow.session)


async def contacts_between(database: Database, estate_id: str, *, start: datetime, end: datetime) -> list[dict]:
    query = {"estate_id": estate_id, "logged_at": {"$gte": start, "$lt": end}}
    projection = {"_id": 1, "ticket_id": 1, "answered_within_15s": 1, "summary": 1}
    return await database.db[CONTACTS].find(query, projection).to_list(None)


async def ticket_categories(database: Database, ticket_ids: list[str]) -> dict[str, str]:
    if not ticket_ids:
        return {}
    found = await database.db[TICKETS].find({"_id": {"$in": ticket_ids}}, {"category": 1}).to_list(None)
    return {t["_id"]: t["category"] for t in found}


async def add_to_agent_month(uow: UnitOfWork, key: dict[str, Any], *, score: int, failed: list[str]) -> None:
    """One more check in the agent's month: counts kept so the month is read with one lookup."""
    document_id = f"{key['estate_id']}:{key['month']}:{key['agent_id']}"
    await uow.db[AGENT_MONTHS].update_one(
        {"_id": document_id},
        {"$setOnInsert": key, "$inc": {"checks": 1, "score_total": score, **{f"failed.{i}": 1 for i in failed}}},
        upsert=True, session=uow.session,
    )
