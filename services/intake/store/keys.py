"""The key register and its loans, lost property, and the front desk's settings per estate."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from shared.db import Database, UnitOfWork

KEYS = "keys"
KEY_LOANS = "key_loans"
LOST_ITEMS = "lost_items"
FRONT_DESK_SETTINGS = "front_desk_settings"


async def ensure_indexes(database: Database) -> None:
    db = database.db
    await db[KEYS].create_index([("estate_id", ASCENDING), ("label", ASCENDING)], unique=True)
    await db[KEY_LOANS].create_index([("estate_id", ASCENDING), ("returned_at", ASCENDING), ("lent_at", ASCENDING)])
    await db[KEY_LOANS].create_index([("key_id", ASCENDING), ("_id", ASCENDING)])
    await db[LOST_ITEMS].create_index([("estate_id", ASCENDING), ("status", ASCENDING), ("keep_until", ASCENDING)])


def _session(database: Database | UnitOfWork):
    return getattr(database, "session", None)


async def find(
    database: Database | UnitOfWork, collection: str, *, document_id: str, scope: dict[str, Any]
) -> dict | None:
    return await database.db[collection].find_one({"_id": document_id, **scope}, session=_session(database))


async def insert(uow: UnitOfWork, collection: str, *, document: dict[str, Any]) -> None:
    await uow.db[collection].insert_one(document, session=uow.session)


async def change_if(uow: UnitOfWork, collection: str, *, document_id: str, expected: dict[str, Any],
                    fields: dict[str, Any]) -> bool:
    """Set `fields` only if the document is still as `expected` (a claim: two callers, one wins)."""
    result = await uow.db[collection].update_one({"_id": document_id, **expected}, {"$set": fields},
                                                 session=uow.session)
    return result.modified_count == 1


async def keep_days(database: Database | UnitOfWork, estate_id: str, *, default: int) -> int:
    settings = await database.db[FRONT_DESK_SETTINGS].find_one({"_id": estate_id}, session=_session(database))
    return (settings or {}).get("lost_item_keep_days", default)


async def set_keep_days(uow: UnitOfWork, estate_id: str, *, company_id: str, days: int) -> None:
    await uow.db[FRONT_DESK_SETTINGS].update_one(
        {"_id": estate_id},
        {"$set": {"estate_id": estate_id, "company_id": company_id, "lost_item_keep_days": days}}, upsert=True,
        session=uow.session,
    )
